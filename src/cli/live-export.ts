// `hcbench run --out prometheus-rw=URL[?histograms=native] [--tag k=v]`: turns the run's progress (every interval,
// every finished step, the path counters read after each step) into remote-write batches. It only
// queues: the RemoteWriter sends in the background, so a slow or dead receiver never holds up the
// run, and `finish` reports what was sent and what was dropped.

import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from 'commander';
import { decodeRecord, type Histogram } from '../metrics/histogram.js';
import type { RemoteWriteRecord, RunResult, StepMetrics } from '../metrics/result.js';
import type { Plan } from '../plan/build-plan.js';
import type { RunProgress } from '../run/run-plan.js';
import { RemoteWriter, type RemoteWriterOptions } from '../live/remote-writer.js';
import { toNativeHistogram, type NativeHistogram } from '../live/native-histogram.js';
import { finishedStepSamples, pathCounterSamples, stepSamples, type LatencyKey, type SeriesLabels } from '../live/series.js';

/** Labels hcbench sets itself; a `--tag` may not reuse them. */
const RESERVED_LABELS = new Set(['__name__', 'scenario', 'step', 'path', 'path_kind', 'repetition', 'run_id', 'quantile', 'kind', 'component', 'counter', 'job', 'instance', 'probe', 'offered_rate']);

/** Longest time the end of a run waits for queued samples to be sent, ms. */
export const REMOTE_WRITE_CLOSE_MS = 5_000;

/**
 * How latencies go out: `summary` (quantile series, any receiver) or `native` (native histograms,
 * for a receiver that takes them, e.g. Prometheus with `--enable-feature=native-histograms`).
 */
export type LatencyForm = 'summary' | 'native';

/**
 * The receiver URL without hcbench's own query parameter `histograms=native|summary` (default
 * summary), and the form it asks for. Throws InvalidArgumentError naming a bad value.
 */
export function splitOutUrl(url: string): { url: string; latency: LatencyForm } {
  const parsed = new URL(url);
  const asked = parsed.searchParams.get('histograms');
  if (asked === null) return { url, latency: 'summary' };
  if (asked !== 'native' && asked !== 'summary') throw new InvalidArgumentError(`histograms= must be native or summary, got ${JSON.stringify(asked)}`);
  parsed.searchParams.delete('histograms');
  return { url: parsed.href, latency: asked };
}

/** The native histograms of three latency histograms. */
function nativeOf(histograms: Readonly<Record<LatencyKey, Histogram>>): Record<LatencyKey, NativeHistogram> {
  return { roundTrip: toNativeHistogram(histograms.roundTrip), transaction: toNativeHistogram(histograms.transaction), connect: toNativeHistogram(histograms.connect) };
}

/** The native histograms of a finished step's saved histograms. */
function nativeOfStep(metrics: StepMetrics): Record<LatencyKey, NativeHistogram> {
  const decoded = { roundTrip: decodeRecord(metrics.histograms.roundTrip), transaction: decodeRecord(metrics.histograms.transaction), connect: decodeRecord(metrics.histograms.connect) };
  const native = nativeOf(decoded);
  for (const h of Object.values(decoded)) h.destroy();
  return native;
}

/** commander parser for `--out`: `prometheus-rw=<http(s) URL>[?histograms=native]`. */
export function parseOut(value: string): string {
  const match = /^prometheus-rw=(.+)$/.exec(value);
  if (match === null) throw new InvalidArgumentError(`must be prometheus-rw=<URL>, got ${JSON.stringify(value)}`);
  const url = match[1]!;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`prometheus-rw needs an http:// or https:// URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidArgumentError(`prometheus-rw needs an http:// or https:// URL, got ${parsed.protocol}`);
  splitOutUrl(url);
  return url;
}

/** Why `name` cannot be a user label (one hcbench sets itself), or undefined when it can. */
export function reservedLabelProblem(name: string): string | undefined {
  return RESERVED_LABELS.has(name) || name.startsWith('__') ? `label ${name} is set by hcbench itself; pick another name` : undefined;
}

/** commander parser for a repeated `--tag k=v`: a Prometheus label name and a value. */
export function parseTag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const match = /^([a-zA-Z_][a-zA-Z0-9_]{0,63})=(.{0,200})$/.exec(value);
  if (match === null) throw new InvalidArgumentError(`must be name=value with a label name of letters, digits and _ (not starting with a digit), got ${JSON.stringify(value)}`);
  const [, name, tagValue] = match as unknown as [string, string, string];
  const problem = reservedLabelProblem(name);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return { ...previous, [name]: tagValue };
}

/** What the run command hands the live export. */
export interface LiveExport {
  onProgress(event: RunProgress): void;
  /** Extra labels on the series of the steps that start from now on (capacity: the probe and its rate). */
  setStepLabels(labels: Readonly<Record<string, string>>): void;
  onCheckpoint(partial: RunResult): void;
  /** Sends what is queued (bounded by `REMOTE_WRITE_CLOSE_MS`) and returns the totals. */
  finish(): Promise<RemoteWriteRecord>;
}

export function createLiveExport(
  url: string,
  context: { scenario: string; plan: Plan; tags: Readonly<Record<string, string>>; now?: () => number; writer?: Partial<RemoteWriterOptions> },
): LiveExport {
  const out = splitOutUrl(url);
  const writer = new RemoteWriter({ ...context.writer, url: out.url });
  const isNative = out.latency === 'native';
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const clock = context.now ?? Date.now;
  // Strictly increasing: a receiver refuses a second value of one series at the same millisecond.
  let lastMs = 0;
  const now = (): number => (lastMs = Math.max(clock(), lastMs + 1));
  const pathKind = (pathId: string): string => context.plan.paths.find((p) => p.id === pathId)?.kind ?? 'unknown';
  const base = { ...context.tags, scenario: context.scenario, run_id: runId };
  let current: SeriesLabels | undefined;
  let stepLabels: Readonly<Record<string, string>> = {};
  return {
    setStepLabels(labels) {
      stepLabels = labels;
    },
    onProgress(event) {
      if (event.type === 'step-start') {
        current = { ...base, ...stepLabels, step: event.stepId, path: event.pathId, path_kind: pathKind(event.pathId), repetition: String(event.repetition) };
      } else if (event.type === 'interval' && current !== undefined && current['step'] === event.stepId) {
        const histograms = isNative ? event.interval.histograms?.() : undefined;
        writer.push(stepSamples(current, event.interval.counters, event.interval.latency, now(), histograms === undefined ? undefined : nativeOf(histograms)));
      } else if (event.type === 'step-end') {
        const step = event.result;
        const labels = { ...base, ...stepLabels, step: step.stepId, path: step.pathId, path_kind: step.pathKind, repetition: String(step.repetition ?? 0) };
        if (step.status !== 'failed') writer.push(finishedStepSamples(labels, step.metrics, now(), isNative ? nativeOfStep(step.metrics) : undefined));
        current = undefined;
      }
    },
    onCheckpoint(partial) {
      const at = now();
      for (const [pathId, counters] of Object.entries(partial.pathCounters ?? {})) {
        writer.push(pathCounterSamples({ ...base, path: pathId, path_kind: pathKind(pathId) }, counters, at));
      }
    },
    async finish() {
      return { ...(await writer.close(REMOTE_WRITE_CLOSE_MS)), runId };
    },
  };
}

/** The end-of-run line about the live export: a warning naming the dropped samples, if any. */
export function remoteWriteLine(record: RemoteWriteRecord): string {
  const sent = `${record.samplesSent} samples sent to ${record.url} (run_id ${record.runId})`;
  if (record.samplesDropped === 0) return `prometheus-rw: ${sent}\n`;
  return `warning: prometheus-rw: ${record.samplesDropped} samples dropped, ${sent}; ${record.failedRequests} of ${record.requests} requests failed${record.lastError === undefined ? '' : `, last: ${record.lastError}`}. The run's own results are complete.\n`;
}
