// Reads a result file (summary.json, or a run folder standing for it) named on the command line
// through the shared input checks, then parses and validates it once for every command.

import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, HarnessError } from '../errors.js';
import { readInputFile } from '../fs/read-input.js';
import type { RunResult } from '../metrics/result.js';
import { REPORT_FILE_NAMES } from '../report/index.js';
import { ERR_RESULT_INVALID, parseRunResult } from '../report/parse-result.js';

/**
 * Loads `file` (relative to `cwd`) as a result: a regular file of at most 64 MiB, or a directory
 * holding `summary.json` when `allowFolder`. Throws ERR_RESULT_INVALID (exit 2) naming the file.
 */
export async function loadResultFile(cwd: string, file: string, options: { allowFolder?: boolean; skipHistogramCheck?: boolean } = {}): Promise<RunResult> {
  let path = resolve(cwd, file);
  if (options.allowFolder === true) {
    // stat (not open) never blocks, whatever the path is; a run folder stands for its summary.json.
    const isFolder = await stat(path).then((s) => s.isDirectory(), () => false);
    if (isFolder) path = join(path, REPORT_FILE_NAMES.json);
  }
  const read = await readInputFile(path, 'result');
  if (!read.ok) {
    throw new HarnessError(ERR_RESULT_INVALID, ExitCode.Usage, `${file}: ${read.reason}`, {
      hint: 'pass the summary.json of a run folder, e.g. results/<stamp>-<scenario>/summary.json',
    });
  }
  return parseRunResult(read.bytes.toString('utf8'), file, { skipHistogramCheck: options.skipHistogramCheck === true });
}
