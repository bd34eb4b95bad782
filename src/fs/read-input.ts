// Reads one input file the user named (scenario, result, calibration, connection string, namespace)
// without trusting it: opens without blocking (a FIFO cannot hang us), checks with fstat what the
// path — after following symlinks — really is, refuses anything but a regular file, and never reads
// more than the cap of its kind. Returns an outcome; callers turn a refusal into their own error.

import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** The kinds of file hcbench reads, each with its own size cap. */
export type InputKind = 'scenario' | 'result' | 'calibration' | 'connection-string' | 'namespace' | 'trace';

/**
 * Largest file accepted per kind, bytes. Scenarios, namespaces and calibrations are hand-written
 * or small; a trace is about 60 bytes per turn; a result carries encoded histograms and per-interval ones (a long soak is a few MB).
 */
export const INPUT_MAX_BYTES: Readonly<Record<InputKind, number>> = {
  scenario: 1024 * 1024,
  result: 64 * 1024 * 1024,
  calibration: 1024 * 1024,
  'connection-string': 64 * 1024,
  namespace: 1024 * 1024,
  // A version 1 trace (one JSON document) is parsed whole (about 5x its size in memory); a longer
  // one is refused with the limit named, never half-read. Version 2 (JSON lines) is streamed:
  // this is then the cap of its header and of one conversation line.
  trace: 64 * 1024 * 1024,
};

/** What `readInputFile` found: the bytes, or why the file was refused (a lower-case phrase, no path). */
export type InputRead =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: string; /** errno code when the file system refused. */ code?: string };

const CHUNK_BYTES = 64 * 1024;

function fileTypeName(stats: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openFailure(error: unknown): { ok: false; reason: string; code?: string } {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'file not found'
    : code === 'EISDIR' ? 'is a directory, not a file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ELOOP' ? 'too many levels of symbolic links'
    : code === 'ENOTDIR' ? 'a parent of the path is not a directory'
    : `cannot be read (${code ?? 'error'})`;
  return code === undefined ? { ok: false, reason } : { ok: false, reason, code };
}

/** Reads at most `maxBytes + 1` bytes, so a file that grows (or lies about its size, as /proc does) stays bounded. */
async function readBounded(handle: FileHandle, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total <= maxBytes) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return undefined;
}

/** An input file opened for reading in parts: its handle (the caller closes it) and its size. */
export type InputOpen = { ok: true; handle: FileHandle; size: number } | { ok: false; reason: string; code?: string };

/**
 * Opens `path` as an input that is read in parts (a streamed trace): a regular file (symlinks
 * followed, their target checked), opened without blocking. No size cap: the reader bounds what
 * it holds. The caller closes the handle.
 */
export async function openInputFile(path: string): Promise<InputOpen> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return openFailure(error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close().catch(() => {});
      return { ok: false, reason: `is ${fileTypeName(stats)}, expected a regular file` };
    }
    return { ok: true, handle, size: stats.size };
  } catch (error) {
    await handle.close().catch(() => {});
    return openFailure(error);
  }
}

/**
 * Reads `path` as an input of `kind`: a regular file (symlinks followed, their target checked) of
 * at most {@link INPUT_MAX_BYTES}[kind] bytes. Never blocks on FIFOs or devices and never reads
 * past the cap. The refusal reason names the type or the cap, never the content.
 */
export async function readInputFile(path: string, kind: InputKind, maxBytes = INPUT_MAX_BYTES[kind]): Promise<InputRead> {
  const opened = await openInputFile(path);
  if (!opened.ok) return opened;
  const { handle } = opened;
  try {
    if (opened.size > maxBytes) return { ok: false, reason: `is larger than the ${maxBytes}-byte limit for a ${kind} file (${opened.size} bytes)` };
    const bytes = await readBounded(handle, maxBytes);
    if (bytes === undefined) return { ok: false, reason: `is larger than the ${maxBytes}-byte limit for a ${kind} file` };
    return { ok: true, bytes };
  } catch (error) {
    return openFailure(error);
  } finally {
    await handle.close().catch(() => {});
  }
}
