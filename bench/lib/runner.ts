// Runs the benchmark suite: for each entry, checks its reference tools, starts it, measures the
// hcbench side and the reference alternately over rounds (A B, B A, A B, ...) so machine drift
// hits both, and summarises. Never prints or touches process.*: progress goes to `log`.

import type { CalibrationResult } from '../../src/metrics/calibration-result.js';
import { classifySpread, median, perRoundRatios, ratioSpread } from './steadiness.js';
import type { BenchEntry, BenchReport, EntryContext, EntryOutcome, Figure, RoundRecord, SideSummary } from './types.js';


export interface RunSuiteOptions {
  /** Default rounds per entry (an entry may set its own). >= 1. Default 3. */
  rounds?: number;
  isQuick?: boolean;
  log?: (line: string) => void;
  /** Finds a reference tool on PATH; injected so a test can make one missing. */
  findTool: (name: string) => Promise<string | undefined>;
  signal?: AbortSignal;
  /** Machine description stored in the report. */
  machine?: Record<string, string | number>;
  /** Length of the soak entry, minutes; undefined: its default. */
  soakMinutes?: number;
  /** Wall clock, epoch ms. Default Date.now. */
  nowMs?: () => number;
  /** Calibration taken before the entries, handed to them (the truth entry compares with it). */
  calibration?: CalibrationResult;
}

/** Runs every entry in order and returns the report (skips and failures included). */
export async function runSuite(entries: readonly BenchEntry[], options: RunSuiteOptions): Promise<BenchReport> {
  const nowMs = options.nowMs ?? Date.now;
  const startMs = nowMs();
  const rounds = options.rounds ?? 3;
  const ctx: EntryContext = {
    isQuick: options.isQuick ?? false,
    log: options.log ?? (() => {}),
    findTool: options.findTool,
    signal: options.signal ?? new AbortController().signal,
    ...(options.soakMinutes === undefined ? {} : { soakMinutes: options.soakMinutes }),
    ...(options.calibration === undefined ? {} : { calibration: options.calibration }),
  };
  const outcomes: EntryOutcome[] = [];
  for (const entry of entries) {
    const outcome = await runEntry(entry, entry.rounds ?? rounds, ctx, nowMs);
    // Cut while it ran (an entry skipped for the interrupt holds no figure to mark).
    outcomes.push(ctx.signal.aborted && outcome.status !== 'skipped' && outcome.status !== 'pending' ? { ...outcome, interrupted: true } : outcome);
  }
  const finishMs = nowMs();
  return {
    schemaVersion: 2,
    startedAt: new Date(startMs).toISOString(),
    finishedAt: new Date(finishMs).toISOString(),
    durationMs: finishMs - startMs,
    isQuick: ctx.isQuick,
    rounds,
    machine: options.machine ?? {},
    entries: outcomes,
    ...(ctx.signal.aborted ? { interrupted: true as const } : {}),
  };
}

function headOf(entry: BenchEntry) {
  const { id, title, issue, unit, better, hcbenchLabel, referenceLabel } = entry;
  return { id, title, issue, unit, better, hcbenchLabel, referenceLabel };
}

async function runEntry(entry: BenchEntry, rounds: number, ctx: EntryContext, nowMs: () => number): Promise<EntryOutcome> {
  const head = headOf(entry);
  if (entry.pendingReason !== undefined) return { ...head, status: 'pending', reason: entry.pendingReason };
  if (ctx.signal.aborted) return { ...head, status: 'skipped', reason: 'suite interrupted' };
  const missing: string[] = [];
  for (const tool of entry.requires) {
    if ((await ctx.findTool(tool)) === undefined) missing.push(tool);
  }
  if (missing.length > 0) {
    return { ...head, status: 'skipped', reason: `reference tool not found on PATH: ${missing.join(', ')} (run bench/install-tools.sh)` };
  }
  ctx.log(`[${entry.id}] ${entry.title}`);
  const startMs = nowMs();
  const records: RoundRecord[] = [];
  let session;
  try {
    session = await entry.setup(ctx);
  } catch (error) {
    return { ...head, status: 'failed', error: `setup: ${describe(error)}`, rounds: records };
  }
  const warmupRounds = rounds >= 2 && entry.hasWarmupRound !== false ? 1 : 0;
  try {
    // A first round of both sides, not recorded: measured with 6 rounds (2026-12-03), the first
    // round's ratio stood apart in three of five entries (relay-ping-pong 0.60 against 0.79–0.91,
    // forwarder-process 0.64 against 0.40–0.46, http 1.31 against 0.88–1.01): processes just
    // started, code not yet optimised. Single-round entries (long runs) have their own warm-ups.
    for (let round = 0; round < warmupRounds; round += 1) {
      if (ctx.signal.aborted) throw new Error('suite interrupted');
      for (const side of ['hcbench', 'reference'] as const) {
        const figure = side === 'hcbench' ? await session.runHcbench(-1) : await session.runReference(-1);
        ctx.log(`  warm-up round ${side}: ${formatNumber(figure.value)} ${entry.unit} (not recorded)`);
      }
    }
    for (let round = 0; round < rounds; round += 1) {
      if (ctx.signal.aborted) throw new Error('suite interrupted');
      // A B, B A, A B, ...: each side goes first equally often, so drift hits both.
      const order: ('hcbench' | 'reference')[] = round % 2 === 0 ? ['hcbench', 'reference'] : ['reference', 'hcbench'];
      for (const side of order) {
        const figure = side === 'hcbench' ? await session.runHcbench(round) : await session.runReference(round);
        records.push({ round, side, figure });
        ctx.log(`  round ${round + 1}/${rounds} ${side}: ${formatNumber(figure.value)} ${entry.unit}`);
      }
    }
  } catch (error) {
    return { ...head, status: 'failed', error: describe(error), rounds: records };
  } finally {
    await session.close().catch(() => undefined);
  }
  const hcbench = summarizeSide(records.filter((r) => r.side === 'hcbench').map((r) => r.figure));
  const reference = summarizeSide(records.filter((r) => r.side === 'reference').map((r) => r.figure));
  const spread = pairedSpread(records);
  return {
    ...head,
    status: 'measured',
    rounds: records,
    hcbench,
    reference,
    ratio: reference.medianValue === 0 ? null : hcbench.medianValue / reference.medianValue,
    spread,
    warmupRounds,
    steadiness: classifySpread(spread),
    durationMs: nowMs() - startMs,
  };
}

export function summarizeSide(figures: readonly Figure[]): SideSummary {
  const values = figures.map((f) => f.value);
  const keys = new Set(figures.flatMap((f) => Object.keys(f.detail ?? {})));
  const detail: Record<string, number> = {};
  for (const key of keys) {
    const list = figures.map((f) => f.detail?.[key]).filter((v): v is number => typeof v === 'number');
    detail[key] = median(list);
  }
  return {
    medianValue: median(values),
    minValue: Math.min(...values),
    maxValue: Math.max(...values),
    detail,
    notes: [...new Set(figures.flatMap((f) => f.notes ?? []))],
  };
}

/** (max − min) / median of the per-round hcbench/reference ratios; null below 2 rounds (bench/lib/steadiness.ts). */
export function pairedSpread(records: readonly RoundRecord[]): number | null {
  return ratioSpread(perRoundRatios(records));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** 12345.6 → `12.3k`, 123.4 → `123`, 1.234 → `1.23`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 10_000) return String(value);
  if (abs >= 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
