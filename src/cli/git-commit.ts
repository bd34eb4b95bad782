// The git commit of the folder a run is started in, for the result's environment (`hcbench trend`
// orders and labels runs by it). Best effort and bounded: no git, no checkout, or a slow git
// leave it out; it never fails a run.

import { execFile } from 'node:child_process';

/** Longest wait for one git command, ms. */
const GIT_TIMEOUT_MS = 2_000;

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 1_000_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GIT_OPTIONAL_LOCKS: '0' } }, (error, stdout) =>
      resolve(error === null ? stdout : undefined),
    );
  });
}

/** HEAD's commit and whether the work tree has changes, or undefined outside a git checkout. */
export async function gitCommitOf(cwd: string): Promise<{ gitCommit: string; gitDirty: boolean } | undefined> {
  const head = (await git(cwd, ['rev-parse', 'HEAD']))?.trim();
  if (head === undefined || !/^[0-9a-f]{40,64}$/.test(head)) return undefined;
  const status = await git(cwd, ['status', '--porcelain', '--untracked-files=no']);
  return { gitCommit: head, gitDirty: status !== undefined && status.trim() !== '' };
}
