// The published JSON Schema: generated from the zod schema, committed, accepted by a standard
// validator for every shipped scenario, and rejecting schema-level mistakes.

import { readdir, readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { renderJsonSchema, SCHEMA_FILE } from '../../src/scenario/json-schema.js';

async function shippedScenarios(): Promise<string[]> {
  return (await readdir('scenarios')).filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'schema.json').map((f) => `scenarios/${f}`);
}

let compiled: ReturnType<Ajv2020['compile']> | undefined;
async function compile() {
  compiled ??= new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as object);
  return compiled;
}

describe('scenario JSON Schema', () => {
  test('the committed schema.json is what the zod schema generates (run `npm run schema` after changing it)', async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(renderJsonSchema());
  });

  test('accepts every shipped scenario', async () => {
    const validate = await compile();
    const files = await shippedScenarios();

    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const data: unknown = parse(await readFile(file, 'utf8'));
      expect(validate(data), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  const base = { name: 'x', target: { kind: 'tcp-request-response' }, paths: [{ kind: 'direct' }], workload: { kind: 'tcp-request-response' } };
  test.each([
    ['unknown top-level key', { ...base, bogus: 1 }],
    ['unknown workload key', { ...base, workload: { kind: 'tcp-request-response', conections: 1 } }],
    ['zero connections', { ...base, workload: { kind: 'tcp-request-response', connections: 0 } }],
    ['string for a number', { ...base, workload: { kind: 'tcp-request-response', requestBytes: '64' } }],
    ['fractional count', { ...base, repetitions: 1.5 }],
    ['unknown path kind', { ...base, paths: [{ kind: 'vpn' }] }],
    ['empty path list', { ...base, paths: [] }],
    ['negative delay', { ...base, network: { direct: { oneWayDelayMs: -1 } } }],
    ['bad name', { ...base, name: 'has spaces' }],
    ['unknown order', { ...base, order: 'random' }],
    ['missing target', { name: 'x', paths: [{ kind: 'direct' }], workload: { kind: 'tcp-request-response' } }],
    ['unknown output format', { ...base, output: { formats: ['pdf'] } }],
  ])('rejects %s', async (_name, data) => {
    const validate = await compile();

    expect(validate(data)).toBe(false);
  });
});
