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

  test('a role process runs below the generator, never above it', async () => {
    const role = await spawnRole('onprem');
    started.push(role);
    const own = os.getPriority();
    const expected = Math.min(19, own + roleNiceIncrement());
    expect(os.getPriority(role.pid)).toBe(expected);
    expect(os.getPriority(role.pid)).toBeGreaterThanOrEqual(own);
  });
});
