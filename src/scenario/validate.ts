// Turns parsed scenario data into a Scenario or a complete list of Issues. Every zod issue is
// rewritten into the house message form (`must be an integer >= 1, got 0`) and located in the
// source. Pure: never mutates its input, never throws for bad input.

import type { z } from 'zod';
import type { Issue } from '../errors.js';
import { scenarioSchema, type Scenario } from './schema.js';
import type { SourceLocator } from './source-map.js';
import { closestMatch } from './suggest.js';

export type ValidationResult = { ok: true; scenario: Scenario } | { ok: false; issues: Issue[] };

type ZodIssue = z.core.$ZodIssue;

/** Validates `data` against the scenario schema; `locate` maps a JSON path to a line and column. */
export function validateScenario(data: unknown, locate?: SourceLocator): ValidationResult {
  const result = scenarioSchema.safeParse(data);
  if (result.success) return { ok: true, scenario: result.data };
  const issues = result.error.issues.flatMap((issue) => toIssues(issue, data));
  const located = issues.map(({ segments, isKey, ...issue }) => ({
    ...issue,
    path: formatPath(segments),
    ...(locate?.(segments, isKey) ?? {}),
  }));
  // One issue per key: the first is the most specific (e.g. the bound, not the safe-integer limit).
  const seen = new Set<string>();
  const unique = located.filter((issue) => !seen.has(issue.path) && seen.add(issue.path) !== undefined);
  unique.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, issues: unique };
}

/** `paths[1].kind` from ['paths', '1', 'kind']. */
export function formatPath(segments: readonly string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

interface PendingIssue extends Omit<Issue, 'path'> {
  segments: string[];
  /** Locate the key itself rather than its value (unknown keys). */
  isKey?: boolean;
}

function toIssues(issue: ZodIssue, data: unknown): PendingIssue[] {
  const path = issue.path.map(String);
  const value = valueAt(data, path);
  const where = path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(data, path);
      return issue.keys.map((key) => {
        const suggestion = closestMatch(key, known);
        return {
          segments: [...path, key],
          message: 'unknown key',
          isKey: true,
          ...(suggestion === undefined ? { hint: `allowed keys: ${known.join(', ')}` } : { hint: `did you mean \`${suggestion}\`?` }),
        };
      });
    }
    case 'invalid_type':
      if (value === undefined) return [{ segments: where, message: `is required (${describeExpected(issue.expected)})` }];
      return [{ segments: where, message: `must be ${describeExpected(issue.expected)}, got ${show(value)}` }];
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const what =
        issue.origin === 'array' ? 'have a length' : issue.origin === 'string' ? 'have a length' : 'be';
      return [{ segments: where, message: `must ${what} ${op} ${String(bound)}, got ${show(value)}` }];
    }
    case 'invalid_union': {
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.map(String) : [];
      if (options.length > 0) {
        const suggestion = typeof value === 'string' ? closestMatch(value, options) : undefined;
        return [
          {
            segments: where,
            message: value === undefined ? `is required (one of ${options.join(', ')})` : `must be one of ${options.join(', ')}, got ${show(value)}`,
            ...(suggestion === undefined ? {} : { hint: `did you mean \`${suggestion}\`?` }),
          },
        ];
      }
      return [{ segments: where, message: `does not match any allowed form, got ${show(value)}` }];
    }
    case 'invalid_value':
      return [{ segments: where, message: `must be one of ${issue.values.map((v) => show(v)).join(', ')}, got ${show(value)}` }];
    case 'invalid_format':
      return [{ segments: where, message: `must match ${'pattern' in issue ? String(issue.pattern) : issue.format}, got ${show(value)}` }];
    case 'custom': {
      const hint = (issue.params as { hint?: unknown } | undefined)?.hint;
      return [{ segments: where, message: `${issue.message}, got ${show(value)}`, ...(typeof hint === 'string' ? { hint } : {}) }];
    }
    case 'custom':
      return [{ segments: where, message: `${issue.message}, got ${show(value)}` }];
    default:
      return [{ segments: where, message: `${issue.message.toLowerCase()}, got ${show(value)}` }];
  }
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    default:
      return expected;
  }
}

/** Short, single-line rendering of a value for messages (long strings and objects are cut). */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The keys the schema allows at `path`, for "did you mean" hints. */
function knownKeys(data: unknown, path: readonly string[]): string[] {
  let schema: unknown = scenarioSchema;
  let current: unknown = data;
  for (const key of path) {
    current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
    schema = childSchema(schema, key, current);
    if (schema === undefined) return [];
  }
  const shape = objectShape(schema, current);
  return shape === undefined ? [] : Object.keys(shape);
}

function childSchema(schema: unknown, key: string, value: unknown): unknown {
  const inner = unwrap(schema);
  const def = (inner as { def?: { type?: string; element?: unknown } }).def;
  if (def?.type === 'array') return def.element;
  const shape = objectShape(inner, value);
  return shape?.[key];
}

function objectShape(schema: unknown, value: unknown): Record<string, unknown> | undefined {
  const inner = unwrap(schema) as { def?: { type?: string; options?: unknown[]; shape?: Record<string, unknown> } };
  if (inner.def?.type === 'object') return inner.def.shape;
  if (inner.def?.type === 'union' && Array.isArray(inner.def.options)) {
    const kind = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)['kind'] : undefined;
    for (const option of inner.def.options) {
      const shape = objectShape(option, undefined);
      const literal = shape?.['kind'] as { def?: { values?: unknown[] } } | undefined;
      if (literal?.def?.values?.includes(kind)) return shape;
    }
  }
  return undefined;
}

function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { type?: string; innerType?: unknown } } | undefined;
  while (current?.def !== undefined && (current.def.type === 'default' || current.def.type === 'optional')) {
    current = current.def.innerType as typeof current;
  }
  return current;
}
