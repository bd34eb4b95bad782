// Maps JSON paths in a parsed YAML/JSON document back to line and column, so every issue can
// name the place in the file. Pure.

import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';

/** Returns the 1-based line and column of the node at `path` (or of its key), if found. */
export type SourceLocator = (path: readonly string[], isKey?: boolean) => { line: number; column: number } | undefined;

export function createSourceLocator(document: Document, lineCounter: LineCounter): SourceLocator {
  return (path, isKey = false) => {
    let node: unknown = document.contents;
    let offset = rangeStart(node);
    for (let i = 0; i < path.length; i++) {
      const key = path[i];
      const isLast = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key);
        if (pair === undefined) break;
        const keyStart = rangeStart(pair.key);
        if (isLast && isKey) {
          offset = keyStart ?? offset;
          break;
        }
        node = pair.value;
        offset = rangeStart(node) ?? keyStart ?? offset;
      } else if (isSeq(node)) {
        const item = node.items[Number(key)];
        if (item === undefined) break;
        node = item;
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    if (offset === undefined) return undefined;
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? undefined : range[0];
}
