// Writes a finished run's outputs (result folder files, --junit, --md) so that one failing write
// never loses the measurement: every output is tried, and when summary.json did not reach its
// folder the result is saved to a temporary folder instead (or printed). CLI layer: writes stderr.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputWriteError } from '../errors.js';
import { writeFileAtomic, writeOutputFile } from '../fs/write-output.js';
import { REPORT_FILE_NAMES } from '../report/index.js';
import type { CliIo } from './io.js';

/** One output to write: a file in the run folder, or a path the user named (relative to cwd). */
export type RunOutput = { folder: string; name: string; text: string } | { path: string; label: string; text: string };

/** Bounds one write (by Ctrl-C and a deadline); its rejection other than OutputWriteError ends the writing. */
export type BoundWrite = <T>(work: Promise<T>, what: string) => Promise<T>;

/**
 * Writes every output, reporting each written file (and the run folder, once complete) on stderr. Returns the write failures (already
 * reported). When `resultJson` was not saved by one of `outputs`, saves it to a fresh temporary
 * folder and says where; if even that fails, prints it to stdout unless `isJsonOnStdout`.
 */
export async function writeRunOutputs(
  io: CliIo,
  outputs: readonly RunOutput[],
  resultJson: string,
  isJsonOnStdout: boolean,
  bound: BoundWrite = (work) => work,
): Promise<OutputWriteError[]> {
  const failures: OutputWriteError[] = [];
  let isResultSaved = false;
  let folderFailed = false;
  for (const [index, output] of outputs.entries()) {
    try {
      if ('folder' in output) {
        await bound(writeFileAtomic(output.folder, output.name, output.text), join(output.folder, output.name));
        if (output.name === REPORT_FILE_NAMES.json) isResultSaved = true;
        const next = outputs[index + 1];
        // The run folder is complete: say so before any --junit/--md output is attempted.
        if (!folderFailed && (next === undefined || !('folder' in next))) io.stderr.write(`results: ${output.folder}\n`);
      } else {
        io.stderr.write(`${output.label}: ${await bound(writeOutputFile(io.cwd, output.path, output.text), output.path)}\n`);
      }
    } catch (error) {
      if (!(error instanceof OutputWriteError)) throw error;
      failures.push(error);
      if ('folder' in output) folderFailed = true;
      io.stderr.write(`error[${error.code}]: ${error.message}\n`);
    }
  }
  if (failures.length === 0 || isResultSaved) return failures;
  try {
    const folder = await mkdtemp(join(tmpdir(), 'hcbench-result-'));
    io.stderr.write(`result saved instead to: ${await bound(writeFileAtomic(folder, REPORT_FILE_NAMES.json, resultJson), folder)}\n`);
  } catch {
    if (!isJsonOnStdout) {
      io.stderr.write('result could not be saved anywhere; its JSON follows on stdout\n');
      io.stdout.write(resultJson);
    }
  }
  return failures;
}
