// A deadline that moves with activity (idle timeouts, "no progress" teardown limits). Cheap to
// touch on every message: it only stores a time; the timer re-arms itself lazily when it fires.
// A class whose timer calls a module-level function: a pump holds one for the connection's life,
// so it keeps no closures of its own.

/** The timer's callback: one function for every deadline. */
function fire(deadline: ActivityDeadline): void {
  deadline.onTimer();
}

/** Fires `onExpire` once `limitMs` have passed without a `touch()`; disabled until `set`. */
export class ActivityDeadline {
  private lastActivityMs: number;
  private timer: NodeJS.Timeout | undefined = undefined;
  private limit = 0;
  private expire: (() => void) | undefined = undefined;

  /** `nowMs` is the clock in milliseconds (default `Date.now`). */
  constructor(private readonly nowMs: () => number = Date.now) {
    this.lastActivityMs = nowMs();
  }

  /** Records activity now. */
  touch(): void {
    this.lastActivityMs = this.nowMs();
  }

  /** (Re)starts the deadline with a new limit and callback; a limit <= 0 disables it. */
  set(limitMs: number, onExpire: () => void): void {
    this.limit = limitMs;
    this.expire = onExpire;
    this.lastActivityMs = this.nowMs();
    this.arm();
  }

  /** Stops it for good (until the next set). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.limit = 0;
    this.expire = undefined;
  }

  /** @internal The timer fired: expire, or re-arm for the activity seen since it was armed. */
  onTimer(): void {
    this.timer = undefined;
    if (this.limit <= 0) return;
    if (this.nowMs() - this.lastActivityMs < this.limit) return this.arm();
    this.expire?.();
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = this.limit > 0 ? setTimeout(fire, Math.max(this.lastActivityMs + this.limit - this.nowMs(), 1), this) : undefined;
  }
}
