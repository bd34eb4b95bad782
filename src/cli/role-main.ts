// Entry point of a role process, forked by src/run/role-process.ts. It owns this process:
// IPC requests in, results out; it ends when asked, or when its parent goes away, so no role
// process outlives a run. It ignores Ctrl-C: the parent decides when roles stop.

import { parseConnectionString } from '../azure/connection-string.js';
import { redactSecrets } from '../azure/sas-token.js';
import { createDefaultNamespace } from '../relay/namespace.js';
import { startRelay, type RelayServer } from '../relay/relay-server.js';
import type {
  RoleMessage,
  RoleName,
  RoleRequest,
  StartAgentParams,
  StartRelayParams,
  StartRelayResult,
  StartTargetResult,
} from '../run/role-protocol.js';
import { startRequestResponseTarget } from '../targets/tcp-request-response-server.js';
import { startAgent, type Agent } from '../tunnel/agent.js';

interface Closable {
  close(): Promise<void>;
}

const role = process.argv[2] as RoleName;
const closables: Closable[] = [];
let relay: RelayServer | undefined;
let agent: Agent | undefined;
let target: Awaited<ReturnType<typeof startRequestResponseTarget>> | undefined;
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
    const { hybridConnectionName } = params as StartRelayParams;
    relay = await startRelay({
      namespace: createDefaultNamespace(hybridConnectionName),
      log: (event) => log(`relay ${JSON.stringify(event)}`),
    });
    closables.push(relay);
    const result: StartRelayResult = { url: relay.url, connectionString: relay.connectionString(hybridConnectionName) };
    return result;
  },
  startTarget: async () => {
    target = await startRequestResponseTarget({ host: '127.0.0.1', port: 0 });
    closables.push(target);
    const result: StartTargetResult = { host: target.address.host, port: target.address.port };
    return result;
  },
  startAgent: async (params) => {
    const { connectionString, target: targetAddress } = params as StartAgentParams;
    agent = await startAgent({
      connection: parseConnectionString(connectionString),
      target: targetAddress,
      log: (event) => log(`agent ${JSON.stringify(event)}`),
    });
    // The agent must close before anything else so that hyco-ws never reconnects into a closing relay.
    closables.unshift(agent);
    return { status: agent.stats().status };
  },
  stopAgent: async () => {
    const current = agent;
    if (current === undefined) return { stopped: false };
    closables.splice(closables.indexOf(current), 1);
    await current.close();
    return { stopped: true };
  },
  stats: async () => ({
    relay: relay?.stats(),
    agent: agent?.stats(),
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
  for (const closable of closables.splice(0)) {
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
