// Reads a scenario file (YAML or JSON, one parser), validates it, and returns a Scenario or throws
// a ScenarioError that lists every issue with file, line, column and key. No sockets, no clock.

import { INPUT_MAX_BYTES, readInputFile } from '../fs/read-input.js';
import { LineCounter, parseDocument } from 'yaml';
import { ScenarioError, type Issue } from '../errors.js';
import type { Scenario } from './schema.js';
import { dataDepth, findDeepFlowNesting, MAX_NESTING_DEPTH } from './nesting.js';
import { createSourceLocator } from './source-map.js';
import { validateScenario } from './validate.js';

/** Largest scenario file accepted, bytes. Scenario files are hand-written; anything larger is a mistake. */
export const MAX_SCENARIO_BYTES = INPUT_MAX_BYTES.scenario;

/** Reads and validates `file`. Throws ScenarioError (exit code 3) for every kind of bad input. */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  const read = await readInputFile(file, 'scenario');
  if (!read.ok) throw new ScenarioError(file, [{ path: '', message: read.reason }]);
  return parseScenarioText(read.bytes, file);
}

/** Parses and validates scenario text; `file` is used only in messages. */
export function parseScenarioText(bytes: Buffer | string, file: string): Scenario {
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
  const result = validateScenario(data, createSourceLocator(document, lineCounter));
  if (!result.ok) throw new ScenarioError(file, result.issues);
  return result.scenario;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/\.$/, '');
}
