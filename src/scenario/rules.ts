// Cross-field rules of a scenario, checked in the same validation pass as the schema (so every
// problem is reported at once, each at its JSON path). Pure.

import type { z } from 'zod';
import { BUILTIN_NETWORK_PROFILES } from './network-profiles.js';
import { closestMatch } from './suggest.js';
import { workloadList } from './workload-list.js';
import { MAX_DURATION_MS, workloadSchema, type ScenarioWorkload } from './schema-workloads.js';
import { expandMatrix, variantLabel } from './matrix.js';

/** Most steps one scenario may expand to (workloads × matrix combinations × paths × repetitions). */
export const MAX_STEPS = 2_000;

interface ScenarioShape {
  target: { kind: string };
  paths: { kind: string; id?: string | undefined; agents?: number; faults?: { atMs: number; action: string; agent?: number | undefined }[] | undefined }[];
  network: string | object;
  networkProfiles?: Record<string, unknown> | undefined;
  workload?: ScenarioWorkload | undefined;
  workloads?: ScenarioWorkload[] | undefined;
  durationMs: number;
  warmupMs: number;
  repetitions: number;
}

type Ctx = z.core.$RefinementCtx<ScenarioShape>;

export function checkScenarioRules(scenario: ScenarioShape, ctx: Ctx): void {
  checkUniquePathIds(scenario, ctx);
  checkNetwork(scenario, ctx);
  const list = workloadList(scenario);
  const base = scenario.workloads === undefined ? ['workload'] : ['workloads'];
  if (scenario.workload !== undefined && scenario.workloads !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['workloads'], message: 'cannot be used together with `workload`: use one of them' });
  } else if (list.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['workload'], message: 'is required (or `workloads`, a list)' });
  }
  const ids = new Map<string, number>();
  let totalSteps = 0;
  let totalMs = 0;
  list.forEach((workload, index) => {
    const at = scenario.workloads === undefined ? base : [...base, index];
    const id = workload.id ?? workload.kind;
    const first = ids.get(id);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: [...at, workload.id === undefined ? 'kind' : 'id'], message: `must be unique (same id as workloads[${first}]); set \`id\`` });
    } else ids.set(id, index);
    checkTargetFits(scenario, workload, at, ctx);
    const variants = checkMatrix(workload, at, ctx);
    if (variants <= MAX_STEPS) checkVariants(scenario, workload, at, ctx);
    const perStepMs = (workload.durationMs ?? scenario.durationMs) + (workload.warmupMs ?? scenario.warmupMs);
    totalSteps += variants * scenario.paths.length * scenario.repetitions;
    totalMs += variants * scenario.paths.length * scenario.repetitions * perStepMs;
  });
  checkFaultTimes(scenario, list, ctx);
  if (totalSteps > MAX_STEPS) {
    ctx.addIssue({ code: 'custom', path: ['repetitions'], message: `expands the scenario to ${totalSteps} steps, more than ${MAX_STEPS}` });
  } else if (totalMs > MAX_DURATION_MS) {
    ctx.addIssue({ code: 'custom', path: ['durationMs'], message: `makes the run last ${Math.round(totalMs / 60_000)} min in all, more than 24 h` });
  }
}

function checkUniquePathIds(scenario: ScenarioShape, ctx: Ctx): void {
  const seen = new Map<string, number>();
  scenario.paths.forEach((path, index) => {
    const agents = path.agents ?? 1;
    (path.faults ?? []).forEach((fault, f) => {
      if (fault.action === 'stop-agent' && (fault.agent ?? 0) >= agents) {
        ctx.addIssue({ code: 'custom', path: ['paths', index, 'faults', f, 'agent'], message: `must name one of the path's ${agents} agent(s) (0..${agents - 1}), got ${fault.agent ?? 0}` });
      }
      if (fault.action !== 'stop-agent' && fault.agent !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['paths', index, 'faults', f, 'agent'], message: 'only applies to `action: stop-agent`' });
      }
    });
    const id = path.id ?? path.kind;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else ctx.addIssue({ code: 'custom', path: ['paths', index, path.id === undefined ? 'kind' : 'id'], message: `must be unique (same id as paths[${first}]); set \`id\`` });
  });
}

function checkNetwork(scenario: ScenarioShape, ctx: Ctx): void {
  const custom = Object.keys(scenario.networkProfiles ?? {});
  for (const name of custom) {
    if (name in BUILTIN_NETWORK_PROFILES) {
      ctx.addIssue({ code: 'custom', path: ['networkProfiles', name], message: 'must not redefine a built-in profile; choose another name' });
    }
  }
  if (typeof scenario.network !== 'string') return;
  const known = [...Object.keys(BUILTIN_NETWORK_PROFILES), ...custom];
  if (!known.includes(scenario.network)) {
    const suggestion = closestMatch(scenario.network, known);
    ctx.addIssue({
      code: 'custom',
      path: ['network'],
      message: `must name a profile (${known.join(', ')})${suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`}`,
    });
  }
}

/** Which targets each workload can drive. */
const TARGETS_FOR: Record<ScenarioWorkload['kind'], readonly string[]> = {
  'tcp-request-response': ['tcp-request-response'],
  'connection-churn': ['tcp-request-response'],
  'tcp-stream': ['tcp-request-response'],
  http: ['http', 'external'],
  dialog: ['external'],
  replay: ['tcp-request-response', 'external'],
};

/** A fault that fires after its step ended never fires: `atMs` must fall inside every step on its path. */
function checkFaultTimes(scenario: ScenarioShape, workloads: readonly ScenarioWorkload[], ctx: Ctx): void {
  if (workloads.length === 0) return;
  const lengths = workloads.map((w) => ({ id: w.id ?? w.kind, stepMs: (w.warmupMs ?? scenario.warmupMs) + (w.durationMs ?? scenario.durationMs) }));
  const shortest = lengths.reduce((a, b) => (b.stepMs < a.stepMs ? b : a));
  scenario.paths.forEach((path, index) => {
    (path.faults ?? []).forEach((fault, f) => {
      if (fault.atMs >= shortest.stepMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['paths', index, 'faults', f, 'atMs'],
          message: `must be < ${shortest.stepMs}, the warm-up + duration of the steps of workload \`${shortest.id}\` (a later fault never fires)`,
        });
      }
    });
  });
}

type Problem = { path: (string | number)[]; message: string };

/**
 * Cross-field rules of each matrix variant (the workload with the variant's values), which the
 * per-value check of checkMatrix cannot see: reported at `matrix`, naming the variant.
 */
function checkVariants(scenario: ScenarioShape, workload: ScenarioWorkload, at: (string | number)[], ctx: Ctx): void {
  if (workload.matrix === undefined) return;
  const base = new Set(crossFieldProblems(scenario, workload).map((p) => `${p.path.join('.')}: ${p.message}`));
  const reported = new Set<string>();
  for (const variant of expandMatrix(workload.matrix)) {
    const resolved = { ...workload, ...variant, matrix: undefined } as ScenarioWorkload;
    for (const problem of crossFieldProblems(scenario, resolved)) {
      const text = `${problem.path.join('.')}: ${problem.message}`;
      if (base.has(text) || reported.has(text)) continue;
      reported.add(text);
      const key = Object.keys(variant).find((k) => problem.path[0] === k) ?? Object.keys(variant)[0] ?? '';
      const index = (workload.matrix[key] ?? []).indexOf(variant[key] as never);
      ctx.addIssue({ code: 'custom', path: [...at, 'matrix', key, index], message: `variant ${variantLabel(variant)}: \`${problem.path.join('.')}\` ${problem.message}` });
    }
  }
}

function checkTargetFits(scenario: ScenarioShape, workload: ScenarioWorkload, at: (string | number)[], ctx: Ctx): void {
  for (const problem of crossFieldProblems(scenario, workload)) ctx.addIssue({ code: 'custom', path: [...at, ...problem.path], message: problem.message });
}

/** The cross-field rules of one (resolved) workload, paths relative to the workload. */
function crossFieldProblems(scenario: ScenarioShape, workload: ScenarioWorkload): Problem[] {
  const problems: Problem[] = [];
  const add = (problem: Problem): void => {
    problems.push(problem);
  };
  const at: (string | number)[] = [];
  const fits = TARGETS_FOR[workload.kind];
  if (!fits.includes(scenario.target.kind)) {
    add({
      path: [...at, 'kind'],
      message: `needs \`target.kind\` ${fits.map((k) => `\`${k}\``).join(' or ')}, but the target is \`${scenario.target.kind}\``,
    });
  }
  if ('generators' in workload && workload.generators !== undefined && workload.generators > workload.connections) {
    add({ path: [...at, 'generators'], message: `must be <= connections (${workload.connections})` });
  }
  if (workload.kind === 'replay') {
    const needs = workload.target === 'built-in' ? 'tcp-request-response' : 'external';
    if (scenario.target.kind !== needs) add({ path: [...at, 'target'], message: `${workload.target} needs \`target.kind\` \`${needs}\`, but the target is \`${scenario.target.kind}\`` });
  }
  if (workload.kind === 'dialog' && !workload.steps.some((step) => 'expect' in step)) {
    add({ path: [...at, 'steps'], message: 'must contain at least one `expect` step' });
  }
  if (workload.kind === 'tcp-request-response') {
    for (const key of ['requestBytesDistribution', 'responseBytesDistribution'] as const) {
      const d = workload[key];
      if (d?.distribution === 'uniform' && d.minBytes > d.maxBytes) {
        add({ path: [...at, key, 'minBytes'], message: `must be <= maxBytes (${d.maxBytes})` });
      }
      if (d?.distribution === 'choice' && d.weights !== undefined && d.weights.length !== d.bytes.length) {
        add({ path: [...at, key, 'weights'], message: `must have as many entries as bytes (${d.bytes.length})` });
      }
    }
    if (workload.load?.model === 'open' && workload.load.ratePerSec === 0 && (workload.load.stages ?? []).length === 0) {
      add({ path: [...at, 'load', 'ratePerSec'], message: 'must be > 0 when there are no stages' });
    }
  }
  return problems;
}

/** Validates every matrix value against the workload's own schema; returns the number of variants. */
function checkMatrix(workload: ScenarioWorkload, at: (string | number)[], ctx: Ctx): number {
  const matrix = workload.matrix;
  if (matrix === undefined) return 1;
  let variants = 1;
  const allowed = Object.keys(workload).concat(Object.keys(workloadKeys(workload.kind)));
  for (const [key, values] of Object.entries(matrix)) {
    variants *= values.length;
    if (['kind', 'id', 'matrix', 'durationMs', 'warmupMs'].includes(key) || !allowed.includes(key)) {
      const suggestion = closestMatch(key, Object.keys(workloadKeys(workload.kind)));
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'matrix', key],
        message: `is not a sweepable parameter of ${workload.kind}${suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`}`,
      });
      continue;
    }
    values.forEach((value, index) => {
      const probe = workloadSchema.safeParse({ ...withoutMatrix(workload), [key]: value, matrix: undefined });
      const problem = probe.success ? undefined : probe.error.issues.find((i) => i.path[0] === key);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', path: [...at, 'matrix', key, index], message: `is not a valid \`${key}\` (${problem.message.toLowerCase()})` });
      }
    });
  }
  return variants;
}

function workloadKeys(kind: string): Record<string, unknown> {
  const option = workloadSchema.options.find((o) => o.shape.kind.value === kind);
  return option?.shape ?? {};
}

/** The workload's own settings without its `matrix` (a matrix value is checked as if set directly). */
function withoutMatrix(workload: ScenarioWorkload): Record<string, unknown> {
  const { matrix: _matrix, ...rest } = workload;
  return rest;
}
