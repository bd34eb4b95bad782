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

      decision · tcp-request-response[roundTripsPerTransaction=1] · 1 round trip per transaction · the first of 2 compared variants in detail (scenario order); every variant's verdict below
      every compared variant, per transaction (relay − direct; no budget):
        variant                                                      path    tx p50    tx p99                 Δ p50 vs direct                 Δ p99 vs direct
        tcp-request-response[roundTripsPerTransaction=1]           direct    408 µs    558 µs                               –                               –
                                                           relay-emulated   2.03 ms   2.48 ms   +1.62 ms [+1.56 ms, +1.69 ms]   +1.92 ms [+1.66 ms, +2.18 ms]
        tcp-request-response[roundTripsPerTransaction=5]           direct   1.58 ms   1.96 ms                               –                               –
                                                           relay-emulated   6.39 ms   7.37 ms   +4.80 ms [+4.75 ms, +4.86 ms]   +5.42 ms [+5.30 ms, +5.54 ms]
      relay-emulated: +1.62 ms [+1.56 ms, +1.69 ms] (+398 %) per transaction at p50, +1.92 ms [+1.66 ms, +2.18 ms] (+344 %) at p99; connection setup +40 µs [+40 µs, +40 µs] (TCP connect, p50 over 2 new connections: a cold start, too few to quote as a typical setup; rendezvous not recorded; without pooling every transaction pays it); throughput ceiling ×0.75 [×0.75, ×0.75] of direct (closed load)
      where a transaction's time goes (mean):
        direct         |##########                                      | 411 µs mean
        relay-emulated |################################################| 2.02 ms mean
          # relay machinery and the rest
      in one sentence: For tcp-request-response[roundTripsPerTransaction=1] (1 round trip per transaction), a Hybrid Connection via relay-emulated adds +1.62 ms [+1.56 ms, +1.69 ms] (+398 %) per transaction at p50 and +1.92 ms [+1.66 ms, +2.18 ms] (+344 %) at p99 over VNet integration (direct). Caveats: emulated relay (hcbench's emulator and endpoints on one machine, with the distances injected as delays; not Azure's relay); emulation error not measured; n = 2 repetitions of 1.0 s per path.

      tcp-request-response[roundTripsPerTransaction=1]  (direct vs relay-emulated, n=2 repetitions, 1.0 s measured per path)
                           direct   relay-emulated                      Δ [95% CI]                  ratio
      roundTrip p50        308 µs          1.13 ms      +824 µs [+763 µs, +885 µs]   ×3.68 [×3.10, ×4.25]
      roundTrip p90        384 µs          1.38 ms     +995 µs [+588 µs, +1.40 ms]   ×3.59 [×1.28, ×5.90]
      roundTrip p99        458 µs          1.58 ms    +1.12 ms [+858 µs, +1.38 ms]   ×3.44 [×0.68, ×6.20]
      roundTrip p99.9      458 µs          1.58 ms    +1.12 ms [+858 µs, +1.38 ms]   ×3.44 [×0.68, ×6.20]
      roundTrip max        458 µs          1.58 ms                        +1.12 ms                  ×3.44
      transaction p50      408 µs          2.03 ms   +1.62 ms [+1.56 ms, +1.69 ms]   ×4.98 [×4.25, ×5.71]
      transaction p90      484 µs          2.28 ms   +1.79 ms [+1.39 ms, +2.20 ms]   ×4.71 [×2.46, ×6.95]
      transaction p99      558 µs          2.48 ms   +1.92 ms [+1.66 ms, +2.18 ms]   ×4.44 [×1.53, ×7.34]
      transaction p99.9    558 µs          2.48 ms   +1.92 ms [+1.66 ms, +2.18 ms]   ×4.44 [×1.54, ×7.34]
      transaction max      558 µs          2.48 ms                        +1.92 ms                  ×4.44
      connect p50           80 µs           120 µs         +40 µs [+40 µs, +40 µs]   ×1.50 [×1.50, ×1.50]
      connect p99           80 µs           120 µs         +40 µs [+40 µs, +40 µs]   ×1.50 [×1.50, ×1.50]
      transactions/s         40/s             30/s                           -10/s   ×0.75 [×0.75, ×0.75]
      transactions             80               60
      connections opened        2                2
      errors                    0                2

      tcp-request-response[roundTripsPerTransaction=5]  (direct vs relay-emulated, n=2 repetitions, 1.0 s measured per path)
                            direct   relay-emulated                      Δ [95% CI]                  ratio
      roundTrip p50         296 µs          1.12 ms      +821 µs [+770 µs, +872 µs]   ×3.77 [×3.72, ×3.83]
      roundTrip p90         375 µs          1.34 ms     +966 µs [+915 µs, +1.02 ms]   ×3.58 [×3.18, ×3.97]
      roundTrip p99         423 µs          1.49 ms     +1.07 ms [+56 µs, +2.08 ms]   ×3.52 [×1.17, ×5.87]
      roundTrip p99.9       474 µs          1.74 ms    +1.27 ms [-270 µs, +2.80 ms]   ×3.67 [×0.00, ×8.62]
      roundTrip max         474 µs          1.74 ms                        +1.27 ms                  ×3.67
      transaction p50      1.58 ms          6.39 ms   +4.80 ms [+4.75 ms, +4.86 ms]   ×4.03 [×3.84, ×4.22]
      transaction p90      1.73 ms          7.03 ms   +5.30 ms [+4.44 ms, +6.16 ms]   ×4.06 [×2.97, ×5.14]
      transaction p99      1.96 ms          7.37 ms   +5.42 ms [+5.30 ms, +5.54 ms]   ×3.77 [×3.27, ×4.27]
      transaction p99.9    1.96 ms          7.37 ms   +5.42 ms [+5.30 ms, +5.54 ms]   ×3.77 [×3.27, ×4.27]
      transaction max      1.96 ms          7.37 ms                        +5.42 ms                  ×3.77
      connect p50            80 µs           120 µs         +40 µs [+40 µs, +40 µs]   ×1.50 [×1.50, ×1.50]
      connect p99            80 µs           120 µs         +40 µs [+40 µs, +40 µs]   ×1.50 [×1.50, ×1.50]
      transactions/s          40/s             30/s                           -10/s   ×0.75 [×0.75, ×0.75]
      transactions              80               60
      connections opened         2                2
      errors                     0                0

      » tcp-request-response[roundTripsPerTransaction=1]: relay-emulated adds +824 µs [+763 µs, +885 µs] per round trip at p50 over direct (×3.68 [×3.10, ×4.25]), +1.62 ms [+1.56 ms, +1.69 ms] per transaction (n=2, indicative interval)
      » tcp-request-response[roundTripsPerTransaction=1]: connection setup (TCP connect, p50 over 2 direct / 2 relay-emulated new connections: a cold start, too few to quote as a typical setup) +40 µs [+40 µs, +40 µs]
      » tcp-request-response[roundTripsPerTransaction=5]: relay-emulated adds +821 µs [+770 µs, +872 µs] per round trip at p50 over direct (×3.77 [×3.72, ×3.83]), +4.80 ms [+4.75 ms, +4.86 ms] per transaction (n=2, indicative interval)
      » tcp-request-response[roundTripsPerTransaction=5]: connection setup (TCP connect, p50 over 2 direct / 2 relay-emulated new connections: a cold start, too few to quote as a typical setup) +40 µs [+40 µs, +40 µs]
      » tcp-request-response: per round trip relay-emulated adds +805 µs [+759 µs, +851 µs] over direct, fixed cost per transaction +805 µs [+702 µs, +909 µs] (fit over k = 1, 5)
      » projection for 1 round trip per transaction (direct RTT 0 ms, relay legs 0 + 0 + 0 ms; from fit): direct 409 µs [390 µs, 428 µs], relay 2.02 ms [1.95 ms, 2.09 ms], difference +1.61 ms [+1.53 ms, +1.69 ms]
      emulation error: not recorded in this result (written before hcbench measured it)
      ! tcp-request-response[roundTripsPerTransaction=1]@relay-emulated: errors reset=2
      ! connection-churn@relay-emulated failed: ERR_WORKLOAD relay refused the listener
      method: relay − direct: percentiles of the histograms merged over the paired repetitions (relay ÷ direct likewise); 95% interval = estimate ± t(n−1)·SE, SE from the delete-one-repetition jackknife (percentiles interpolated inside HDR buckets); the max gets no interval; n=1 gives no interval, n<5 is indicative only
      "
    `);
  });

  test('a sweep of more than two variants is one compact row per variant, with the fit verdict only', () => {
    const result = loadSweepFixture();
    const extra = result.steps
      .filter((s) => s.stepId.includes('roundTripsPerTransaction=5'))
      .map((s) => ({ ...s, stepId: s.stepId.replace('=5]', '=20]'), variant: { roundTripsPerTransaction: 20 } }));
    result.steps.push(...extra);

    const all = renderConsole(result).split('\n');
    // The decision block comes first (verdict-text.ts); the compact table follows it.
    const lines = all.slice(all.findIndex((l) => l.endsWith('variants, direct vs relay-emulated, n=2 repetitions, 1.0 s measured per path; full tables: hcbench report --format md|html')) - 3);

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

      ### decision · tcp-request-response[roundTripsPerTransaction=1] · 1 round trip per transaction · the first of 2 compared variants in detail (scenario order); every variant's verdict below

      > For tcp-request-response[roundTripsPerTransaction=1] (1 round trip per transaction), a Hybrid Connection via relay-emulated adds +1.62 ms [+1.56 ms, +1.69 ms] (+398 %) per transaction at p50 and +1.92 ms [+1.66 ms, +2.18 ms] (+344 %) at p99 over VNet integration (direct). Caveats: emulated relay (hcbench's emulator and endpoints on one machine, with the distances injected as delays; not Azure's relay); emulation error not measured; n = 2 repetitions of 1.0 s per path.

      - relay-emulated: +1.62 ms [+1.56 ms, +1.69 ms] (+398 %) per transaction at p50, +1.92 ms [+1.66 ms, +2.18 ms] (+344 %) at p99; connection setup +40 µs [+40 µs, +40 µs] (TCP connect, p50 over 2 new connections: a cold start, too few to quote as a typical setup; rendezvous not recorded; without pooling every transaction pays it); throughput ceiling ×0.75 [×0.75, ×0.75] of direct (closed load)

      \`\`\`
      every compared variant, per transaction (relay − direct; no budget):
        variant                                                      path    tx p50    tx p99                 Δ p50 vs direct                 Δ p99 vs direct
        tcp-request-response[roundTripsPerTransaction=1]           direct    408 µs    558 µs                               –                               –
                                                           relay-emulated   2.03 ms   2.48 ms   +1.62 ms [+1.56 ms, +1.69 ms]   +1.92 ms [+1.66 ms, +2.18 ms]
        tcp-request-response[roundTripsPerTransaction=5]           direct   1.58 ms   1.96 ms                               –                               –
                                                           relay-emulated   6.39 ms   7.37 ms   +4.80 ms [+4.75 ms, +4.86 ms]   +5.42 ms [+5.30 ms, +5.54 ms]
      where a transaction's time goes (mean):
        direct         |##########                                      | 411 µs mean
        relay-emulated |################################################| 2.02 ms mean
          # relay machinery and the rest
      \`\`\`

      - tcp-request-response[roundTripsPerTransaction=1]: relay-emulated adds +824 µs [+763 µs, +885 µs] per round trip at p50 over direct (×3.68 [×3.10, ×4.25]), +1.62 ms [+1.56 ms, +1.69 ms] per transaction (n=2, indicative interval)
      - tcp-request-response[roundTripsPerTransaction=1]: connection setup (TCP connect, p50 over 2 direct / 2 relay-emulated new connections: a cold start, too few to quote as a typical setup) +40 µs [+40 µs, +40 µs]
      - tcp-request-response[roundTripsPerTransaction=5]: relay-emulated adds +821 µs [+770 µs, +872 µs] per round trip at p50 over direct (×3.77 [×3.72, ×3.83]), +4.80 ms [+4.75 ms, +4.86 ms] per transaction (n=2, indicative interval)
      - tcp-request-response[roundTripsPerTransaction=5]: connection setup (TCP connect, p50 over 2 direct / 2 relay-emulated new connections: a cold start, too few to quote as a typical setup) +40 µs [+40 µs, +40 µs]
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
      | roundTrip p50 | 308 µs | 1.13 ms | +824 µs [+763 µs, +885 µs] | ×3.68 [×3.10, ×4.25] |
      | roundTrip p90 | 384 µs | 1.38 ms | +995 µs [+588 µs, +1.40 ms] | ×3.59 [×1.28, ×5.90] |
      | roundTrip p99 | 458 µs | 1.58 ms | +1.12 ms [+858 µs, +1.38 ms] | ×3.44 [×0.68, ×6.20] |
      | roundTrip p99.9 | 458 µs | 1.58 ms | +1.12 ms [+858 µs, +1.38 ms] | ×3.44 [×0.68, ×6.20] |
      | roundTrip max | 458 µs | 1.58 ms | +1.12 ms | ×3.44 |
      | transaction p50 | 408 µs | 2.03 ms | +1.62 ms [+1.56 ms, +1.69 ms] | ×4.98 [×4.25, ×5.71] |
      | transaction p90 | 484 µs | 2.28 ms | +1.79 ms [+1.39 ms, +2.20 ms] | ×4.71 [×2.46, ×6.95] |
      | transaction p99 | 558 µs | 2.48 ms | +1.92 ms [+1.66 ms, +2.18 ms] | ×4.44 [×1.53, ×7.34] |
      | transaction p99.9 | 558 µs | 2.48 ms | +1.92 ms [+1.66 ms, +2.18 ms] | ×4.44 [×1.54, ×7.34] |
      | transaction max | 558 µs | 2.48 ms | +1.92 ms | ×4.44 |
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
      | roundTrip p50 | 296 µs | 1.12 ms | +821 µs [+770 µs, +872 µs] | ×3.77 [×3.72, ×3.83] |
      | roundTrip p90 | 375 µs | 1.34 ms | +966 µs [+915 µs, +1.02 ms] | ×3.58 [×3.18, ×3.97] |
      | roundTrip p99 | 423 µs | 1.49 ms | +1.07 ms [+56 µs, +2.08 ms] | ×3.52 [×1.17, ×5.87] |
      | roundTrip p99.9 | 474 µs | 1.74 ms | +1.27 ms [-270 µs, +2.80 ms] | ×3.67 [×0.00, ×8.62] |
      | roundTrip max | 474 µs | 1.74 ms | +1.27 ms | ×3.67 |
      | transaction p50 | 1.58 ms | 6.39 ms | +4.80 ms [+4.75 ms, +4.86 ms] | ×4.03 [×3.84, ×4.22] |
      | transaction p90 | 1.73 ms | 7.03 ms | +5.30 ms [+4.44 ms, +6.16 ms] | ×4.06 [×2.97, ×5.14] |
      | transaction p99 | 1.96 ms | 7.37 ms | +5.42 ms [+5.30 ms, +5.54 ms] | ×3.77 [×3.27, ×4.27] |
      | transaction p99.9 | 1.96 ms | 7.37 ms | +5.42 ms [+5.30 ms, +5.54 ms] | ×3.77 [×3.27, ×4.27] |
      | transaction max | 1.96 ms | 7.37 ms | +5.42 ms | ×3.77 |
      | connect p50 | 80 µs | 120 µs | +40 µs [+40 µs, +40 µs] | ×1.50 [×1.50, ×1.50] |
      | connect p99 | 80 µs | 120 µs | +40 µs [+40 µs, +40 µs] | ×1.50 [×1.50, ×1.50] |
      | transactions/s | 40/s | 30/s | -10/s | ×0.75 [×0.75, ×0.75] |
      | transactions | 80 | 60 |  |  |
      | connections opened | 2 | 2 |  |  |
      | errors | 0 | 0 |  |  |

      <details><summary>method and environment</summary>

      - relay − direct: percentiles of the histograms merged over the paired repetitions (relay ÷ direct likewise); 95% interval = estimate ± t(n−1)·SE, SE from the delete-one-repetition jackknife (percentiles interpolated inside HDR buckets); the max gets no interval; n=1 gives no interval, n\\<5 is indicative only
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
