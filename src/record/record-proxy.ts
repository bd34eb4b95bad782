// `hcbench record`'s transparent TCP proxy: every client connection accepted on `listen` is
// forwarded byte for byte to `target` (with backpressure and half-close passed through) and cut
// into turns by a TurnRecorder. Nothing is changed on the wire; the proxy only watches. `finish`
// stops listening, ends the open connections (`recording-stopped`) and returns the trace. The
// recording is held in memory until it is written, so it is bounded (RecordLimits: connections,
// turns, and the size of the file it will write): at a bound `onLimit` fires once, connections
// past the connection bound are refused, and the caller finishes.

import net from 'node:net';
import { once } from 'node:events';
import type { TraceContent, TraceConversation } from '../trace/format.js';
import { renderConversationLine } from '../trace/render.js';
import { TurnRecorder } from './turn-recorder.js';

/** The bounds of one recording (it is held in memory until written). */
export interface RecordLimits {
  /** Most client connections recorded; the next one is refused and ends the recording. */
  connections: number;
  /** Most turns (about 90 bytes each in the file). */
  turns: number;
  /** Largest trace file the recording may write, bytes (payload held for open turns counted as base64). */
  fileBytes: number;
}

/** The default bounds: a trace of at most 64 MiB, about 250 MiB of memory while recording. */
export const DEFAULT_RECORD_LIMITS: Readonly<RecordLimits> = { connections: 100_000, turns: 500_000, fileBytes: 64 * 1024 * 1024 };
/** Room for the header line, bytes. */
const HEADER_BYTES = 512;
/** Longest wait for the target to accept one connection, ms. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface RecordProxyOptions {
  listen: { host: string; port: number };
  target: { host: string; port: number };
  payload: 'sizes' | 'full';
  /** Called once when a bound of the recording is reached (the reason, lower case). */
  onLimit?: (reason: string) => void;
  /** Bounds of the recording; default {@link DEFAULT_RECORD_LIMITS}. */
  limits?: Partial<RecordLimits>;
  /** Called when a conversation has ended and is counted (with how it ended). */
  onConversationEnd?: (end: TraceConversation['end']) => void;
}

/** Live counters of a recording. */
export interface RecordStats {
  connectionsOpen: number;
  connectionsTotal: number;
  /** Client connections whose connect to the target failed (recorded as `error` with no turns). */
  connectFailures: number;
  /** Client connections refused past the connection bound (not recorded). */
  refused: number;
  /** Bytes the trace file would take now (finished conversations, plus held payload as base64). */
  fileBytes: number;
  /** Finished turns of every conversation. */
  turns: number;
  bytesFromClient: number;
  bytesFromServer: number;
  peakConcurrency: number;
}

export interface RecordProxy {
  address: { host: string; port: number };
  stats(): RecordStats;
  /** Stops listening, ends the open conversations, and returns the trace (idempotent). */
  finish(): Promise<TraceContent>;
}

interface Live {
  recorder: TurnRecorder;
  client: net.Socket;
  server: net.Socket;
  isDone: boolean;
  /** Payload bytes this conversation holds (`--payload full`). */
  heldBytes: number;
  /** The side whose FIN came first, once one did. */
  endedBy?: 'client-closed' | 'server-closed';
}

const nowNs = (): bigint => process.hrtime.bigint();

/** Starts the proxy; resolves once it listens. */
export async function startRecordProxy(options: RecordProxyOptions): Promise<RecordProxy> {
  const startNs = nowNs();
  const recordedAt = new Date().toISOString();
  const isFull = options.payload === 'full';
  const done: TraceConversation[] = [];
  const live = new Set<Live>();
  const limits: RecordLimits = { ...DEFAULT_RECORD_LIMITS, ...options.limits };
  const stats: RecordStats = { connectionsOpen: 0, connectionsTotal: 0, connectFailures: 0, refused: 0, fileBytes: HEADER_BYTES, turns: 0, bytesFromClient: 0, bytesFromServer: 0, peakConcurrency: 0 };
  /** File bytes of the finished conversations; payload bytes of the open ones. */
  let writtenBytes = HEADER_BYTES;
  let heldBytes = 0;
  let isFinishing = false;
  let hasHitLimit = false;
  let nextId = 0;

  const checkLimits = (): void => {
    stats.fileBytes = writtenBytes + Math.ceil((heldBytes * 4) / 3);
    if (hasHitLimit) return;
    let turns = stats.turns;
    for (const c of live) turns += c.recorder.turnCount;
    const reason =
      stats.refused > 0 ? `the recording reached ${limits.connections} connections`
      : turns >= limits.turns ? `the recording reached ${limits.turns} turns`
      : stats.fileBytes >= limits.fileBytes ? `the trace would exceed ${limits.fileBytes} bytes`
      : undefined;
    if (reason === undefined) return;
    hasHitLimit = true;
    options.onLimit?.(reason);
  };

  const end = (c: Live, how: TraceConversation['end']): void => {
    if (c.isDone) return;
    c.isDone = true;
    live.delete(c);
    stats.connectionsOpen -= 1;
    const conversation = c.recorder.finish(nowNs(), how);
    stats.turns += conversation.turns.length;
    heldBytes -= c.heldBytes;
    writtenBytes += renderConversationLine(conversation).length + 1;
    done.push(conversation);
    checkLimits();
    c.client.destroy();
    c.server.destroy();
    options.onConversationEnd?.(how);
  };

  const pipe = (c: Live, from: net.Socket, to: net.Socket, isClient: boolean): void => {
    from.on('data', (chunk: Buffer) => {
      const t = nowNs();
      if (isClient) {
        stats.bytesFromClient += chunk.length;
        c.recorder.client(chunk, t);
      } else {
        stats.bytesFromServer += chunk.length;
        c.recorder.server(chunk, t);
      }
      if (isFull) {
        heldBytes += chunk.length;
        c.heldBytes += chunk.length;
      }
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
      checkLimits();
    });
    from.on('end', () => to.end());
  };

  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (client) => {
    if (isFinishing || stats.connectionsTotal >= limits.connections) {
      if (!isFinishing) stats.refused += 1;
      client.destroy();
      checkLimits();
      return;
    }
    const acceptedNs = nowNs();
    const id = nextId++;
    stats.connectionsTotal += 1;
    stats.connectionsOpen += 1;
    stats.peakConcurrency = Math.max(stats.peakConcurrency, stats.connectionsOpen);
    client.on('error', () => undefined);
    const upstream = net.connect({ host: options.target.host, port: options.target.port, noDelay: true });
    upstream.on('error', () => undefined);
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), CONNECT_TIMEOUT_MS);
    const c: Live = {
      recorder: new TurnRecorder(id, acceptedNs, Number((acceptedNs - startNs) / 1000n), 0, isFull),
      client,
      server: upstream,
      isDone: false,
      heldBytes: 0,
    };
    live.add(c);
    let isConnected = false;
    client.once('close', () => {
      if (!isConnected) upstream.destroy();
    });
    upstream.once('connect', () => {
      isConnected = true;
      clearTimeout(timer);
      const connectedNs = nowNs();
      c.recorder = new TurnRecorder(id, connectedNs, Number((acceptedNs - startNs) / 1000n), Number((connectedNs - acceptedNs) / 1000n), isFull);
      pipe(c, client, upstream, true);
      pipe(c, upstream, client, false);
      client.resume();
      // Both sides closed after their FINs: the party that ended first is in `endedBy`.
      let closes = 0;
      const onClose = (hadError: boolean): void => {
        closes += 1;
        if (hadError) end(c, 'error');
        else if (closes === 2) end(c, c.endedBy ?? 'client-closed');
      };
      client.once('end', () => (c.endedBy ??= 'client-closed'));
      upstream.once('end', () => (c.endedBy ??= 'server-closed'));
      client.once('close', onClose);
      upstream.once('close', onClose);
    });
    // A connect that fails (refused, timed out) never emits 'connect': the client is dropped.
    upstream.once('close', () => {
      if (isConnected) return;
      clearTimeout(timer);
      stats.connectFailures += 1;
      end(c, 'error');
    });
  });
  server.listen({ host: options.listen.host, port: options.listen.port });
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  const bound = server.address() as net.AddressInfo;

  let finished: Promise<TraceContent> | undefined;
  const finish = (): Promise<TraceContent> => {
    finished ??= (async () => {
      isFinishing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Let the I/O already in the sockets' buffers (a client's last bytes, its FIN) be read first:
      // two turns of the event loop, each with a poll phase. Not a wait for anything new.
      for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      // A conversation one side already ended was closed by it; only the others were cut short.
      for (const c of [...live]) end(c, c.endedBy ?? 'recording-stopped');
      await closed;
      const conversations = [...done].sort((a, b) => a.id - b.id);
      return {
        recordedAt,
        target: `${options.target.host}:${options.target.port}`,
        payload: options.payload,
        durationUs: Number((nowNs() - startNs) / 1000n),
        peakConcurrency: stats.peakConcurrency,
        conversations,
      } satisfies TraceContent;
    })();
    return finished;
  };

  return { address: { host: options.listen.host, port: bound.port }, stats: () => ({ ...stats }), finish };
}
