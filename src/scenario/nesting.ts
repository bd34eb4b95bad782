// Bounds how deeply a scenario may nest, before and after parsing, so hostile input (400k
// brackets) is refused at once with a clear issue instead of overflowing the parser's stack. Pure.

/** Deepest nesting of mappings and lists a scenario may have; real scenarios stay below 10. */
export const MAX_NESTING_DEPTH = 64;

/** Where the text first nests deeper than the limit: 1-based line and column of the bracket. */
export interface DeepNesting {
  line: number;
  column: number;
}

/**
 * Scans flow brackets (`[`, `{`) outside quoted strings and comments, which covers JSON and YAML
 * flow style, the forms that let a small file nest deeply. Iterative; never builds a tree.
 * May over-count brackets inside plain YAML scalars, which only matters beyond the limit.
 */
export function findDeepFlowNesting(text: string, maxDepth = MAX_NESTING_DEPTH): DeepNesting | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n') {
      line += 1;
      lineStart = i + 1;
      continue;
    }
    if (quote !== undefined) {
      if (char === '\\' && quote === '"') i += 1;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === '#' && (i === lineStart || text[i - 1] === ' ' || text[i - 1] === '\t')) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end - 1;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > maxDepth) return { line, column: i - lineStart + 1 };
    } else if ((char === ']' || char === '}') && depth > 0) depth -= 1;
  }
  return undefined;
}

/**
 * Estimates YAML block nesting line by line: a stack of indentation columns (deeper indentation
 * opens a level) plus the compact `- - - ` sequence indicators that open a level each on one line.
 * Over-counts only oddly indented block scalars, which matters only beyond the limit. Iterative.
 */
export function findDeepBlockNesting(text: string, maxDepth = MAX_NESTING_DEPTH): DeepNesting | undefined {
  const indents: number[] = [];
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    line += 1;
    let column = start;
    while (column < stop && text[column] === ' ') column += 1;
    const isContent = column < stop && text[column] !== '#' && text[column] !== '\r';
    if (isContent) {
      const indent = column - start;
      while (indents.length > 0 && indents[indents.length - 1]! > indent) indents.pop();
      if (indents.length === 0 || indents[indents.length - 1]! < indent) indents.push(indent);
      let depth = indents.length;
      // `- - - x`: every indicator after the first nests one level deeper on the same line.
      while (text[column] === '-' && (text[column + 1] === ' ' || text[column + 1] === '\t')) {
        depth += 1;
        if (depth > maxDepth) return { line, column: column - start + 1 };
        column += 2;
        while (column < stop && text[column] === ' ') column += 1;
      }
      if (depth > maxDepth) return { line, column: column - start + 1 };
    }
    if (end === -1) break;
    start = end + 1;
  }
  return undefined;
}

/** Depth of parsed data (a scalar is 0, `{a: 1}` is 1), computed without recursion; stops past `maxDepth`. */
export function dataDepth(data: unknown, maxDepth = MAX_NESTING_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[data, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const inner = depth + 1;
    deepest = Math.max(deepest, inner);
    if (inner > maxDepth) return inner;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, inner]);
  }
  return deepest;
}
