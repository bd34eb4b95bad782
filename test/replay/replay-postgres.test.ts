// The proof on a real database: PostgreSQL (initdb in a temporary folder, trust auth on
// 127.0.0.1) and its own benchmark client pgbench. A short bounded pgbench run (-t, 3 clients) is
// recorded through a real `hcbench record` process (stopped with Ctrl-C), and the trace is
// replayed with `target: built-in` on the direct and the relay-emulated path: every replayed
// conversation has the recorded turns, round trips and bytes. And pgbench itself runs through
// `hcbench agent` + `hcbench tunnel` on the embedded relay with the same transaction count as
// direct. Skipped with the reason where PostgreSQL is not installed.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
import { collectConversations, openTrace } from '../../src/trace/open-trace.js';
import type { TraceContent } from '../../src/trace/format.js';
import { runCli } from '../helpers/cli.js';
import { startHcbench, startRelayProcess } from '../helpers/hcbench-process.js';
import { POSTGRES_SKIP_REASON, runPgAsync, startPostgres, type StartedPostgres } from '../helpers/target-postgres.js';

const CLIENTS = 3;
const TRANSACTIONS = 10;
/** pgbench's built-in TPC-B script in simple query mode: BEGIN, 3 UPDATEs, SELECT, INSERT, END. */
const STATEMENTS_PER_TRANSACTION = 7;

if (POSTGRES_SKIP_REASON !== undefined) {
  describe('replay against PostgreSQL', () => {
    test.skip(`skipped: ${POSTGRES_SKIP_REASON}`, () => undefined);
  });
} else {
  describe('replay against PostgreSQL', () => {
    let pg: StartedPostgres;
    let dir: string;
    let trace: TraceContent;
    const traceFile = (): string => join(dir, 'pgbench.json');

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hcbench-replay-pg-'));
      pg = await startPostgres();
      const init = await runPgAsync('pgbench', ['-i', '-s', '1', '-q', '-h', pg.address.host, '-p', String(pg.address.port), '-U', 'postgres', 'postgres'], 60_000);
      expect(init.status, init.output).toBe(0);
    }, 90_000);

    afterAll(async () => {
      await pg?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    test('hcbench record captures a bounded pgbench run turn by turn, and Ctrl-C writes the trace', async () => {
      const recorder = startHcbench(['record', '--listen', '127.0.0.1:0', '--target', `${pg.address.host}:${pg.address.port}`, '--out', traceFile(), '--json']);
      const { port } = await recorder.firstJson<{ port: number }>();
      const bench = await runPgAsync('pgbench', ['-n', '-t', String(TRANSACTIONS), '-c', String(CLIENTS), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'postgres']);
      expect(bench.status, bench.output).toBe(0);
      expect(bench.output).toContain(`number of transactions actually processed: ${CLIENTS * TRANSACTIONS}/${CLIENTS * TRANSACTIONS}`);
      expect(await recorder.interrupt()).toBe(ExitCode.Ok);
      const source = await openTrace(traceFile());
      expect(source.info.version).toBe(2);
      trace = { ...source.info, conversations: await collectConversations(source) };
      expect(trace.payload).toBe('sizes');
      expect(trace.conversations.every((c) => c.turns.every((t) => t.request === undefined && t.response === undefined))).toBe(true);
      // pgbench's clients (plus its own setup connection), each closed by pgbench.
      const clients = [...trace.conversations].sort((a, b) => b.turns.length - a.turns.length).slice(0, CLIENTS);
      expect(trace.conversations.length).toBeGreaterThanOrEqual(CLIENTS);
      expect(trace.peakConcurrency).toBeGreaterThanOrEqual(CLIENTS);
      for (const c of clients) {
        // Closed by its parties, not cut by the Ctrl-C ('recording-stopped') or an error. Which FIN
        // the recorder reads first is the scheduler's choice: pgbench writes Terminate and then
        // closes, while PostgreSQL closes as soon as it reads Terminate (a loaded fresh-clone run
        // recorded 'server-closed' once). record-close-order.test.ts fixes the order and checks each.
        expect(['client-closed', 'server-closed']).toContain(c.end);
        // Every statement is a round trip, plus the startup exchanges.
        expect(c.turns.filter((t) => t.responseBytes > 0).length).toBeGreaterThanOrEqual(TRANSACTIONS * STATEMENTS_PER_TRANSACTION);
      }
      const summary = await runCli(['replay-summary', traceFile()]);
      expect(summary.exitCode, summary.stderr).toBe(ExitCode.Ok);
      expect(summary.stdout).toContain(`${trace.conversations.length} conversation`);
    }, 60_000);

    test('init --from-trace writes a replay scenario that runs on direct and relay-emulated: turns and bytes per conversation as recorded', async () => {
      expect(trace, 'the recording test ran first').toBeDefined();
      // The two-command flow of a new user: a scenario written from the trace, then run as written.
      const scenario = join(dir, 'scenarios', 'pgbench-replay.yaml');
      const init = await runCli(['init', '--from-trace', traceFile(), scenario]);
      expect(init.exitCode, init.stderr).toBe(ExitCode.Ok);
      expect(readFileSync(scenario, 'utf8')).toContain('trace: "../pgbench.json"');
      const run = await runCli(['run', scenario, '--json', '--no-save', '--duration-ms', '1500', '--warmup-ms', '0'], { signal: AbortSignal.timeout(60_000) });
      const result = JSON.parse(run.stdout) as RunResult;
      expect(result.steps.map((s) => s.pathKind)).toEqual(['direct', 'relay-emulated']);
      const byId = new Map(trace.conversations.map((c) => [c.id, c]));
      for (const step of result.steps) {
        expect(step.status, run.stderr).toBe('completed');
        if (step.status !== 'completed') continue;
        const replay = step.metrics.replay;
        expect(replay).toBeDefined();
        if (replay === undefined) continue;
        expect(replay.conversations, `${step.stepId}: ${JSON.stringify(step.metrics.counters)} ${run.stderr.slice(-1500)}`).toBeGreaterThan(0);
        expect(replay.listed.length).toBe(Math.min(replay.conversations, 1000));
        for (const c of replay.listed) {
          const recorded = byId.get(c.id);
          expect(recorded, `conversation ${c.id}`).toBeDefined();
          if (recorded === undefined) continue;
          expect(c.turns).toBe(recorded.turns.length);
          expect(c.roundTrips).toBe(recorded.turns.filter((t) => t.responseBytes > 0).length);
          expect(c.requestBytes).toBe(recorded.turns.reduce((n, t) => n + t.requestBytes, 0));
          expect(c.responseBytes).toBe(recorded.turns.reduce((n, t) => n + t.responseBytes, 0));
        }
        // Bytes on the wire: the recorded ones plus the padding the timed header forced, exactly.
        expect(replay.requestBytesSent).toBe(replay.requestBytesRecorded + replay.paddedBytes);
        const { counters } = step.metrics;
        expect(counters.transactions).toBe(replay.conversations);
        expect(counters.roundTrips).toBeGreaterThanOrEqual(replay.listed.reduce((n, c) => n + c.roundTrips, 0));
        expect(counters.errors).toEqual({});
        const turn = step.metrics.histograms.roundTrip.summary;
        expect(turn.p50Us).toBeLessThanOrEqual(turn.p99Us);
        expect(replay.byRoundTrips.reduce((n, p) => n + p.count, 0)).toBe(replay.conversations);
      }
    }, 90_000);

    test('pgbench through hcbench agent + tunnel on the embedded relay completes the same transactions as direct', async () => {
      const { relay, connectionString } = await startRelayProcess();
      const env = { HCBENCH_CONNECTION_STRING: connectionString };
      const agent = startHcbench(['agent', '--target', `${pg.address.host}:${pg.address.port}`, '--json'], env);
      await agent.firstJson();
      const tunnel = startHcbench(['tunnel', '--json'], env);
      const { port } = await tunnel.firstJson<{ port: number }>();
      const args = (p: number) => ['-n', '-t', String(TRANSACTIONS), '-c', String(CLIENTS), '-h', '127.0.0.1', '-p', String(p), '-U', 'postgres', 'postgres'];
      const direct = await runPgAsync('pgbench', args(pg.address.port));
      const relayed = await runPgAsync('pgbench', args(port));
      const processed = `number of transactions actually processed: ${CLIENTS * TRANSACTIONS}/${CLIENTS * TRANSACTIONS}`;
      expect(direct.status, direct.output).toBe(0);
      expect(relayed.status, relayed.output).toBe(0);
      expect(direct.output).toContain(processed);
      expect(relayed.output).toContain(processed);
      expect(relayed.output).toContain('number of failed transactions: 0 (0.000%)');
      expect(await tunnel.interrupt()).toBe(ExitCode.Ok);
      expect(await agent.interrupt()).toBe(ExitCode.Ok);
      expect(await relay.interrupt()).toBe(ExitCode.Ok);
    }, 60_000);
  });
}
