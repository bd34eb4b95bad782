// Reads the region data file that ships with hcbench (data/azure-region-rtt-p95.csv) once, without
// trusting it: a regular file (checked with fstat after opening, symlinks followed), at most
// REGION_FILE_MAX_BYTES, never read past that cap. Synchronous, so validation and planning stay
// synchronous; the file is read at most once per process.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRegionCsv, type RegionTable } from './table.js';

/** Cap on the data file, bytes (the 54-region file is 90 kB). */
const REGION_FILE_MAX_BYTES = 2 * 1024 * 1024;

/** Where the data file is: `data/` at the package root (from `src/regions/` and `dist/regions/` alike). */
export const REGION_FILE = fileURLToPath(new URL('../../data/azure-region-rtt-p95.csv', import.meta.url));

let cached: RegionTable | undefined;

/** Reads `path` as text of at most `maxBytes`; throws an Error naming the path and what is wrong. */
function readBoundedSync(path: string, maxBytes: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error(`${path}: region data must be a regular file`);
    if (stats.size > maxBytes) throw new Error(`${path}: region data is larger than ${maxBytes} bytes (${stats.size})`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let total = 0;
    for (;;) {
      const read = readSync(fd, buffer, total, buffer.length - total, null);
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw new Error(`${path}: region data grew past ${maxBytes} bytes while being read`);
    }
    const bytes = buffer.subarray(0, total);
    if (bytes.includes(0)) throw new Error(`${path}: region data is binary (contains NUL bytes), expected CSV text`);
    return bytes.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The region table hcbench ships, read on first use. Throws (a bug: the file ships with hcbench) when it is missing or malformed. */
export function regionTable(): RegionTable {
  cached ??= parseRegionCsv(readBoundedSync(REGION_FILE, REGION_FILE_MAX_BYTES), REGION_FILE);
  return cached;
}
