// `hcbench trend` on a folder of real saved runs: two runs of one scenario and one of another,
// made by `hcbench run` inside a git checkout, plus a foreign JSON file. The scenarios are kept
// apart, runs are in time order with the checkout's commit, the foreign file is skipped with a
// note, and the HTML draws one chart per scenario in headless Chromium, offline.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TrendGroup } from '../../src/analysis/trend.js';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const scenario = (name: string) => `name: ${name}
target: { kind: tcp-request-response }
paths: [{ kind: direct }, { kind: relay-emulated }]
workload: { kind: tcp-request-response, connections: 1 }
durationMs: 600
warmupMs: 100
`;

let dir = '';
let head = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-trend-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q');
  await writeFile(join(dir, 'alpha.yaml'), scenario('alpha'));
  await writeFile(join(dir, 'beta.yaml'), scenario('beta'));
  git('add', '.');
  git('commit', '-q', '-m', 'scenarios');
  head = git('rev-parse', 'HEAD');
  for (const name of ['alpha', 'beta', 'alpha']) {
    const run = await runCli(['run', join(dir, `${name}.yaml`), '--results-dir', 'results', '--json'], { cwd: dir });
    if (run.exitCode !== ExitCode.Ok && run.exitCode !== ExitCode.InvalidRun) throw new Error(`run ${name} exited ${run.exitCode}: ${run.stderr.slice(-1000)}`);
  }
  await mkdir(join(dir, 'results', 'junk'));
  await writeFile(join(dir, 'results', 'junk', 'package.json'), '{"name":"not-a-result"}');
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('hcbench trend on saved runs', () => {
  test('groups by scenario, orders by time with the commit, skips the foreign file with a note', async () => {
    const run = await runCli(['trend', 'results', '--json', '--html', 'trend.html'], { cwd: dir });

    expect(run.stderr).toContain('html: ');
    expect([ExitCode.Ok, ExitCode.Regression]).toContain(run.exitCode);
    const trend = JSON.parse(run.stdout) as { metric: string; groups: TrendGroup[]; notes: string[] };
    expect(trend.metric).toBe('overhead.roundTrip.p50');
    expect(trend.groups.map((g) => [g.scenario, g.runs.length])).toEqual([['alpha', 2], ['beta', 1]]);
    const alpha = trend.groups[0]!;
    expect(Date.parse(alpha.runs[0]!.startedAt)).toBeLessThan(Date.parse(alpha.runs[1]!.startedAt));
    expect(alpha.runs.every((r) => r.gitCommit === head)).toBe(true);
    expect(alpha.subjects).toEqual(['tcp-request-response: relay-emulated vs direct']);
    expect(alpha.runs.every((r) => typeof r.values[alpha.subjects[0]!] === 'number')).toBe(true);
    expect(alpha.runs[1]!.compare?.reasons).toEqual([]);
    // The exit code follows the newest run's compare verdict, whatever the machine's noise made it.
    expect(run.exitCode).toBe(trend.groups.some((g) => g.runs.at(-1)?.compare?.verdict === 'regressed') ? ExitCode.Regression : ExitCode.Ok);
    expect(trend.notes).toHaveLength(1);
    expect(trend.notes[0]).toMatch(/^results\/junk\/package\.json: skipped \(not an hcbench result/);
    const text = await runCli(['trend', 'results'], { cwd: dir });
    expect(text.stdout).toMatch(/^alpha \(fingerprint [0-9a-f]{16}\): overhead\.roundTrip\.p50, 2 runs$/m);
    expect(text.stdout).toContain(head.slice(0, 10));
    expect(text.stdout).toContain('note: results/junk/package.json: skipped');
  });

  test('a missing folder or an unknown metric is a usage error without a stack', async () => {
    for (const args of [['trend', 'nowhere'], ['trend', 'results', '--metric', 'relay.nope']]) {
      const run = await runCli(args, { cwd: dir });
      expect(run.exitCode).toBe(ExitCode.Usage);
      expect(run.stderr).toMatch(/error\[ERR_USAGE\]/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test.skipIf(!existsSync(CHROMIUM))('the HTML draws one chart per scenario in headless Chromium, offline', { timeout: 90_000 }, async () => {
    const file = join(dir, 'trend-chart.html');
    const made = await runCli(['trend', 'results', '--html', file], { cwd: dir });
    expect(made.stderr).toContain(`html: ${file}`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      timeout: 30_000,
    });
    try {
      const page = await browser.newPage();
      const url = pathToFileURL(file).href;
      const problems: string[] = [];
      page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => r.url() !== url && problems.push(`request ${r.url()}`));
      await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
      await page.waitForFunction(() => Array.isArray((globalThis as unknown as { hcbenchTrend?: unknown }).hcbenchTrend), undefined, { timeout: 10_000 });
      const charts = await page.evaluate(() => {
        const g = globalThis as unknown as { hcbenchTrend: { id: string; series: string[]; points: number }[]; document: { querySelectorAll(s: string): { length: number } } };
        return g.hcbenchTrend.map((c) => ({ id: c.id, series: c.series, points: c.points, canvases: g.document.querySelectorAll(`#${c.id} canvas`).length }));
      });

      expect(problems).toEqual([]);
      expect(charts.map((c) => [c.id, c.points, c.canvases])).toEqual([['trend-0', 2, 1], ['trend-1', 1, 1]]);
      // alpha has two runs, so a noise band (two dashed lines) besides its line; beta has one run, no band.
      expect(charts[0]!.series).toEqual(['tcp-request-response: relay-emulated vs direct', 'tcp-request-response: relay-emulated vs direct noise band +2 sd', 'tcp-request-response: relay-emulated vs direct noise band −2 sd']);
      expect(charts[1]!.series).toEqual(['tcp-request-response: relay-emulated vs direct']);
      expect(await readFile(file, 'utf8')).toContain('results/junk/package.json: skipped');
    } finally {
      await browser.close();
    }
  });
});
