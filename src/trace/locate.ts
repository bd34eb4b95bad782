// Finds where in a trace file's text a problem is: the line and column of a JSON syntax error, or
// of the value at a key path. JSON is YAML, so the yaml parser (which keeps node offsets) does the
// locating; it runs only after JSON.parse or validation failed, and only on files small enough to
// parse twice. Pure.

import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/** Largest text located, characters; past it, issues carry the key path alone. */
export const MAX_LOCATED_CHARS = 16 * 1024 * 1024;

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** Locator over one text: `syntax()` for the first syntax error, `at(path)` for a key path. */
export interface TraceLocator {
  syntax(): Position | undefined;
  at(path: readonly (string | number)[]): Position | undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? undefined : range[0];
}

/** A locator (the text is parsed on first use only), or one that finds nothing when the text is too long to parse again. */
export function createTraceLocator(text: string): TraceLocator {
  if (text.length > MAX_LOCATED_CHARS) return { syntax: () => undefined, at: () => undefined };
  const lineCounter = new LineCounter();
  let parsed: ReturnType<typeof parseDocument> | undefined;
  const doc = (): ReturnType<typeof parseDocument> => (parsed ??= parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false }));
  const toPosition = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  return {
    syntax: () => {
      const first = doc().errors[0];
      return first === undefined ? undefined : toPosition(first.pos[0]);
    },
    at: (path) => {
      let node: unknown = doc().contents;
      let offset = rangeStart(node);
      for (const key of path) {
        if (isMap(node)) {
          const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key));
          if (pair === undefined) break;
          node = pair.value;
          offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
        } else if (isSeq(node)) {
          const item = node.items[Number(key)];
          if (item === undefined) break;
          node = item;
          offset = rangeStart(node) ?? offset;
        } else {
          break;
        }
      }
      return offset === undefined ? undefined : toPosition(offset);
    },
  };
}
