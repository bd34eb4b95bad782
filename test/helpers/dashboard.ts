// The Grafana dashboard of dashboards/ as tests read it: its file and its PromQL expressions.

import { readFileSync } from 'node:fs';

export const DASHBOARD = new URL('../../dashboards/hcbench-grafana.json', import.meta.url);

export interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

/** Every PromQL expression of the dashboard: panel targets and template-variable queries. */
export function dashboardQueries(): { title: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: { type: string; query: string }[] } };
  return [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr }))),
    ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => ({ title: 'variable', expr: v.query })),
  ];
}

/** hcbench metric names a PromQL expression names (identifiers starting hcbench_). */
export function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/\bhcbench_[a-zA-Z0-9_]+/g)].map((m) => m[0]);
}

