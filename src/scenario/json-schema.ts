// The JSON Schema of scenario files, generated from the same zod schema that validates them, so
// editors and `hcbench validate` never disagree. Cross-field rules (rules.ts) are beyond JSON
// Schema and only `hcbench validate` checks them. Pure.

import { z } from 'zod';
import { scenarioSchema } from './schema.js';

/** Where the published schema lives in the package (scenarios reference it as `./schema.json`). */
export const SCHEMA_FILE = 'scenarios/schema.json';

export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://hcbench.invalid/scenario.schema.json',
    title: 'hcbench scenario',
  };
}

export function renderJsonSchema(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
