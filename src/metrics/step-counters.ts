// Result shape of one step's counters on one path (part of RunResult, re-exported by result.ts):
// plain serialisable JSON.

/**
 * Failure kinds counted during measurement. Failures of the system under test are data:
 * they are counted here by kind, never thrown.
 */
export type ErrorKind =
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'closed'
  | 'mismatch'
  | 'relay-404'
  | 'relay-401'
  | 'relay-403'
  | 'relay-other'
  | 'other';

/** Counters of one step on one path. Byte counts are application payload bytes. */
export interface StepCounters {
  transactions: number;
  roundTrips: number;
  connectionsOpened: number;
  bytesSent: number;
  bytesReceived: number;
  /** Errors by kind; kinds that did not occur are absent. */
  errors: Partial<Record<ErrorKind, number>>;
  /** Open model: arrivals whose intended start fell in this phase. scheduled = sent + dropped. */
  scheduled?: number;
  /** Transactions handed to a connection; sent = transactions + failed transactions (one error each). */
  sent?: number;
  /** Open model: arrivals skipped (`whenBehind: drop`, queue full, or still queued when the window ended). */
  dropped?: number;
  /**
   * Open model: transactions that completed inside the measured window, whatever their arrival's
   * phase (an arrival queued during warm-up that completes in the window counts here).
   */
  completedInWindow?: number;
  /** Open model: transactions whose dispatch lag (the generator's lateness, pool wait excluded) exceeded `lateThresholdMs`. */
  late?: number;
  /** Failed attempts that were retried (not in `errors`, not in any latency). */
  retries?: number;
  /** Retried attempts by failure kind. */
  retriedErrors?: Partial<Record<ErrorKind, number>>;
  /**
   * Transactions sent but cut short by the end of the run (abort, hard deadline): neither
   * completed nor an error. Request/response drivers: sent = transactions + errors + this.
   */
  stoppedInFlight?: number;
  /** Connects that failed (after retries), also counted in `errors`. */
  connectionsFailed?: number;
  /** Most connections open at once during the run. */
  connectionsPeak?: number;
  /** Streams and churn: connections closed by us and confirmed closed. */
  connectionsClosed?: number;
}
