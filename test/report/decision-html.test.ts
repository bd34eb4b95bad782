// The decision page in headless Chromium (issue #17): verdict, waterfall and what-if render from a
// real run's result; changing an input in the page (typing, choosing, unticking) changes the
// projected figure; the page makes no request. A failed test leaves a screenshot in
// results/test-artifacts/ (CI uploads results/).

import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import type { RunResult } from '../../src/metrics/result.js';
import { renderHtml } from '../../src/report/html.js';

const ARTEFACTS = fileURLToPath(new URL('../../results/test-artifacts/', import.meta.url));

/** A real run (test/fixtures/results/decision.yaml): region network, 60 ms budget, two relay placements, k = 1, 3. */
const loadDecisionRun = (): RunResult =>
  JSON.parse(readFileSync(new URL('../fixtures/results/decision-run.json', import.meta.url), 'utf8')) as RunResult;

let browser: Browser | undefined;

interface Opened {
  page: Page;
  consoleErrors: string[];
  requests: string[];
}

/** Opens `html` from a file: URL in a fresh context; a failing test saves a screenshot of it. */
async function open(html: string, name: string): Promise<Opened> {
  if (browser === undefined) throw new Error('chromium was not launched');
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-decision-'));
  const file = join(dir, 'report.html');
  await writeFile(file, html);
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  // One hook, in this order: the screenshot needs the page, so it comes before the context closes.
  onTestFinished(async ({ task }) => {
    try {
      if (task.result?.state === 'fail') {
        await mkdir(ARTEFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTEFACTS, `decision-${name}.png`), fullPage: true, timeout: 10_000 });
      }
    } finally {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
  const url = pathToFileURL(file).href;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => r.url() !== url && requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  await page.waitForFunction(() => (globalThis as unknown as { hcbenchWhatIf?: unknown }).hcbenchWhatIf !== undefined, undefined, { timeout: 10_000 });
  return { page, consoleErrors, requests };
}

const ms = (text: string | null): number => {
  const match = /(-?[\d.]+) ms/.exec(text ?? '');
  if (match === null) throw new Error(`no "… ms" figure in ${JSON.stringify(text)}`);
  return Number(match[1]);
};

describe.skipIf(!hasChromium)('decision page in headless Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  test('verdict and waterfall render: sentence, budget rows per path, one stacked bar per path with visible segments', { timeout: 60_000 }, async () => {
    const { page, consoleErrors, requests } = await open(renderHtml(loadDecisionRun()), 'verdict');

    const sentence = await page.textContent('#verdict-sentence');
    expect(sentence).toContain('Hybrid Connection via relay-emulated (relay in West Europe)');
    expect(sentence).toContain('60 ms p99 budget');
    expect(sentence).toContain('emulated relay');
    expect(await page.locator('#verdict-budget tbody tr').count()).toBe(3);
    expect(await page.locator('#verdict-ranking tbody tr').count()).toBe(2);
    // Every compared variant (k = 1 and k = 3) has its verdict: one row per path each, the variant named on its first row.
    expect(await page.textContent('#verdict-detail')).toContain('the first of 2 compared variants in detail');
    const variants = await page.$$eval('#verdict-variants tbody tr', (rows) => rows.map((r) => (r as unknown as { textContent: string }).textContent));
    expect(variants).toHaveLength(6);
    expect(variants[0]).toContain('orders[roundTripsPerTransaction=1]');
    expect(variants[3]).toContain('orders[roundTripsPerTransaction=3]');
    const bars = await page.$$eval('#waterfall .bar-row', (rows) =>
      rows.map((row) => ({
        path: (row as unknown as { dataset: { path: string } }).dataset.path,
        widths: [...(row as unknown as { querySelectorAll(s: string): Iterable<{ getBoundingClientRect(): { width: number } }> }).querySelectorAll('.seg')].map((s) => s.getBoundingClientRect().width),
      })),
    );
    expect(bars.map((b) => b.path)).toEqual(['direct', 'relay-emulated', 'relay-north-europe']);
    for (const bar of bars) {
      expect(bar.widths.length).toBeGreaterThan(0);
      expect(bar.widths.every((w) => w > 0)).toBe(true);
    }
    // The slower placement's bar is wider than the near one's (same scale for every path).
    const total = (i: number) => bars[i]!.widths.reduce((a, b) => a + b, 0);
    expect(total(2)).toBeGreaterThan(total(1));
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
  });

  test('what-if: typing k, choosing a relay region and unticking pooling each change the projected figure; no request', { timeout: 60_000 }, async () => {
    const { page, consoleErrors, requests } = await open(renderHtml(loadDecisionRun()), 'whatif');
    const relayMean = () => page.textContent('#whatif-mean-relay-emulated').then(ms);

    const atMeasured = await relayMean();
    expect(await page.textContent('#whatif-notes')).not.toContain('extrapolating');

    await page.fill('#whatif-k', '40');
    const atForty = await relayMean();
    expect(atForty).toBeGreaterThan(atMeasured);
    expect(await page.textContent('#whatif-notes')).toContain('extrapolating: k = 40 is outside the measured k = 1–3');

    await page.selectOption('#whatif-relay', 'East US');
    const farRelay = await relayMean();
    expect(farRelay).toBeGreaterThan(atForty);
    expect(await page.textContent('#whatif-rtt-relay-emulated')).not.toBe(await page.textContent('#whatif-rtt-direct'));

    await page.uncheck('#whatif-pooling');
    expect(await relayMean()).toBeGreaterThan(farRelay);
    expect(await page.textContent('#whatif-notes')).toContain('without pooling');
    // The budget column follows: 40 round trips across the Atlantic cannot meet 60 ms.
    expect(await page.textContent('#whatif-budget-relay-emulated')).toMatch(/^misses/);

    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
  });

  test('what-if without pooling: a farther relay moves the connection setup too, by the round trips of each leg it holds', { timeout: 60_000 }, async () => {
    const { page, consoleErrors } = await open(renderHtml(loadDecisionRun()), 'whatif-setup');
    type Figures = { k: number; paths: Record<string, { meanUs: number; rttMs: number; setupUs: number | null }> };
    const figures = () => page.evaluate(() => (globalThis as unknown as { hcbenchWhatIf: Figures }).hcbenchWhatIf);
    await page.uncheck('#whatif-pooling');
    const near = await figures();
    await page.selectOption('#whatif-relay', 'East US');
    const far = await figures();

    const before = near.paths['relay-emulated']!;
    const after = far.paths['relay-emulated']!;
    expect(after.rttMs).toBeGreaterThan(before.rttMs);
    // The rendezvous holds a round trip of each leg, so the setup grows with the legs.
    expect(after.setupUs!).toBeGreaterThan(before.setupUs!);
    // The mean moves by k round trips of the new distance plus exactly the setup's shift.
    expect(after.meanUs - before.meanUs).toBeCloseTo(far.k * (after.rttMs - before.rttMs) * 1000 + (after.setupUs! - before.setupUs!), 3);
    // The direct path's legs did not move, nor its setup.
    expect(far.paths['direct']!.setupUs).toBe(near.paths['direct']!.setupUs);
    expect(consoleErrors).toEqual([]);
  });
});
