// Cuts one proxied connection into turns: a turn is the client's bytes, then the server's bytes
// that answer them; the next client byte after a server byte starts the next turn. Times come
// from the caller (monotonic ns) so the cutting is a pure state machine, tested without sockets.
// A server that speaks first (greeting) opens a turn with no client bytes; a client's last words
// with no answer (a goodbye) are a turn with no response.

import type { TraceConversation, TraceTurn } from '../trace/format.js';

interface OpenTurn {
  startNs: bigint;
  requestBytes: number;
  lastClientNs: bigint | undefined;
  responseBytes: number;
  firstServerNs: bigint | undefined;
  lastServerNs: bigint | undefined;
  request: Buffer[];
  response: Buffer[];
}

const toUs = (ns: bigint): number => (ns <= 0n ? 0 : Number(ns / 1000n));

/** Records one conversation's turns; `isFull` keeps the bytes too. */
export class TurnRecorder {
  private readonly turns: TraceTurn[] = [];
  private open: OpenTurn | undefined;
  /** End of the previous turn (its last byte), or the connect. */
  private lastEndNs: bigint;

  constructor(
    private readonly id: number,
    private readonly connectedNs: bigint,
    private readonly startUs: number,
    private readonly connectUs: number,
    private readonly isFull: boolean,
  ) {
    this.lastEndNs = connectedNs;
  }

  /** Turns finished so far (the open one excluded). */
  get turnCount(): number {
    return this.turns.length;
  }

  /** Client bytes arrived at `nowNs`. */
  client(chunk: Buffer, nowNs: bigint): void {
    if (this.open !== undefined && this.open.responseBytes > 0) this.closeTurn();
    const turn = this.open ?? this.startTurn(nowNs);
    turn.requestBytes += chunk.length;
    turn.lastClientNs = nowNs;
    if (this.isFull) this.hold(turn.request, chunk);
  }

  /** Server bytes arrived at `nowNs`. */
  server(chunk: Buffer, nowNs: bigint): void {
    const turn = this.open ?? this.startTurn(nowNs);
    if (turn.firstServerNs === undefined) turn.firstServerNs = nowNs;
    turn.responseBytes += chunk.length;
    turn.lastServerNs = nowNs;
    if (this.isFull) this.hold(turn.response, chunk);
  }

  /** Closes the open turn and returns the conversation as the trace stores it. */
  finish(nowNs: bigint, end: TraceConversation['end']): TraceConversation {
    if (this.open !== undefined) this.closeTurn();
    return {
      id: this.id,
      startUs: this.startUs,
      connectUs: this.connectUs,
      durationUs: toUs(nowNs - this.connectedNs),
      end,
      turns: this.turns,
    };
  }

  private hold(list: Buffer[], chunk: Buffer): void {
    list.push(Buffer.from(chunk));
  }

  private startTurn(nowNs: bigint): OpenTurn {
    this.open = { startNs: nowNs, requestBytes: 0, lastClientNs: undefined, responseBytes: 0, firstServerNs: undefined, lastServerNs: undefined, request: [], response: [] };
    return this.open;
  }

  private closeTurn(): void {
    const t = this.open;
    if (t === undefined) return;
    this.open = undefined;
    const serverUs = t.firstServerNs !== undefined && t.lastClientNs !== undefined ? toUs(t.firstServerNs - t.lastClientNs) : 0;
    const turn: TraceTurn = {
      thinkUs: toUs(t.startNs - this.lastEndNs),
      requestBytes: t.requestBytes,
      serverUs,
      responseBytes: t.responseBytes,
      responseUs: t.firstServerNs !== undefined && t.lastServerNs !== undefined ? toUs(t.lastServerNs - t.firstServerNs) : 0,
    };
    if (this.isFull) {
      turn.request = Buffer.concat(t.request).toString('base64');
      turn.response = Buffer.concat(t.response).toString('base64');
    }
    this.turns.push(turn);
    this.lastEndNs = t.lastServerNs ?? t.lastClientNs ?? t.startNs;
  }
}
