// A real regression end to end: the same scenario run twice on the embedded relay, the second time
// with the relay legs' delay 30 % longer (10 → 13 ms per leg). The slow run's recorded network is then set back to the
// baseline's (the relay "got slower" with nothing in the scenario changed), and `hcbench compare`
// must call the relay metrics regressed and exit 8. Real processes and sockets; ~30 s.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import type { CompareReport } from '../../src/analysis/compare.js';
import { invalidCompareReasons } from '../../src/analysis/run-validity.js';
import { ExitCode } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
import { runCli } from '../helpers/cli.js';

const scenario = (oneWayDelayMs: number) => `name: relay-delay-gate
target: { kind: tcp-request-response }
network:
  appToRelay: { oneWayDelayMs: ${oneWayDelayMs} }
  relayToAgent: { oneWayDelayMs: ${oneWayDelayMs} }
paths: [ { kind: direct }, { kind: relay-emulated } ]
workload: { id: chat, kind: tcp-request-response, connections: 2, roundTripsPerTransaction: 2 }
durationMs: 500
warmupMs: 200
repetitions: 3
`;

async function run(dir: string, name: string, oneWayDelayMs: number): Promise<{ file: string; result: RunResult }> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, scenario(oneWayDelayMs));
  const out = await runCli(['run', file, '--results-dir', join(dir, name)], { cwd: dir, signal: AbortSignal.timeout(120_000) });
  const folder = /results: (.+)\n/.exec(out.stderr)?.[1];
  expect(folder, out.stderr).toBeDefined();
  const summary = join(folder!, 'summary.json');
  return { file: summary, result: JSON.parse(await readFile(summary, 'utf8')) as RunResult };
}

test(
  'relay legs 30 % slower: relay latency and overhead regressed, exit 8',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-delay-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const base = await run(dir, 'base', 10);
    // The result states its emulation error: the relay's 4 held traversals per round trip (warm-up
    // round trips are held too, so at least 4 per measured one); the undelayed direct path says why not.
    const measuredRoundTrips = base.result.steps
      .filter((s) => s.stepId.endsWith('@relay-emulated') && s.status === 'completed')
      .reduce((sum, s) => sum + (s.status === 'completed' ? s.metrics.counters.roundTrips : 0), 0);
    const relayEmulation = base.result.emulation?.['relay-emulated'];
    expect(relayEmulation).toMatchObject({ measured: true, traversalsPerRoundTrip: 4, configuredRoundTripMs: 40 });
    expect(relayEmulation?.perTraversalErrorUs?.count ?? 0).toBeGreaterThanOrEqual(4 * measuredRoundTrips);
    expect(relayEmulation!.perTraversalErrorUs!.p50).toBeLessThanOrEqual(relayEmulation!.perTraversalErrorUs!.p99);
    expect(base.result.emulation?.['direct']).toMatchObject({ measured: false, traversalsPerRoundTrip: 0 });
    const slow = await run(dir, 'slow', 13);
    // Disguise the injected delay: the comparison must find it in the measurements alone.
    const disguised = { ...slow.result, topology: base.result.topology, scenario: base.result.scenario };
    await writeFile(join(dir, 'slow-disguised.json'), JSON.stringify(disguised));

    const compare = await runCli(['compare', base.file, 'slow-disguised.json', '--json'], { cwd: dir });

    const report = JSON.parse(compare.stdout) as CompareReport;
    const verdictOf = (metric: string) => report.metrics.find((m) => m.metric === metric)?.verdict;
    expect(report.isComparable, report.reasons.join('; ')).toBe(true);
    const table = compare.stdout;
    expect(verdictOf('chat@relay-emulated roundTrip.p50'), table).toBe('regressed');
    expect(verdictOf('chat@relay-emulated transaction.p50'), table).toBe('regressed');
    expect(verdictOf('chat overhead(relay-emulated) transaction.p50'), table).toBe('regressed');
    // Exit 7 instead when a compared figure of either run is untrusted (a busy machine's generator).
    const isInvalid = invalidCompareReasons(base.result).length + invalidCompareReasons(disguised).length > 0;
    expect(compare.exitCode).toBe(isInvalid ? ExitCode.InvalidRun : ExitCode.Regression);
    // And undisguised, the changed network is detected from the results: incomparable.
    const honest = await runCli(['compare', base.file, slow.file], { cwd: dir });
    expect(honest.exitCode).toBe(ExitCode.Incomparable);
    expect(honest.stdout).toContain('incomparable: network profile differs');
  },
  300_000,
);
