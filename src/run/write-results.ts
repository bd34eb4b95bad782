// Writes a run's output files under results/<UTC stamp>-<scenario>/, atomically (temp + rename),
// so a reader never sees a half-written file.

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `20261129T091503Z` from epoch ms. */
export function utcStamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Creates (if needed) and returns the folder for one run. */
export async function createRunFolder(resultsDir: string, scenarioName: string, epochMs: number): Promise<string> {
  const folder = join(resultsDir, `${utcStamp(epochMs)}-${scenarioName}`);
  await mkdir(folder, { recursive: true });
  return folder;
}

/** Writes `text` to `folder/name` via a temporary file and a rename. */
export async function writeFileAtomic(folder: string, name: string, text: string): Promise<string> {
  const file = join(folder, name);
  const temp = join(folder, `.${name}.${process.pid}.tmp`);
  await writeFile(temp, text, 'utf8');
  await rename(temp, file);
  return file;
}
