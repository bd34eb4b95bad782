// From the command line to checked manifest options: validates the scenario exactly as `validate`
// does (ScenarioError, exit 3), bundles it with the traces it replays for the ConfigMap, checks the
// Kubernetes names and sizes (UsageError, exit 2), and fixes the shared start and the deadline.

import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { DEFAULT_RELAY_LIMITS } from '../azure/limits.js';
import { UsageError } from '../errors.js';
import { readInputFile } from '../fs/read-input.js';
import { buildPlan } from '../plan/build-plan.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { BundledFile, K8sManifestOptions } from './k8s-manifests.js';

/** Most shards one Job may have here (Kubernetes allows more; past this, use several Jobs). */
export const MAX_SHARDS = 1024;

/** Largest scenario + traces a ConfigMap takes: Kubernetes refuses objects over 1 MiB; room is left for metadata. */
export const CONFIGMAP_MAX_DATA_BYTES = 1_000_000;

/** What `hcbench k8s` was asked for. */
export interface K8sRequest {
  scenarioFile: string;
  shards: number;
  image: string;
  namespace?: string;
  /** Seconds from now to the shared start of the measured window. */
  startInSeconds: number;
  cpu: string;
  memory: string;
  secret?: string;
  pvc?: string;
  /** Now, for the start time (injected so tests can fix it). */
  now: Date;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;

function checkLabel(value: string | undefined, flag: string, maxLength: number): void {
  if (value === undefined) return;
  const pattern = maxLength === 63 ? DNS_LABEL : DNS_SUBDOMAIN;
  if (value.length > maxLength || !pattern.test(value)) {
    const dots = maxLength === 63 ? '' : ", '.' between parts";
    throw new UsageError(`${flag} ${JSON.stringify(value)}: must be a Kubernetes name (lower-case letters, digits and '-'${dots}, starting and ending with a letter or digit, at most ${maxLength} characters)`);
  }
}

function checkRequest(request: K8sRequest): void {
  if (!Number.isInteger(request.shards) || request.shards < 1 || request.shards > MAX_SHARDS) throw new UsageError(`--shards must be a whole number in 1..${MAX_SHARDS}, got ${request.shards}`);
  if (request.image.trim() === '' || /\s/.test(request.image)) throw new UsageError(`--image ${JSON.stringify(request.image)}: must be an image reference without spaces`);
  checkLabel(request.namespace, '--namespace', 63);
  checkLabel(request.secret, '--secret', 253);
  checkLabel(request.pvc, '--pvc', 253);
  for (const [flag, value] of [['--cpu', request.cpu], ['--memory', request.memory]] as const) {
    if (!QUANTITY.test(value)) throw new UsageError(`${flag} ${JSON.stringify(value)}: must be a Kubernetes quantity such as 2, 500m, 1Gi`);
  }
}

/** The Job's name: `hcbench-<scenario>-<start, UTC yyyymmddhhmmss>`, lower case, at most 63 characters. */
export function jobName(scenarioName: string, startAt: Date): string {
  const stamp = startAt.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const slug = scenarioName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63 - 'hcbench--'.length - stamp.length).replace(/-+$/, '');
  return slug === '' ? `hcbench-${stamp}` : `hcbench-${slug}-${stamp}`;
}

function configMapKey(name: string, prefix: string): string {
  const key = `${prefix}${name}`.replace(/[^-._a-zA-Z0-9]/g, '-');
  return CONFIGMAP_KEY.test(key) && key !== '.' && key !== '..' ? key : `${prefix}file`;
}

/** Reads a bundled file (bounded, regular files only) as UTF-8 text, or says why not. */
async function readText(path: string, kind: 'scenario' | 'trace', label: string): Promise<string> {
  const read = await readInputFile(path, kind);
  if (!read.ok) throw new UsageError(`${label}: ${read.reason}`);
  const text = read.bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(read.bytes)) throw new UsageError(`${label}: not UTF-8 text; a ConfigMap's data must be text`);
  return text;
}

/** The scenario and the traces it replays, keyed for the ConfigMap, with their paths in the mount. */
async function bundle(file: string, traces: readonly string[]): Promise<BundledFile[]> {
  const scenarioKey = configMapKey(basename(file), '');
  const files: BundledFile[] = [{ key: scenarioKey, path: scenarioKey, text: await readText(file, 'scenario', file) }];
  const folder = dirname(resolve(file));
  for (const [index, trace] of [...new Set(traces)].entries()) {
    const path = relative(folder, trace);
    if (path === '' || isAbsolute(path) || path.split(sep).includes('..')) {
      throw new UsageError(`${file}: trace ${trace} is outside the scenario's folder; a ConfigMap mounts files below it only (copy the trace next to the scenario)`);
    }
    files.push({ key: configMapKey(basename(trace), `trace-${index + 1}-`), path: path.split(sep).join('/'), text: await readText(trace, 'trace', trace) });
  }
  const bytes = files.reduce((sum, f) => sum + Buffer.byteLength(f.text, 'utf8'), 0);
  if (bytes > CONFIGMAP_MAX_DATA_BYTES) {
    throw new UsageError(`${file}: the scenario and its traces are ${bytes} bytes, more than a ConfigMap holds (${CONFIGMAP_MAX_DATA_BYTES}); build them into the image instead`);
  }
  return files;
}

/** The manifest options and what the user should know before applying them. */
export interface K8sPlan {
  options: K8sManifestOptions;
  /** One line each, for stderr. */
  warnings: string[];
}

/** Each shard's relay-azure path brings its own listener to the hybrid connection; Azure takes 25. */
function listenerWarnings(scenario: Scenario, shards: number): string[] {
  const quota = DEFAULT_RELAY_LIMITS.listenersPerHybridConnection;
  return scenario.paths
    .filter((path) => path.kind === 'relay-azure' && path.rehearsal === undefined && shards > quota)
    .map((path) => `warning: path ${path.id ?? path.kind}: every shard starts its own agent, so ${shards} listeners on one hybrid connection; Azure accepts ${quota}, the others are refused (and the relay balances each shard's connections over all listeners)`);
}

/**
 * Validates the scenario (first: exit 3 as `validate`), checks the request, bundles the scenario,
 * and returns the manifest options: the
 * shared start is now + startInSeconds (whole seconds, UTC), the deadline the plan's estimated
 * time plus the start delay, 30 s per step for setup and drain, and 10 min for image pulls.
 */
export async function k8sManifestOptions(request: K8sRequest): Promise<K8sPlan> {
  const scenario = await loadScenarioFile(request.scenarioFile);
  checkRequest(request);
  const workloads = scenario.workloads ?? (scenario.workload === undefined ? [] : [scenario.workload]);
  const traces = workloads.flatMap((w) => (w.kind === 'replay' ? [w.trace] : []));
  const files = await bundle(request.scenarioFile, traces);
  const start = new Date(Math.ceil(request.now.getTime() / 1000) * 1000 + request.startInSeconds * 1000);
  const plan = buildPlan(scenario);
  const deadline = request.startInSeconds + Math.ceil(plan.estimatedDurationMs / 1000) + 30 * plan.steps.length + 600;
  const options: K8sManifestOptions = {
    name: jobName(scenario.name, start),
    ...(request.namespace === undefined ? {} : { namespace: request.namespace }),
    image: request.image,
    shards: request.shards,
    startAt: start.toISOString(),
    files,
    cpu: request.cpu,
    memory: request.memory,
    activeDeadlineSeconds: deadline,
    ...(request.secret === undefined ? {} : { secret: request.secret }),
    ...(request.pvc === undefined ? {} : { pvc: request.pvc }),
  };
  return { options, warnings: listenerWarnings(scenario, request.shards) };
}
