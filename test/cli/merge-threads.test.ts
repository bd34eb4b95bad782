// `hcbench merge` of more shards than one thread folds alone (cli/merge-fold.ts): worker threads
// fold shares of the histograms. The merged result is the one-thread fold's, bucket for bucket,
// and refusals name the same file as one thread would, whichever thread folded it: the first
// refusal in file order wins. In-process (TS source, workers through tsx) and the built CLI, with
// one worker asked for (HCBENCH_MERGE_WORKERS): by default workers start only with a spare core.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeShardResults } from '../../bench/lib/shard-results.js';
import { createShardMerger } from '../../src/analysis/shard-merge.js';
import { loadResultFile } from '../../src/cli/result-file.js';
import { ExitCode } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
import { runCli } from '../helpers/cli.js';

/** Above the 12 files one thread folds alone. */
const SHARDS = 16;
const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
const ENV = { HCBENCH_MERGE_WORKERS: '1' };

let dir = '';
let files: string[] = [];
/** The one-thread fold of every file, as the merge command folded before threads. */
let expected: RunResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-merge-threads-'));
  files = writeShardResults(dir, SHARDS, 7).files;
  const merger = createShardMerger();
  for (const file of files) merger.add(await loadResultFile('/', file, { skipHistogramCheck: true }), file);
  expected = merger.finish();
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `files` with shard `index` (1-based) replaced by an edited copy named `name`. */
async function withEdited(index: number, name: string, edit: (r: RunResult) => void): Promise<string[]> {
  const result = JSON.parse(await readFile(files[index - 1] as string, 'utf8')) as RunResult;
  edit(result);
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(result));
  return files.map((f, i) => (i === index - 1 ? path : f));
}

/** Breaks the encoding of step `step`'s interval 5. */
const damage = (step: number) => (r: RunResult): void => {
  const s = r.steps[step];
  if (s !== undefined && s.status !== 'failed' && s.metrics.intervals?.[5] !== undefined) s.metrics.intervals[5].roundTrip = 'AAAA';
};

describe(`merge of ${SHARDS} shards, folded by worker threads`, () => {
  test('equals the one-thread fold: every histogram and interval histogram bucket for bucket, counters, the whole result', async () => {
    const out = join(dir, 'merged.json');
    const run = await runCli(['merge', ...files, '--out', out], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(ExitCode.Ok);
    const merged = JSON.parse(await readFile(out, 'utf8')) as RunResult;
    expect(merged.steps.length).toBe(2);
    for (const [i, step] of merged.steps.entries()) {
      const want = expected.steps[i];
      if (step.status === 'failed' || want === undefined || want.status === 'failed') throw new Error(`step ${i} failed`);
      expect(step.metrics.intervals?.length).toBe(150);
      expect(step.metrics.intervals).toEqual(want.metrics.intervals);
      expect(step.metrics.histograms).toEqual(want.metrics.histograms);
      expect(step.metrics.counters.roundTrips).toBe(SHARDS * 150 * 400);
    }
    expect(JSON.stringify(merged.steps)).toBe(JSON.stringify(expected.steps));
    expect(merged.merge?.shards.map((s) => s.index)).toEqual(Array.from({ length: SHARDS }, (_, i) => i + 1));
  });

  test('the built CLI (workers from dist) writes the same merged steps', async () => {
    const out = join(dir, 'merged-dist.json');
    await promisify(execFile)(process.execPath, [BIN, 'merge', ...files, '--out', out], { timeout: 60_000, env: { ...process.env, ...ENV } });
    const merged = JSON.parse(await readFile(out, 'utf8')) as RunResult;
    expect(JSON.stringify(merged.steps)).toBe(JSON.stringify(expected.steps));
  });

  // Files 2.. alternate between the workers and this thread (every (W + 2)-th): damage several, so both are covered.
  test.each([2, 3, 4, 9, 14])('a bad interval histogram in shard %i: exit 2 naming that file and the step', async (index) => {
    const run = await runCli(['merge', ...(await withEdited(index, `damaged-${index}.json`, damage(1))), '--out', join(dir, 'never.json')], { env: ENV });
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(new RegExp(`damaged-${index}\\.json: steps\\.1 \\([^)]+\\): a histogram`));
  });

  test('the first refusal in file order wins: a bad histogram in shard 5 before a foreign shard 11', async () => {
    const edited = await withEdited(5, 'damaged-early.json', damage(0));
    const foreign = JSON.parse(await readFile(files[10] as string, 'utf8')) as RunResult;
    foreign.scenario = { ...foreign.scenario, name: 'another' };
    const foreignPath = join(dir, 'foreign.json');
    await writeFile(foreignPath, JSON.stringify(foreign));
    edited[10] = foreignPath;
    const run = await runCli(['merge', ...edited, '--out', join(dir, 'never.json')], { env: ENV });
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(/damaged-early\.json: steps\.0/);
    // Alone, the foreign shard is refused as a mismatch (exit 9) naming it.
    const alone = await runCli(['merge', ...files.map((f, i) => (i === 10 ? foreignPath : f)), '--out', join(dir, 'never.json')], { env: ENV });
    expect(alone.exitCode).toBe(ExitCode.Incomparable);
    expect(alone.stderr).toContain('foreign.json');
  });

  test('an unreadable file among them: exit 2 naming it', async () => {
    const garbage = join(dir, 'garbage.json');
    await writeFile(garbage, '{"not": "a result"');
    const run = await runCli(['merge', ...files.map((f, i) => (i === 12 ? garbage : f)), '--out', join(dir, 'never.json')], { env: ENV });
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toContain('garbage.json');
  });
});
