// A/B aid for issue #12: one busy loop per CPU at SCHED_IDLE (`chrt --idle 0`), so no vCPU halts
// while it runs and any woken process preempts it at once (SCHED_IDLE yields to every normal
// task). Whether that removes the wake-from-halt cost of a hand-off into an idle process is
// measured by the `truth` entry, never assumed. Each spinner exits by itself when this process
// dies (it watches its parent pid), and `stop()` kills it by pid.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';

export interface KeepWarm {
  /** Process ids of the spinners. */
  pids: number[];
  stop(): Promise<void>;
}

/** Starts one SCHED_IDLE spinner per CPU; the reason when `chrt` is missing or refuses. */
export async function startKeepWarm(findTool: (name: string) => Promise<string | undefined>): Promise<KeepWarm | { unavailable: string }> {
  const chrt = await findTool('chrt');
  if (chrt === undefined) return { unavailable: 'chrt not found on PATH' };
  const parent = process.pid;
  const loop = `for(let i=0;;i++){if((i&0xfffff)===0&&process.ppid!==${parent})process.exit(0)}`;
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
  };
  for (let i = 0; i < cpus().length; i += 1) {
    const child = spawn(chrt, ['--idle', '0', process.execPath, '-e', loop], { stdio: 'ignore' });
    children.push(child);
    const outcome = await Promise.race([
      once(child, 'spawn').then(() => 'spawned' as const),
      once(child, 'error').then(([error]) => `could not start: ${String(error)}`),
    ]);
    if (outcome !== 'spawned') {
      await stop();
      return { unavailable: outcome };
    }
  }
  // chrt exits at once with an error when the policy is refused: give it a moment to do so.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const failed = children.find((child) => child.exitCode !== null);
  if (failed !== undefined) {
    await stop();
    return { unavailable: `chrt --idle exited with ${String(failed.exitCode)}` };
  }
  return { pids: children.map((child) => child.pid ?? -1), stop };
}
