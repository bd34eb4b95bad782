// Entry 1 (#3, #6): direct-path 1-connection 64 B TCP ping-pong, hcbench's tcp-request-response
// driver against its built-in target vs `sockperf ping-pong` against `sockperf server`.

import { freePort, isListening, runTool, startTool } from '../lib/tools.js';
import { parseSockperf, pingPongParams, roundTripFigure, runWorkload, startOnprem } from '../lib/measure.js';
import type { BenchEntry } from '../lib/types.js';

export const directPingPong: BenchEntry = {
  id: 'direct-ping-pong',
  title: 'direct path, 1 connection, 64 B TCP ping-pong: round trips per second',
  issue: '#3 #6',
  unit: 'RT/s',
  better: 'higher',
  hcbenchLabel: 'tcp-request-response, closed, 1 conn, 64 B ↔ 64 B, built-in target (onprem process)',
  referenceLabel: 'sockperf ping-pong --tcp -m 64 --full-rtt ↔ sockperf server --tcp',
  requires: ['sockperf'],
  async setup(ctx) {
    const sockperf = (await ctx.findTool('sockperf')) ?? 'sockperf';
    const windowMs = ctx.isQuick ? 1000 : 3000;
    const onprem = await startOnprem();
    const port = await freePort();
    let server;
    try {
      server = await startTool(sockperf, ['server', '-i', '127.0.0.1', '-p', String(port), '--tcp'], () => isListening(port));
    } catch (error) {
      await onprem.role.stop();
      throw error;
    }
    return {
      runHcbench: async () =>
        roundTripFigure(await runWorkload(onprem.target, pingPongParams(), { warmupMs: 500, durationMs: windowMs }, ctx.signal)),
      runReference: async () => {
        const seconds = String(Math.ceil(windowMs / 1000));
        const out = await runTool(sockperf, ['ping-pong', '-i', '127.0.0.1', '-p', String(port), '--tcp', '-t', seconds, '-m', '64', '--full-rtt'], windowMs + 15_000);
        if (out.exitCode !== 0) throw new Error(`sockperf ping-pong exited ${String(out.exitCode)}: ${out.stderr.trim().slice(-200)}`);
        return parseSockperf(out.stdout + out.stderr);
      },
      close: async () => {
        await server.close();
        await onprem.role.stop();
      },
    };
  },
};
