import { describe, expect, test } from 'vitest';
import { renderConsole } from '../../src/report/console.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderCsv, CSV_COLUMNS } from '../../src/report/csv.js';
import { renderReport, REPORT_FORMATS } from '../../src/report/index.js';
import { loadQuickstartFixture, loadSweepFixture } from './fixture.js';

describe('console', () => {
  test('renders the sweep fixture side by side with confidence intervals, verdicts and warnings', () => {
    const text = renderConsole(loadSweepFixture());

    expect(text).toMatchInlineSnapshot(`
      "hcbench · sweep · failed
      Round-trip sweep k = 1, 5 on both paths, two repetitions.

      tcp-request-response[roundTripsPerTransaction=1]  (direct vs relay-emulated, n=2 repetitions, 1.0 s measured per path)
                           direct   relay-emulated                      Δ [95% CI]                  ratio
      roundTrip p50        310 µs          1.12 ms      +814 µs [+809 µs, +818 µs]   ×3.63 [×3.58, ×3.68]
      roundTrip p90        377 µs          1.36 ms     +984 µs [+952 µs, +1.02 ms]   ×3.61 [×3.43, ×3.80]
      roundTrip p99        431 µs          1.57 ms   +1.14 ms [+1.12 ms, +1.16 ms]   ×3.64 [×3.44, ×3.88]
      roundTrip p99.9      431 µs          1.57 ms   +1.14 ms [+1.12 ms, +1.16 ms]   ×3.64 [×3.44, ×3.88]
      roundTrip max        431 µs          1.57 ms   +1.14 ms [+1.12 ms, +1.16 ms]   ×3.64 [×3.44, ×3.88]
      transaction p50      410 µs          2.02 ms   +1.61 ms [+1.61 ms, +1.62 ms]   ×4.94 [×4.88, ×5.00]
      transaction p90      477 µs          2.26 ms   +1.78 ms [+1.75 ms, +1.82 ms]   ×4.74 [×4.57, ×4.92]
      transaction p99      531 µs          2.47 ms   +1.94 ms [+1.92 ms, +1.96 ms]   ×4.66 [×4.44, ×4.90]
      transaction p99.9    531 µs          2.47 ms   +1.94 ms [+1.92 ms, +1.96 ms]   ×4.66 [×4.44, ×4.90]
      transaction max      531 µs          2.47 ms   +1.94 ms [+1.92 ms, +1.96 ms]   ×4.66 [×4.44, ×4.90]
      connect p50           80 µs           120 µs         +40 µs [+40 µs, +40 µs]   ×1.50 [×1.50, ×1.50]
      connect p99           80 µs           120 µs         +40 µs [+40 µs, +40 µs]   ×1.50 [×1.50, ×1.50]
      transactions/s         40/s             30/s                           -10/s   ×0.75 [×0.75, ×0.75]
      transactions             80               60
      connections opened        2                2
      errors                    0                2

      tcp-request-response[roundTripsPerTransaction=5]  (direct vs relay-emulated, n=2 repetitions, 1.0 s measured per path)
                            direct   relay-emulated                      Δ [95% CI]                  ratio
      roundTrip p50         296 µs          1.12 ms      +820 µs [+816 µs, +824 µs]   ×3.77 [×3.77, ×3.77]
      roundTrip p90         376 µs          1.34 ms      +964 µs [+960 µs, +968 µs]   ×3.56 [×3.53, ×3.60]
      roundTrip p99         423 µs          1.55 ms   +1.13 ms [+1.05 ms, +1.21 ms]   ×3.67 [×3.48, ×3.85]
      roundTrip p99.9       453 µs          1.64 ms   +1.19 ms [+1.07 ms, +1.31 ms]   ×3.62 [×3.25, ×4.03]
      roundTrip max         453 µs          1.64 ms   +1.19 ms [+1.07 ms, +1.31 ms]   ×3.62 [×3.25, ×4.03]
      transaction p50      1.59 ms          6.38 ms   +4.80 ms [+4.79 ms, +4.80 ms]   ×4.03 [×4.01, ×4.04]
      transaction p90      1.71 ms          6.99 ms   +5.28 ms [+5.21 ms, +5.34 ms]   ×4.08 [×3.99, ×4.17]
      transaction p99      1.92 ms          7.33 ms   +5.41 ms [+5.40 ms, +5.42 ms]   ×3.81 [×3.77, ×3.85]
      transaction p99.9    1.92 ms          7.33 ms   +5.41 ms [+5.40 ms, +5.42 ms]   ×3.81 [×3.77, ×3.85]
      transaction max      1.92 ms          7.33 ms   +5.41 ms [+5.40 ms, +5.42 ms]   ×3.81 [×3.77, ×3.85]
      connect p50            80 µs           120 µs         +40 µs [+40 µs, +40 µs]   ×1.50 [×1.50, ×1.50]
      connect p99            80 µs           120 µs         +40 µs [+40 µs, +40 µs]   ×1.50 [×1.50, ×1.50]
      transactions/s          40/s             30/s                           -10/s   ×0.75 [×0.75, ×0.75]
      transactions              80               60
      connections opened         2                2
      errors                     0                0

      » tcp-request-response[roundTripsPerTransaction=1]: relay-emulated adds +814 µs [+809 µs, +818 µs] per round trip at p50 over direct (×3.63 [×3.58, ×3.68]), +1.61 ms [+1.61 ms, +1.62 ms] per transaction (n=2, indicative interval)
      » tcp-request-response[roundTripsPerTransaction=1]: connection setup (TCP connect, p50) +40 µs [+40 µs, +40 µs]
      » tcp-request-response[roundTripsPerTransaction=5]: relay-emulated adds +820 µs [+816 µs, +824 µs] per round trip at p50 over direct (×3.77 [×3.77, ×3.77]), +4.80 ms [+4.79 ms, +4.80 ms] per transaction (n=2, indicative interval)
      » tcp-request-response[roundTripsPerTransaction=5]: connection setup (TCP connect, p50) +40 µs [+40 µs, +40 µs]
      » tcp-request-response: per round trip relay-emulated adds +805 µs [+759 µs, +851 µs] over direct, fixed cost per transaction +805 µs [+702 µs, +909 µs] (fit over k = 1, 5)
      » projection for 1 round trip per transaction (direct RTT 0 ms, relay legs 0 + 0 + 0 ms; from fit): direct 409 µs [390 µs, 428 µs], relay 2.02 ms [1.95 ms, 2.09 ms], difference +1.61 ms [+1.53 ms, +1.69 ms]
      emulation error: not recorded in this result (written before hcbench measured it)
      ! tcp-request-response[roundTripsPerTransaction=1]@relay-emulated: errors reset=2
      ! connection-churn@relay-emulated failed: ERR_WORKLOAD relay refused the listener
      method: relay − direct: mean of per-repetition paired deltas; 95% percentile-bootstrap interval over repetitions (2000 resamples, seed 1); n=1 gives no interval, n<5 is indicative only
      "
    `);
  });

  test('a sweep of more than two variants is one compact row per variant, with the fit verdict only', () => {
    const result = loadSweepFixture();
    const extra = result.steps
      .filter((s) => s.stepId.includes('roundTripsPerTransaction=5'))
      .map((s) => ({ ...s, stepId: s.stepId.replace('=5]', '=20]'), variant: { roundTripsPerTransaction: 20 } }));
    result.steps.push(...extra);

    const lines = renderConsole(result).split('\n');

    expect(lines[3]).toBe('3 variants, direct vs relay-emulated, n=2 repetitions, 1.0 s measured per path; full tables: hcbench report --format md|html');
    expect(lines[4]).toMatch(/^\s+rt p50 direct\s+relay\s+Δ \[95% CI\]\s+rt p99 direct\s+relay\s+Δ\s+tx\/s ÷$/);
    expect(lines.slice(5, 8).map((l) => l.split(' ')[0])).toEqual([
      'tcp-request-response[roundTripsPerTransaction=1]',
      'tcp-request-response[roundTripsPerTransaction=5]',
      'tcp-request-response[roundTripsPerTransaction=20]',
    ]);
    expect(lines.filter((l) => l.startsWith('» '))).toHaveLength(2);
  });

  test('uses ANSI colours only when told the output is a TTY', () => {
    const result = loadSweepFixture();

    expect(renderConsole(result)).not.toContain('\u001b[');
    expect(renderConsole(result, { isTTY: true })).toContain('\u001b[33m! connection-churn@relay-emulated failed');
  });

  test('a real single-repetition run says n=1 and has no interval', () => {
    const text = renderConsole(loadQuickstartFixture());

    expect(text).toContain('n=1 repetition,');
    expect(text).toContain('(n=1, no interval)');
    expect(text).toMatch(/^\s+direct\s+relay-emulated\s+Δ \(n=1, no CI\)\s+ratio$/m);
    expect(text).not.toMatch(/\[\+/);
  });
});

describe('markdown', () => {
  test('renders the sweep fixture as a CI step summary', () => {
    const text = renderMarkdown(loadSweepFixture());

    expect(text).toMatchInlineSnapshot(`
      "## hcbench · sweep · failed

      Round-trip sweep k = 1, 5 on both paths, two repetitions.

      - tcp-request-response[roundTripsPerTransaction=1]: relay-emulated adds +814 µs [+809 µs, +818 µs] per round trip at p50 over direct (×3.63 [×3.58, ×3.68]), +1.61 ms [+1.61 ms, +1.62 ms] per transaction (n=2, indicative interval)
      - tcp-request-response[roundTripsPerTransaction=1]: connection setup (TCP connect, p50) +40 µs [+40 µs, +40 µs]
      - tcp-request-response[roundTripsPerTransaction=5]: relay-emulated adds +820 µs [+816 µs, +824 µs] per round trip at p50 over direct (×3.77 [×3.77, ×3.77]), +4.80 ms [+4.79 ms, +4.80 ms] per transaction (n=2, indicative interval)
      - tcp-request-response[roundTripsPerTransaction=5]: connection setup (TCP connect, p50) +40 µs [+40 µs, +40 µs]
      - tcp-request-response: per round trip relay-emulated adds +805 µs [+759 µs, +851 µs] over direct, fixed cost per transaction +805 µs [+702 µs, +909 µs] (fit over k = 1, 5)
      - projection for 1 round trip per transaction (direct RTT 0 ms, relay legs 0 + 0 + 0 ms; from fit): direct 409 µs [390 µs, 428 µs], relay 2.02 ms [1.95 ms, 2.09 ms], difference +1.61 ms [+1.53 ms, +1.69 ms]

      - emulation error: not recorded in this result (written before hcbench measured it)

      > [!WARNING]
      > - tcp-request-response[roundTripsPerTransaction=1]@relay-emulated: errors reset=2
      > - connection-churn@relay-emulated failed: ERR\\_WORKLOAD relay refused the listener

      ### tcp-request-response[roundTripsPerTransaction=1]

      _direct vs relay-emulated, n=2 repetitions, 1.0 s measured per path_

      |  | direct | relay-emulated | Δ [95% CI] | ratio |
      | :-- | --: | --: | --: | --: |
      | roundTrip p50 | 310 µs | 1.12 ms | +814 µs [+809 µs, +818 µs] | ×3.63 [×3.58, ×3.68] |
      | roundTrip p90 | 377 µs | 1.36 ms | +984 µs [+952 µs, +1.02 ms] | ×3.61 [×3.43, ×3.80] |
      | roundTrip p99 | 431 µs | 1.57 ms | +1.14 ms [+1.12 ms, +1.16 ms] | ×3.64 [×3.44, ×3.88] |
      | roundTrip p99.9 | 431 µs | 1.57 ms | +1.14 ms [+1.12 ms, +1.16 ms] | ×3.64 [×3.44, ×3.88] |
      | roundTrip max | 431 µs | 1.57 ms | +1.14 ms [+1.12 ms, +1.16 ms] | ×3.64 [×3.44, ×3.88] |
      | transaction p50 | 410 µs | 2.02 ms | +1.61 ms [+1.61 ms, +1.62 ms] | ×4.94 [×4.88, ×5.00] |
      | transaction p90 | 477 µs | 2.26 ms | +1.78 ms [+1.75 ms, +1.82 ms] | ×4.74 [×4.57, ×4.92] |
      | transaction p99 | 531 µs | 2.47 ms | +1.94 ms [+1.92 ms, +1.96 ms] | ×4.66 [×4.44, ×4.90] |
      | transaction p99.9 | 531 µs | 2.47 ms | +1.94 ms [+1.92 ms, +1.96 ms] | ×4.66 [×4.44, ×4.90] |
      | transaction max | 531 µs | 2.47 ms | +1.94 ms [+1.92 ms, +1.96 ms] | ×4.66 [×4.44, ×4.90] |
      | connect p50 | 80 µs | 120 µs | +40 µs [+40 µs, +40 µs] | ×1.50 [×1.50, ×1.50] |
      | connect p99 | 80 µs | 120 µs | +40 µs [+40 µs, +40 µs] | ×1.50 [×1.50, ×1.50] |
      | transactions/s | 40/s | 30/s | -10/s | ×0.75 [×0.75, ×0.75] |
      | transactions | 80 | 60 |  |  |
      | connections opened | 2 | 2 |  |  |
      | errors | 0 | 2 |  |  |

      ### tcp-request-response[roundTripsPerTransaction=5]

      _direct vs relay-emulated, n=2 repetitions, 1.0 s measured per path_

      |  | direct | relay-emulated | Δ [95% CI] | ratio |
      | :-- | --: | --: | --: | --: |
      | roundTrip p50 | 296 µs | 1.12 ms | +820 µs [+816 µs, +824 µs] | ×3.77 [×3.77, ×3.77] |
      | roundTrip p90 | 376 µs | 1.34 ms | +964 µs [+960 µs, +968 µs] | ×3.56 [×3.53, ×3.60] |
      | roundTrip p99 | 423 µs | 1.55 ms | +1.13 ms [+1.05 ms, +1.21 ms] | ×3.67 [×3.48, ×3.85] |
      | roundTrip p99.9 | 453 µs | 1.64 ms | +1.19 ms [+1.07 ms, +1.31 ms] | ×3.62 [×3.25, ×4.03] |
      | roundTrip max | 453 µs | 1.64 ms | +1.19 ms [+1.07 ms, +1.31 ms] | ×3.62 [×3.25, ×4.03] |
      | transaction p50 | 1.59 ms | 6.38 ms | +4.80 ms [+4.79 ms, +4.80 ms] | ×4.03 [×4.01, ×4.04] |
      | transaction p90 | 1.71 ms | 6.99 ms | +5.28 ms [+5.21 ms, +5.34 ms] | ×4.08 [×3.99, ×4.17] |
      | transaction p99 | 1.92 ms | 7.33 ms | +5.41 ms [+5.40 ms, +5.42 ms] | ×3.81 [×3.77, ×3.85] |
      | transaction p99.9 | 1.92 ms | 7.33 ms | +5.41 ms [+5.40 ms, +5.42 ms] | ×3.81 [×3.77, ×3.85] |
      | transaction max | 1.92 ms | 7.33 ms | +5.41 ms [+5.40 ms, +5.42 ms] | ×3.81 [×3.77, ×3.85] |
      | connect p50 | 80 µs | 120 µs | +40 µs [+40 µs, +40 µs] | ×1.50 [×1.50, ×1.50] |
      | connect p99 | 80 µs | 120 µs | +40 µs [+40 µs, +40 µs] | ×1.50 [×1.50, ×1.50] |
      | transactions/s | 40/s | 30/s | -10/s | ×0.75 [×0.75, ×0.75] |
      | transactions | 80 | 60 |  |  |
      | connections opened | 2 | 2 |  |  |
      | errors | 0 | 0 |  |  |

      <details><summary>method and environment</summary>

      - relay − direct: mean of per-repetition paired deltas; 95% percentile-bootstrap interval over repetitions (2000 resamples, seed 1); n=1 gives no interval, n\\<5 is indicative only
      - round-trip fit: weighted least squares of mean transaction latency = a + b·k per path over steps that differ only in roundTripsPerTransaction (one point per step and repetition, weight 1/SE² with SE = max(stdDev, √k·round-trip stdDev)/√count, variances scaled up by χ²/df when the points scatter more than that); differences with 95% t intervals
      - projection: T\\_direct = a\\_direct + k·(b\\_direct − measuredRtt\\_direct + directRtt); T\\_relay = a\\_relay + k·(b\\_relay − measuredRtt\\_relay + appToRelayRtt + relayToAgentRtt + agentToTargetRtt); a, b = measured fixed and per-round-trip costs (fit over the sweep, else mean round trip with a = 0); measuredRtt = the RTT the measured path had configured (topology), so only the machinery's own cost is carried over; distances default to the measured ones; connection setup is not included (pooled connections)
      - hcbench 0.1.0, Node v20.0.0, 2 × test, linux/x64
      - roles: generator = app (pid 100); relay = cloud (pid 101); agent = onprem (pid 102)
      - started 2026-11-29T09:00:00.000Z, finished 2026-11-29T09:01:00.000Z

      </details>
      "
    `);
  });

  test('escapes table-breaking characters in names', () => {
    const result = loadSweepFixture();
    result.scenario.name = 'a|b';

    expect(renderMarkdown(result)).toContain('## hcbench · a\\|b · failed');
  });
});

describe('csv', () => {
  test('one row per step × path × metric × percentile, and per interval × percentile, plus failed steps', () => {
    const text = renderCsv(loadSweepFixture());
    const lines = text.trimEnd().split('\n');

    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    // 8 measured steps × (3 metrics + 2 intervals) × 7 percentiles + 1 failed step.
    expect(lines).toHaveLength(1 + 8 * 5 * 7 + 1);
    expect(lines.slice(1, 3)).toMatchInlineSnapshot(`
      [
        "step,tcp-request-response[roundTripsPerTransaction=1]@direct,direct,direct,0,completed,roundTrip,min,198,40,0,1000",
        "step,tcp-request-response[roundTripsPerTransaction=1]@direct,direct,direct,0,completed,roundTrip,mean,320.6,40,0,1000",
      ]
    `);
    expect(lines.at(-1)).toBe('step,connection-churn@relay-emulated,relay-emulated,relay-emulated,0,failed,,,,,,');
  });
});

describe('registry', () => {
  test('every format renders the real quickstart result to non-empty text', () => {
    const result = loadQuickstartFixture();

    for (const format of REPORT_FORMATS) expect(renderReport(format, result).length).toBeGreaterThan(100);
  });

  test('the json format round-trips the result', () => {
    const result = loadSweepFixture();

    expect(JSON.parse(renderReport('json', result))).toEqual(result);
  });
});
