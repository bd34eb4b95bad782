// Suite-wide leak check: after all tests, no role process (cloud relay, onprem agent/target,
// app-relay-client forwarder: every role forked from cli/role-main) started by this test run may
// still run. Processes are recognised by a run id the setup puts in the environment
// (inherited by workers, the CLI and its role processes), so other runs on the machine are never
// touched. Leftovers are killed and reported as a failure. Linux only (/proc); elsewhere a no-op.

import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

const VARIABLE = 'HCBENCH_TEST_RUN_ID';

function processesOfRun(runId: string): { pid: number; command: string }[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const found: { pid: number; command: string }[] = [];
  for (const name of pids) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      if (!environ.includes(`${VARIABLE}=${runId}`)) continue;
      const command = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (command.includes('role-main')) found.push({ pid, command });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

export default function setup(): () => Promise<void> {
  const runId = randomUUID();
  process.env[VARIABLE] = runId;
  return async () => {
    // Role processes exit within ~2 s of losing their parent; give stragglers that long.
    let leftovers = processesOfRun(runId);
    for (let i = 0; i < 30 && leftovers.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      leftovers = processesOfRun(runId);
    }
    if (leftovers.length === 0) return;
    for (const p of leftovers) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // vitest logs an error thrown here but still exits 0; the exit code makes it fail the suite.
    process.exitCode = 1;
    throw new Error(`tests left ${leftovers.length} role process(es) running:\n${leftovers.map((p) => `  ${p.pid} ${p.command}`).join('\n')}`);
  };
}
