// Entry 3 (#3, #6): HTTP. hcbench's autocannon-driven `http` workload against the built-in HTTP
// target (helper process) vs `wrk -t1 -c10 --latency` against the very same server.
// autocannon's own latency is whole ms, so hcbench's µs re-recording is what the detail shows.

import { spawnBenchChild } from '../lib/children.js';
import { errorCount, runWorkload } from '../lib/measure.js';
import { parseWrk } from '../lib/measure.js';
import { runTool } from '../lib/tools.js';
import type { BenchEntry } from '../lib/types.js';

/** Connections of both generators. */
const CONNECTIONS = 10;

export const httpEntry: BenchEntry = {
  id: 'http',
  title: `HTTP GET, ${CONNECTIONS} connections, built-in HTTP target: requests per second`,
  issue: '#3 #6',
  unit: 'req/s',
  better: 'higher',
  hcbenchLabel: `http workload (autocannon programmatic, CO correction off, µs re-recorded), ${CONNECTIONS} conns, direct`,
  referenceLabel: `wrk -t1 -c${CONNECTIONS} --latency, same server`,
  requires: ['wrk'],
  async setup(ctx) {
    const wrk = (await ctx.findTool('wrk')) ?? 'wrk';
    const durationMs = ctx.isQuick ? 1000 : 3000;
    const server = await spawnBenchChild('http-target');
    const dialAddress = { host: '127.0.0.1', port: server.port };
    return {
      runHcbench: async () => {
        const m = await runWorkload(dialAddress, { kind: 'http', connections: CONNECTIONS }, { warmupMs: 500, durationMs }, ctx.signal);
        const h = m.histograms.roundTrip.summary;
        return { value: m.transactionsPerSec, detail: { p50Us: h.p50Us, p99Us: h.p99Us, errors: errorCount(m) } };
      },
      runReference: async () => {
        const seconds = `${Math.ceil(durationMs / 1000)}s`;
        const out = await runTool(wrk, ['-t1', `-c${CONNECTIONS}`, `-d${seconds}`, '--latency', `http://127.0.0.1:${server.port}/`], durationMs + 20_000);
        if (out.exitCode !== 0) throw new Error(`wrk exited ${String(out.exitCode)}: ${out.stderr.trim().slice(-200)}`);
        return parseWrk(out.stdout);
      },
      close: () => server.close(),
    };
  },
};
