// Exponential backoff with jitter for the agent's listen retries. Pure: the caller owns the timer
// and injects the random source.

/** Backoff policy. Delay n (0-based) = min(maxMs, initialMs * factor^n), then ± jitterRatio. */
export interface BackoffPolicy {
  /** First delay in milliseconds. Default 100. */
  initialMs: number;
  /** Largest delay in milliseconds (before jitter). Default 30000 (as hyco-https and the .NET client). */
  maxMs: number;
  /** Growth per failed attempt. Default 2. */
  factor: number;
  /** Relative jitter, 0..1: the delay is scaled by a uniform factor in [1 - j, 1 + j]. Default 0.2. */
  jitterRatio: number;
}

export const defaultBackoffPolicy: BackoffPolicy = { initialMs: 100, maxMs: 30_000, factor: 2, jitterRatio: 0.2 };

/** Delay in whole milliseconds before retry number `attempt` (0 = first retry). Always >= 1. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  const jitter = 1 + policy.jitterRatio * (2 * random() - 1);
  return Math.max(1, Math.round(base * jitter));
}
