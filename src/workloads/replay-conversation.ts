// Replays one recorded conversation on a fresh connection: for each turn, wait the recorded think
// time (divided by the speed), send the turn's request — to the built-in target a timed request
// asking for the recorded response size after the recorded server time, to the real target the
// recorded bytes — and wait for exactly the recorded response size. A turn with a response is a
// round trip; the conversation is a transaction. Failures are counted by kind, never thrown.

import type { Phase, StepRecorder } from '../metrics/recorder.js';
import type { ErrorKind } from '../metrics/result.js';
import { encodeTimedRequest, TIMED_HEADER_BYTES } from '../protocol/request-response.js';
import type { TraceConversation } from '../trace/format.js';
import type { ConversationDone } from './replay-tally.js';
import { waitUntil } from './run-window.js';
import type { TcpConnector } from './tcp-connector.js';
import type { Clock } from './types.js';

export interface ConversationContext {
  connector: TcpConnector;
  recorder: StepRecorder;
  clock: Clock;
  stop: AbortSignal;
  isBuiltIn: boolean;
  speed: number;
}

export type ConversationResult = { ok: true; endNs: bigint; done: ConversationDone } | { ok: false; kind: ErrorKind | undefined };

/** The wire bytes of one turn: a timed request for the built-in target, the recorded bytes otherwise. */
function requestOf(ctx: ConversationContext, turn: TraceConversation['turns'][number]): Buffer {
  if (!ctx.isBuiltIn) return Buffer.from(turn.request ?? '', 'base64');
  return encodeTimedRequest(Math.max(turn.requestBytes, TIMED_HEADER_BYTES), turn.responseBytes, turn.serverUs);
}

/** Replays `conversation` once; counts its round trips and, when it completes, the transaction. */
export async function replayConversation(ctx: ConversationContext, conversation: TraceConversation, phase: Phase): Promise<ConversationResult> {
  const { clock, recorder } = ctx;
  const connection = await ctx.connector.open(phase);
  // The connector counted the failed connect.
  if (connection === undefined) return { ok: false, kind: undefined };
  const startNs = clock.nowNs();
  let lastEndNs = startNs;
  const done: ConversationDone = { id: conversation.id, turns: 0, roundTrips: 0, requestBytes: 0, responseBytes: 0, durationUs: 0, requestBytesSent: 0, paddedTurns: 0, paddedBytes: 0, durationNs: 0n };
  for (const turn of conversation.turns) {
    if (turn.thinkUs > 0) await waitUntil(clock, lastEndNs + BigInt(Math.round((turn.thinkUs * 1000) / ctx.speed)), ctx.stop);
    if (ctx.stop.aborted) {
      ctx.connector.destroy(connection);
      return { ok: false, kind: undefined };
    }
    const request = requestOf(ctx, turn);
    const sendNs = clock.nowNs();
    const response = turn.responseBytes > 0 ? connection.reader.expect(turn.responseBytes) : undefined;
    if (request.length > 0) connection.socket.write(request);
    recorder.addBytesSent(phase, request.length);
    done.turns += 1;
    done.requestBytes += turn.requestBytes;
    done.requestBytesSent += request.length;
    if (ctx.isBuiltIn && request.length > turn.requestBytes) {
      done.paddedTurns += 1;
      done.paddedBytes += request.length - turn.requestBytes;
    }
    if (response === undefined) {
      lastEndNs = sendNs;
      continue;
    }
    const outcome = await response;
    recorder.addBytesReceived(phase, outcome.bytes);
    if (!outcome.ok) {
      ctx.connector.destroy(connection);
      return { ok: false, kind: outcome.kind };
    }
    if (!connection.hasResponded) {
      connection.hasResponded = true;
      recorder.recordNs(phase, 'firstByte', outcome.firstByteNs - connection.connectStartNs);
    }
    recorder.countRoundTrip(phase);
    recorder.recordNs(phase, 'roundTrip', outcome.endNs - sendNs, outcome.endNs);
    done.roundTrips += 1;
    done.responseBytes += outcome.bytes;
    lastEndNs = outcome.endNs;
  }
  const endNs = lastEndNs;
  await ctx.connector.close(connection, phase);
  recorder.countTransaction(phase);
  recorder.recordNs(phase, 'transaction', endNs - startNs);
  done.durationNs = endNs - startNs;
  done.durationUs = Number(done.durationNs / 1000n);
  return { ok: true, endNs, done };
}
