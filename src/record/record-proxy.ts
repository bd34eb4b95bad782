// `hcbench record`'s transparent TCP proxy: every client connection accepted on `listen` is
// forwarded byte for byte to `target` (with backpressure and half-close passed through) and cut
// into turns by a TurnRecorder. Nothing is changed on the wire; the proxy only watches. `finish`
// stops listening, ends the open connections (`recording-stopped`) and returns the trace. The
// recording is bounded: past MAX_RECORDED_TURNS turns or MAX_HELD_PAYLOAD_BYTES of stored bytes
// `onLimit` fires once and the caller finishes.

import net from 'node:net';
import { once } from 'node:events';
import { TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceConversation } from '../trace/format.js';
import { TurnRecorder } from './turn-recorder.js';

/** Most turns one recording keeps (about 60 bytes each in the file, under the trace file cap). */
export const MAX_RECORDED_TURNS = 500_000;
/** Most payload bytes one `--payload full` recording keeps (base64 grows them by a third). */
export const MAX_HELD_PAYLOAD_BYTES = 40 * 1024 * 1024;
/** Longest wait for the target to accept one connection, ms. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface RecordProxyOptions {
  listen: { host: string; port: number };
  target: { host: string; port: number };
  payload: 'sizes' | 'full';
  /** Called once when a bound of the recording is reached (the reason, lower case). */
  onLimit?: (reason: string) => void;
}

/** Live counters of a recording. */
export interface RecordStats {
  connectionsOpen: number;
  connectionsTotal: number;
  /** Client connections whose connect to the target failed (recorded as `error` with no turns). */
  connectFailures: number;
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
  finish(): Promise<Trace>;
}

interface Live {
  recorder: TurnRecorder;
  client: net.Socket;
  server: net.Socket;
  isDone: boolean;
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
  const stats: RecordStats = { connectionsOpen: 0, connectionsTotal: 0, connectFailures: 0, turns: 0, bytesFromClient: 0, bytesFromServer: 0, peakConcurrency: 0 };
  let heldBytes = 0;
  let isFinishing = false;
  let hasHitLimit = false;
  let nextId = 0;

  const checkLimits = (): void => {
    if (hasHitLimit) return;
    const turns = stats.turns + [...live].reduce((n, c) => n + c.recorder.turnCount, 0);
    const reason =
      turns >= MAX_RECORDED_TURNS ? `the recording reached ${MAX_RECORDED_TURNS} turns`
      : heldBytes >= MAX_HELD_PAYLOAD_BYTES ? `the recording holds ${MAX_HELD_PAYLOAD_BYTES} payload bytes`
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
    done.push(conversation);
    c.client.destroy();
    c.server.destroy();
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
      if (isFull) heldBytes += chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
      checkLimits();
    });
    from.on('end', () => to.end());
  };

  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (client) => {
    if (isFinishing) {
      client.destroy();
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

  let finished: Promise<Trace> | undefined;
  const finish = (): Promise<Trace> => {
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
        format: TRACE_FORMAT,
        version: TRACE_VERSION,
        recordedAt,
        target: `${options.target.host}:${options.target.port}`,
        payload: options.payload,
        durationUs: Number((nowNs() - startNs) / 1000n),
        peakConcurrency: stats.peakConcurrency,
        conversations,
      } satisfies Trace;
    })();
    return finished;
  };

  return { address: { host: options.listen.host, port: bound.port }, stats: () => ({ ...stats }), finish };
}
