// Zod schemas of the workload section of a scenario file, one per driver kind, mirroring the
// driver parameter types in src/workloads/types.ts (a compile-time check below keeps them equal).
// Pure; no I/O.

import { z } from 'zod';
import type {
  ConnectionChurnParams,
  DialogParams,
  HttpParams,
  ReplayParams,
  TcpRequestResponseParams,
  TcpStreamParams,
} from '../workloads/types.js';

/** Largest duration a scenario may ask for: 24 h, in milliseconds. */
export const MAX_DURATION_MS = 86_400_000;
/** Largest payload per request or response: 64 MiB. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** Bytes of the built-in target's request header; a request can't be smaller. */
export const TARGET_HEADER_BYTES = 8;

/** An integer in [min, max] with a description for the JSON Schema. */
export const int = (min: number, max: number, description: string) =>
  z.number().min(min).max(max).int().describe(description);

/** A number (fractions allowed) in [min, max]. */
export const num = (min: number, max: number, description: string) => z.number().min(min).max(max).describe(description);

export const sizeDistributionSchema = z.discriminatedUnion('distribution', [
  z.strictObject({
    distribution: z.literal('uniform'),
    minBytes: int(1, MAX_PAYLOAD_BYTES, 'smallest size, bytes'),
    maxBytes: int(1, MAX_PAYLOAD_BYTES, 'largest size, bytes'),
  }),
  z.strictObject({
    distribution: z.literal('choice'),
    bytes: z.array(int(1, MAX_PAYLOAD_BYTES, 'a size, bytes')).min(1).max(1000),
    weights: z.array(num(0, 1e9, 'relative weight')).min(1).max(1000).optional(),
  }),
]);

export const loadSchema = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('closed') }).describe('each connection starts its next transaction when the previous ends'),
  z
    .strictObject({
      model: z.literal('open'),
      arrivals: z.enum(['constant', 'poisson']).optional().describe('evenly spaced, or exponential gaps (seeded)'),
      ratePerSec: num(0, 1_000_000, 'arrival rate at the start, transactions per second'),
      stages: z
        .array(
          z.strictObject({
            durationMs: int(1, MAX_DURATION_MS, 'stage length, milliseconds'),
            targetRatePerSec: num(0, 1_000_000, 'rate at the end of the stage, per second'),
          }),
        )
        .max(100)
        .optional()
        .describe('linear ramps applied in order from the start'),
      seed: z.number().int().optional().describe('seed of the Poisson arrivals'),
      whenBehind: z.enum(['queue', 'drop']).optional().describe('queue: wait, timed from the intended start; drop: skip and count'),
      maxInFlight: int(1, 100_000, 'most transactions in flight at once').optional(),
      maxQueue: int(1, 10_000_000, 'longest queue in queue mode').optional(),
      lateThresholdMs: num(0, 60_000, 'dispatch lag above which a transaction counts as late, ms').optional(),
      spinWaitMs: num(0, 5, 'poll the event loop for the last ms before each arrival (sub-ms dispatch, costs CPU); 0 saves the CPU at ~1 ms dispatch lag').optional(),
    })
    .describe('transactions arrive on a schedule independent of responses'),
]);

export const retrySchema = z.strictObject({
  attempts: int(0, 10, 'extra attempts after a failed connect'),
  backoffMs: int(0, 10_000, 'wait before the first retry, doubling, ms').optional(),
});

/** Keys every workload accepts besides its own parameters. */
const common = {
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/)
    .optional()
    .describe('name of the workload in step ids; defaults to its kind'),
  durationMs: int(1, MAX_DURATION_MS, 'measured window per path, milliseconds; defaults to the top-level durationMs').optional(),
  warmupMs: int(0, MAX_DURATION_MS, 'unrecorded warm-up per path, milliseconds; defaults to the top-level warmupMs').optional(),
  matrix: z
    .record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])).min(1).max(100))
    .optional()
    .describe('sweep: each key is a parameter of this workload, each value the list of values to run'),
};

export const tcpRequestResponseSchema = z
  .strictObject({
    kind: z.literal('tcp-request-response'),
    ...common,
    connections: int(1, 10_000, 'connections; in the open model the bound on concurrency').default(1),
    roundTripsPerTransaction: int(1, 100_000, 'sequential round trips in one transaction').default(1),
    requestBytes: int(TARGET_HEADER_BYTES, MAX_PAYLOAD_BYTES, 'bytes per request, including the 8-byte target header').default(64),
    responseBytes: int(1, MAX_PAYLOAD_BYTES, 'bytes per response').default(64),
    timeoutMs: int(1, 600_000, 'longest wait for one response, ms; also the end-of-window grace').optional(),
    connectTimeoutMs: int(1, 600_000, 'longest wait for one TCP connect, ms').optional(),
    requestBytesDistribution: sizeDistributionSchema.optional().describe('per-request size distribution (overrides requestBytes)'),
    responseBytesDistribution: sizeDistributionSchema.optional().describe('per-response size distribution (overrides responseBytes)'),
    thinkTimeMs: int(0, 60_000, 'pause between round trips of one transaction, ms').optional(),
    connectionMode: z.enum(['persistent', 'perTransaction']).optional().describe('pooled connections, or one per transaction'),
    load: loadSchema.optional(),
    retry: retrySchema.optional(),
    seed: z.number().int().optional().describe('seed of the size distributions'),
    generators: int(1, 16, 'worker threads generating the load (split evenly, histograms merged exactly); <= connections').optional(),
  })
  .describe('chatty request/response: transactions of sequential round trips');

export const connectionChurnSchema = z
  .strictObject({
    kind: z.literal('connection-churn'),
    ...common,
    connections: int(1, 10_000, 'most connections in flight at once').default(1),
    requestBytes: int(TARGET_HEADER_BYTES, MAX_PAYLOAD_BYTES, 'bytes of the one request, header included').optional(),
    responseBytes: int(1, MAX_PAYLOAD_BYTES, 'bytes of the one response').optional(),
    load: loadSchema.optional(),
    timeoutMs: int(1, 600_000, 'longest wait for the response, ms').optional(),
    connectTimeoutMs: int(1, 600_000, 'longest wait for one TCP connect, ms').optional(),
    retry: retrySchema.optional(),
    generators: int(1, 16, 'worker threads generating the load (split evenly, histograms merged exactly); <= connections').optional(),
  })
  .describe('connection churn: connect, one exchange, close (TCP_CRR-like)');

export const tcpStreamSchema = z
  .strictObject({
    kind: z.literal('tcp-stream'),
    ...common,
    direction: z.enum(['upload', 'download', 'both']).describe('bulk direction'),
    connections: int(1, 1_000, 'parallel stream connections').optional(),
    totalBytes: int(1, Number.MAX_SAFE_INTEGER, 'stop each direction of each connection after this many bytes').optional(),
    chunkBytes: int(1, 16 * 1024 * 1024, 'bytes per write when uploading').optional(),
    intervalMs: int(10, 60_000, 'throughput sampling interval, ms').optional(),
    probe: z
      .strictObject({
        ratePerSec: num(0.1, 10_000, 'probe round trips per second'),
        requestBytes: int(TARGET_HEADER_BYTES, 65_536, 'probe request bytes').optional(),
        responseBytes: int(1, 65_536, 'probe response bytes').optional(),
      })
      .optional()
      .describe('low-rate ping-pong on its own connection, measuring latency inflation while streaming'),
  })
  .describe('bulk transfer throughput');

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);

export const httpSchema = z
  .strictObject({
    kind: z.literal('http'),
    ...common,
    connections: int(1, 10_000, 'concurrent connections').default(10),
    pipelining: int(1, 100, 'requests in flight per connection').optional(),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).optional(),
    path: z.string().regex(/^\/[^\s]*$/).max(8_192).optional().describe('request path with query, starting with /'),
    headers: z.record(headerName, z.string().max(8_192)).optional(),
    body: z.string().max(MAX_PAYLOAD_BYTES).optional().describe('request body (UTF-8)'),
    ratePerSec: num(1, 1_000_000, 'a cap on the total request rate across connections (autocannon overallRate, per one-second bucket); the model stays closed, timed from the actual send').optional(),
    timeoutMs: int(1_000, 600_000, 'per-request timeout, ms, whole seconds (autocannon times out in seconds)')
      .refine((ms) => ms % 1_000 === 0, { message: 'must be whole seconds (autocannon times requests out in seconds), e.g. 2000' })
      .optional(),
  })
  .describe('HTTP/1.1 load through autocannon');

const encodingSchema = z.enum(['text', 'hex', 'base64']);
const dialogStepSchema = z.union([
  z.strictObject({ send: z.string().max(MAX_PAYLOAD_BYTES), encoding: encodingSchema.optional() }),
  z.strictObject({
    expect: z.union([
      z.strictObject({ exact: z.string().max(MAX_PAYLOAD_BYTES), encoding: encodingSchema.optional() }),
      z.strictObject({ bytes: int(1, MAX_PAYLOAD_BYTES, 'exactly this many bytes') }),
      z.strictObject({ regex: z.string().min(1).max(4_096) }),
      z.strictObject({ until: z.string().min(1).max(4_096) }),
    ]),
    timeoutMs: int(1, 600_000, 'this step\'s timeout, ms').optional(),
  }),
]);

export const dialogSchema = z
  .strictObject({
    kind: z.literal('dialog'),
    ...common,
    connections: int(1, 10_000, 'connections (closed) or most in flight (open)').default(1),
    steps: z.array(dialogStepSchema).min(1).max(1_000).describe('one transaction: send and expect steps, in order'),
    setup: z.array(dialogStepSchema).max(1_000).optional().describe('run once per new connection (greeting, AUTH)'),
    connectionMode: z.enum(['persistent', 'perTransaction']).optional(),
    load: loadSchema.optional(),
    timeoutMs: int(1, 600_000, 'default per-step timeout, ms').optional(),
    connectTimeoutMs: int(1, 600_000, 'longest wait for one TCP connect, ms').optional(),
    retry: retrySchema.optional(),
    generators: int(1, 16, 'worker threads generating the load (split evenly, histograms merged exactly); <= connections').optional(),
  })
  .describe('a scripted exchange for a real protocol (Redis, SMTP, line protocols)');

const asRecordedLoadSchema = z.strictObject({ model: z.literal('as-recorded') }).describe('conversations start at their recorded offsets (divided by speed), the trace repeating');

export const replaySchema = z
  .strictObject({
    kind: z.literal('replay'),
    ...common,
    trace: z.string().min(1).max(4_096).describe('trace file written by `hcbench record`, relative to this scenario file'),
    target: z
      .enum(['built-in', 'recorded'])
      .describe('built-in: the built-in target answers each turn with the recorded size after the recorded server time (needs target kind tcp-request-response); recorded: the recorded bytes go to your external target (needs a --payload full trace)'),
    speed: num(0.001, 1_000, 'think times and as-recorded arrival gaps are divided by this; server times are kept').optional(),
    connections: z.union([z.literal('as-recorded'), int(1, 10_000, 'conversations at once')]).optional().describe("most conversations at once: the trace's peak (as-recorded) or a number; default the peak for closed and open, no cap for load as-recorded (its arrivals do not wait)"),
    load: z.discriminatedUnion('model', [asRecordedLoadSchema, ...loadSchema.options]).optional().describe('as-recorded (default), closed (conversations back to back) or open (conversations per second)'),
    timeoutMs: int(1, 600_000, 'longest wait for one response, ms').optional(),
    connectTimeoutMs: int(1, 600_000, 'longest wait for one TCP connect, ms').optional(),
  })
  .describe("replay a recorded trace of a real client's traffic (hcbench record)");

export const workloadSchema = z.discriminatedUnion('kind', [
  tcpRequestResponseSchema,
  connectionChurnSchema,
  tcpStreamSchema,
  httpSchema,
  dialogSchema,
  replaySchema,
]);

export type ScenarioWorkload = z.output<typeof workloadSchema>;

/** The keys of a workload that are not driver parameters. */
export type WorkloadExtras = 'id' | 'durationMs' | 'warmupMs' | 'matrix';

// Compile-time guard: the scenario's workload, minus scenario-only keys, is a driver parameter set.
type Assert<T extends true> = T;
type Fits<S extends z.ZodType, P> = Omit<z.output<S>, WorkloadExtras> extends P ? true : false;
type _TcpRequestResponseFits = Assert<Fits<typeof tcpRequestResponseSchema, TcpRequestResponseParams>>;
type _ConnectionChurnFits = Assert<Fits<typeof connectionChurnSchema, ConnectionChurnParams>>;
type _TcpStreamFits = Assert<Fits<typeof tcpStreamSchema, TcpStreamParams>>;
type _HttpFits = Assert<Fits<typeof httpSchema, HttpParams>>;
type _DialogFits = Assert<Fits<typeof dialogSchema, DialogParams>>;
type _ReplayFits = Assert<Fits<typeof replaySchema, ReplayParams>>;
