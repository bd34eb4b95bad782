// Shapes of the benchmark suite: an entry (hcbench side + reference side), one measured figure,
// and the per-entry outcome the table and the JSON are rendered from. Plain data, no I/O.

import type { CalibrationResult } from '../../src/metrics/calibration-result.js';
import type { Steadiness } from './steadiness.js';

/** One figure of one side in one round. `value` is the headline number compared across sides. */
export interface Figure {
  /** The compared number, in `unit` (e.g. round trips per second, or µs). */
  value: number;
  /** Extra numbers of the same measurement, units in the key (`p50Us`, `p99Us`, `ratePerSec`, `errors`). */
  detail?: Record<string, number>;
  /** Free-form remarks (which proxy was used, notes of the driver), lower case. */
  notes?: string[];
  /** Raw data behind the figure for the JSON (e.g. the soak's per-minute records and samples). */
  data?: Record<string, unknown>;
  /**
   * Set when the figure cannot judge what it measures, with the reason (e.g. the machine's own
   * stalls were above the bound the figure is judged by): the tables print "not judgeable" and the
   * reason instead of a ratio.
   */
  unjudgeable?: string;
}

/** Whether a larger or a smaller `value` is better (for reading the ratio). */
export type Better = 'higher' | 'lower';

/** A running entry: both sides ready to be measured repeatedly, then closed. */
export interface EntrySession {
  /** One measurement of hcbench's side; `round` counts from 0, -1 is the unrecorded warm-up round. */
  runHcbench(round: number): Promise<Figure>;
  /** One measurement of the reference side. */
  runReference(round: number): Promise<Figure>;
  /** Stops every process and socket the entry started. Must not throw. */
  close(): Promise<void>;
}

/** What an entry may use while it runs. */
export interface EntryContext {
  /** Short runs (for trying the suite out); entries shrink durations and counts. */
  isQuick: boolean;
  /** Progress lines (stderr in the CLI). */
  log: (line: string) => void;
  /** Absolute path of a reference tool found on PATH; undefined when missing. */
  findTool: (name: string) => Promise<string | undefined>;
  /** Aborting stops the suite between (and where possible inside) measurements. */
  signal: AbortSignal;
  /** Length of the soak entry, minutes (`--minutes`, or HCBENCH_SOAK_MINUTES); undefined: its default. */
  soakMinutes?: number;
  /** The `hcbench calibrate --quick` figures taken before the entries (absent with --no-calibrate). */
  calibration?: CalibrationResult;
}

/** One benchmark: hcbench measured against a reference in the same run. */
export interface BenchEntry {
  /** Stable kebab-case id, used by `--only` and in the JSON. */
  id: string;
  /** One-line title for the table. */
  title: string;
  /** The issue whose "Done when" this entry proves, e.g. `#3`. */
  issue: string;
  /** Unit of `Figure.value` on both sides: `RT/s`, `req/s`, `µs`, `connections`. */
  unit: string;
  better: Better;
  /** What the hcbench side is, e.g. `tcp-request-response, direct, 1 conn, 64 B`. */
  hcbenchLabel: string;
  /** What the reference side is, e.g. `sockperf ping-pong --tcp -m 64`. */
  referenceLabel: string;
  /** Reference tools (executables on PATH) the entry needs; a missing one skips the entry. */
  requires: readonly string[];
  /** Rounds for this entry; default the suite's rounds. */
  rounds?: number;
  /**
   * With two or more rounds, one unrecorded round of both sides runs first (runner.ts); false
   * turns it off (an entry whose rounds carry state from one to the next).
   */
  hasWarmupRound?: boolean;
  /** Runs only when named with `--only` (long entries such as the soak); listed otherwise. */
  isOptIn?: boolean;
  /** When set, the entry is listed as pending with this reason and not run. */
  pendingReason?: string;
  /** Starts the processes both sides need. */
  setup(ctx: EntryContext): Promise<EntrySession>;
}

/** One side's figure in one round, in the order it was taken. */
export interface RoundRecord {
  round: number;
  side: 'hcbench' | 'reference';
  figure: Figure;
}

/** Median and range of one side over the rounds. */
export interface SideSummary {
  medianValue: number;
  minValue: number;
  maxValue: number;
  /** Median of every `detail` key over the rounds. */
  detail: Record<string, number>;
  notes: string[];
}

interface EntryHead {
  id: string;
  title: string;
  issue: string;
  unit: string;
  better: Better;
  hcbenchLabel: string;
  referenceLabel: string;
  /**
   * The suite was interrupted (Ctrl-C) before this entry finished: its figures are partial (the
   * soak's steps so far) or it failed with "suite interrupted". Kept in the JSON; the generated
   * README blocks never quote it.
   */
  interrupted?: true;
}

/** What happened to one entry (tinybench-style union: skips and failures are data). */
export type EntryOutcome =
  | (EntryHead & {
      status: 'measured';
      rounds: RoundRecord[];
      hcbench: SideSummary;
      reference: SideSummary;
      /** hcbench median ÷ reference median; null when the reference median is 0. */
      ratio: number | null;
      /**
       * (max − min) / median of the per-round ratios (0.05 = 5 %); null with one round. Schema 1
       * files stored half that range; readers recompute it from `rounds` there.
       */
      spread: number | null;
      /** `noisy` when `spread` is above 10 %: the ratio is then printed as "noisy, not quotable". */
      steadiness: Steadiness;
      /** Unrecorded rounds of both sides before `rounds` (0 or 1; absent in files from before it). */
      warmupRounds?: number;
      durationMs: number;
    })
  | (EntryHead & { status: 'skipped'; reason: string })
  | (EntryHead & { status: 'pending'; reason: string })
  | (EntryHead & { status: 'failed'; error: string; rounds: RoundRecord[] });

/** The whole suite's result, written to bench/results/<stamp>.json. */
export interface BenchReport {
  /** 2 since spread became the full range and `steadiness` was added; 1 before. */
  schemaVersion: 2;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  isQuick: boolean;
  /** Default rounds per entry. */
  rounds: number;
  machine: Record<string, string | number>;
  /** `hcbench calibrate --quick` figures taken just before the entries (absent with --no-calibrate). */
  calibration?: CalibrationResult;
  entries: EntryOutcome[];
  /** The suite was interrupted (Ctrl-C): entries after the cut are skipped, the one it cut is marked. */
  interrupted?: true;
}
