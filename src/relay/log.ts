// Structured log events of the relay emulator and a rate limiter for repeated ones (hyco-ws
// retries a failed listen ~450 times a second). Never formats or prints; the caller's sink does.

/** One structured log event. Never contains tokens or keys. */
export interface RelayLogEvent {
  level: 'debug' | 'info' | 'warn' | 'error';
  /** Stable event name, e.g. `listener-registered`, `handshake-refused`. */
  event: string;
  /** Hybrid connection concerned, when there is one. */
  hc?: string;
  /** Human-readable detail, already redacted. */
  message?: string;
  /** HTTP status or WebSocket close code, when relevant. */
  code?: number;
  /** Repeats of the same event+code+hc suppressed in the window before this one (rate limiting). */
  suppressed?: number;
}

export type RelayLogSink = (event: RelayLogEvent) => void;

export interface RateLimitedLogOptions {
  /** Events of one kind let through per window. Default 5. */
  burst?: number;
  /** Window length in ms. Default 1000. */
  windowMs?: number;
  /** Wall clock in ms, injectable for tests. Default Date.now. */
  nowMs?: () => number;
}

/**
 * Wraps a sink so that each kind (event + hc + code) passes at most `burst` times per window; the
 * next event of that kind after a window carries how many were suppressed. Memory is bounded by
 * the number of kinds, which is bounded by configured hcs × events × codes; capped at 1000 anyway.
 */
export function createRateLimitedLog(sink: RelayLogSink | undefined, options: RateLimitedLogOptions = {}): RelayLogSink {
  if (sink === undefined) return () => {};
  const burst = options.burst ?? 5;
  const windowMs = options.windowMs ?? 1000;
  const nowMs = options.nowMs ?? Date.now;
  const windows = new Map<string, { startMs: number; passed: number; suppressed: number }>();
  return (event) => {
    const key = `${event.event}|${event.hc ?? ''}|${event.code ?? ''}`;
    const now = nowMs();
    let state = windows.get(key);
    if (state === undefined || now - state.startMs >= windowMs) {
      const suppressed = state?.suppressed ?? 0;
      if (state === undefined && windows.size >= 1000) windows.clear();
      state = { startMs: now, passed: 0, suppressed: 0 };
      windows.set(key, state);
      if (suppressed > 0) {
        state.passed += 1;
        sink({ ...event, suppressed });
        return;
      }
    }
    if (state.passed < burst) {
      state.passed += 1;
      sink(event);
    } else {
      state.suppressed += 1;
    }
  };
}
