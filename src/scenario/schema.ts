// The scenario file contract, as one zod schema: the single source of truth for validation,
// the TypeScript types and the published JSON Schema (scenarios/schema.json). Pure; no I/O.

import { z } from 'zod';
import { DEFAULT_RELAY_LIMITS } from '../azure/limits.js';
import { BUILTIN_NETWORK_PROFILES, DEFAULT_NETWORK_PROFILE } from './network-profiles.js';
import { checkScenarioRules } from './rules.js';
import { checkThresholds } from './threshold-check.js';
import { int, MAX_DURATION_MS, num, workloadSchema } from './schema-workloads.js';
import { regionNetworkShape, relayRegionSchema } from './schema-regions.js';
import { checkRegionNetworks } from './region-network.js';

const idSchema = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/);

export const targetSchema = z
  .discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('tcp-request-response').describe('built-in TCP server: reads a request, answers with the size it asks for'),
        serviceTimeUs: int(0, 10_000_000, 'injected service time per request, µs: a known ceiling of concurrency × 1e6 / serviceTimeUs requests/s; 0 = answer at once').optional(),
        concurrency: int(1, 10_000, 'workers serving requests when serviceTimeUs > 0 (default 1)').optional(),
      })
      .describe('the built-in request/response target, started next to the agent'),
    z
      .strictObject({
        kind: z.literal('http').describe('built-in HTTP/1.1 server answering every request'),
        responseBytes: int(0, 64 * 1024 * 1024, 'body bytes of every response').default(2),
      })
      .describe('the built-in HTTP target, started next to the agent'),
    z
      .strictObject({
        kind: z.literal('external'),
        address: z
          .string()
          .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/)
          .describe('host:port of a server you run, e.g. 127.0.0.1:6379'),
      })
      .describe('a server you run (Redis, PostgreSQL, your own); hcbench does not start it'),
  ])
  .describe('the system under test');

export const legSchema = z
  .strictObject({
    oneWayDelayMs: num(0, 10_000, 'one-way propagation delay, ms, applied in each direction').default(0),
    jitterMs: num(0, 10_000, 'uniform extra delay in [0, jitterMs), ms; order is preserved').default(0),
    bandwidthBytesPerSec: int(0, 100_000_000_000, 'serialisation rate cap, bytes per second; 0 = unlimited').default(0),
  })
  .describe('one network leg');

export const networkProfileSchema = z
  .strictObject({
    description: z.string().max(500).default(''),
    direct: legSchema.optional().describe('app ↔ target on the direct path (VNet integration)'),
    appToRelay: legSchema.optional().describe('app ↔ relay namespace'),
    relayToAgent: legSchema.optional().describe('relay namespace ↔ agent next to the target'),
    handshakes: z
      .strictObject({
        tcp: z.boolean().default(true).describe('a new connection pays TCP\'s handshake: one round trip of its leg'),
        tlsRoundTrips: int(0, 3, 'TLS round trips of each new wss:// connection to the relay: 1 = TLS 1.3, 2 = full TLS 1.2').default(1),
      })
      .optional()
      .describe('handshakes a new connection pays over the legs (default: TCP, and one TLS round trip to the relay)'),
    ...regionNetworkShape,
  })
  .describe('network distances for every path: legs in milliseconds, or Azure regions (azure, site) whose published P95 round trips give the legs');

export const FAULT_ACTIONS = ['stop-agent', 'disconnect-listeners', 'cut-connections', 'refuse-accepts', 'expire-tokens', 'disable-hybrid-connection'] as const;

export const faultSchema = z
  .strictObject({
    atMs: int(0, MAX_DURATION_MS, 'when, milliseconds after the step starts (warm-up included)'),
    action: z.enum(FAULT_ACTIONS).describe('stop-agent: stop one agent; disconnect-listeners: drop every control channel; cut-connections: close every relayed connection; refuse-accepts: the relay refuses new rendezvous; expire-tokens: expire every token now; disable-hybrid-connection: the hybrid connection behaves as deleted (1001, then 404) until the step ends'),
    agent: int(0, 49, 'which agent stop-agent stops (0-based)').optional(),
  })
  .describe('a fault injected into the relay path');

export const pathSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('direct').describe('the workload dials the target (stands for VNet integration)'),
      id: idSchema.optional().describe('name used in results; defaults to the kind'),
      direct: legSchema.optional().describe('this path\'s own app ↔ target leg, instead of the network profile\'s (e.g. VPN vs ExpressRoute)'),
    })
    .describe('direct path, through the network profile\'s direct delay'),
  z
    .strictObject({
      kind: z.literal('relay-emulated').describe('forwarder → embedded Azure Relay emulator → agent → target, on 127.0.0.1'),
      id: idSchema.optional().describe('name used in results; defaults to the kind'),
      appToRelay: legSchema.optional().describe('this path\'s own app ↔ relay leg, instead of the network profile\'s'),
      relayToAgent: legSchema.optional().describe('this path\'s own relay ↔ agent leg, instead of the network profile\'s'),
      relayRegion: relayRegionSchema,
      clientStack: z.enum(['hyco-ws', 'ws8']).default('hyco-ws').describe('WebSocket client of forwarder and agent: Microsoft\'s hyco-ws (default) or ws 8 speaking the same protocol, to separate client-library cost from relay cost'),
      maxConnections: int(1, 100_000, 'the emulated namespace\'s quota of concurrent relayed connections (Azure: 5,000); connects beyond it are refused 403 QuotaExceeded').default(DEFAULT_RELAY_LIMITS.connectionsPerNamespace),
      agents: int(1, 50, 'agents (Hybrid Connection Manager instances) listening on the hybrid connection; the relay balances across them; beyond 25 (the Azure quota) they are refused and counted').default(1),
      faults: z.array(faultSchema).max(100).optional().describe('faults injected during every step on this path; undone before the next step'),
    })
    .describe('relay path on the embedded emulator'),
  z
    .strictObject({
      kind: z.literal('relay-azure').describe('forwarder → a real Azure Relay namespace → agent → target'),
      id: idSchema.optional().describe('name used in results; defaults to the kind'),
      connectionStringEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/)
        .default('HCBENCH_CONNECTION_STRING')
        .describe('environment variable holding the Azure Relay connection string (never put it in the file); the default is the one agent and tunnel read, HCBENCH_RELAY_CONNECTION_STRING is still read (deprecated) when it is unset'),
      clientStack: z.enum(['hyco-ws', 'ws8']).default('hyco-ws').describe('WebSocket client of forwarder and agent: Microsoft\'s hyco-ws (default) or ws 8 speaking the same protocol, to separate client-library cost from relay cost'),
      rehearsal: z
        .union([z.literal(true), z.string().regex(/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/)])
        .optional()
        .describe('dress rehearsal, not Azure: run this exact path against the emulator answering as this namespace host (true: hcbench-rehearsal.servicebus.windows.net) with TLS, Listen-only/Send-only sb:// connection strings and a name mapping to 127.0.0.1; connectionStringEnv is not read'),
      resolve: z
        .array(z.string().regex(/^[^:\s]+:\d{1,5}:(\[[0-9A-Fa-f:.]+\]|[0-9.]+)(:\d{1,5})?$/))
        .max(16)
        .optional()
        .describe('name mappings host:port:address[:port] (like curl --resolve) for every socket the forwarder and agent open, e.g. to reach a standalone `hcbench relay --as`; printed in the result\'s topology'),
    })
    .describe('relay path through a real Azure Relay namespace'),
]);

export const OUTPUT_FORMATS = ['console', 'json', 'csv', 'md', 'html', 'hlog'] as const;

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional().describe('path or URL of the JSON Schema, for editors'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
      .describe('short name used in result folder names: letters, digits, dot, dash, underscore'),
    description: z.string().max(4_000).default('').describe('the question this scenario answers'),
    target: targetSchema,
    paths: z.array(pathSchema).min(1).max(8).describe('the network paths to compare'),
    network: z
      .union([z.string().min(1).max(64), networkProfileSchema])
      .default(DEFAULT_NETWORK_PROFILE)
      .describe(`a profile name (${Object.keys(BUILTIN_NETWORK_PROFILES).join(', ')}, or one of networkProfiles) or an inline profile`),
    networkProfiles: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/), networkProfileSchema).optional().describe('your own named profiles'),
    workload: workloadSchema.optional().describe('the workload (or use workloads for several)'),
    workloads: z.array(workloadSchema).min(1).max(32).optional().describe('several workloads, run in order'),
    durationMs: int(1, MAX_DURATION_MS, 'default measured window per step and path, milliseconds').default(5_000),
    warmupMs: int(0, MAX_DURATION_MS, 'default unrecorded warm-up per step and path, milliseconds').default(1_000),
    repetitions: int(1, 100, 'how often each step runs on each path; more repetitions give confidence intervals').default(1),
    order: z
      .enum(['alternate', 'sequential'])
      .default('alternate')
      .describe('alternate: paths in A B, B A order across repetitions, so drift hits both; sequential: always A B'),
    output: z
      .strictObject({
        formats: z.array(z.enum(OUTPUT_FORMATS)).min(1).max(6).default(['console', 'json']).describe('reports written for each run'),
        prometheusRemoteWrite: z
          .string()
          .max(2000)
          .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL')
          .refine((url) => !/[?&]histograms=/.test(url) || /[?&]histograms=(native|summary)(&|#|$)/.test(url), 'histograms= must be native or summary')
          .optional()
          .describe('send live metrics every interval to this Prometheus remote-write URL, e.g. http://127.0.0.1:9090/api/v1/write (same as --out prometheus-rw=URL); ?histograms=native sends latencies as native histograms (receiver must accept them)'),
        tags: z
          .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/), z.string().max(200))
          .refine((tags) => Object.keys(tags).length <= 32, 'at most 32 tags')
          .optional()
          .describe('extra labels on every live series (same as --tag name=value)'),
      })
      .default({ formats: ['console', 'json'] })
      .describe('what a run writes'),
    budget: z
      .strictObject({
        transactionP99Ms: num(0.001, 3_600_000, 'the latency budget of one transaction at p99, ms: the decision page says whether each path meets it, with what margin, and how many round trips per transaction fit inside it'),
      })
      .optional()
      .describe('the latency budget the architecture must meet'),
    thresholds: z
      .array(
        z.union([
          z.string().min(1).max(200).describe('e.g. `relay.transaction.p99 < 25ms`, `overhead.roundTrip.p50 < 2ms`, `relay.errorRate < 0.1%`, `relay.droppedRate == 0`'),
          z.strictObject({
            expr: z.string().min(1).max(200).describe('the threshold expression'),
            step: z.string().min(1).max(200).optional().describe('only this workload id or variant key, e.g. `chatty[roundTripsPerTransaction=5]`'),
            windowMs: int(100, MAX_DURATION_MS, 'every window of this many ms must hold (roundTrip latencies, from interval histograms)').optional(),
          }),
        ]),
      )
      .max(100)
      .optional()
      .describe('SLO gates: a failed threshold still writes results and exits 6'),
  })
  .superRefine(checkScenarioRules)
  .superRefine(checkThresholds)
  .superRefine(checkRegionNetworks)
  .describe('an hcbench scenario');

/** A validated scenario with every default applied. */
export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioNetworkProfile = z.output<typeof networkProfileSchema>;
export type { ScenarioWorkload } from './schema-workloads.js';
