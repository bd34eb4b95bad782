// docs/examples/github-actions-sharded.yml: parses as YAML, runs one matrix job per shard with the
// exact `hcbench run <scenario> --shard I/N --start-at <one shared value>` form, merges in a final
// job with `hcbench merge … --out merged.json [--allow-partial]`, and is the very text docs/ci.md shows.

import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const EXAMPLE = 'docs/examples/github-actions-sharded.yml';

type Step = { run?: string; uses?: string; with?: Record<string, unknown>; if?: string };
type Job = { needs?: string | string[]; if?: string; steps: Step[]; strategy?: { 'fail-fast'?: boolean; matrix: Record<string, unknown[]> }; outputs?: Record<string, string> };

async function workflow(): Promise<{ env: Record<string, string | number>; jobs: Record<string, Job> }> {
  return parse(await readFile(EXAMPLE, 'utf8'));
}

/** A step's shell with the GitHub expressions replaced by the values a run would give them. */
function expand(script: string, values: Record<string, string>): string {
  return script.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const value = values[expr];
    if (value === undefined) throw new Error(`no value for \${{ ${expr} }}`);
    return value;
  });
}

describe('GitHub Actions sharded recipe', () => {
  test('one matrix job per shard, each running the same scenario as shard I/N from one shared start', async () => {
    const { env, jobs } = await workflow();
    const shards = Number(env['SHARDS']);
    const shard = jobs['shard'];
    expect(shard?.strategy?.matrix['shard']).toEqual(Array.from({ length: shards }, (_, i) => i + 1));
    expect(shard?.strategy?.['fail-fast']).toBe(false);
    expect(shard?.needs).toBe('plan');
    expect(jobs['plan']?.outputs?.['start-at']).toBe('${{ steps.start.outputs.start-at }}');
    // The scenario the recipe names is a valid one.
    expect((await runCli(['validate', String(env['SCENARIO'])])).exitCode).toBe(ExitCode.Ok);
    const run = shard?.steps.find((s) => s.run?.includes('--shard'))?.run ?? '';
    const startAt = '2026-11-30T13:00:00Z';
    for (let i = 1; i <= shards; i += 1) {
      const script = expand(run, { 'matrix.shard': String(i), 'env.SHARDS': String(shards), 'needs.plan.outputs.start-at': startAt });
      expect(script).toContain(`node dist/cli/bin.js run "$SCENARIO" --shard ${i}/${shards}`);
      expect(script).toContain(`--start-at ${startAt} `);
      expect(script).toContain(`--json > shard-${i}.json`);
      const syntax = spawnSync('sh', ['-n', '-c', script], { encoding: 'utf8' });
      expect(syntax.status, syntax.stderr).toBe(0);
    }
    const upload = shard?.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.['path']).toBe('shard-${{ matrix.shard }}.json');
  });

  test('the final job waits for every shard, merges them all, and asks for --allow-partial only when a shard failed', async () => {
    const { jobs } = await workflow();
    const merge = jobs['merge'];
    expect(merge?.needs).toBe('shard');
    expect(merge?.if).toBe('always()');
    const download = merge?.steps.find((s) => s.uses?.startsWith('actions/download-artifact'));
    expect(download?.with).toMatchObject({ pattern: 'shard-*', path: 'shards', 'merge-multiple': true });
    const script = merge?.steps.find((s) => s.run?.includes(' merge '))?.run ?? '';
    expect(script).toContain('node dist/cli/bin.js merge shards/shard-*.json --out merged.json $partial');
    for (const [result, flag] of [['success', ''], ['failure', '--allow-partial']] as const) {
      const expanded = expand(script, { 'needs.shard.result': result }).replace('node dist/cli/bin.js merge', 'printf "%s\\n" merge');
      const out = spawnSync('sh', ['-c', expanded], { encoding: 'utf8' });
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout.trim().split('\n').at(-1)).toBe(flag === '' ? 'merged.json' : flag);
    }
  });

  test('docs/ci.md shows exactly this file', async () => {
    const doc = await readFile('docs/ci.md', 'utf8');
    expect(doc).toContain('```yaml\n' + (await readFile(EXAMPLE, 'utf8')) + '```');
  });
});
