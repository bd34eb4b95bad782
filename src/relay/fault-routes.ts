// `POST /$faults/<name>` on the relay's own port (opt-in): lets a scenario or a shell drive the
// fault API of a standalone relay (`hcbench relay --fault-endpoint`). Parses the request only.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayFaults } from './faults.js';

/** Path prefix of the fault endpoint. */
export const faultsPathPrefix = '/$faults/';

function isOn(query: URLSearchParams): boolean {
  return query.get('on') !== 'false' && query.get('on') !== '0';
}

function optionalCode(query: URLSearchParams): number | undefined {
  const code = Number(query.get('code'));
  return query.has('code') && Number.isInteger(code) ? code : undefined;
}

/**
 * Applies one fault. Names: `disconnect-listeners[?code=]`, `refuse-listeners[?on=false]`,
 * `refuse-accepts[?on=false]`, `delay-accepts?ms=`, `cut-connections[?code=]`, `expire-tokens`,
 * `disable-hybrid-connection?hc=<name>[&on=false]`, `reset`, `restart[?downtimeMs=]` (answered before the restart drops this connection).
 * Answers 200 `{"fault": name, "affected": n}`, 404 for unknown names, 405 for non-POST.
 */
export function handleFaultRequest(
  request: IncomingMessage,
  response: ServerResponse,
  faults: RelayFaults,
  restart: (downtimeMs: number) => void,
): void {
  const url = new URL(request.url ?? '/', 'http://relay.invalid');
  const name = url.pathname.slice(faultsPathPrefix.length);
  const query = url.searchParams;
  const reply = (status: number, body: object): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
    response.end(text);
  };
  if (request.method !== 'POST') return reply(405, { error: 'use POST' });
  const actions: Record<string, () => number> = {
    'disconnect-listeners': () => faults.disconnectListeners(optionalCode(query)),
    'refuse-listeners': () => (faults.refuseListeners(isOn(query)), 0),
    'refuse-accepts': () => (faults.refuseAccepts(isOn(query)), 0),
    'delay-accepts': () => (faults.delayAccepts(Math.max(0, Number(query.get('ms') ?? '0') || 0)), 0),
    'cut-connections': () => faults.cutConnections(optionalCode(query)),
    'expire-tokens': () => faults.expireTokensNow(),
    'disable-hybrid-connection': () => faults.disableHybridConnection(query.get('hc') ?? '', isOn(query)),
    reset: () => (faults.reset(), 0),
  };
  if (name === 'restart') {
    reply(200, { fault: name, affected: 0 });
    response.once('finish', () => restart(Math.max(0, Number(query.get('downtimeMs') ?? '0') || 0)));
    return;
  }
  const action = actions[name];
  if (action === undefined) return reply(404, { error: `unknown fault '${name.slice(0, 64)}'`, faults: [...Object.keys(actions), 'restart'] });
  reply(200, { fault: name, affected: action() });
}
