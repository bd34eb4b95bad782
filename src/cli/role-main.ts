// Entry point of a role process, forked by src/roles/role-process.ts. It owns this process:
// IPC requests in, results out; it ends when asked, or when its parent goes away, so no role
// process outlives a run. It ignores Ctrl-C: the parent decides when roles stop.

import { parseConnectionString } from '../azure/connection-string.js';
import { redactSecrets } from '../azure/sas-token.js';
import { startDelayProxy, type DelayProxy } from '../net/delay-proxy.js';
import { postReleaseCostUs } from '../net/in-process-hop.js';
import { createDefaultNamespace } from '../relay/namespace.js';
import { startRelay, type RelayServer } from '../relay/relay-server.js';
import type {
  RoleMessage,
  RoleName,
  RoleRequest,
  StartAgentParams,
  StartDelayProxyParams,
  StartForwarderParams,
  StartForwarderResult,
  StartRelayParams,
  StartRelayResult,
  StartTargetParams,
  StartTargetResult,
} from '../roles/role-protocol.js';
import { startHttpTarget } from '../targets/http-server.js';
import { startRequestResponseTarget } from '../targets/tcp-request-response-server.js';
import { startAgent, type Agent } from '../tunnel/agent.js';
import { startForwarder, type Forwarder } from '../tunnel/forwarder.js';
import { skipBufferDeprecationCheck } from './buffer-deprecation-check.js';
import { poolRandomBytes } from './pooled-random-bytes.js';
import { applyEndpointResolve, startRehearsalRelay } from './rehearsal-role.js';

interface Closable {
  close(): Promise<void>;
}

const role = process.argv[2] as RoleName;
// The tunnel endpoints run hyco-ws (ws 1.1.5: `new Buffer()` and a `crypto.randomBytes(4)` per
// frame): see the two files for the costs.
skipBufferDeprecationCheck();
poolRandomBytes();
/** Closed in order at stop: forwarders, then agents, so hyco-ws never reconnects into a closing relay. */
const forwarders = new Map<string, Forwarder>();
const agents = new Map<string, Agent>();
const others: Closable[] = [];
const proxies = new Map<string, DelayProxy>();
let relay: RelayServer | undefined;
let relayHybridConnection = '';
/** Final stats of stopped agent instances, by agent id (an id restarted after stop-agent has several). */
const retiredAgents = new Map<string, unknown[]>();
let target: { address: { host: string; port: number }; stats(): unknown } | undefined;
let isStopping = false;

function send(message: RoleMessage): void {
  if (process.connected) process.send?.(message);
}

function log(line: string): void {
  send({ type: 'log', line: redactSecrets(line) });
}

type Handler = (params: unknown) => Promise<unknown>;

const handlers: Record<string, Handler> = {
  ping: async () => ({ role, pid: process.pid }),
  startRelay: async (params) => {
    const { hybridConnectionName, senderLeg, listenerLeg, handshakeRoundTrips, maxConnections, timedLegs, rehearsalHost } = params as StartRelayParams;
    relayHybridConnection = hybridConnectionName;
    if (rehearsalHost !== undefined) {
      const rehearsal = await startRehearsalRelay(rehearsalHost, hybridConnectionName, (event) => log(`relay ${JSON.stringify(event)}`));
      relay = rehearsal.relay;
      others.push({ close: rehearsal.close });
      return rehearsal.result;
    }
    relay = await startRelay({
      ...(maxConnections === undefined ? {} : { maxConnections }),
      ...(timedLegs === undefined ? {} : { timedLegs }),
      namespace: createDefaultNamespace(hybridConnectionName),
      delays: {
        ...(senderLeg === undefined ? {} : { senderLeg }),
        ...(listenerLeg === undefined ? {} : { listenerLeg }),
        ...(handshakeRoundTrips === undefined ? {} : { handshakeRoundTrips }),
      },
      log: (event) => log(`relay ${JSON.stringify(event)}`),
    });
    others.push(relay);
    const result: StartRelayResult = { url: relay.url, connectionString: relay.connectionString(hybridConnectionName) };
    return result;
  },
  startTarget: async (params) => {
    const spec = (params ?? { kind: 'tcp-request-response' }) as StartTargetParams;
    if (spec.kind === 'http') {
      const http = await startHttpTarget({ host: '127.0.0.1', port: 0, responseBytes: spec.responseBytes ?? 2 });
      others.push(http);
      target = http;
    } else {
      const tcp = await startRequestResponseTarget({
        host: '127.0.0.1',
        port: 0,
        ...(spec.serviceTimeUs === undefined ? {} : { serviceTimeUs: spec.serviceTimeUs }),
        ...(spec.concurrency === undefined ? {} : { concurrency: spec.concurrency }),
      });
      others.push(tcp);
      target = tcp;
    }
    const result: StartTargetResult = { host: target.address.host, port: target.address.port };
    return result;
  },
  startDelayProxy: async (params) => {
    const { proxyId, target: to, leg, handshakeRoundTrips } = params as StartDelayProxyParams;
    const proxy = await startDelayProxy({ target: to, toTarget: leg, toClient: leg, ...(handshakeRoundTrips === undefined ? {} : { handshakeRoundTrips }) });
    proxies.set(proxyId, proxy);
    others.unshift(proxy);
    return proxy.address;
  },
  startAgent: async (params) => {
    applyEndpointResolve(params as StartAgentParams);
    const { agentId, connectionString, target: to, clientStack, maxListenAttempts, startTimeoutMs, timedLeg } = params as StartAgentParams;
    const agent = await startAgent({
      // The agent's release goes to the target: its hop after a hold costs more than at zero distance.
      ...(timedLeg === undefined ? {} : { timedLeg: { ...timedLeg, releaseEarlyUs: await postReleaseCostUs(timedLeg.oneWayDelayMs) } }),
      connection: parseConnectionString(connectionString),
      target: to,
      ...(maxListenAttempts === undefined ? {} : { maxListenAttempts }),
      ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
      ...(clientStack === undefined ? {} : { clientStack }),
      log: (event) => log(`agent ${agentId} ${JSON.stringify(event)}`),
    });
    agents.set(agentId, agent);
    return { status: agent.stats().status };
  },
  startForwarder: async (params) => {
    applyEndpointResolve(params as StartForwarderParams);
    const { forwarderId, connectionString, clientStack, timedLeg } = params as StartForwarderParams;
    if (forwarders.has(forwarderId)) throw new Error(`forwarder ${forwarderId} is already running`);
    const forwarder = await startForwarder({
      connection: parseConnectionString(connectionString),
      host: '127.0.0.1',
      port: 0,
      ...(clientStack === undefined ? {} : { clientStack }),
      ...(timedLeg === undefined ? {} : { timedLeg }),
      log: (event) => log(`forwarder ${forwarderId} ${JSON.stringify(event)}`),
    });
    forwarders.set(forwarderId, forwarder);
    const result: StartForwarderResult = { host: forwarder.address.host, port: forwarder.address.port };
    return result;
  },
  stopForwarder: async (params) => {
    const { forwarderId } = params as { forwarderId: string };
    const forwarder = forwarders.get(forwarderId);
    if (forwarder === undefined) return { stopped: false };
    forwarders.delete(forwarderId);
    await forwarder.close();
    return { stopped: true };
  },
  stopAgent: async (params) => {
    const { agentId } = params as { agentId: string };
    const agent = agents.get(agentId);
    if (agent === undefined) return { stopped: false };
    agents.delete(agentId);
    await agent.close();
    // Kept so the path's counters include what this instance served before a restart.
    retiredAgents.set(agentId, [...(retiredAgents.get(agentId) ?? []), agent.stats()]);
    return { stopped: true };
  },
  fault: async (params) => {
    const { action } = params as { action: string };
    if (relay === undefined) throw new Error('no relay in this process');
    switch (action) {
      case 'disconnect-listeners':
        return { affected: relay.faults.disconnectListeners() };
      case 'cut-connections':
        return { affected: relay.faults.cutConnections() };
      case 'refuse-accepts':
        relay.faults.refuseAccepts(true);
        return { affected: 1 };
      case 'expire-tokens':
        return { affected: relay.faults.expireTokensNow() };
      case 'disable-hybrid-connection':
        return { affected: relay.faults.disableHybridConnection(relayHybridConnection) };
      case 'reset':
        relay.faults.reset();
        return { affected: 0 };
      default:
        throw new Error(`unknown fault ${action}`);
    }
  },
  stats: async () => ({
    relay: relay?.stats(),
    agents: Object.fromEntries([...agents].map(([id, agent]) => [id, agent.stats()])),
    retiredAgents: Object.fromEntries(retiredAgents),
    forwarders: Object.fromEntries([...forwarders].map(([id, forwarder]) => [id, forwarder.stats()])),
    proxies: Object.fromEntries([...proxies].map(([id, proxy]) => [id, proxy.stats()])),
    target: target?.stats(),
  }),
  stop: async () => {
    await stopAll();
    setImmediate(() => process.disconnect?.());
    return { stopped: true };
  },
};

async function stopAll(): Promise<void> {
  if (isStopping) return;
  isStopping = true;
  const closables: Closable[] = [...forwarders.values(), ...agents.values(), ...others];
  forwarders.clear();
  agents.clear();
  others.length = 0;
  for (const closable of closables) {
    try {
      await closable.close();
    } catch (error) {
      log(`close failed: ${String(error)}`);
    }
  }
}

process.on('message', (raw: unknown) => {
  const request = raw as RoleRequest;
  const handler = handlers[request.method];
  if (handler === undefined) {
    send({ type: 'error', id: request.id, error: `unknown method ${request.method}` });
    return;
  }
  handler(request.params).then(
    (result) => send({ type: 'result', id: request.id, result: result ?? null }),
    (error: unknown) => send({ type: 'error', id: request.id, error: redactSecrets(error instanceof Error ? error.message : String(error)) }),
  );
});

// The parent went away (finished, crashed or was killed): close everything and let the loop drain.
process.on('disconnect', () => {
  void stopAll().finally(() => {
    setTimeout(() => process.exit(0), 2_000).unref();
  });
});
process.on('SIGINT', () => {
  // Ctrl-C reaches the whole process group; the parent handles it and stops us in order.
});
process.on('SIGTERM', () => {
  void stopAll().finally(() => process.exit(0));
});
