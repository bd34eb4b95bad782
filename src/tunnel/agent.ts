// The on-prem tunnel endpoint (the role of the Hybrid Connection Manager): registers a hyco-ws
// listener on the hybrid connection and, per relayed connection, dials the target over TCP and pumps.
// It wraps hyco-ws's no-backoff reconnect loop with exponential backoff; it must not print or exit.

import { connect } from 'node:net';
import { type RelayConnection, listenUri, tokenProvider } from '../azure/connection-string.js';
import { redactSecrets } from '../azure/sas-token.js';
import { PathSetupError } from '../errors.js';
import { createLatenessRecorder, releaseLateness } from '../net/lateness.js';
import { createHandOffFloor } from '../net/hand-off-floor.js';
import { timedMessageSocket, type TimedLeg } from '../net/timed-socket.js';
import { type BackoffPolicy, backoffDelayMs, defaultBackoffPolicy } from './backoff.js';
import { CLOSE_GOING_AWAY, CLOSE_TARGET_UNREACHABLE } from './close-codes.js';
import { withConnectionLimit } from './agent-refusals.js';
import { createConnectionTracker } from './connection-tracker.js';
import { createHopTiming } from './hop-timing.js';
import { type AgentSetupStamps, createStampRing, trackAgentSetup } from './setup-stamps.js';
import { type ClientStack, createListener } from './client-stack.js';
import { defaultRenewIntervalMs } from './token-renewal.js';
import type { HycoRelayedServer, HycoWebSocket } from './hyco-ws-client.js';
import { WS_CLOSED, WS_CONNECTING, discardWebSocket } from '../net/message-socket.js';
import { classifyRelayError, describeError } from './relay-errors.js';
import { type Pump, createPump } from './pump.js';
import { describeListenFailure } from './listen-failure.js';
import type { AgentStats, AgentStatus, TunnelLog } from './types.js';

/** Options of {@link startAgent}. */
export interface AgentOptions {
  connection: RelayConnection;
  /** The TCP service every relayed connection is forwarded to. */
  target: { host: string; port: number };
  log?: TunnelLog;
  /** Aborting it rejects a pending start and closes the agent. */
  signal?: AbortSignal;
  /** Milliseconds until `startAgent` rejects when the agent never got to listen. 0 = wait forever. Default 30000. */
  startTimeoutMs?: number;
  /** Milliseconds after the first failed listen attempt until `startAgent` rejects with that failure's cause
   * (DNS, refused, TLS, 401, 403, ...) if still not listening; 0 = retry until `startTimeoutMs`. Default 5000. */
  failFastMs?: number;
  /** Listen retry policy; fields default to {@link defaultBackoffPolicy}. */
  backoff?: Partial<BackoffPolicy>;
  /** Consecutive failed listen attempts after which the agent gives up (status `failed`). Default Infinity. */
  maxListenAttempts?: number;
  /** Milliseconds for a TCP connect to the target. Default 10000. */
  targetConnectTimeoutMs?: number;
  /** Milliseconds without traffic before a connection is closed (close 4003). 0 = never (default). */
  idleTimeoutMs?: number;
  /** Pump backpressure threshold in bytes. Default 1 MiB. */
  highWaterMarkBytes?: number;
  /** Carry TCP half-close as an empty message (see close-codes.ts). Default true; both ends must agree. */
  halfClose?: boolean;
  /** Random source for backoff jitter, in [0, 1). Default Math.random. */
  random?: () => number;
  /** WebSocket client library. Default `hyco-ws`. */
  clientStack?: ClientStack;
  /** Milliseconds between `renewToken` commands, both stacks. Default: half the token lifetime, at most 50 min. */
  tokenRenewIntervalMs?: number;
  /** Listen token lifetime, s. Default {@link AGENT_TOKEN_TTL_SEC}; rehearsals test renewal with short ones. */
  tokenTtlSec?: number;
  /**
   * Emulated relay with timed legs only (net/timed-socket.ts): the shape of the leg between this
   * endpoint and the relay. Outgoing messages carry their due time; incoming ones are held here
   * until due (less `releaseEarlyUs`). The relay must run with `timedLegs`. Default: off (plain hyco protocol).
   */
  timedLeg?: TimedLeg;
}

/** Options of {@link Agent.close}. */
export interface AgentCloseOptions {
  /**
   * After unregistering, wait up to this many milliseconds for live connections to end by
   * themselves before aborting the rest. Default 0 (abort at once, like a stopped HCM).
   */
  drainMs?: number;
}

/** A running agent. */
export interface Agent {
  stats(): AgentStats;
  /**
   * Unregisters (waits until the relay has dropped the control channel, so no new connection is
   * sent here), optionally drains, then aborts live connections (close 1001, target RST).
   * Resolves when all are closed. Later calls return the first call's promise.
   */
  close(options?: AgentCloseOptions): Promise<void>;
}

const UNREGISTER_TIMEOUT_MS = 3000; // longest wait for the relay to acknowledge closing the control channel, ms

/** Lifetime of the agent's listen tokens in seconds (renewed every 50 min; hyco-ws also after 60 min). */
export const AGENT_TOKEN_TTL_SEC = 7200;

/** Starts the agent; resolves once its control channel is listening (rejects on signal or start timeout). */
export function startAgent(options: AgentOptions): Promise<Agent> {
  const log: TunnelLog = options.log ?? (() => {});
  const policy: BackoffPolicy = { ...defaultBackoffPolicy, ...options.backoff };
  const maxListenAttempts = options.maxListenAttempts ?? Infinity;
  const targetConnectTimeoutMs = options.targetConnectTimeoutMs ?? 10_000;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const failFastMs = options.failFastMs ?? 5_000;
  const uri = listenUri(options.connection);
  const token = tokenProvider(options.connection, options.tokenTtlSec ?? AGENT_TOKEN_TTL_SEC);
  const renewIntervalMs = options.tokenRenewIntervalMs ?? defaultRenewIntervalMs(options.tokenTtlSec ?? AGENT_TOKEN_TTL_SEC);
  const timing = createHopTiming();
  const setupStamps = createStampRing<AgentSetupStamps>();
  const lateness = createLatenessRecorder();
  const handOffFloor = createHandOffFloor(); // relay → agent, for all connections (timed legs only)
  const tracker = createConnectionTracker();
  const listenErrors: Record<string, number> = {};
  const counts = { targetConnectionsOpened: 0, listenCount: 0, listenFailures: 0, tokenRenewalsSent: 0 };
  let consecutiveFailures = 0;
  /** Cause of the latest failed listen attempt, for start errors. */
  let lastFailure: string | undefined;
  let lastKind: string | undefined;
  let status: AgentStatus = 'connecting';
  let server: HycoRelayedServer | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;

  const setStatus = (next: AgentStatus, detail = ''): void => {
    if (next === status) return;
    status = next;
    const level = next === 'failed' ? 'error' : next === 'reconnecting' ? 'warn' : 'info';
    log({ level, event: 'agent-status', message: redactSecrets(`agent ${next}${detail}`), data: { status: next } });
  };

  // Connections offered while close() unregisters are served too: the abort after unregistering
  // includes them, and with drainMs they may finish normally.
  const limit = withConnectionLimit(tracker, undefined, log, (relayed: HycoWebSocket): void => {
    const ws = options.timedLeg === undefined ? relayed : timedMessageSocket(relayed, options.timedLeg, lateness, {}, handOffFloor);
    // The accept message was handled just now (hyco-ws emits 'connection' right after it).
    const setup = trackAgentSetup(relayed.url, setupStamps, timing.recordSetup);
    ws.on('open', setup.opened);
    const target = connect({ ...options.target, noDelay: true, allowHalfOpen: true });
    let isTargetFailed = false;
    let isTargetConnected = false;
    let pump: Pump | undefined;
    let connectTimer: NodeJS.Timeout | undefined = setTimeout(() => target.destroy(Object.assign(new Error('target connect timed out'), { code: 'ETIMEDOUT' })), targetConnectTimeoutMs);
    // Dropped once cleared: this context lives as long as the connection, a spent Timeout need not.
    const endConnectWait = (): void => void (clearTimeout(connectTimer), (connectTimer = undefined));
    target.once('connect', () => {
      endConnectWait();
      isTargetConnected = true;
      counts.targetConnectionsOpened += 1;
      setup.targetConnected();
    });
    // Registered before the pump's own listeners, so the far side hears 4002 rather than a plain reset.
    target.once('error', (error: unknown) => {
      endConnectWait();
      if (isTargetConnected) return;
      isTargetFailed = true;
      pump?.abort(CLOSE_TARGET_UNREACHABLE, `target ${describeError(error)}`);
    });
    pump = createPump(target, ws, {
      onHop: timing.onHop,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.highWaterMarkBytes === undefined ? {} : { highWaterMarkBytes: options.highWaterMarkBytes }),
      ...(options.halfClose === undefined ? {} : { halfClose: options.halfClose }),
    });
    const settle = tracker.accept(pump);
    void pump.done.then((outcome) => {
      endConnectWait();
      const error = isTargetFailed ? 'target-unreachable' : outcome.error;
      settle(error);
      limit.changed();
      if (error !== undefined) {
        const message = redactSecrets(`relayed connection failed: ${error} (${describeError(outcome.cause)})`);
        log({ level: 'debug', event: 'connection-error', message, data: { kind: error, end: outcome.end } });
      }
    });
  });

  const listen = (): void => {
    retryTimer = undefined;
    const s = createListener(options.clientStack ?? 'hyco-ws', uri, token, limit.onRelayed, { intervalMs: renewIntervalMs, onSent: () => void (counts.tokenRenewalsSent += 1) });
    server = s;
    limit.attach(s.controlChannel);
    s.on('listening', () => {
      limit.attach(s.controlChannel); // hyco-ws makes a new channel when an open one closes
      if (server !== s || closing !== undefined) return;
      counts.listenCount += 1;
      consecutiveFailures = 0;
      setStatus('listening');
      onListening?.();
      // hyco-ws reconnects at once when an open control channel closes; show it as reconnecting.
      s.controlChannel?.on('close', () => {
        if (server === s && closing === undefined) setStatus('reconnecting', ' (control channel closed)');
      });
    });
    s.on('error', (error: unknown) => {
      if (server !== s) return;
      // Stop hyco-ws's immediate reconnect (it checks closeRequested right after emitting 'error').
      s.close(() => {});
      server = undefined;
      if (closing !== undefined) return;
      const kind = classifyRelayError(error);
      lastFailure = describeListenFailure(error, options.connection.host);
      lastKind = kind;
      onListenFailure?.();
      listenErrors[kind] = (listenErrors[kind] ?? 0) + 1;
      counts.listenFailures += 1;
      consecutiveFailures += 1;
      if (consecutiveFailures >= maxListenAttempts) {
        setStatus('failed', `: ${kind} after ${consecutiveFailures} attempts`);
        onFailed?.(kind);
        return;
      }
      const delayMs = backoffDelayMs(consecutiveFailures - 1, policy, options.random);
      setStatus('reconnecting', `: ${kind} (${describeError(error)})`);
      retryTimer = setTimeout(listen, delayMs);
    });
  };

  const close = (closeOptions: AgentCloseOptions = {}): Promise<void> => {
    closing ??= (async () => {
      clearTimeout(retryTimer);
      limit.stop();
      const s = server;
      server = undefined;
      // Unregister first and wait for it, so the relay sends no new connections to a closing agent.
      if (s !== undefined) await closeRelayedServer(s, UNREGISTER_TIMEOUT_MS);
      const drainMs = closeOptions.drainMs ?? 0;
      if (drainMs > 0 && tracker.activeCount() > 0) await untilIdleOr(tracker.whenIdle(), drainMs);
      await tracker.abortAll(CLOSE_GOING_AWAY, 'agent closing');
      setStatus('closed');
    })();
    return closing;
  };

  const agent: Agent = {
    stats: () => ({ ...tracker.snapshot(), ...counts, status, listenErrors: { ...listenErrors }, timing: timing.snapshot(), setupStamps: setupStamps.snapshot(), ...releaseLateness(lateness) }),
    close,
  };

  let onListening: (() => void) | undefined;
  let onFailed: ((kind: string) => void) | undefined;
  let onListenFailure: (() => void) | undefined;
  const hint = 'check the connection string (namespace, key name, key) and that the relay is up and reachable';
  const attempts = (): string => `${lastKind ?? 'no'} error, ${counts.listenFailures} attempt${counts.listenFailures === 1 ? '' : 's'}`;
  const lastCause = (): string => (lastFailure === undefined ? '' : `; last attempt: ${lastFailure} (${attempts()})`);
  return new Promise<Agent>((resolve, reject) => {
    const signal = options.signal;
    let failFastTimer: NodeJS.Timeout | undefined;
    const startTimer =
      startTimeoutMs > 0
        ? setTimeout(() => giveUp(new PathSetupError(`agent did not get to listen within ${startTimeoutMs} ms${lastCause()}`, { hint })), startTimeoutMs)
        : undefined;
    const onAbort = (): void => {
      giveUp(new PathSetupError(`agent start aborted before it could listen${lastCause()}`, { cause: signal?.reason }));
    };
    const giveUp = (error: PathSetupError): void => {
      clearTimeout(startTimer);
      clearTimeout(failFastTimer);
      signal?.removeEventListener('abort', onAbort);
      onListening = onFailed = onListenFailure = undefined;
      void close().then(() => reject(error));
    };
    onListening = () => {
      clearTimeout(startTimer);
      clearTimeout(failFastTimer);
      signal?.removeEventListener('abort', onAbort);
      onListening = onFailed = onListenFailure = undefined;
      resolve(agent);
    };
    onFailed = () => giveUp(new PathSetupError(`agent could not listen on the relay: ${lastFailure ?? 'unknown error'} (${attempts()})`, { hint }));
    // The first failure starts the fail-fast clock: a wrong key or name will not fix itself.
    onListenFailure = () => {
      if (failFastMs <= 0 || failFastTimer !== undefined) return;
      failFastTimer = setTimeout(
        () => giveUp(new PathSetupError(`agent could not listen on the relay: ${lastFailure ?? 'unknown error'} (${attempts()} in ${failFastMs} ms)`, { hint })),
        failFastMs,
      );
    };
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    listen();
  });
}

/** Closes a hyco-ws server and waits (at most `timeoutMs`) until its control channel is closed. */
async function closeRelayedServer(server: HycoRelayedServer, timeoutMs: number): Promise<void> {
  const channel = server.controlChannel;
  const closed = new Promise<void>((resolve) => server.on('close', () => resolve()));
  server.close(() => {});
  if (channel === undefined || channel.readyState === WS_CLOSED) return;
  // ws 1.1.5 close() on a connecting socket only flags it (and its handshake cannot be stopped).
  if (channel.readyState === WS_CONNECTING) return discardWebSocket(channel);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
  const isTimedOut = await Promise.race([closed.then(() => false), timedOut]);
  clearTimeout(timer);
  if (isTimedOut) discardWebSocket(channel);
}

/** Resolves when `idle` resolves or after `limitMs`, whichever comes first. */
async function untilIdleOr(idle: Promise<void>, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))]);
  clearTimeout(timer);
}
