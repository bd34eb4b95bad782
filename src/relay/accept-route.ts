// The `sb-hc-action=accept` handshake: the listener opens the single-use rendezvous address, or
// rejects it; on success both held handshakes complete and a bridge starts. No auth (bearer URL).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { startBridge, type Bridge } from './bridge.js';
import { refuse, type RelayContext } from './context.js';
import { createSeriesShaper, type Shaper } from './delay.js';
import { refuseHandshake } from './handshake-refusal.js';
import type { PendingRendezvous } from './rendezvous.js';
import { countReject } from './stats.js';

function parseStatus(text: string | null): number | undefined {
  if (text === null) return undefined;
  const status = Number(text);
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 400;
}

function shapers(ctx: RelayContext): { senderToListener: Shaper[]; listenerToSender: Shaper[] } {
  const { senderLeg, listenerLeg } = ctx.delays;
  return {
    senderToListener: createSeriesShaper(senderLeg, listenerLeg, ctx.shaperClock),
    listenerToSender: createSeriesShaper(listenerLeg, senderLeg, ctx.shaperClock),
  };
}

function bridgeBoth(ctx: RelayContext, senderWs: WebSocket, listenerWs: WebSocket, hcName: string): void {
  ctx.counters.rendezvousCompleted += 1;
  ctx.counters.bridgesTotal += 1;
  ctx.counters.bridgesActive += 1;
  const legs = ctx.timedLegs ? { senderToListener: [], listenerToSender: [] } : shapers(ctx);
  const bridge: Bridge = startBridge(senderWs, listenerWs, {
    senderToListener: ctx.counters.senderToListener,
    listenerToSender: ctx.counters.listenerToSender,
    ...(ctx.timedLegs
      ? { timed: { senderLeg: ctx.delays.senderLeg ?? {}, listenerLeg: ctx.delays.listenerLeg ?? {}, lateness: ctx.lateness, floors: ctx.handOffFloors } }
      : { senderToListenerShapers: legs.senderToListener, listenerToSenderShapers: legs.listenerToSender }),
    onEnd: () => {
      ctx.counters.bridgesActive -= 1;
      ctx.bridges.delete(bridge);
    },
  });
  ctx.bridges.set(bridge, hcName);
}

/** Listener rejected: 410 to the listener, its status and description to the sender. */
function rejectRendezvous(ctx: RelayContext, socket: Duplex, entry: PendingRendezvous, query: URLSearchParams, status: number): void {
  const description = query.get('sb-hc-statusDescription') ?? query.get('statusDescription') ?? 'Rejected by user code';
  countReject(ctx.counters, 'listener-rejected');
  ctx.log({ level: 'info', event: 'listener-rejected', hc: entry.hcName, code: status });
  refuseHandshake(socket, 410, 'Gone');
  refuseHandshake(entry.socket, status, description);
}

export function handleAccept(
  ctx: RelayContext,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  query: URLSearchParams,
  where: { trackingId: string; tracker: string },
): void {
  const entry = ctx.rendezvous.take(query.get('sb-hc-id') ?? '');
  if (entry === undefined) {
    const message = 'The rendezvous address is invalid, has expired or was already used.';
    refuse(ctx, socket, { status: 403, message }, 'rendezvous-invalid', where);
    return;
  }
  ctx.holdReleases.get(entry)?.();
  const rejectStatus = parseStatus(query.get('sb-hc-statusCode') ?? query.get('statusCode'));
  if (rejectStatus !== undefined) {
    rejectRendezvous(ctx, socket, entry, query, rejectStatus);
    return;
  }
  if (entry.socket.destroyed || !entry.socket.writable) {
    refuse(ctx, socket, { status: 410, message: 'The sender has disconnected.' }, 'sender-gone', { ...where, hc: entry.hcName });
    return;
  }
  const offered = request.headers['sec-websocket-protocol'];
  const chosen = offered?.split(',')[0]?.trim() ?? '';
  ctx.chosenProtocols.set(entry.request, chosen === '' ? false : chosen);
  let isListenerUpgraded = false;
  // ws completes an upgrade synchronously (no verifyClient), so the flags below are reliable.
  ctx.wss.handleUpgrade(request, socket, head, (listenerWs: WebSocket) => {
    isListenerUpgraded = true;
    let isSenderUpgraded = false;
    ctx.wss.handleUpgrade(entry.request, entry.socket, entry.head, (senderWs: WebSocket) => {
      isSenderUpgraded = true;
      bridgeBoth(ctx, senderWs, listenerWs, entry.hcName);
    });
    if (!isSenderUpgraded) {
      countReject(ctx.counters, 'sender-gone');
      listenerWs.on('error', () => {});
      listenerWs.close(1001, 'The sender has disconnected.');
    }
  });
  if (!isListenerUpgraded) {
    // ws refused the listener's handshake (e.g. no key): fail the held sender too.
    countReject(ctx.counters, 'bad-request');
    refuseHandshake(entry.socket, 502, 'The listener failed to complete the rendezvous handshake.');
  }
}
