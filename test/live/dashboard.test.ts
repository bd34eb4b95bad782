// The Grafana dashboard in dashboards/ is valid JSON and references only metric names hcbench
// emits (src/live/series.ts); its queries are run against a real Prometheus in prometheus.test.ts.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { EMITTED_METRIC_NAMES } from '../../src/live/series.js';
import { DASHBOARD, dashboardQueries, metricNamesIn, type Panel } from '../helpers/dashboard.js';


describe('Grafana dashboard', () => {
  test('is valid JSON with a query in every panel', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; uid: string };

    expect(dashboard.uid).toBe('hcbench-relay-vs-direct');
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  test('references only metric names hcbench emits, and shows the main ones', () => {
    const used = new Set(dashboardQueries().flatMap((q) => metricNamesIn(q.expr)));

    expect([...used].filter((name) => !EMITTED_METRIC_NAMES.includes(name))).toEqual([]);
    for (const name of ['hcbench_round_trip_seconds', 'hcbench_transaction_seconds', 'hcbench_errors_total', 'hcbench_generator_cpu_percent', 'hcbench_path_counter']) {
      expect(used.has(name), name).toBe(true);
    }
  });

  test('negative control: a name hcbench does not emit is caught', () => {
    const names = metricNamesIn('rate(hcbench_round_trip_latency_ms[1m]) / hcbench_transactions_total');

    expect(names).toEqual(['hcbench_round_trip_latency_ms', 'hcbench_transactions_total']);
    expect(names.filter((n) => !EMITTED_METRIC_NAMES.includes(n))).toEqual(['hcbench_round_trip_latency_ms']);
  });
});
