// The whole Kubernetes loop without a cluster: the Job's container command runs (real sh) for each
// index of N = 3 and its output becomes that pod's log; collect.sh then runs (real sh, sed, base64,
// gunzip) against a `kubectl` that serves those logs and a `hcbench` that records the merge it is
// asked for. Both are recorders on PATH, not the code under test: they stand in for a cluster and
// for `hcbench run --shard` / `hcbench merge`, which this branch does not implement.

import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** `hcbench run` prints its argv as the result JSON; `hcbench merge` records its argv. */
const HCBENCH = `#!/usr/bin/env node
const fs = require('node:fs');
const argv = process.argv.slice(2);
if (argv[0] === 'merge') fs.writeFileSync(process.env.FAKE_MERGE_RECORD, JSON.stringify(argv));
else process.stdout.write(JSON.stringify({ argv }) + '\\n');
`;

/** Serves the Job state and pod logs from FAKE_K8S_DIR; records every call. */
const KUBECTL = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const root = process.env.FAKE_K8S_DIR;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(root, 'calls.jsonl'), JSON.stringify(argv) + '\\n');
const args = argv[0] === '-n' ? argv.slice(2) : argv;
if (args[0] === 'wait') process.stdout.write('job condition met\\n');
else if (args[0] === 'get' && args[1] === 'job') process.stdout.write(fs.readFileSync(path.join(root, 'state'), 'utf8'));
else if (args[0] === 'get' && args[1] === 'pods') {
  const index = /job-completion-index=(\\d+)/.exec(args[3])[1];
  if (fs.existsSync(path.join(root, index + '.log'))) process.stdout.write('pod/shard-' + index + '\\n');
} else if (args[0] === 'logs') process.stdout.write(fs.readFileSync(path.join(root, args[1].replace('pod/shard-', '') + '.log'), 'utf8'));
else { process.stderr.write('unexpected kubectl call ' + argv.join(' ')); process.exit(9); }
`;

let dir: string;
let bin: string;
let cluster: string;
let out: string;
let script: string;
let jobName: string;
let printed: string;

function env(): NodeJS.ProcessEnv {
  return { PATH: `${bin}:${process.env['PATH'] ?? ''}`, FAKE_K8S_DIR: cluster, FAKE_MERGE_RECORD: join(dir, 'merge.json'), HCBENCH_RESULTS_DIR: join(dir, 'pod-results') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-k8s-collect-'));
  bin = join(dir, 'bin');
  cluster = join(dir, 'cluster');
  out = join(dir, 'out');
  for (const folder of [bin, cluster, join(dir, 'pod-results')]) await mkdir(folder);
  await writeFile(join(bin, 'hcbench'), HCBENCH);
  await writeFile(join(bin, 'kubectl'), KUBECTL);
  await chmod(join(bin, 'hcbench'), 0o755);
  await chmod(join(bin, 'kubectl'), 0o755);
  const run = await runCli(['k8s', 'scenarios/quickstart.yaml', '--shards', '3', '--image', 'hcbench:test', '--namespace', 'bench', '--out', out]);
  expect(run.exitCode, run.stderr).toBe(0);
  printed = run.stdout;
  const job = (parseAllDocuments(await readFile(join(out, 'manifests.yaml'), 'utf8')) as { toJS(): any }[])[1]?.toJS();
  script = job.spec.template.spec.containers[0].command[2];
  jobName = job.metadata.name;
  // Each pod: the container command for its index; its log is stderr and stdout in one stream.
  for (const index of [0, 1, 2]) {
    const pod = spawnSync('sh', ['-c', script], { env: { ...env(), JOB_COMPLETION_INDEX: String(index) }, encoding: 'utf8', timeout: 20_000 });
    expect(pod.status, pod.stderr).toBe(0);
    await writeFile(join(cluster, `${index}.log`), `progress: step 1/2 of shard ${index + 1}\n${pod.stderr}${pod.stdout}`);
  }
  await writeFile(join(cluster, 'state'), 'Complete');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function collect(resultsDir: string) {
  return spawnSync('sh', [join(out, 'collect.sh'), resultsDir], { env: env(), encoding: 'utf8', timeout: 30_000 });
}

describe('collect.sh against served pod logs (N = 3)', () => {
  test('every index is collected into shard-<i+1>.json and merged with hcbench merge … --out merged.json', async () => {
    const results = join(dir, 'collected');
    const run = collect(results);
    expect(run.status, run.stderr).toBe(0);
    for (const index of [0, 1, 2]) {
      const shard = JSON.parse(await readFile(join(results, `shard-${index + 1}.json`), 'utf8')) as { argv: string[] };
      expect(shard.argv.slice(0, 4)).toEqual(['run', '/etc/hcbench/scenario/quickstart.yaml', '--shard', `${index + 1}/3`]);
    }
    const merge = JSON.parse(await readFile(join(dir, 'merge.json'), 'utf8')) as string[];
    expect(merge).toEqual(['merge', join(results, 'shard-1.json'), join(results, 'shard-2.json'), join(results, 'shard-3.json'), '--out', join(results, 'merged.json')]);
    const calls = (await readFile(join(cluster, 'calls.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(calls.every((c) => c[0] === '-n' && c[1] === 'bench')).toBe(true);
    expect(calls.some((c) => c.includes(`batch.kubernetes.io/job-name=${jobName},batch.kubernetes.io/job-completion-index=2`))).toBe(true);
  });

  test('the by-hand commands hcbench k8s prints do the same (wait, each index from its log, merge)', async () => {
    await rm(join(dir, 'merge.json'), { force: true });
    const byHand = /or by hand:\n([\s\S]*?)\n4\. /.exec(printed)?.[1];
    expect(byHand).toBeDefined();
    const cwd = join(dir, 'by-hand');
    await mkdir(cwd);
    const run = spawnSync('sh', ['-c', `set -e\n${byHand ?? ''}`], { cwd, env: env(), encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    for (const index of [0, 1, 2]) {
      const shard = JSON.parse(await readFile(join(cwd, `shard-${index + 1}.json`), 'utf8')) as { argv: string[] };
      expect(shard.argv[3]).toBe(`${index + 1}/3`);
    }
    expect(JSON.parse(await readFile(join(dir, 'merge.json'), 'utf8'))).toEqual(['merge', 'shard-1.json', 'shard-2.json', 'shard-3.json', '--out', 'merged.json']);
  });

  test('a missing shard is named, nothing is merged, and the partial merge command is printed', async () => {
    await rm(join(dir, 'merge.json'), { force: true });
    const log = await readFile(join(cluster, '2.log'), 'utf8');
    await rm(join(cluster, '2.log'));
    await writeFile(join(cluster, '1.log'), 'hcbench shard 2/3 wrote no result\n');
    await writeFile(join(cluster, 'state'), 'Failed');
    try {
      const results = join(dir, 'partial');
      const run = collect(results);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('job ' + jobName + ': Failed');
      expect(run.stderr).toContain('shard 2/3: no result in the log of pod/shard-1');
      expect(run.stderr).toContain('shard 3/3: no pod (index 2)');
      expect(run.stderr).toContain(`2 of 3 shards missing; merge what is there with: hcbench merge ${results}/shard-*.json --out ${results}/merged.json --allow-partial`);
      await expect(readFile(join(dir, 'merge.json'))).rejects.toThrow(/ENOENT/);
      expect(JSON.parse(await readFile(join(results, 'shard-1.json'), 'utf8')).argv).toContain('1/3');
    } finally {
      await writeFile(join(cluster, '2.log'), log);
    }
  });
});
