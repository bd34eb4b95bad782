// Result shapes of sharded runs (part of RunResult, re-exported by result.ts): which slice of a
// scenario a result measured, how its clock relates to the other shards', and, in a merged
// result, every shard it was merged from. Plain serialisable JSON.

import type { EmulationError } from './emulation.js';
import type { GeneratorHealth } from './generator-health.js';

/** How this shard's wall clock relates to the clock every shard of the run is compared on. */
export interface ClockOffset {
  /**
   * The clock measured against: `host <boot id>` (this machine's own clock: shards on one host share
   * it) or `clock-server <id>` (an hcbench clock responder, `--clock-serve` of one shard). Shards
   * are merged when they name the same reference, or several hosts' own clocks (then marked unmeasured).
   */
  reference: string;
  /** `same-host`: this is the reference clock; `exchange`: measured by request/response exchanges (NTP-free, Cristian). */
  method: 'same-host' | 'exchange';
  /** Reference clock − this clock, ms: add it to a local wall-clock instant to get reference time. */
  offsetMs: number;
  /** Bound on the error of `offsetMs`, ms (half the round trip of the best exchange; 0 on the reference itself). */
  uncertaintyMs: number;
  /** Exchanges made (0 for `same-host`). */
  exchanges: number;
  /** Where the exchanges went, `host:port`; absent for `same-host`. */
  address?: string;
}

/** Which slice of a scenario a result measured (`hcbench run --shard I/N`). */
export interface ShardInfo {
  /** 1-based shard number. */
  index: number;
  /** Shards of the whole run. */
  count: number;
  /** sha256 of the whole (unsliced) plan: equal across the shards of one run. */
  fingerprint: string;
  /** `--start-at`: when every shard's first measured window starts (reference time); absent without. */
  startAt?: string;
  /** This shard's wall clock (epoch ms) at the run's start: a step's window starts at `runStartEpochMs + windowStartMs`. */
  runStartEpochMs: number;
  clock: ClockOffset;
  /** Per step, in step order: the step's workload in the whole scenario (a step's own `workload` is this shard's share). */
  wholeWorkloads: Record<string, unknown>[];
}

/** One shard of a merged result, kept whole where it cannot be added up. */
export interface MergedShard {
  index: number;
  /** The file it was read from, as named on the command line. */
  file: string;
  status: 'completed' | 'aborted' | 'failed';
  startedAt: string;
  finishedAt: string;
  clock: ClockOffset;
  /** Hostname-level facts of the machine that ran the shard (the merged result's `environment` is shard 1's or the lowest's). */
  environment: Record<string, unknown>;
  /** Per step, in step order: the shard's generator health (absent when the step had none). */
  generators: (GeneratorHealth | null)[];
  /** Per step: the window start on the reference clock, epoch ms (null for a step that did not measure). */
  windowStartsMs: (number | null)[];
  /** The shard's emulation error per path (not additive across shards). */
  emulation?: Record<string, EmulationError>;
}

/** How a merged result was made (`hcbench merge`). */
export interface MergeInfo {
  /** Shards of the whole run. */
  count: number;
  fingerprint: string;
  /** True when shards are missing (`--allow-partial`): the result measured only part of the load. */
  partial: boolean;
  /** Missing shard numbers (empty when complete). */
  missing: number[];
  /** Largest spread of one step's window starts across shards, on the reference clock, plus both uncertainties, ms. */
  worstAlignmentMs: number;
  /** Set when shards ran on several hosts' own clocks, whose offsets were not measured (alignment assumes NTP). */
  clockNote?: string;
  shards: MergedShard[];
}
