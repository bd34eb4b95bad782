// Reads an emulated namespace (hybrid connections and shared access rules) from JSON or YAML text
// and validates it, reporting every issue with its path. Pure: the caller reads the file.

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Issue } from '../errors.js';
import { DEFAULT_RELAY_LIMITS } from '../azure/limits.js';
import type { NamespaceConfig } from './namespace.js';

const ruleSchema = z.strictObject({
  name: z.string().min(1).max(256),
  primaryKey: z.string().min(1),
  secondaryKey: z.string().min(1).optional(),
  rights: z.array(z.enum(['Listen', 'Send', 'Manage'])).min(1),
});

const namespaceSchema = z.strictObject({
  rules: z.array(ruleSchema).max(12),
  hybridConnections: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(260).regex(/^[^?#\s]+$/, 'must not contain ?, # or spaces'),
        requiresClientAuthorization: z.boolean().optional(),
        rules: z.array(ruleSchema).max(12).optional(),
      }),
    )
    .min(1),
  audienceHosts: z.array(z.string().min(1)).optional(),
});

export type NamespaceFileResult = { ok: true; namespace: NamespaceConfig } | { ok: false; issues: Issue[] };

/**
 * Parses `text` (JSON is valid YAML) into a NamespaceConfig. Rejects unknown keys, more than 12
 * rules per scope (as Azure), and hybrid connections without any rule granting Listen.
 */
export function parseNamespaceFile(text: string): NamespaceFileResult {
  let input: unknown;
  try {
    input = parseYaml(text);
  } catch (error) {
    // Only the first line: the parser's later lines quote the source, and the source holds the keys.
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/:$/, '') ?? '';
    return { ok: false, issues: [{ path: '', message: `not valid JSON or YAML: ${first}` }] };
  }
  const parsed = namespaceSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, ''),
        message: `${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`.replace(/\.$/, ''),
      })),
    };
  }
  const namespace = parsed.data as NamespaceConfig;
  const issues: Issue[] = [];
  namespace.hybridConnections.forEach((hc, index) => {
    const rules = [...(hc.rules ?? []), ...namespace.rules];
    if (!rules.some((rule) => rule.rights.includes('Listen') || rule.rights.includes('Manage'))) {
      issues.push({ path: `hybridConnections[${index}]`, message: `no rule grants Listen, so no listener (of at most ${DEFAULT_RELAY_LIMITS.listenersPerHybridConnection}) could ever register` });
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, namespace };
}
