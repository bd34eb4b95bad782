import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { loadQuickstartFixture, loadSweepFixture } from './fixture.js';


interface DrawnChart {
  id: string;
  series: string[];
  paths: string[];
  canvases: number;
  plotSeries: number;
}

let browser: Browser | undefined;

function sharedBrowser(): Browser {
  if (browser === undefined) throw new Error('chromium was not launched');
  return browser;
}

/** Opens the report in headless Chromium from a file: URL; returns what it drew and every problem seen. */
async function openReport(html: string): Promise<{ charts: DrawnChart[]; consoleErrors: string[]; requests: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-html-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.html');
  await writeFile(file, html);
  const context = await sharedBrowser().newContext();
  onTestFinished(() => context.close());
  const page = await context.newPage();
  const pageUrl = pathToFileURL(file).href;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('request', (request) => {
    if (request.url() !== pageUrl) requests.push(request.url());
  });
  await page.goto(pageUrl, { waitUntil: 'load', timeout: 30_000 });
  // The callbacks run in the page; the test's tsconfig has no DOM types, hence the narrow casts.
  await page.waitForFunction(() => Array.isArray((globalThis as unknown as { hcbenchCharts?: unknown }).hcbenchCharts), undefined, { timeout: 10_000 });
  const charts = await page.evaluate(() => {
    const page = globalThis as unknown as {
      hcbenchCharts: { id: string; series: string[]; paths: string[]; plot: { series: unknown[] } }[];
      document: { querySelectorAll(selector: string): { length: number } };
    };
    return page.hcbenchCharts.map((c) => ({
      id: c.id,
      series: c.series,
      paths: c.paths,
      canvases: page.document.querySelectorAll(`#${c.id} canvas`).length,
      plotSeries: c.plot.series.length,
    }));
  });
  return { charts, consoleErrors, requests };
}

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  // One browser for this file (launching costs seconds on a loaded machine); a fresh context per test.
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  test('renders offline with no console errors and no requests; every chart draws both paths', { timeout: 60_000 }, async () => {
    const html = renderHtml(loadSweepFixture());

    const { charts, consoleErrors, requests } = await openReport(html);

    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual(['nines-0', 'nines-1', 'fit-0', 'time-0', 'time-1']);
    for (const chart of charts) {
      expect(chart.canvases).toBe(1);
      expect(chart.plotSeries).toBe(chart.series.length + 1);
      expect(chart.paths).toContain('direct');
      expect(chart.paths).toContain('relay-emulated');
    }
    expect(charts[0]!.series).toEqual(['direct', 'relay-emulated']);
    expect(charts[2]!.series).toEqual([
      'direct measured', 'relay-emulated measured', 'direct fit', 'relay-emulated fit', 'overhead (relay − direct) measured', 'overhead fit',
    ]);
  });

  test('negative control: a page that fetches or throws is caught by the same checks', { timeout: 60_000 }, async () => {
    const html = renderHtml(loadQuickstartFixture()).replace(
      '</body>',
      '<img src="http://127.0.0.1:9/pixel.png"><script>throw new Error("boom")</script></body>',
    );

    const { consoleErrors, requests } = await openReport(html);

    // The CSP blocks the fetch before it leaves the page (a console error), or it shows as a request.
    expect(consoleErrors.length + requests.length).toBeGreaterThanOrEqual(2);
    expect(consoleErrors.join('\n')).toContain('boom');
  });

  test('a real run without intervals or sweep still renders its distribution and timeline', { timeout: 60_000 }, async () => {
    const { charts, consoleErrors, requests } = await openReport(renderHtml(loadQuickstartFixture()));

    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual(['nines-0', 'time-0']);
  });
});

describe('HTML report text', () => {
  test('is self-contained: uPlot inlined, no external URLs in src/href, a CSP that blocks fetches', () => {
    const html = renderHtml(loadSweepFixture());

    expect(html).toContain('uPlot (v1.6.32)');
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('connection-churn@relay-emulated');
  });

  test('shows the topology and threshold verdicts when the result has them', () => {
    const result = loadSweepFixture();
    result.topology = { network: { name: 'same-region', profile: {} }, paths: [{ id: 'direct', kind: 'direct', direct: { oneWayDelayMs: 5 } }], target: {} };
    result.thresholds = [{ threshold: 'roundTrip.p99 < 2ms', subject: 'x@relay-emulated', status: 'failed', observed: 2500, limit: 2000, unit: 'us', message: 'roundtrip.p99 2500 us, must be < 2000 us' }];

    const html = renderHtml(result);

    expect(html).toContain('<h3>topology (network profile, paths, target)</h3>');
    expect(html).toContain('&quot;oneWayDelayMs&quot;: 5');
    expect(html).toContain('<td>roundTrip.p99 &lt; 2ms</td><td>x@relay-emulated</td><td>failed</td>');
  });

  test('data embedded in the page cannot close its script element', () => {
    const result = loadSweepFixture();
    result.scenario.description = '</script><script>alert(1)</script>';

    const html = renderHtml(result);

    expect(html).not.toContain('<script>alert(1)');
  });
});
