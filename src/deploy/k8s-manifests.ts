// The Kubernetes objects of a sharded run: a ConfigMap with the scenario (and the traces it
// replays) and an Indexed Job of N pods, each running one shard from the same scenario with one
// shared `--start-at`. Pure: plain objects in, plain objects and YAML text out.

import { stringify } from 'yaml';
import { RESULTS_MOUNT, shardScript } from './k8s-script.js';

/** Where the ConfigMap's files appear inside the container. */
export const SCENARIO_MOUNT = '/etc/hcbench/scenario';

/** One file of the ConfigMap: its key and its path under {@link SCENARIO_MOUNT}. */
export interface BundledFile {
  key: string;
  /** Relative path inside the mount (the scenario's own relative trace paths keep working). */
  path: string;
  text: string;
}

/** Everything the manifests are made from; checked by k8s-bundle.ts. */
export interface K8sManifestOptions {
  /** Name of the Job and the ConfigMap: a DNS-1123 label. */
  name: string;
  namespace?: string;
  image: string;
  shards: number;
  startAt: string;
  /** The scenario file first, then the traces it replays. */
  files: readonly BundledFile[];
  /** CPU and memory requested per shard pod (Kubernetes quantities). */
  cpu: string;
  memory: string;
  /** Job-wide deadline, seconds from the Job's start: the run's estimate, start delay and margin. */
  activeDeadlineSeconds: number;
  /** A Secret whose keys become environment variables (the relay connection string). */
  secret?: string;
  /** A PersistentVolumeClaim for the results instead of an emptyDir (kept after the pods). */
  pvc?: string;
}

/** A finished Job and its pods are deleted this long after it finished (collect before then). */
export const TTL_SECONDS_AFTER_FINISHED = 86_400;

/** The non-root user the image runs as (the Dockerfile's `node` user). */
const RUN_AS_USER = 1000;

function metadata(options: K8sManifestOptions): Record<string, unknown> {
  return {
    name: options.name,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    labels: { 'app.kubernetes.io/name': 'hcbench', 'app.kubernetes.io/instance': options.name },
    annotations: { 'hcbench/start-at': options.startAt, 'hcbench/shards': String(options.shards) },
  };
}

/** The v1 ConfigMap holding the scenario file and its traces. */
export function configMap(options: K8sManifestOptions): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(options),
    immutable: true,
    data: Object.fromEntries(options.files.map((file) => [file.key, file.text])),
  };
}

function container(options: K8sManifestOptions): Record<string, unknown> {
  const scenario = options.files[0];
  if (scenario === undefined) throw new Error('k8s manifests need the scenario file');
  return {
    name: 'hcbench',
    image: options.image,
    command: ['sh', '-c', shardScript({ scenarioPath: `${SCENARIO_MOUNT}/${scenario.path}`, shards: options.shards, startAt: options.startAt })],
    ...(options.secret === undefined ? {} : { envFrom: [{ secretRef: { name: options.secret } }] }),
    // No CPU limit: CFS throttling of a load generator shows up as latency of the system under test.
    resources: { requests: { cpu: options.cpu, memory: options.memory }, limits: { memory: options.memory } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: RUN_AS_USER,
      runAsGroup: RUN_AS_USER,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'scenario', mountPath: SCENARIO_MOUNT, readOnly: true },
      { name: 'results', mountPath: RESULTS_MOUNT },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

/** The batch/v1 Indexed Job: N pods at once, index i runs shard i+1 of N. */
export function job(options: K8sManifestOptions): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': 'hcbench', 'app.kubernetes.io/instance': options.name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(options),
    spec: {
      completionMode: 'Indexed',
      completions: options.shards,
      parallelism: options.shards,
      // A retried shard would start after the shared --start-at and miss the aligned window:
      // an index fails once and stays failed (the others go on); merge with --allow-partial.
      backoffLimitPerIndex: 0,
      backoffLimit: options.shards,
      activeDeadlineSeconds: options.activeDeadlineSeconds,
      ttlSecondsAfterFinished: TTL_SECONDS_AFTER_FINISHED,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: RUN_AS_USER, runAsGroup: RUN_AS_USER, fsGroup: RUN_AS_USER, seccompProfile: { type: 'RuntimeDefault' } },
          // One generator per node where the cluster has the nodes: N senders from N hosts.
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
          // Time for the run's Ctrl-C path (current step's drain and the write) after SIGTERM.
          terminationGracePeriodSeconds: 30,
          containers: [container(options)],
          volumes: [
            { name: 'scenario', configMap: { name: options.name, items: options.files.map((file) => ({ key: file.key, path: file.path })) } },
            options.pvc === undefined ? { name: 'results', emptyDir: {} } : { name: 'results', persistentVolumeClaim: { claimName: options.pvc } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}

/** Both objects as one multi-document YAML file (ConfigMap first: the Job mounts it). */
export function renderManifests(options: K8sManifestOptions): string {
  const header = `# Written by hcbench k8s: ${options.shards} shards of ${options.files[0]?.path ?? 'the scenario'}, measuring from ${options.startAt}.\n`;
  return header + [configMap(options), job(options)].map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
