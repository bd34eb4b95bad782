// `hcbench k8s <scenario> --shards N --image IMAGE`: writes the manifests of a sharded run on
// Kubernetes (a ConfigMap with the scenario, an Indexed Job of N shards with one shared start) and
// a collection script, and prints the kubectl sequence. Talks to no cluster.

import { chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { makeDirectory, writeFileAtomic } from '../../fs/write-output.js';
import { k8sManifestOptions, MAX_SHARDS } from '../../deploy/k8s-bundle.js';
import { renderManifests } from '../../deploy/k8s-manifests.js';
import { collectScript, kubectlSequence } from '../../deploy/k8s-script.js';
import type { CliIo } from '../io.js';

interface K8sFlags {
  shards: number;
  image: string;
  namespace?: string;
  startIn: number;
  out?: string;
  cpu: string;
  memory: string;
  secret?: string;
  pvc?: string;
}

/** Longest start delay accepted, seconds (a day). */
const MAX_START_IN_SECONDS = 86_400;

function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`must be a whole number in ${min}..${max}, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

export function registerK8s(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('k8s')
    .description('write Kubernetes manifests that run a scenario as N shards (Indexed Job) and a script that collects and merges them')
    .argument('<scenario>', 'scenario file (YAML or JSON); validated first (exit 3 as validate)')
    .requiredOption('--shards <n>', `number of shards, one pod each (1..${MAX_SHARDS})`, wholeNumber(1, MAX_SHARDS))
    .requiredOption('--image <image>', 'container image with hcbench (see the Dockerfile), e.g. registry.example/hcbench:0.1.0')
    .option('--namespace <ns>', 'Kubernetes namespace (default: kubectl\'s current one)')
    .option('--start-in <seconds>', `seconds from now to the shared start of every shard's measured window (10..${MAX_START_IN_SECONDS})`, wholeNumber(10, MAX_START_IN_SECONDS), 300)
    .option('--out <dir>', 'folder for manifests.yaml and collect.sh (default: k8s/<job name>)')
    .option('--cpu <quantity>', 'CPU requested per shard pod (no CPU limit is set: throttling would show as latency)', '2')
    .option('--memory <quantity>', 'memory requested and limited per shard pod', '1Gi')
    .option('--secret <name>', 'Secret whose keys become environment variables (the relay connection string)')
    .option('--pvc <claim>', 'PersistentVolumeClaim (ReadWriteMany) for the run folders instead of an emptyDir')
    .action(async (scenarioFile: string, flags: K8sFlags) => {
      const { options, warnings } = await k8sManifestOptions({
        scenarioFile,
        shards: flags.shards,
        image: flags.image,
        startInSeconds: flags.startIn,
        cpu: flags.cpu,
        memory: flags.memory,
        now: new Date(),
        ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
        ...(flags.secret === undefined ? {} : { secret: flags.secret }),
        ...(flags.pvc === undefined ? {} : { pvc: flags.pvc }),
      });
      for (const warning of warnings) io.stderr.write(`${warning}\n`);
      const folder = resolve(io.cwd, flags.out ?? join('k8s', options.name));
      await makeDirectory(folder);
      const manifestsFile = await writeFileAtomic(folder, 'manifests.yaml', renderManifests(options));
      const script = { jobName: options.name, shards: options.shards, waitSeconds: options.activeDeadlineSeconds + 60, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) };
      const collectFile = await writeFileAtomic(folder, 'collect.sh', collectScript(script));
      await chmod(collectFile, 0o755);
      io.stderr.write(`manifests: ${manifestsFile}\ncollect script: ${collectFile}\n`);
      io.stdout.write(`Job ${options.name}: ${options.shards} shards, measured window starts at ${options.startAt}, deadline ${options.activeDeadlineSeconds} s\n`);
      io.stdout.write(kubectlSequence({ ...script, manifestsFile, collectFile, startAt: options.startAt }));
      setExit(ExitCode.Ok);
    });
}
