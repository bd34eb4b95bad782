// The truth entry's keep-warm A/B aid: one spinner per CPU, each really at SCHED_IDLE (so it
// never delays a normal process), and none left after stop(). Linux with chrt only.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { expect, test } from 'vitest';
import { startKeepWarm } from '../../bench/lib/keep-warm.js';
import { createPathLookup } from '../../bench/lib/tools.js';

const findTool = createPathLookup(process.env['PATH'] ?? '');
const hasChrt = existsSync('/usr/bin/chrt') || existsSync('/bin/chrt');

test.skipIf(!hasChrt)('one SCHED_IDLE spinner per CPU while running, none after stop', async () => {
  const warm = await startKeepWarm(findTool);
  if ('unavailable' in warm) throw new Error(`keep-warm unavailable: ${warm.unavailable}`);
  try {
    expect(warm.pids).toHaveLength(cpus().length);
    for (const pid of warm.pids) expect(execFileSync('chrt', ['-p', String(pid)]).toString()).toContain('SCHED_IDLE');
  } finally {
    await warm.stop();
  }
  for (const pid of warm.pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
});

test('says why when chrt is missing', async () => {
  expect(await startKeepWarm(async () => undefined)).toEqual({ unavailable: 'chrt not found on PATH' });
});
