#!/usr/bin/env node
// The `hcbench` executable: wires the real process into main(). Ctrl-C aborts the command (a run
// writes partial results) within the command's stated bound; a second Ctrl-C exits at once.

import { interruptBoundMs, interruptNotice, main } from './main.js';

const argv = process.argv.slice(2);
const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  process.stderr.write(`\n${interruptNotice(argv)}\n`);
  controller.abort();
  // The commands bound every wait; this is the net under them, so Ctrl-C always ends the process.
  const boundMs = interruptBoundMs(argv);
  setTimeout(() => {
    process.stderr.write(`hcbench: still running ${boundMs} ms after Ctrl-C; exiting now\n`);
    process.exit(130);
  }, boundMs).unref();
});

process.exitCode = await main(argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
// A finished command must not be kept alive by a handle some library left open (or, after Ctrl-C,
// by a write the interrupt budget gave up on).
if (controller.signal.aborted) process.exit();
setTimeout(() => process.exit(), 2_000).unref();
