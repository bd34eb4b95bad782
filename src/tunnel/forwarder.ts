// The app-side tunnel endpoint (the role of App Service): a local TCP port whose every accepted
// connection becomes one relayed WebSocket (hyco-ws relayedConnect) pumped byte for byte.
// Relay refusals are counted per connection, never thrown; it must not print or exit.

import { type Server, type Socket, createServer } from 'node:net';
import { once } from 'node:events';
import { type RelayConnection, connectUri, tokenProvider } from '../azure/connection-string.js';
import { redactSecrets } from '../azure/sas-token.js';
import { PathSetupError } from '../errors.js';
import { createLatenessRecorder, releaseLateness } from '../net/lateness.js';
import { sharedNowUs } from '../net/shared-clock.js';
import type { LinkShape } from '../net/delay-line.js';
import { createHandOffFloor } from '../net/hand-off-floor.js';
import { timedMessageSocket } from '../net/timed-socket.js';
import { type TrackedConnection, createConnectionTracker } from './connection-tracker.js';
import { createHopTiming } from './hop-timing.js';
import type { ClientStack } from './client-stack.js';
import { type Sender, openSender } from './sender-socket.js';
import { type ForwarderSetupStamps, createStampRing, nextTrackingId } from './setup-stamps.js';
import type { MessageSocket } from '../net/message-socket.js';
import { describeError } from './relay-errors.js';
import { connectionsWithinFdLimit, openFileLimit } from './fd-limit.js';
import { createPump } from './pump.js';
import { DEFAULT_MAX_CONCURRENT_SETUPS, createSetupGate } from './setup-gate.js';
import { type SetupHold, holdDuringSetup } from './setup-hold.js';
import { defaultRenewIntervalMs } from './token-renewal.js';
import type { ForwarderStats, TunnelLog } from './types.js';

/** Options of {@link startForwarder}. */
export interface ForwarderOptions {
  connection: RelayConnection;
  /** Local address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Local port; 0 (default) picks a free one, read it back from `address.port`. */
  port?: number;
  log?: TunnelLog;
  /**
   * Milliseconds for the relayed WebSocket to open, from the start of its setup (after any wait for
   * a setup slot), before the connection fails with `rendezvous-timeout`. Default 30000.
   */
  setupTimeoutMs?: number;
  /**
   * Relay setups (relayed WebSockets still connecting) at a time; further accepted connections wait
   * in arrival order, read so that a reset is seen at once. Bounds the descriptors a burst of new
   * connections takes. Default {@link DEFAULT_MAX_CONCURRENT_SETUPS}.
   */
  maxConcurrentSetups?: number;
  /**
   * Live local connections at most (Node's `server.maxConnections`): one more is closed at once and
   * counted as `connection-limit`. Default: what fits in the process's open-file limit at two
   * descriptors a connection (fd-limit.ts), so a burst is refused in the open rather than dropped
   * silently by libuv at EMFILE; no cap when the limit is unknown.
   */
  maxConnections?: number;
  /** Milliseconds without traffic before a connection is closed (close 4003). 0 = never (default). */
  idleTimeoutMs?: number;
  /** Pump backpressure threshold in bytes. Default 1 MiB. */
  highWaterMarkBytes?: number;
  /** Carry TCP half-close as an empty message (see close-codes.ts). Default true; both ends must agree. */
  halfClose?: boolean;
  /** WebSocket client library. Default `hyco-ws`. */
  clientStack?: ClientStack;
  /** Sender token lifetime, s; a token is re-signed after half of it (at most 5 min). Default 3600. */
  tokenTtlSec?: number;
  /**
   * Emulated relay with timed legs only (net/timed-socket.ts): the shape of the leg between this
   * endpoint and the relay. Outgoing messages carry their due time; incoming ones are held here
   * until due. The relay must run with `timedLegs`. Default: off (plain hyco protocol).
   */
  timedLeg?: LinkShape;
}

/** A running forwarder. */
export interface Forwarder {
  /** Where local clients connect. */
  address: { host: string; port: number };
  stats(): ForwarderStats;
  /** Stops accepting, aborts live connections (close 1001, local RST) and resolves when all are closed. */
  close(): Promise<void>;
}

/** Tokens are re-signed at least this often (they are valid for 60 min by default). */
const TOKEN_REFRESH_MS = 5 * 60_000;

/** Starts the forwarder; resolves once its TCP port is listening. */
export async function startForwarder(options: ForwarderOptions): Promise<Forwarder> {
  const log: TunnelLog = options.log ?? (() => {});
  const setupTimeoutMs = options.setupTimeoutMs ?? 30_000;
  const clientStack = options.clientStack ?? 'hyco-ws';
  const uri = connectUri(options.connection);
  const ttlSec = options.tokenTtlSec ?? 3600;
  const signed = { tokensSigned: 0 };
  const provider = tokenProvider(options.connection, ttlSec);
  const sign = (): string => {
    signed.tokensSigned += 1;
    return provider();
  };
  const token = cachedToken(sign, Math.min(TOKEN_REFRESH_MS, defaultRenewIntervalMs(ttlSec)));
  const tracker = createConnectionTracker();
  const errorKindsSeen = new Set<string>();
  const timing = createHopTiming();
  const setupStamps = createStampRing<ForwarderSetupStamps>();
  const lateness = createLatenessRecorder();
  // The relay → forwarder hop's hand-off, learnt once for all this forwarder's connections (timed legs only).
  const handOffFloor = createHandOffFloor();

  const gate = createSetupGate(options.maxConcurrentSetups ?? DEFAULT_MAX_CONCURRENT_SETUPS);

  /** Opens the relayed WebSocket of a connection that got a setup slot and pumps it. */
  const startSetup = (socket: Socket, hold: SetupHold, connection: TrackedConnection, release: () => void, acceptedUs: number): void => {
    if (socket.destroyed) {
      // Gone between its slot's release and its turn (its 'close' is still to come).
      release();
      return connection.settle('reset-local');
    }
    let ws: MessageSocket;
    let sender: Sender;
    // Stamps of this setup's steps (setup-stamps.ts); kept once the first byte came back.
    const id = nextTrackingId();
    const stamps: ForwarderSetupStamps = { id, acceptedUs, startedUs: 0, openUs: 0 };
    try {
      stamps.startedUs = sharedNowUs();
      sender = openSender(clientStack, `${uri}&sb-hc-id=${id}`, token(), () => void (stamps.connectedUs = sharedNowUs()));
      ws = options.timedLeg === undefined ? sender.ws : timedMessageSocket(sender.ws, options.timedLeg, lateness, {}, handOffFloor);
    } catch (error) {
      // e.g. a URI the WebSocket client rejects: count it on this connection, never crash the server.
      release();
      connection.settle('other');
      log({ level: 'error', event: 'connection-error', message: redactSecrets(`cannot open a relayed WebSocket: ${describeError(error)}`) });
      socket.resetAndDestroy();
      return;
    }
    const onHop = (direction: 'toRelay' | 'fromRelay', hopNs: bigint): void => {
      timing.onHop(direction, hopNs);
      if (direction !== 'fromRelay' || stamps.firstByteUs !== undefined || stamps.openUs === 0) return;
      stamps.firstByteUs = sharedNowUs();
      setupStamps.push(stamps);
    };
    // Before the pump's own 'open' handler, which sends the bytes held during setup at once.
    ws.on('open', () => void (stamps.openUs = sharedNowUs()));
    const pump = createPump(socket, ws, {
      onHop,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.highWaterMarkBytes === undefined ? {} : { highWaterMarkBytes: options.highWaterMarkBytes }),
      ...(options.halfClose === undefined ? {} : { halfClose: options.halfClose }),
      abortHandshake: sender.abortHandshake,
      setupHold: hold,
    });
    connection.attach(pump);
    let isTimedOut = false;
    // Dropped once cleared: this context lives as long as the connection, a spent Timeout need not.
    let setupTimer: NodeJS.Timeout | undefined = setTimeout(() => {
      isTimedOut = true;
      pump.abort(1001, 'rendezvous timeout');
      sender.abortHandshake();
    }, setupTimeoutMs);
    const endSetup = (): void => {
      clearTimeout(setupTimer);
      setupTimer = undefined;
      release();
    };
    ws.on('open', () => {
      endSetup();
      timing.recordSetup(BigInt(Math.round((stamps.openUs - acceptedUs) * 1000)));
    });
    void pump.done.then((outcome) => {
      endSetup();
      const error = isTimedOut ? 'rendezvous-timeout' : outcome.error;
      connection.settle(error);
      if (error === undefined) return;
      const message = redactSecrets(`connection failed: ${error} (${describeError(outcome.cause)})`);
      // The first error of each kind is a warning; repeats are debug so a refusal storm stays readable.
      const level = errorKindsSeen.has(error) ? 'debug' : 'warn';
      errorKindsSeen.add(error);
      log({ level, event: 'connection-error', message, data: { kind: error, end: outcome.end } });
    });
  };

  // Every accepted connection waits for a setup slot (setup-gate.ts) and is read meanwhile
  // (setup-hold.ts), so a client that resets before its turn is counted and gone at once.
  const onConnection = (socket: Socket): void => {
    const acceptedUs = sharedNowUs();
    socket.setNoDelay(true);
    const waiting = { isAborted: false };
    // This closure lives as long as the connection; the waiting state below does not.
    const connection = tracker.enter(() => {
      waiting.isAborted = true;
      socket.resetAndDestroy();
    });
    waitForSetupSlot(socket, connection, waiting, acceptedUs);
  };

  const waitForSetupSlot = (socket: Socket, connection: TrackedConnection, waiting: { isAborted: boolean }, acceptedUs: number): void => {
    const hold = holdDuringSetup(socket);
    // Until the pump has its own: a reset while waiting ends in 'close', counted there.
    const onWaitingError = (): void => {};
    const onGoneWhileWaiting = (): void => {
      cancel();
      hold.release();
      connection.settle(waiting.isAborted ? undefined : 'reset-local');
    };
    socket.on('error', onWaitingError);
    socket.once('close', onGoneWhileWaiting);
    const cancel = gate.enter((release) => {
      socket.off('close', onGoneWhileWaiting);
      startSetup(socket, hold, connection, release, acceptedUs);
      socket.off('error', onWaitingError);
    });
  };

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, onConnection);
  const maxConnections = options.maxConnections ?? connectionsWithinFdLimit(openFileLimit());
  if (maxConnections !== undefined) server.maxConnections = maxConnections;
  server.on('drop', () => {
    tracker.enter(() => {}).settle('connection-limit');
    if (errorKindsSeen.has('connection-limit')) return;
    errorKindsSeen.add('connection-limit');
    log({ level: 'warn', event: 'connection-error', message: `connection refused: ${maxConnections} connections already live (connection-limit)`, data: { kind: 'connection-limit' } });
  });
  await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new PathSetupError('forwarder did not bind a TCP port');
  const address = { host: bound.address, port: bound.port };
  log({ level: 'info', event: 'forwarder-listening', message: `forwarder listening on ${address.host}:${address.port}` });

  let closing: Promise<void> | undefined;
  return {
    address,
    stats: () => ({ ...tracker.snapshot(), ...signed, timing: timing.snapshot(), setupStamps: setupStamps.snapshot(), ...releaseLateness(lateness) }),
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await tracker.abortAll(1001, 'forwarder closing');
        await serverClosed;
        log({ level: 'info', event: 'forwarder-closed', message: 'forwarder closed' });
      })();
      return closing;
    },
  };
}

async function listen(server: Server, host: string, port: number): Promise<void> {
  server.listen(port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
  } catch (cause) {
    throw new PathSetupError(`forwarder could not listen on ${host}:${port}`, { cause });
  }
}

/** Memoises a token provider for `refreshMs` so a connection burst does not re-sign per connection (a token outlives `refreshMs`). */
function cachedToken(provider: () => string, refreshMs: number): () => string {
  let token = '';
  let madeAtMs = -Infinity;
  return () => {
    const now = Date.now();
    if (now - madeAtMs >= refreshMs) {
      token = provider();
      madeAtMs = now;
    }
    return token;
  };
}
