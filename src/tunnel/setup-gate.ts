// A bound on concurrent relay setups (a counting semaphore with a FIFO queue). Each setup holds a
// descriptor for its relay socket besides the client's own, so a burst of connections would
// otherwise open as many relay sockets at once as it has clients (500 resets during setup reached
// EMFILE at `ulimit -n 256`). Bookkeeping only: it never touches sockets.

/** Concurrent relay setups of one forwarder by default. */
export const DEFAULT_MAX_CONCURRENT_SETUPS = 64;

/** A counting semaphore for setups. */
export interface SetupGate {
  /**
   * Runs `start` now if fewer than the limit are running, otherwise once a slot is released, in
   * arrival order. `start` gets the slot's `release` (idempotent; call it when the setup ends).
   * Returns `cancel`: takes a waiting `start` out of the queue (no-op once it has started).
   */
  enter(start: (release: () => void) => void): () => void;
  /** Setups holding a slot. */
  running(): number;
  /** Setups waiting for one. */
  waiting(): number;
}

/** A gate that lets `limit` (>= 1) setups run at once. */
export function createSetupGate(limit: number): SetupGate {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`setup limit must be an integer >= 1, got ${limit}`);
  const queue = new Set<(release: () => void) => void>();
  let running = 0;

  const run = (start: (release: () => void) => void): void => {
    running += 1;
    let isReleased = false;
    start(() => {
      if (isReleased) return;
      isReleased = true;
      running -= 1;
      next();
    });
  };
  const next = (): void => {
    while (running < limit && queue.size > 0) {
      const start = queue.values().next().value as (release: () => void) => void;
      queue.delete(start);
      run(start);
    }
  };

  return {
    enter(start) {
      // A fresh function per entry, so cancelling one never removes another with the same body.
      const entry = (release: () => void): void => start(release);
      if (running < limit && queue.size === 0) {
        run(entry);
        return () => {};
      }
      queue.add(entry);
      return () => void queue.delete(entry);
    },
    running: () => running,
    waiting: () => queue.size,
  };
}
