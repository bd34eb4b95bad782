// The scenario file contract, as one zod schema: the single source of truth for validation,
// the TypeScript types and the published JSON Schema. Pure; no I/O.

import { z } from 'zod';

/** Largest duration a scenario may ask for: 24 h, in milliseconds. */
export const MAX_DURATION_MS = 86_400_000;
/** Largest payload per request or response: 64 MiB. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** Bytes of the built-in target's request header; a request can't be smaller. */
export const TARGET_HEADER_BYTES = 8;

const int = (min: number, max: number, description: string) =>
  z.number().min(min).max(max).int().describe(description);

/** The built-in TCP request/response target, started next to the on-prem agent. */
export const targetSchema = z
  .strictObject({
    kind: z.literal('tcp-request-response').describe('built-in TCP server: reads a request, answers with the size it asks for'),
  })
  .describe('the system under test');

export const pathSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('direct').describe('the workload dials the target itself (stands for VNet integration)'),
      id: z.string().regex(/^[a-z][a-z0-9-]*$/).optional().describe('name used in results; defaults to the kind'),
    })
    .describe('direct path'),
  z
    .strictObject({
      kind: z
        .literal('relay-emulated')
        .describe('forwarder → embedded Azure Relay emulator → agent → target, all on 127.0.0.1'),
      id: z.string().regex(/^[a-z][a-z0-9-]*$/).optional().describe('name used in results; defaults to the kind'),
    })
    .describe('relay path on the embedded emulator'),
]);

export const tcpRequestResponseSchema = z
  .strictObject({
    kind: z.literal('tcp-request-response'),
    connections: int(1, 10_000, 'persistent connections, each running transactions back to back').default(1),
    roundTripsPerTransaction: int(1, 100_000, 'sequential round trips in one transaction').default(1),
    requestBytes: int(TARGET_HEADER_BYTES, MAX_PAYLOAD_BYTES, 'bytes per request, including the 8-byte target header').default(64),
    responseBytes: int(1, MAX_PAYLOAD_BYTES, 'bytes per response').default(64),
    durationMs: int(1, MAX_DURATION_MS, 'measured window per path, milliseconds').default(5_000),
    warmupMs: int(0, MAX_DURATION_MS, 'warm-up before measuring, milliseconds; not recorded').default(1_000),
  })
  .describe('chatty request/response over persistent connections (closed model)');

export const workloadSchema = z.discriminatedUnion('kind', [tcpRequestResponseSchema]);

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional().describe('path or URL of the JSON Schema, for editors'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
      .describe('short name used in result folder names: letters, digits, dot, dash, underscore'),
    description: z.string().max(4_000).default('').describe('the question this scenario answers'),
    target: targetSchema,
    paths: z
      .array(pathSchema)
      .min(1)
      .max(8)
      .superRefine((paths, ctx) => {
        const seen = new Map<string, number>();
        paths.forEach((path, index) => {
          const id = path.id ?? path.kind;
          const first = seen.get(id);
          if (first === undefined) seen.set(id, index);
          else ctx.addIssue({ code: 'custom', path: [index, path.id === undefined ? 'kind' : 'id'], message: `must be unique (same id as paths[${first}])` });
        });
      })
      .describe('the network paths to compare, run in this order'),
    workload: workloadSchema,
  })
  .describe('an hcbench scenario');

/** A validated scenario with every default applied. */
export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioPath = z.output<typeof pathSchema>;
export type ScenarioWorkload = z.output<typeof workloadSchema>;
