// Backpressure on the relay's `accept` commands. hyco-ws (and our ws 8 listener) opens the
// rendezvous socket for an accept the moment it reads it, before the agent can refuse anything. A
// burst of accepts (for instance for senders that have already gone, each answered 403 only when the
// relay gets to it) took the agent past its open-file limit; a rendezvous connect then failed with
// EMFILE and the relay never completed a live sender's rendezvous. So the agent stops reading its
// control channel while the descriptors its connections hold (rendezvous sockets and target
// sockets) reach its budget, and reads on once they are down to three quarters of it. Bookkeeping
// only: the caller pauses and resumes the channel.

/** Re-evaluation interval while paused: sockets close in many places, none of which calls back here. */
const RECHECK_MS = 50;

export interface AcceptPressureOptions {
  /** Descriptors the connections may hold (rendezvous + target sockets); reading pauses at this many. */
  budget: number;
  /** Target sockets held now (one per live accepted connection). */
  targets: () => number;
  /** Stops reading accept commands (called again on every re-check while over budget: the channel may have been replaced). */
  pause: () => void;
  /** Reads accept commands again. */
  resume: () => void;
  recheckMs?: number;
}

export interface AcceptPressure {
  /** A rendezvous socket was opened; returns its release (idempotent), to call when it has closed. */
  opened(): () => void;
  /** True while accept commands are not read. */
  isPaused(): boolean;
  /** Times reading was paused so far. */
  pauses(): number;
  /** Stops the re-check timer (the endpoint is closing). */
  stop(): void;
}

export function createAcceptPressure(options: AcceptPressureOptions): AcceptPressure {
  const resumeAt = Math.floor((options.budget * 3) / 4);
  let rendezvous = 0;
  let paused = false;
  let pauses = 0;
  let timer: NodeJS.Timeout | undefined;

  const check = (): void => {
    const inUse = rendezvous + options.targets();
    if (inUse >= options.budget) {
      if (!paused) pauses += 1;
      paused = true;
      options.pause();
      timer ??= setInterval(check, options.recheckMs ?? RECHECK_MS);
    } else if (paused && inUse <= resumeAt) {
      paused = false;
      clearInterval(timer);
      timer = undefined;
      options.resume();
    }
  };

  return {
    opened() {
      rendezvous += 1;
      check();
      let isReleased = false;
      return () => {
        if (isReleased) return;
        isReleased = true;
        rendezvous -= 1;
        check();
      };
    },
    isPaused: () => paused,
    pauses: () => pauses,
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
