// Checks a scenario's `thresholds` while the scenario is validated, so a bad expression, an unknown
// path or step, or a window on a metric without intervals is an exit-3 issue at its line. Pure.

import type { z } from 'zod';
import { GENERIC_SCOPES, parseThreshold } from '../analysis/threshold-expression.js';
import { workloadList } from './workload-list.js';

interface ThresholdsShape {
  paths: { kind: string; id?: string | undefined }[];
  workload?: { kind: string; id?: string | undefined } | undefined;
  workloads?: { kind: string; id?: string | undefined }[] | undefined;
  thresholds?: (string | { expr: string; step?: string | undefined; windowMs?: number | undefined })[] | undefined;
}

/** zod superRefine over the whole scenario: every threshold parses and names things that exist. */
export function checkThresholds(scenario: ThresholdsShape, ctx: z.core.$RefinementCtx<ThresholdsShape>): void {
  const pathIds = scenario.paths.map((p) => p.id ?? p.kind);
  const workloadIds = workloadList(scenario).map((w) => w.id ?? w.kind);
  (scenario.thresholds ?? []).forEach((item, index) => {
    const isString = typeof item === 'string';
    const at: (string | number)[] = isString ? ['thresholds', index] : ['thresholds', index, 'expr'];
    const parsed = parseThreshold(isString ? item : item.expr);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', path: at, message: parsed.message + (parsed.hint === undefined ? '' : ` — ${parsed.hint}`) });
      return;
    }
    const { scope, metric } = parsed.expression;
    if (!(GENERIC_SCOPES as readonly string[]).includes(scope) && !pathIds.includes(scope)) {
      ctx.addIssue({ code: 'custom', path: at, message: `\`${scope}\` names no path (use ${[...GENERIC_SCOPES, ...pathIds].map((s) => `\`${s}\``).join(', ')})` });
    }
    if (scope === 'overhead' && metric.kind === 'latency' && (metric.stat === 'min' || metric.stat === 'mean')) {
      ctx.addIssue({ code: 'custom', path: at, message: '`overhead` compares p50, p90, p99, p99.9 and max, not min or mean' });
    }
    if (isString) return;
    if (item.step !== undefined && !workloadIds.includes(item.step.split('[')[0] ?? '')) {
      ctx.addIssue({ code: 'custom', path: ['thresholds', index, 'step'], message: `names no workload (${workloadIds.map((w) => `\`${w}\``).join(', ')})` });
    }
    if (item.windowMs !== undefined && (scope === 'overhead' || metric.kind !== 'latency' || metric.metric !== 'roundTrip')) {
      ctx.addIssue({ code: 'custom', path: ['thresholds', index, 'windowMs'], message: 'applies to `roundTrip` latencies of a path only (the interval histograms record round trips)' });
    }
  });
}
