// `npm run bench:compare -- A.json B.json`: whether two bench runs (bench/results/*.json) give the
// same results, entry by entry, within the noise each run showed (bench/lib/compare-runs.ts).
// Exit 0 when every entry both runs measured is the same, 1 when one differs, 2 on a bad file.

import { ExitCode, HarnessError } from '../src/errors.js';
import { readInputFile } from '../src/fs/read-input.js';
import { compareRuns } from './lib/compare-runs.js';
import { parseBenchResult } from './lib/result-files.js';

async function load(path: string): Promise<ReturnType<typeof parseBenchResult>> {
  const read = await readInputFile(path, 'result');
  if (!read.ok) throw new HarnessError('ERR_RESULT_INVALID', ExitCode.Usage, `${path}: ${read.reason}`);
  return parseBenchResult(read.bytes.toString('utf8'), path);
}

const [fileA, fileB] = process.argv.slice(2);
if (fileA === undefined || fileB === undefined) {
  process.stderr.write('usage: npm run bench:compare -- A.json B.json\n');
  process.exit(2);
}
try {
  const [a, b] = await Promise.all([load(fileA), load(fileB)]);
  process.stdout.write(`A: ${fileA} (${a.startedAt}, load ${a.machine.loadAverage1m ?? '?'})\nB: ${fileB} (${b.startedAt}, load ${b.machine.loadAverage1m ?? '?'})\n`);
  const rows = compareRuns(a.entries, b.entries);
  for (const row of rows) process.stdout.write(`  ${row.line}\n`);
  const differs = rows.filter((r) => r.verdict === 'differs' || r.verdict === 'status').length;
  process.stdout.write(differs === 0 ? 'same results: every entry within its noise\n' : `${differs} entr${differs === 1 ? 'y differs' : 'ies differ'}\n`);
  process.exitCode = differs === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
