import { describe, expect, test } from 'vitest';
import { createProgressPrinter } from '../../src/cli/progress.js';
import type { CliIo } from '../../src/cli/io.js';

function fakeIo(isTTY: boolean): { io: CliIo; text: () => string } {
  let stderr = '';
  return {
    io: {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t), isTTY },
      env: {},
      cwd: '.',
      signal: new AbortController().signal,
    },
    text: () => stderr,
  };
}

const summary = { count: 1200, minUs: 100, meanUs: 400, stdDevUs: 50, p50Us: 300, p90Us: 900, p99Us: 1500, p999Us: 1600, maxUs: 1700 };
const interval = {
  index: 0, intervalMs: 1000, roundTrips: 1200, roundTripsPerSec: 1200, p50Us: 300, p99Us: 1500, transactions: 240, errors: 2,
  counters: { transactions: 240, roundTrips: 1200, connectionsOpened: 1, bytesSent: 0, bytesReceived: 0, errors: { timeout: 2 } },
  latency: { roundTrip: summary, transaction: summary, connect: summary },
};

describe('progress printer', () => {
  test('in a CI log: one plain line per measured interval, no control characters', () => {
    const { io, text } = fakeIo(false);
    const printer = createProgressPrinter(io, { isVerbose: false });

    printer.onProgress({ type: 'step-start', stepId: 's@direct', pathId: 'direct', repetition: 0, index: 0, total: 2, warmupMs: 100, durationMs: 2000 });
    printer.onProgress({ type: 'interval', stepId: 's@direct', interval });
    printer.close();

    expect(text()).toContain('[1/2] s@direct: warm-up 0.1 s, measuring 2.0 s\n');
    expect(text()).toContain('s@direct 1 s: 1,200/s round trips, p99 1.50 ms, 2 errors\n');
    expect(text()).not.toContain('\x1b');
  });

  test('on a TTY: intervals feed the live line instead of adding lines', () => {
    const { io, text } = fakeIo(true);
    const printer = createProgressPrinter(io, { isVerbose: false });

    printer.onProgress({ type: 'step-start', stepId: 's@relay', pathId: 'relay', repetition: 0, index: 1, total: 2, warmupMs: 0, durationMs: 1000 });
    printer.onProgress({ type: 'interval', stepId: 's@relay', interval });
    printer.close();

    expect(text()).not.toContain('s@relay 1 s:');
  });
});
