// Test-only wiring of a whole relay path: target, relay emulator, agent(s) and forwarder, all on
// 127.0.0.1:0 and torn down at test end in a safe order (forwarder, agents, relay, target).

import { onTestFinished } from 'vitest';
import { type RelayConnection, parseConnectionString } from '../../src/azure/connection-string.js';
import { createDefaultNamespace } from '../../src/relay/namespace.js';
import { type RelayOptions, type RelayServer, startRelay } from '../../src/relay/relay-server.js';
import { type Agent, type AgentOptions, startAgent } from '../../src/tunnel/agent.js';
import { type Forwarder, type ForwarderOptions, startForwarder } from '../../src/tunnel/forwarder.js';
import type { ClientStack } from '../../src/tunnel/client-stack.js';
import type { TunnelLogEvent } from '../../src/tunnel/types.js';

export interface TunnelRelay {
  relay: RelayServer;
  connection: RelayConnection;
  /** Log events of every agent/forwarder started through this fixture. */
  logs: TunnelLogEvent[];
  /** Starts an agent for `target`; closed at test end before the relay. */
  agent(target: { host: string; port: number }, options?: Partial<AgentOptions>): Promise<Agent>;
  /** Starts a forwarder; closed at test end before agents. */
  forwarder(options?: Partial<ForwarderOptions>): Promise<Forwarder>;
}

/**
 * Starts the relay emulator with hybrid connection `hc1`. Endpoints started through the returned
 * object are closed first (forwarders, then agents: hyco-ws listeners must go before the relay).
 */
export async function startTunnelRelay(
  options: Partial<RelayOptions> = {},
  defaults: { clientStack?: ClientStack } = {},
): Promise<TunnelRelay> {
  const relay = await startRelay({ namespace: createDefaultNamespace('hc1'), ...options });
  const connection = parseConnectionString(relay.connectionString('hc1'));
  const agents: Agent[] = [];
  const forwarders: Forwarder[] = [];
  const logs: TunnelLogEvent[] = [];
  onTestFinished(async () => {
    await Promise.all(forwarders.map((f) => f.close()));
    await Promise.all(agents.map((a) => a.close()));
    await relay.close();
  });
  return {
    relay,
    connection,
    logs,
    async agent(target, agentOptions = {}) {
      const agent = await startAgent({ connection, target, log: (e) => logs.push(e), ...defaults, ...agentOptions });
      agents.push(agent);
      return agent;
    },
    async forwarder(forwarderOptions = {}) {
      const forwarder = await startForwarder({ connection, log: (e) => logs.push(e), ...defaults, ...forwarderOptions });
      forwarders.push(forwarder);
      return forwarder;
    },
  };
}
