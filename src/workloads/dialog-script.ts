// Compiles dialog steps into bytes to send and matchers for expected responses. Pure: no
// sockets, no clocks. Text uses escapes: \r \n \t \0 \\ and \xNN (one byte).

import type { DialogEncoding, DialogExpectation, DialogStep } from './types.js';

/** What a matcher says about the bytes buffered so far. */
export type MatchResult =
  /** Satisfied: consume this many bytes. */
  | { kind: 'match'; bytes: number }
  /** Not yet: wait for more bytes. */
  | { kind: 'more' }
  /** The bytes cannot satisfy the expectation. */
  | { kind: 'mismatch' };

export type Matcher = (buffered: Buffer) => MatchResult;

/** A step ready to run: bytes to write, or a matcher with its timeout (ms, undefined = dialog default). */
export type CompiledStep = { send: Buffer } | { expect: Matcher; timeoutMs: number | undefined; describe: string };

/** Decodes step text in the given encoding (default text with escapes). Throws RangeError on bad input. */
export function decodeBytes(text: string, encoding: DialogEncoding = 'text'): Buffer {
  if (encoding === 'hex') {
    const clean = text.replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new RangeError(`invalid hex: ${text}`);
    return Buffer.from(clean, 'hex');
  }
  if (encoding === 'base64') return Buffer.from(text, 'base64');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = text[i + 1];
    i += 1;
    switch (next) {
      case 'r': bytes.push(13); break;
      case 'n': bytes.push(10); break;
      case 't': bytes.push(9); break;
      case '0': bytes.push(0); break;
      case '\\': bytes.push(92); break;
      case 'x': {
        const hex = text.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new RangeError(`invalid escape \\x${hex} in ${JSON.stringify(text)}`);
        bytes.push(parseInt(hex, 16));
        i += 2;
        break;
      }
      default:
        throw new RangeError(`unknown escape \\${next ?? ''} in ${JSON.stringify(text)}`);
    }
  }
  return Buffer.from(bytes);
}

/** A matcher for one expectation. */
export function compileExpectation(expectation: DialogExpectation): Matcher {
  if ('exact' in expectation) {
    const want = decodeBytes(expectation.exact, expectation.encoding);
    return (buffered) => {
      const n = Math.min(buffered.length, want.length);
      if (buffered.compare(want, 0, n, 0, n) !== 0) return { kind: 'mismatch' };
      return n === want.length ? { kind: 'match', bytes: n } : { kind: 'more' };
    };
  }
  if ('bytes' in expectation) {
    const want = expectation.bytes;
    return (buffered) => (buffered.length >= want ? { kind: 'match', bytes: want } : { kind: 'more' });
  }
  if ('until' in expectation) {
    const delimiter = decodeBytes(expectation.until);
    return (buffered) => {
      const at = buffered.indexOf(delimiter);
      return at < 0 ? { kind: 'more' } : { kind: 'match', bytes: at + delimiter.length };
    };
  }
  const regex = new RegExp(expectation.regex);
  return (buffered) => {
    // The first match in the bytes received so far wins, so patterns should end in a delimiter
    // (e.g. `\r\n`); a pattern like `\d+` could match before all digits arrived.
    const match = regex.exec(buffered.toString('latin1'));
    return match === null ? { kind: 'more' } : { kind: 'match', bytes: match.index + match[0].length };
  };
}

/** Compiles steps in order. Throws RangeError on bad encodings or regular expressions. */
export function compileSteps(steps: readonly DialogStep[]): CompiledStep[] {
  return steps.map((step) => {
    if ('send' in step) return { send: decodeBytes(step.send, step.encoding) };
    return { expect: compileExpectation(step.expect), timeoutMs: step.timeoutMs, describe: JSON.stringify(step.expect) };
  });
}
