import os from 'node:os';
import { afterEach, describe, expect, test } from 'vitest';
import { DEFAULT_ROLE_NICE, roleNiceIncrement } from '../../src/roles/role-priority.js';
import { spawnRole, type RoleHandle } from '../../src/roles/role-process.js';

const started: RoleHandle[] = [];
afterEach(async () => {
  for (const role of started.splice(0)) await role.stop();
});

describe('role priority', () => {
  test('HCBENCH_ROLE_NICE: a whole number in 0..19, else the default', () => {
    expect(roleNiceIncrement({})).toBe(DEFAULT_ROLE_NICE);
    expect(roleNiceIncrement({ HCBENCH_ROLE_NICE: '0' })).toBe(0);
    expect(roleNiceIncrement({ HCBENCH_ROLE_NICE: '12' })).toBe(12);
    for (const bad of ['-1', '20', '2.5', 'high']) expect(roleNiceIncrement({ HCBENCH_ROLE_NICE: bad })).toBe(DEFAULT_ROLE_NICE);
  });

  test('with HCBENCH_ROLE_NICE a role process runs below the generator; without, at its priority', async () => {
    const own = os.getPriority();
    const previous = process.env.HCBENCH_ROLE_NICE;
    try {
      process.env.HCBENCH_ROLE_NICE = '3';
      const lowered = await spawnRole('onprem');
      started.push(lowered);
      expect(os.getPriority(lowered.pid)).toBe(Math.min(19, own + 3));
      delete process.env.HCBENCH_ROLE_NICE;
      const plain = await spawnRole('onprem');
      started.push(plain);
      expect(os.getPriority(plain.pid)).toBe(own);
    } finally {
      if (previous === undefined) delete process.env.HCBENCH_ROLE_NICE;
      else process.env.HCBENCH_ROLE_NICE = previous;
    }
  });
});
