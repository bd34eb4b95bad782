// How many connections a tunnel endpoint can hold within its process's open-file limit. Each
// forwarded connection takes two descriptors (the client's socket and its relay socket), so past
// about half the limit the next accept or relay socket fails with EMFILE, and at EMFILE libuv
// accepts and drops connections without telling anyone. Linux only (/proc); elsewhere no limit.

import { readFileSync } from 'node:fs';

/** Descriptors kept free for everything else (stdio, the event loop, logs, DNS, a reconnect). */
export const FD_RESERVE = 64;

/** The soft open-file limit of this process (/proc/self/limits), or undefined when unknown or unlimited. */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      // A procfs file of ~1.5 KB; only read on Linux.
      text = process.platform === 'linux' ? readFileSync('/proc/self/limits', 'utf8').slice(0, 16_384) : '';
    } catch {
      return undefined;
    }
  }
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (match === null || match[1] === 'unlimited') return undefined;
  const limit = Number(match[1]);
  return Number.isSafeInteger(limit) && limit > 0 ? limit : undefined;
}

/**
 * Live connections an endpoint may hold so that they, at two descriptors each, fit in the open-file
 * `limit` (see {@link openFileLimit}) with {@link FD_RESERVE} to spare; undefined (no cap) when the
 * limit is unknown. At least 1.
 */
export function connectionsWithinFdLimit(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  return Math.max(1, Math.floor((limit - FD_RESERVE) / 2));
}
