// Data shapes of the byte pump: options, counters, outcome and the handle. Types only.

import type { SetupHold } from './setup-hold.js';
import type { TunnelErrorKind } from './types.js';

/** Pump tuning. All optional. */
export interface PumpOptions {
  /**
   * Pause reading TCP while more than this many bytes handed to the WebSocket are not yet written
   * to its socket; resume below half of it. Default 1 MiB.
   */
  highWaterMarkBytes?: number;
  /** Milliseconds without progress during teardown before both sides are forced closed. Default 5000. */
  closeTimeoutMs?: number;
  /** Milliseconds without a byte in either direction before the connection is closed (4003). 0 = off (default). */
  idleTimeoutMs?: number;
  /**
   * Carry TCP half-close as an empty binary message (close-codes.ts). Default true. Turn off for a
   * far end that does not know the convention: then a FIN closes the WebSocket (1000) and empty
   * messages are ignored.
   */
  halfClose?: boolean;
  /**
   * Called per message with its direction and receive→hand-on time in nanoseconds: from the
   * message's arrival to the start of its write to the next socket (the hand-off to the kernel).
   */
  onHop?: (direction: 'toRelay' | 'fromRelay', hopNs: bigint) => void;
  /** Monotonic clock in nanoseconds; default `process.hrtime.bigint`. */
  nowNs?: () => bigint;
  /**
   * Stops the WebSocket's opening handshake and releases its socket now (see sender-socket.ts).
   * When given, a TCP socket that closes while the WebSocket is still connecting abandons the
   * handshake instead of waiting for it to open only to close it: nobody is left to serve, and a
   * burst of such resets would otherwise hold a descriptor each until the relay answers. Without
   * it (the agent) the close is sent once the WebSocket opens, so the far side learns why.
   */
  abortHandshake?: () => void;
  /**
   * A hold already reading the TCP socket (setup-hold.ts), started while the connection waited
   * for a setup slot; the pump takes it over, with its bytes and any end (FIN) read so far.
   */
  setupHold?: SetupHold;
}

/** Per-connection counters; live, updated as bytes move. */
export interface PumpCounters {
  bytesToRelay: number;
  bytesFromRelay: number;
  messagesToRelay: number;
  messagesFromRelay: number;
  /** Times TCP reading was paused for WebSocket backpressure. */
  tcpReadPauses: number;
  /** Times the WebSocket was paused for TCP backpressure. */
  relayReadPauses: number;
}

/**
 * How the connection ended. `fin-*`: clean (1000/1005/4003 or TCP FIN), started locally or by the far
 * side; `reset-*`: abnormal; `relay-error`: the WebSocket failed (often before it opened);
 * `idle`: the idle timeout fired; `aborted`: {@link Pump.abort} was called.
 */
export type PumpEnd = 'fin-local' | 'fin-remote' | 'reset-local' | 'reset-remote' | 'relay-error' | 'idle' | 'aborted';

export interface PumpOutcome {
  end: PumpEnd;
  /** Close code the WebSocket reported when it closed (1006 when it dropped without a close frame). */
  closeCode: number | undefined;
  /** Close reason text, when the far side sent one. */
  closeReason: string;
  /** The first error, classified; undefined for a clean end. */
  error: TunnelErrorKind | undefined;
  /** The raw first error, for logs (never shown without `describeError`). */
  cause: unknown;
}

export interface Pump {
  readonly counters: Readonly<PumpCounters>;
  /** Resolves once both the TCP socket and the WebSocket are closed. Never rejects. */
  readonly done: Promise<PumpOutcome>;
  /** True while TCP reading is paused for WebSocket backpressure. */
  isTcpPaused(): boolean;
  /** True while the WebSocket is paused for TCP backpressure. */
  isRelayPaused(): boolean;
  /** Ends both sides now: WebSocket close `code` (default 1001), TCP reset. Idempotent. */
  abort(code?: number, reason?: string): void;
}
