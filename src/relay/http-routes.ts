// Plain HTTP requests to the relay port: `GET /$stats` (JSON counters), the opt-in fault endpoint,
// then HTTP-mode senders; 404 for everything else. Never handles upgrades.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { faultsPathPrefix } from './fault-routes.js';
import type { RelayStats } from './stats.js';

/** Path of the stats endpoint on the relay's own port. */
export const statsPath = '/$stats';

export interface HttpRouteHooks {
  stats: () => RelayStats;
  /** `POST /$faults/...` handler when the fault endpoint is enabled. */
  onFaultRequest?: (request: IncomingMessage, response: ServerResponse) => void;
  /** HTTP-mode senders (`/<hc>/...`); returns false when the request is not for a hybrid connection. */
  onSenderRequest?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

export function handleHttpRequest(request: IncomingMessage, response: ServerResponse, hooks: HttpRouteHooks): void {
  const path = (request.url ?? '/').split('?')[0];
  if (path === statsPath && (request.method === 'GET' || request.method === 'HEAD')) {
    const body = JSON.stringify(hooks.stats());
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  if (hooks.onFaultRequest !== undefined && path?.startsWith(faultsPathPrefix) === true) {
    hooks.onFaultRequest(request, response);
    return;
  }
  if (hooks.onSenderRequest?.(request, response) === true) return;
  const text = 'Endpoint does not exist.';
  response.writeHead(404, text, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
