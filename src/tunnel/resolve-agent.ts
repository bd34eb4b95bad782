// Applies --resolve overrides to every socket the tunnel endpoints open. hyco-ws (ws 1.1.5) passes
// no agent, so its control channel, accept and sender sockets all go through Node's global
// http/https agents: installing resolving agents there reaches inside the unmodified hyco-ws stack.
// The ws 8 stack sets its own createConnection, so it is handed the same agents explicitly
// ({@link resolveAgentOption}). Without overrides nothing is installed and names resolve normally.

import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Duplex } from 'node:stream';
import { findResolveOverride, type ResolveOverride } from '../azure/resolve-override.js';

type ConnectOptions = { host?: string | null; port?: number | string | null; servername?: string };
type Callback = (error: Error | null, socket: Duplex) => void;

/** What was installed in this process (the union of every call's overrides). */
const installed: { overrides: ResolveOverride[]; http?: http.Agent; https?: https.Agent; ca?: string[] } = { overrides: [] };

/** Rewrites `host:port` to the mapped address; the TLS name stays the original host. */
function mapped(options: ConnectOptions, defaultPort: number): ConnectOptions {
  const host = options.host ?? 'localhost';
  const port = Number(options.port ?? defaultPort);
  const hit = findResolveOverride(installed.overrides, host, port);
  if (hit === undefined) return options;
  return { ...options, host: hit.address, port: hit.toPort, servername: options.servername ?? host };
}

class ResolvingHttpAgent extends http.Agent {
  override createConnection(options: ConnectOptions, callback?: Callback): Duplex {
    const base = http.Agent.prototype as unknown as { createConnection(o: ConnectOptions, c?: Callback): Duplex };
    return base.createConnection.call(this, mapped(options, 80), callback);
  }
}

class ResolvingHttpsAgent extends https.Agent {
  override createConnection(options: ConnectOptions, callback?: Callback): Duplex {
    const base = https.Agent.prototype as unknown as { createConnection(o: ConnectOptions, c?: Callback): Duplex };
    return base.createConnection.call(this, mapped(options, 443), callback);
  }
}

/**
 * Installs the overrides process-wide (global http and https agents). `extraCaPem` adds a trusted
 * CA to the https agent (the rehearsal's generated CA, for processes started before it existed;
 * `NODE_EXTRA_CA_CERTS` does the same for processes started after). Calls accumulate.
 */
export function installResolveOverrides(overrides: readonly ResolveOverride[], extraCaPem?: string): void {
  if (overrides.length === 0 && extraCaPem === undefined) return;
  for (const o of overrides) {
    if (findResolveOverride(installed.overrides, o.host, o.port) === undefined) installed.overrides.push(o);
  }
  const common = { keepAlive: true, timeout: 5000 };
  installed.http ??= new ResolvingHttpAgent(common);
  if (extraCaPem !== undefined) installed.ca = [...rootCertificates, extraCaPem];
  if (installed.https === undefined || extraCaPem !== undefined) {
    installed.https = new ResolvingHttpsAgent({ ...common, ...(installed.ca === undefined ? {} : { ca: installed.ca }) });
  }
  http.globalAgent = installed.http;
  https.globalAgent = installed.https;
}

/**
 * A new agent of its own (`options`, e.g. no keep-alive) that applies the installed overrides and
 * extra CA: for a client that must know its sockets (the tunnel's sender, sender-socket.ts) and so
 * cannot use the global agents. Without overrides it is a plain agent.
 */
export function newResolvingAgent(isSecure: boolean, options: http.AgentOptions): http.Agent {
  return isSecure ? new ResolvingHttpsAgent({ ...options, ...(installed.ca === undefined ? {} : { ca: installed.ca }) }) : new ResolvingHttpAgent(options);
}

/** `{ agent }` for a ws 8 client connecting to `uri` when overrides are installed, else `{}`. */
export function resolveAgentOption(uri: string): { agent?: http.Agent } {
  const agent = uri.startsWith('wss:') ? installed.https : installed.http;
  return agent === undefined ? {} : { agent };
}
