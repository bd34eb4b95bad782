// The V8 heap configuration the soak's own process runs with. That process ("app" in the soak) is
// the generator, and the soak judges its RSS growth. V8 sizes the young generation by its own
// heuristics, between 1 and 16 MiB per semi-space (new space up to 32 MiB), and grows it late: a
// 30-minute soak read app RSS 111 -> 140 MiB while its heap after a full GC stayed at about 15 MiB
// and the new space went from 4 to 32 MiB (bench/README.md, "Soak"). Capping the semi-space keeps
// that resizing out of the RSS, so growth after warm-up is memory the process retains.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Node flags of the soak's process: young generation at most 2 MiB per semi-space. */
export const SOAK_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** True when `execArgv` (process.execArgv) already holds every soak heap flag. */
export function hasSoakHeapFlags(execArgv: readonly string[]): boolean {
  return SOAK_HEAP_FLAGS.every((flag) => execArgv.includes(flag));
}

/**
 * Runs this same script again with the soak heap flags (same arguments, stdio inherited) and
 * resolves with its exit code (128 + signal number when a signal ended it). A Ctrl-C at the
 * terminal reaches the child through the process group, so this process waits for it to write its
 * partial results instead of passing a second SIGINT on; SIGTERM is passed on.
 */
export function rerunWithSoakHeap(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...SOAK_HEAP_FLAGS, ...process.argv.slice(1)], { stdio: 'inherit' });
  const waitForChild = (): void => {};
  const forward = (): void => {
    child.kill('SIGTERM');
  };
  process.on('SIGINT', waitForChild);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => {
      process.off('SIGINT', waitForChild);
      process.off('SIGTERM', forward);
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}
