// Reads a file a line at a time with bounded memory: fixed-size reads, split at '\n' bytes (safe
// in UTF-8), at most `maxLineBytes` held for one line. Node's readline holds a line of any length
// (a hostile file with no newline would be read whole), so this is its bounded replacement.

import type { FileHandle } from 'node:fs/promises';

/** Bytes read from the file at a time. */
const CHUNK_BYTES = 256 * 1024;

/** One line: its 1-based number and its bytes (without the newline or a trailing '\r'). */
export interface NumberedLine {
  number: number;
  bytes: Buffer;
}

/** Thrown (and turned into the caller's error) when a line outgrows the bound. */
export class LineTooLongError extends Error {
  constructor(readonly lineNumber: number, readonly maxLineBytes: number) {
    super(`line ${lineNumber} is longer than ${maxLineBytes} bytes`);
  }
}

function trimCr(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, bytes.length - 1) : bytes;
}

/** The lines of an open file from its start; a final line without a newline is yielded too. */
export async function* readLines(handle: FileHandle, maxLineBytes: number): AsyncGenerator<NumberedLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  let position = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const data = chunk.subarray(0, bytesRead);
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
      number += 1;
      if (pendingBytes + nl - start > maxLineBytes) throw new LineTooLongError(number, maxLineBytes);
      const piece = data.subarray(start, nl);
      const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
      yield { number, bytes: trimCr(bytes) };
    }
    if (start < data.length) {
      pendingBytes += data.length - start;
      if (pendingBytes > maxLineBytes) throw new LineTooLongError(number + 1, maxLineBytes);
      pending.push(data.subarray(start));
    }
  }
  if (pendingBytes > 0) yield { number: number + 1, bytes: trimCr(Buffer.concat(pending)) };
}
