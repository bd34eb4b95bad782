// Progress on stderr while a run goes: on a TTY one live line (step, path, elapsed/ETA, the last
// interval's rate and p99, errors so far) redrawn in place; otherwise plain lines a CI log keeps
// (a step's start, one line per measured interval, its end).

import type { StepResult } from '../metrics/result.js';
import { formatRate, formatUs } from '../report/format.js';
import type { RunProgress } from '../run/run-plan.js';
import type { CliIo } from './io.js';

export interface ProgressPrinter {
  onProgress(event: RunProgress): void;
  close(): void;
}

export function createProgressPrinter(io: CliIo, options: { isVerbose: boolean; heartbeatMs?: number }): ProgressPrinter {
  const isTTY = io.stderr.isTTY === true;
  const heartbeatMs = options.heartbeatMs ?? (isTTY ? 250 : 5_000);
  let current: { label: string; startedAt: number; totalMs: number; live?: string } | undefined;
  let isLineOpen = false;
  const clearLine = () => {
    if (isTTY && isLineOpen) io.stderr.write('\r\x1b[2K');
    isLineOpen = false;
  };
  const write = (line: string) => {
    clearLine();
    io.stderr.write(`${line}\n`);
  };
  const timer = setInterval(() => {
    if (current === undefined) return;
    const elapsedMs = Date.now() - current.startedAt;
    const remainingMs = Math.max(0, current.totalMs - elapsedMs);
    const text = `${current.label} ${(elapsedMs / 1000).toFixed(1)} s elapsed, ~${(remainingMs / 1000).toFixed(1)} s left${current.live === undefined ? '' : ` · ${current.live}`}`;
    // On a TTY the line is redrawn; in a CI log the per-interval lines already show progress.
    if (isTTY) {
      io.stderr.write(`\r\x1b[2K${text}`);
      isLineOpen = true;
    }
  }, heartbeatMs);
  timer.unref();

  return {
    onProgress(event) {
      switch (event.type) {
        case 'setup':
          write(event.message);
          break;
        case 'step-start': {
          const label = `[${event.index + 1}/${event.total}] ${event.stepId}${event.repetition > 0 ? ` #${event.repetition + 1}` : ''}`;
          current = { label, startedAt: Date.now(), totalMs: event.warmupMs + event.durationMs };
          write(`${label}: warm-up ${(event.warmupMs / 1000).toFixed(1)} s, measuring ${(event.durationMs / 1000).toFixed(1)} s`);
          break;
        }
        case 'step-end':
          current = undefined;
          write(`    ${describeStep(event.result)}`);
          break;
        case 'interval': {
          const i = event.interval;
          const live = `${formatRate(i.roundTripsPerSec)} round trips, p99 ${formatUs(i.p99Us)}, ${i.errors} errors`;
          if (current !== undefined) current.live = live;
          if (!isTTY) write(`    ${event.stepId} ${((i.index + 1) * i.intervalMs / 1000).toFixed(0)} s: ${live}`);
          break;
        }
        case 'log':
          if (options.isVerbose) write(event.line);
          break;
      }
    },
    close() {
      clearInterval(timer);
      clearLine();
    },
  };
}

function describeStep(result: StepResult): string {
  if (result.status === 'failed') return `failed: ${result.error.message}`;
  const h = result.metrics.histograms.roundTrip.summary;
  const errors = Object.values(result.metrics.counters.errors).reduce((a, b) => a + (b ?? 0), 0);
  const note = result.status === 'aborted' ? ' (interrupted)' : '';
  return `${formatRate(result.metrics.roundTripsPerSec)} round trips, p50 ${formatUs(h.p50Us)}, p99 ${formatUs(h.p99Us)}, ${errors} errors${note}`;
}
