// Listener limits through the rehearsal, in process with real sockets on 127.0.0.1: with the
// production-shaped names (sb://contoso-hc.servicebus.windows.net, Listen-only rule, wss on 443
// mapped by a resolve override), 25 agents listen on one hybrid connection, a 26th is refused 403 as
// Azure refuses it, on either client stack, and the agent's error says the listener limit is the
// cause (not a missing right); a freed slot can be taken again. A Send-only key is told apart.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_RELAY_LIMITS } from '../../src/azure/limits.js';
import { parseConnectionString } from '../../src/azure/connection-string.js';
import { PathSetupError } from '../../src/errors.js';
import { type Agent, startAgent } from '../../src/tunnel/agent.js';
import { type RehearsalRelay, startRehearsalRelay } from '../helpers/rehearsal-relay.js';
import { startEchoServer } from '../helpers/tunnel-targets.js';

const NS = 'contoso-hc.servicebus.windows.net';
const LIMIT = DEFAULT_RELAY_LIMITS.listenersPerHybridConnection;
let rehearsal: RehearsalRelay;

beforeAll(async () => {
  rehearsal = await startRehearsalRelay(NS, 'orders');
});

afterAll(async () => {
  await rehearsal?.close();
});

/** Starts one agent on `orders` with `connectionString`; a refusal ends it after one attempt. */
async function agentWith(connectionString: string, clientStack: 'hyco-ws' | 'ws8', targetPort: number, signal: AbortSignal): Promise<Agent> {
  return startAgent({ connection: parseConnectionString(connectionString), target: { host: '127.0.0.1', port: targetPort }, clientStack, maxListenAttempts: 1, signal });
}

/** The error a start that must fail rejected with (fails the test if it started). */
async function refusal(start: Promise<Agent>): Promise<PathSetupError> {
  const error: unknown = await start.then(
    async (agent) => {
      await agent.close();
      throw new Error('the agent was expected to be refused but it listens');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PathSetupError);
  return error as PathSetupError;
}

describe(`rehearsal as ${NS}: listener limits`, () => {
  test(`${LIMIT} agents listen on one hybrid connection; the ${LIMIT + 1}th is refused 403 on both stacks and says the limit is why`, async () => {
    const echo = await startEchoServer();
    const abort = new AbortController();
    const { relay, strings } = rehearsal;
    const agents: Agent[] = [];
    try {
      for (let i = 0; i < LIMIT; i += 1) agents.push(await agentWith(strings.listen, i % 2 === 0 ? 'hyco-ws' : 'ws8', echo.address.port, abort.signal));
      expect(relay.stats().listenersByHc['orders']).toBe(LIMIT);
      for (const [n, stack] of (['hyco-ws', 'ws8'] as const).entries()) {
        const error = await refusal(agentWith(strings.listen, stack, echo.address.port, abort.signal));
        expect(error.message).toContain(`403 Forbidden: this hybrid connection already has the most listeners the relay allows (Azure: ${LIMIT} per hybrid connection)`);
        expect(error.message).toContain(`MaximumListenersPerEndpoint: The maximum number of listeners (${LIMIT}) for the endpoint has been reached.`);
        expect(error.message).not.toContain('SharedAccessSignature');
        expect(relay.stats().rejects['listener-limit']).toBe(n + 1);
      }
      expect(relay.stats().listenersByHc['orders']).toBe(LIMIT);
      expect(agents.every((agent) => agent.stats().status === 'listening')).toBe(true);

      // A freed slot is taken again, as on Azure: the limit counts live listeners, not registrations.
      await agents.pop()?.close();
      await expect.poll(() => relay.stats().listenersByHc['orders'], { timeout: 10_000 }).toBe(LIMIT - 1);
      agents.push(await agentWith(strings.listen, 'hyco-ws', echo.address.port, abort.signal));
      expect(relay.stats().listenersByHc['orders']).toBe(LIMIT);
      expect(relay.stats().rejects['listener-limit']).toBe(2);
    } finally {
      abort.abort();
      await Promise.all(agents.map((agent) => agent.close()));
    }
  }, 60_000);

  test.each(['hyco-ws', 'ws8'] as const)('%s: a Send-only key is refused 403 and told it lacks the Listen right, not that the limit is reached', async (stack) => {
    const echo = await startEchoServer();
    const abort = new AbortController();
    try {
      const error = await refusal(agentWith(rehearsal.strings.send, stack, echo.address.port, abort.signal));
      expect(error.message).toContain('403 Forbidden: the key has no Listen right (use a rule with Listen');
      expect(error.message).toContain("'Listen' claim(s) are required");
      expect(error.message).not.toContain('listeners');
    } finally {
      abort.abort();
    }
  });
});
