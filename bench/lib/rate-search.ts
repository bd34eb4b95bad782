// The rate search of the generator-capacity entry (#15), apart from the measuring: ascending rates,
// every thread count in turn at each rate (interleaved, one machine state), the goal rate always
// judged, then one bisection below each first failure.
//
// A failed probe is tried once more before it counts. Noise can only make a generator later (a
// preemption, a host stall, a scavenge of the target's), never earlier, so a pass is evidence the
// generator kept up for a whole window and a single failure is not evidence it could not: before
// this, one stalled 1.5 s window at 1,000/s ended the search at 0/s while 10,000/s passed in the
// same run (2026-12-03). Rates that passed only on the second try are listed, never hidden.

/** What one probe found: why it failed (undefined: passed), its dispatch-lag p99, the machine's floor after it. */
export interface ProbeOutcome {
  verdict: string | undefined;
  lagP99Us: number;
  floorUs?: number;
}

/** Measures one rate on `threads` generator threads. */
export type RateProbe = (ratePerSec: number, threads: number) => Promise<ProbeOutcome>;

/** One thread count's search. */
export interface RateSearch {
  threads: number;
  /** Highest rate that passed (0: none did). */
  best: number;
  bestLagP99Us: number;
  /** First rate that failed both tries, with the second try's lag and verdict. */
  failedAt?: number;
  failedLagP99Us?: number;
  failure?: string;
  /** The goal rate's outcome (its last try), once probed. */
  goal?: ProbeOutcome;
  /** Rates whose first try failed and second passed, with the first try's verdict. */
  passedOnRetry: { ratePerSec: number; firstVerdict: string }[];
}

export interface RateSearchOptions {
  /** Probed rates, ascending. */
  rates: readonly number[];
  threads: readonly number[];
  goalRatePerSec: number;
  probe: RateProbe;
  signal: AbortSignal;
}

/** A probe tried at most twice: the second try only after a failure. */
async function probeWithRetry(search: RateSearch, rate: number, probe: RateProbe): Promise<ProbeOutcome> {
  const first = await probe(rate, search.threads);
  if (first.verdict === undefined) return first;
  const second = await probe(rate, search.threads);
  if (second.verdict === undefined) search.passedOnRetry.push({ ratePerSec: rate, firstVerdict: first.verdict });
  return second;
}

function judge(search: RateSearch, rate: number, outcome: ProbeOutcome, goalRate: number): void {
  if (rate === goalRate) search.goal = outcome;
  if (outcome.verdict === undefined) {
    if (rate > search.best) Object.assign(search, { best: rate, bestLagP99Us: outcome.lagP99Us });
  } else if (search.failedAt === undefined) {
    Object.assign(search, { failedAt: rate, failedLagP99Us: outcome.lagP99Us, failure: outcome.verdict });
  }
}

/** Runs the search for every thread count; resolves early (with what it has) when `signal` aborts. */
export async function searchRates(o: RateSearchOptions): Promise<RateSearch[]> {
  const searches: RateSearch[] = o.threads.map((threads) => ({ threads, best: 0, bestLagP99Us: 0, passedOnRetry: [] }));
  for (const rate of o.rates) {
    const open = searches.filter((s) => s.failedAt === undefined);
    if (open.length === 0 || o.signal.aborted) break;
    for (const search of open) judge(search, rate, await probeWithRetry(search, rate, o.probe), o.goalRatePerSec);
  }
  // A lower rate can fail where the goal passes (between sparse arrivals the pacer sleeps and a
  // vCPU wakes late; at 10,000/s it stays busy): the goal rate is always probed and judged itself.
  for (const search of searches) {
    if (search.goal !== undefined || o.signal.aborted) continue;
    search.goal = await probeWithRetry(search, o.goalRatePerSec, o.probe);
    if (search.goal.verdict === undefined && o.goalRatePerSec > search.best) Object.assign(search, { best: o.goalRatePerSec, bestLagP99Us: search.goal.lagP99Us });
  }
  for (const search of searches) {
    if (search.failedAt === undefined || search.best === 0 || search.best > search.failedAt || o.signal.aborted) continue;
    const middle = Math.round((search.best + search.failedAt) / 2 / 100) * 100;
    if (middle <= search.best || middle >= search.failedAt) continue;
    const outcome = await probeWithRetry(search, middle, o.probe);
    if (outcome.verdict === undefined) Object.assign(search, { best: middle, bestLagP99Us: outcome.lagP99Us });
  }
  return searches;
}
