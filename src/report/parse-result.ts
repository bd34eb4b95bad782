// Turns the text of a saved summary.json into a RunResult the renderers can trust, or a clear
// error. Pure: the CLI reads the file; this checks the shape the renderers depend on.

import { z } from 'zod';
import { ExitCode, HarnessError } from '../errors.js';
import { checkEncodedHistogram, type HistogramParameters } from '../metrics/histogram-check.js';
import { HIGHEST_BYTES_PER_SEC, HIGHEST_US, LOWEST_US, SIGNIFICANT_DIGITS } from '../metrics/histogram.js';
import { RESULT_SCHEMA_VERSION, type RunResult } from '../metrics/result.js';

/** Code of an unreadable, malformed or too-new result file. Exit code 2 (`Usage`): the argument names no usable result. */
export const ERR_RESULT_INVALID = 'ERR_RESULT_INVALID';

const summary = z.looseObject({
  count: z.number(), minUs: z.number(), meanUs: z.number(), stdDevUs: z.number(),
  p50Us: z.number(), p90Us: z.number(), p99Us: z.number(), p999Us: z.number(), maxUs: z.number(),
});
const record = z.looseObject({ unit: z.literal('us'), summary, encoded: z.string() });
const metrics = z.looseObject({
  durationMs: z.number(),
  warmupMs: z.number(),
  transactionsPerSec: z.number(),
  roundTripsPerSec: z.number(),
  counters: z.looseObject({
    transactions: z.number(), roundTrips: z.number(), connectionsOpened: z.number(),
    bytesSent: z.number(), bytesReceived: z.number(), errors: z.record(z.string(), z.number()),
  }),
  histograms: z.looseObject({ roundTrip: record, transaction: record, connect: record }).catchall(record.optional()),
  // A 24-h step in 100-ms intervals has 864,000; more is not a result hcbench wrote.
  intervals: z.array(z.looseObject({ startMs: z.number(), durationMs: z.number(), roundTrip: z.string() })).max(864_000).optional(),
});
const identity = {
  stepId: z.string(), pathId: z.string(), pathKind: z.string(), repetition: z.number().int().min(0).optional(),
  workload: z.record(z.string(), z.unknown()).optional(), variant: z.record(z.string(), z.unknown()).optional(),
  faultEvents: z.array(z.looseObject({
    action: z.string().max(100), phase: z.enum(['inject', 'undo']), agent: z.number().int().min(0).optional(),
    atMs: z.number(), firedAtMs: z.number(), tookMs: z.number(), outcome: z.enum(['ok', 'failed']), error: z.string().max(1000).optional(),
    effect: z.looseObject({
      windowMs: z.number().min(0), transactions: z.number().int().min(0),
      errors: z.record(z.string().max(100), z.number().int().min(0)).refine((e) => Object.keys(e).length <= 100, 'at most 100 error kinds'),
    }).optional(),
    recoveryMs: z.number().min(0).nullable().optional(),
  })).max(1000).optional(),
};
const step = z.discriminatedUnion('status', [
  z.looseObject({ ...identity, status: z.literal('completed'), metrics }),
  z.looseObject({ ...identity, status: z.literal('aborted'), reason: z.string(), metrics }),
  z.looseObject({ ...identity, status: z.literal('failed'), error: z.looseObject({ code: z.string(), message: z.string() }) }),
]);
const runResult = z.looseObject({
  schemaVersion: z.number(),
  status: z.enum(['completed', 'aborted', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string(),
  scenario: z.looseObject({ file: z.string(), name: z.string(), description: z.string(), resolved: z.unknown() }),
  environment: z.looseObject({
    hcbenchVersion: z.string(), nodeVersion: z.string(), platform: z.string(), arch: z.string(), cpuCount: z.number(), cpuModel: z.string(),
    roles: z.record(z.string(), z.string()), rolePids: z.record(z.string(), z.number()), libraries: z.record(z.string(), z.string()),
  }),
  steps: z.array(step).max(10_000),
  overhead: z.record(z.string(), z.unknown()),
  emulation: z
    .record(
      z.string(),
      z.looseObject({
        measured: z.boolean(),
        reason: z.string().optional(),
        configuredRoundTripMs: z.number(),
        traversalsPerRoundTrip: z.number(),
        perTraversalErrorUs: z.looseObject({ count: z.number(), mean: z.number(), p50: z.number(), p99: z.number(), max: z.number() }).optional(),
        roundTripErrorUs: z.number().optional(),
        calibrated: z
          .looseObject({ injectedMs: z.number(), perTraversalErrorUs: z.number(), roundTripErrorUs: z.number(), measuredAt: z.string().max(64) })
          .optional(),
        scope: z.string(),
      }),
    )
    .optional(),
});

function invalid(file: string, message: string, hint?: string): HarnessError {
  return new HarnessError(ERR_RESULT_INVALID, ExitCode.Usage, `${file}: ${message}`, hint === undefined ? {} : { hint });
}

/**
 * Parses and checks a result file's text. Throws a HarnessError `ERR_RESULT_INVALID` (exit 2).
 * `skipHistogramCheck`: for a caller that checks every encoding as it reads it anyway (`hcbench
 * merge` folds them with metrics/sparse-counts.ts, which refuses what this check refuses).
 */
export function parseRunResult(text: string, file: string, options: { skipHistogramCheck?: boolean } = {}): RunResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw invalid(file, `not JSON (${cause instanceof Error ? cause.message : String(cause)})`, 'pass the summary.json of a run folder');
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > RESULT_SCHEMA_VERSION) {
    throw invalid(file, `result schemaVersion ${version} is newer than this hcbench reads (${RESULT_SCHEMA_VERSION})`, 'upgrade hcbench');
  }
  const parsed = runResult.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message.toLowerCase()}`);
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    throw invalid(file, `not an hcbench result: ${issues.join('; ')}${more}`, 'pass the summary.json of a run folder');
  }
  const problem = options.skipHistogramCheck === true ? undefined : histogramProblem(parsed.data.steps);
  if (problem !== undefined) throw invalid(file, problem, 'the file was changed or damaged; re-run, or restore the summary.json hcbench wrote');
  return parsed.data as unknown as RunResult;
}

const LATENCY: HistogramParameters = { lowest: LOWEST_US, highest: HIGHEST_US, significantDigits: SIGNIFICANT_DIGITS };
const RATE: HistogramParameters = { lowest: 1, highest: HIGHEST_BYTES_PER_SEC, significantDigits: 2 };

/**
 * Checks every encoded histogram of every step once, here, so no renderer, merge or threshold ever
 * decodes an unchecked one: bounded size, HDR parameters, inflate limit, and a record's count equal
 * to its summary's. Returns the first problem with its JSON path.
 */
function histogramProblem(steps: readonly z.infer<typeof step>[]): string | undefined {
  for (const [index, candidate] of steps.entries()) {
    if (candidate.status === 'failed') continue;
    const at = `steps.${index}.metrics`;
    const { histograms, intervals } = candidate.metrics;
    for (const [name, record] of Object.entries(histograms)) {
      if (record === undefined) continue;
      const check = checkEncodedHistogram(record.encoded, LATENCY);
      if (!check.ok) return `${at}.histograms.${name}.encoded: ${check.problem}`;
      if (check.totalCount !== record.summary.count) {
        return `${at}.histograms.${name}.summary.count: ${record.summary.count} does not match the ${check.totalCount} values of the encoded histogram`;
      }
    }
    for (const [i, interval] of (intervals ?? []).entries()) {
      const check = checkEncodedHistogram(interval.roundTrip, LATENCY);
      if (!check.ok) return `${at}.intervals.${i}.roundTrip: ${check.problem}`;
    }
    const throughput = (candidate.metrics as { throughput?: unknown }).throughput;
    for (const direction of ['upload', 'download'] as const) {
      const encoded = (throughput as Record<string, { encoded?: unknown } | undefined> | undefined)?.[direction]?.encoded;
      if (encoded === undefined) continue;
      const check = typeof encoded === 'string' ? checkEncodedHistogram(encoded, RATE) : { ok: false as const, problem: 'must be a string' };
      if (!check.ok) return `${at}.throughput.${direction}.encoded: ${check.problem}`;
    }
  }
  return undefined;
}
