// Writes a run's output files under results/<UTC stamp>-<scenario>/, atomically (temp + rename),
// so a reader never sees a half-written file. File-system failures become OutputWriteError (exit 11).

import { join } from 'node:path';
import { makeDirectory } from '../fs/write-output.js';

export { writeFileAtomic } from '../fs/write-output.js';

/** `20261129T091503Z` from epoch ms. */
export function utcStamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Creates (if needed) and returns the folder for one run; OutputWriteError when it cannot. */
export async function createRunFolder(resultsDir: string, scenarioName: string, epochMs: number): Promise<string> {
  const folder = join(resultsDir, `${utcStamp(epochMs)}-${scenarioName}`);
  await makeDirectory(folder);
  return folder;
}
