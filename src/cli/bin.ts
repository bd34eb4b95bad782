#!/usr/bin/env node
// The `hcbench` executable: wires the real process into main(). Ctrl-C aborts the run (partial
// results are written); a second Ctrl-C exits at once.

import { main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\ninterrupted: finishing the current step and writing partial results (Ctrl-C again to quit now)\n');
  controller.abort();
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
