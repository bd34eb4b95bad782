// Reads a scenario file (YAML or JSON, one parser), validates it, and returns a Scenario or throws
// a ScenarioError that lists every issue with file, line, column and key. No sockets, no clock.

import { INPUT_MAX_BYTES, readInputFile } from '../fs/read-input.js';
import { LineCounter, parseDocument } from 'yaml';
import { ScenarioError, type Issue } from '../errors.js';
import type { Scenario } from './schema.js';
import { dataDepth, findDeepBlockNesting, findDeepFlowNesting, MAX_NESTING_DEPTH } from './nesting.js';
import { createSourceLocator } from './source-map.js';
import { validateScenario } from './validate.js';
import { resolveReplayTraces } from './replay-traces.js';

/** Largest scenario file accepted, bytes. Scenario files are hand-written; anything larger is a mistake. */
export const MAX_SCENARIO_BYTES = INPUT_MAX_BYTES.scenario;

/**
 * Command-line values that replace the scenario's own (`run --duration-ms` ...). They are put into
 * the scenario before validation, so they obey the same rules (`durationMs >= 1`, the 24-h total,
 * faults inside their steps) and a broken one is reported like a scenario issue, naming the flag.
 */
export interface ScenarioOverrides {
  /** Replaces `durationMs` at the top and in every workload (`--duration-ms`). */
  durationMs?: number;
  /** Replaces `warmupMs` at the top and in every workload (`--warmup-ms`). */
  warmupMs?: number;
  /** Replaces `repetitions` (`--repetitions`). */
  repetitions?: number;
}

const OVERRIDE_FLAGS: Record<keyof ScenarioOverrides, string> = { durationMs: '--duration-ms', warmupMs: '--warmup-ms', repetitions: '--repetitions' };

/** Reads and validates `file`. Throws ScenarioError (exit code 3) for every kind of bad input. */
export async function loadScenarioFile(file: string, overrides: ScenarioOverrides = {}): Promise<Scenario> {
  const read = await readInputFile(file, 'scenario');
  if (!read.ok) throw new ScenarioError(file, [{ path: '', message: read.reason }]);
  return resolveReplayTraces(parseScenarioText(read.bytes, file, overrides), file);
}

/** The data with the overrides applied (a new object; the input is not changed). */
function applyOverrides(data: Record<string, unknown>, overrides: ScenarioOverrides): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...data };
  const perWorkload = (['durationMs', 'warmupMs'] as const).filter((key) => overrides[key] !== undefined);
  for (const key of Object.keys(OVERRIDE_FLAGS) as (keyof ScenarioOverrides)[]) if (overrides[key] !== undefined) copy[key] = overrides[key];
  const override = (workload: unknown): unknown => {
    if (workload === null || typeof workload !== 'object' || Array.isArray(workload)) return workload;
    const w = { ...(workload as Record<string, unknown>) };
    for (const key of perWorkload) if (key in w) w[key] = overrides[key];
    return w;
  };
  if ('workload' in copy) copy['workload'] = override(copy['workload']);
  if (Array.isArray(copy['workloads'])) copy['workloads'] = copy['workloads'].map(override);
  return copy;
}

/** Issues about an overridden key name the flag and drop the file position (the value is not in the file). */
function blameOverrides(issues: readonly Issue[], overrides: ScenarioOverrides): Issue[] {
  return issues.map((issue) => {
    const key = (Object.keys(OVERRIDE_FLAGS) as (keyof ScenarioOverrides)[]).find((k) => overrides[k] !== undefined && (issue.path === k || issue.path.endsWith(`.${k}`)));
    const stepFlags = (['durationMs', 'warmupMs'] as const).filter((k) => overrides[k] !== undefined).map((k) => `${OVERRIDE_FLAGS[k]} ${overrides[k]}`);
    if (key === undefined && issue.path.endsWith('.atMs') && stepFlags.length > 0) return { ...issue, message: `${issue.message} (steps set by ${stepFlags.join(' ')})` };
    if (key === undefined) return issue;
    const { line: _line, column: _column, ...rest } = issue;
    return { ...rest, message: `${issue.message} (set by ${OVERRIDE_FLAGS[key]} ${overrides[key]})` };
  });
}

/** Parses and validates scenario text; `file` is used only in messages. */
export function parseScenarioText(bytes: Buffer | string, file: string, overrides: ScenarioOverrides = {}): Scenario {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  if (buffer.length > MAX_SCENARIO_BYTES) {
    throw new ScenarioError(file, [{ path: '', message: `file is larger than ${MAX_SCENARIO_BYTES} bytes, got ${buffer.length}` }]);
  }
  if (buffer.includes(0)) {
    throw new ScenarioError(file, [{ path: '', message: 'file is binary (contains NUL bytes), expected YAML or JSON text' }]);
  }
  const text = buffer.toString('utf8');
  if (text.trim() === '') throw new ScenarioError(file, [{ path: '', message: 'file is empty, expected a scenario mapping' }]);

  const deep = findDeepFlowNesting(text);
  if (deep !== undefined) {
    throw new ScenarioError(file, [{ path: '', message: `nests deeper than ${MAX_NESTING_DEPTH} levels of [ ] or { }`, line: deep.line, column: deep.column }]);
  }
  const deepBlock = findDeepBlockNesting(text);
  if (deepBlock !== undefined) {
    throw new ScenarioError(file, [{ path: '', message: `nests deeper than ${MAX_NESTING_DEPTH} levels of indentation or \`- \``, line: deepBlock.line, column: deepBlock.column }]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues: Issue[] = document.errors.map((error) => {
      const position = lineCounter.linePos(error.pos[0]);
      return { path: '', message: `syntax error: ${firstLine(error.message)}`, line: position.line, column: position.col };
    });
    throw new ScenarioError(file, issues);
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new ScenarioError(file, [{ path: '', message: `cannot be read as data: ${firstLine(String(cause))}` }], { cause });
  }
  if (dataDepth(data) > MAX_NESTING_DEPTH) {
    throw new ScenarioError(file, [{ path: '', message: `nests deeper than ${MAX_NESTING_DEPTH} levels of mappings and lists` }]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError(file, [{ path: '', message: 'must be a mapping of scenario keys (name, target, paths, workload)', line: 1, column: 1 }]);
  }
  const result = validateScenario(applyOverrides(data as Record<string, unknown>, overrides), createSourceLocator(document, lineCounter));
  if (!result.ok) throw new ScenarioError(file, blameOverrides(result.issues, overrides));
  return result.scenario;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/\.$/, '');
}
