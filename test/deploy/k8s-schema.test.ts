// `hcbench k8s` manifests against the Kubernetes API's published JSON schemas (batch/v1 Job, v1
// ConfigMap; test/fixtures/k8s-schema/README.md says which version and from where), plus what the
// schemas cannot say: names, parallelism = completions = N, the pod's security settings.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const K8S_SCHEMA_VERSION = 'v1.32.2-standalone-strict';
const SCHEMA_DIR = join('test/fixtures/k8s-schema', K8S_SCHEMA_VERSION);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type Doc = Record<string, any>;

let dir: string;
let validateJob: ValidateFunction;
let validateConfigMap: ValidateFunction;

async function compile(ajv: Ajv, file: string): Promise<ValidateFunction> {
  return ajv.compile(JSON.parse(await readFile(join(SCHEMA_DIR, file), 'utf8')) as object);
}

/** Writes the manifests for `scenario` with `args` and returns [ConfigMap, Job] and the CLI output. */
async function render(scenario: string, args: string[]): Promise<{ configMap: Doc; job: Doc; stdout: string }> {
  const out = await mkdtemp(join(dir, 'out-'));
  const run = await runCli(['k8s', scenario, '--out', out, ...args]);
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.exitCode).toBe(ExitCode.Ok);
  const docs = parseAllDocuments(await readFile(join(out, 'manifests.yaml'), 'utf8'));
  expect(Array.isArray(docs)).toBe(true);
  const [configMap, job] = (docs as { toJS(): Doc }[]).map((d) => d.toJS());
  expect(configMap?.['kind']).toBe('ConfigMap');
  expect(job?.['kind']).toBe('Job');
  return { configMap: configMap as Doc, job: job as Doc, stdout: run.stdout };
}

function errorsOf(validate: ValidateFunction, doc: Doc): string[] {
  validate(doc);
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-k8s-schema-'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', RFC3339);
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  validateJob = await compile(ajv, 'job-batch-v1.json');
  validateConfigMap = await compile(ajv, 'configmap-v1.json');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hcbench k8s manifests against the Kubernetes JSON schema', () => {
  test('N = 3: the ConfigMap and the Indexed Job are valid, and say N, Indexed and one start', async () => {
    const { configMap, job, stdout } = await render('scenarios/quickstart.yaml', ['--shards', '3', '--image', 'registry.example/hcbench:0.1.0', '--namespace', 'bench', '--secret', 'hcbench-relay']);

    expect(errorsOf(validateConfigMap, configMap)).toEqual([]);
    expect(errorsOf(validateJob, job)).toEqual([]);
    expect(configMap['data']['quickstart.yaml']).toBe(await readFile('scenarios/quickstart.yaml', 'utf8'));
    const spec = job['spec'];
    expect([spec.completionMode, spec.completions, spec.parallelism, spec.backoffLimitPerIndex]).toEqual(['Indexed', 3, 3, 0]);
    expect(spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    expect(spec.activeDeadlineSeconds).toBeGreaterThan(300);
    const pod = spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const [container] = pod.containers;
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(container.resources.requests).toEqual({ cpu: '2', memory: '1Gi' });
    expect(container.resources.limits.cpu).toBeUndefined();
    expect(container.envFrom).toEqual([{ secretRef: { name: 'hcbench-relay' } }]);
    // The ConfigMap the Job mounts is the one written beside it, in the same namespace.
    expect(pod.volumes.find((v: Doc) => v.name === 'scenario').configMap.name).toBe(configMap['metadata'].name);
    for (const doc of [configMap, job]) {
      expect(doc['metadata'].name).toMatch(DNS_LABEL);
      expect(doc['metadata'].name.length).toBeLessThanOrEqual(63);
      expect(doc['metadata'].namespace).toBe('bench');
    }
    const startAt = job['metadata'].annotations['hcbench/start-at'];
    expect(startAt).toMatch(RFC3339);
    expect(container.command[2]).toContain(`--start-at '${startAt}'`);
    expect(stdout).toContain(`kubectl apply -f`);
    expect(stdout).toContain(`starts at ${startAt}`);
  });

  test('a replay scenario carries its trace at the relative path the scenario names', async () => {
    const { configMap, job } = await render('scenarios/pricing-database-replay.yaml', ['--shards', '2', '--image', 'hcbench:test', '--pvc', 'hcbench-results']);

    expect(errorsOf(validateConfigMap, configMap)).toEqual([]);
    expect(errorsOf(validateJob, job)).toEqual([]);
    const volumes = job['spec'].template.spec.volumes as Doc[];
    const items = volumes.find((v) => v.name === 'scenario')?.['configMap'].items as { key: string; path: string }[];
    expect(items.map((i) => i.path)).toEqual(['pricing-database-replay.yaml', 'traces/pricing-orm.json']);
    const traceKey = items[1]?.key ?? '';
    expect(configMap['data'][traceKey]).toBe(await readFile('scenarios/traces/pricing-orm.json', 'utf8'));
    expect(volumes.find((v) => v.name === 'results')).toEqual({ name: 'results', persistentVolumeClaim: { claimName: 'hcbench-results' } });
  });

  test('the check can fail: a misspelt field, a wrong type and a bad value are each refused where they are', async () => {
    const { configMap, job } = await render('scenarios/quickstart.yaml', ['--shards', '3', '--image', 'hcbench:test']);
    expect(errorsOf(validateJob, job)).toEqual([]);

    const misspelt = structuredClone(job);
    misspelt['spec'].paralelism = misspelt['spec'].parallelism;
    delete misspelt['spec'].parallelism;
    expect(errorsOf(validateJob, misspelt).join('\n')).toContain('/spec must NOT have additional properties {"additionalProperty":"paralelism"}');

    const wrongType = structuredClone(job);
    wrongType['spec'].completions = '3';
    expect(errorsOf(validateJob, wrongType).join('\n')).toContain('/spec/completions must be integer');

    const wrongContainer = structuredClone(job);
    wrongContainer['spec'].template.spec.containers[0].command = 'sh -c run';
    expect(errorsOf(validateJob, wrongContainer).join('\n')).toContain('/spec/template/spec/containers/0/command must be array');

    const tooBig = structuredClone(job);
    tooBig['spec'].completions = 2 ** 31;
    expect(errorsOf(validateJob, tooBig).join('\n')).toContain('/spec/completions must match format "int32"');

    const wrongKind = structuredClone(configMap);
    wrongKind['apiVersion'] = 'v2';
    wrongKind['data'] = { 'scenario.yaml': 42 };
    const configMapErrors = errorsOf(validateConfigMap, wrongKind).join('\n');
    expect(configMapErrors).toContain('/apiVersion must be equal to one of the allowed values');
    expect(configMapErrors).toContain("/data/scenario.yaml must be string,null");
  });
});
