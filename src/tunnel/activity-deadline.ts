// A deadline that moves with activity (idle timeouts, "no progress" teardown limits). Cheap to
// touch on every message: it only stores a time; the timer re-arms itself lazily when it fires.

/** Fires `onExpire` once `limitMs` have passed without a `touch()`. */
export interface ActivityDeadline {
  /** Records activity now. */
  touch(): void;
  /** (Re)starts the deadline with a new limit and callback; a limit <= 0 disables it. */
  set(limitMs: number, onExpire: () => void): void;
  /** Stops it for good (until the next set). */
  clear(): void;
}

/** A disabled deadline; `nowMs` is the clock in milliseconds (default `Date.now`). */
export function createActivityDeadline(nowMs: () => number = Date.now): ActivityDeadline {
  let lastActivityMs = nowMs();
  let timer: NodeJS.Timeout | undefined;
  let limit = 0;
  let expire: () => void = () => {};
  const arm = (): void => {
    clearTimeout(timer);
    timer = limit > 0 ? setTimeout(onTimer, Math.max(lastActivityMs + limit - nowMs(), 1)) : undefined;
  };
  const onTimer = (): void => {
    timer = undefined;
    if (nowMs() - lastActivityMs < limit) return arm();
    expire();
  };
  return {
    touch() {
      lastActivityMs = nowMs();
    },
    set(limitMs, onExpire) {
      limit = limitMs;
      expire = onExpire;
      lastActivityMs = nowMs();
      arm();
    },
    clear() {
      clearTimeout(timer);
      timer = undefined;
      limit = 0;
    },
  };
}
