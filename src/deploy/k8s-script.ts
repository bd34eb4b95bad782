// The shell text of a sharded Kubernetes run: the container command of every Job pod (index ->
// `--shard I/N`, the run, its result printed to the log between markers) and the collection script
// that waits for the Job, cuts each index's result out of `kubectl logs` and merges them. Pure:
// strings in, strings out. POSIX sh only (the image is Debian slim: dash, gzip, base64).

/** Line before a shard's result in its pod log; the result follows as gzip + base64 text. */
export const RESULT_BEGIN = '-----BEGIN HCBENCH RESULT-----';
/** Line after a shard's result in its pod log. */
export const RESULT_END = '-----END HCBENCH RESULT-----';

/** Where the shard's result JSON is written inside the pod (an emptyDir, or the claim of `--pvc`). */
export const RESULTS_MOUNT = '/results';

/** Quotes `value` for a POSIX shell: single quotes, an embedded ' closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** What one shard pod runs. */
export interface ShardCommand {
  /** Path of the scenario file inside the container. */
  scenarioPath: string;
  /** N: shards in all (the Job's completions). */
  shards: number;
  /** The shared start of every shard's measured window, ISO-8601. */
  startAt: string;
}

/**
 * The `sh -c` script of the Job's container. JOB_COMPLETION_INDEX (0-based, set by Kubernetes for
 * an Indexed Job) becomes `--shard $((INDEX+1))/N`. The run writes its folder under /results/shard-I
 * (HCBENCH_RESULTS_DIR, if set, replaces /results)
 * (shards sharing a volume never share a folder) and its result JSON to /results/shard-I.json; the result is then printed gzip + base64 between
 * {@link RESULT_BEGIN} and {@link RESULT_END}, so `kubectl logs` collects it after the pod is gone
 * (stdout and stderr share one log, and a result of a few MB would pass the kubelet's log
 * rotation size as plain JSON). SIGTERM (pod deletion, activeDeadlineSeconds) is passed on as
 * SIGINT, the run's Ctrl-C: it writes partial results, which are still printed. Exit codes 0, 6
 * (a threshold failed: judged on the merged result, not on a slice) and 7 (generator fell behind:
 * recorded in the result, the merge shows it) leave the pod Succeeded; any other code fails it.
 */
export function shardScript(command: ShardCommand): string {
  return [
    'set -u',
    'index="${JOB_COMPLETION_INDEX:?JOB_COMPLETION_INDEX is not set: run this as an Indexed Job}"',
    `shard="$((index + 1))/${command.shards}"`,
    `results="\${HCBENCH_RESULTS_DIR:-${RESULTS_MOUNT}}"`,
    'out="$results/shard-$((index + 1)).json"',
    // The trap is set before the run starts, so a SIGTERM never finds the run without it.
    "pid=''",
    `trap '[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null' TERM INT`,
    `hcbench run ${shellQuote(command.scenarioPath)} --shard "$shard" --start-at ${shellQuote(command.startAt)} --results-dir "$results/shard-$((index + 1))" --json > "$out" &`,
    'pid=$!',
    'code=0',
    'wait "$pid" || code=$?',
    // A trapped signal ends `wait` early (code > 128) while the run still writes its partial result.
    'while kill -0 "$pid" 2>/dev/null; do code=0; wait "$pid" || code=$?; done',
    'echo "hcbench shard $shard exited with code $code" >&2',
    'if [ -s "$out" ]; then',
    `  echo ${shellQuote(RESULT_BEGIN)}`,
    '  gzip -c "$out" | base64',
    `  echo ${shellQuote(RESULT_END)}`,
    'else',
    '  echo "hcbench shard $shard wrote no result" >&2',
    'fi',
    'case "$code" in 0|6|7) exit 0 ;; *) exit "$code" ;; esac',
    '',
  ].join('\n');
}

/** What the collection script needs to know. */
export interface CollectScript {
  jobName: string;
  /** Omitted: kubectl's current namespace. */
  namespace?: string;
  shards: number;
  /** Longest the script waits for the Job to finish, seconds. */
  waitSeconds: number;
}

/** The `kubectl` arguments that select the namespace, with a trailing space, or ''. */
function namespaceArgs(namespace: string | undefined): string {
  return namespace === undefined ? '' : `-n ${shellQuote(namespace)} `;
}

/**
 * The collection script written beside the manifests (`collect.sh [DIR]`): waits (bounded) until
 * the Job is Complete or Failed, takes each index's pod log, cuts the result out between the
 * markers, decodes it to DIR/shard-I.json, and merges the shards with `hcbench merge`; a missing
 * shard is named and the merge is left to the user (`--allow-partial` marks it partial).
 */
export function collectScript(options: CollectScript): string {
  const ns = namespaceArgs(options.namespace);
  const job = shellQuote(options.jobName);
  return [
    '#!/bin/sh',
    `# Collects and merges the ${options.shards} shard results of Job ${options.jobName} (written by hcbench k8s).`,
    '# Usage: sh collect.sh [DIR]   (default DIR: ./results-<job>). Needs kubectl, base64, gunzip, hcbench.',
    'set -u',
    `job=${job}`,
    `shards=${options.shards}`,
    'dir="${1:-./results-$job}"',
    'mkdir -p "$dir" || exit 2',
    `deadline=$(( $(date +%s) + ${options.waitSeconds} ))`,
    'while :; do',
    `  state=$(kubectl ${ns}get job "$job" -o 'jsonpath={.status.conditions[?(@.status=="True")].type}') || exit 2`,
    '  case "$state" in *Complete*|*Failed*) break ;; esac',
    '  [ "$(date +%s)" -ge "$deadline" ] && { echo "job $job not finished after the deadline; collecting what is there" >&2; break; }',
    '  sleep 10',
    'done',
    'echo "job $job: ${state:-running}" >&2',
    'missing=0',
    'i=0',
    'while [ "$i" -lt "$shards" ]; do',
    '  n=$((i + 1))',
    `  pod=$(kubectl ${ns}get pods -l "batch.kubernetes.io/job-name=$job,batch.kubernetes.io/job-completion-index=$i" -o name | head -n 1)`,
    '  if [ -z "$pod" ]; then echo "shard $n/$shards: no pod (index $i)" >&2; missing=$((missing + 1)); i=$n; continue; fi',
    `  kubectl ${ns}logs "$pod" | sed -n ${shellQuote(`/^${RESULT_BEGIN}$/,/^${RESULT_END}$/p`)} | sed '1d;$d' | base64 -d | gunzip > "$dir/shard-$n.json"`,
    '  if [ ! -s "$dir/shard-$n.json" ]; then echo "shard $n/$shards: no result in the log of $pod" >&2; rm -f "$dir/shard-$n.json"; missing=$((missing + 1)); fi',
    '  i=$n',
    'done',
    'if [ "$missing" -gt 0 ]; then',
    '  echo "$missing of $shards shards missing; merge what is there with: hcbench merge $dir/shard-*.json --out $dir/merged.json --allow-partial" >&2',
    '  exit 1',
    'fi',
    'hcbench merge "$dir"/shard-*.json --out "$dir/merged.json"',
    '',
  ].join('\n');
}

/** The documented kubectl sequence `hcbench k8s` prints after writing the files. */
export function kubectlSequence(options: CollectScript & { manifestsFile: string; collectFile: string; startAt: string }): string {
  const ns = namespaceArgs(options.namespace);
  return [
    `1. apply before ${options.startAt} (every shard starts measuring then; regenerate if it has passed):`,
    `   kubectl apply -f ${shellQuote(options.manifestsFile)}`,
    '2. watch the shards:',
    `   kubectl ${ns}get pods -l batch.kubernetes.io/job-name=${options.jobName} -w`,
    '3. wait for the Job, collect every index from its pod log, merge: all of it, with a bounded wait, is',
    `   sh ${shellQuote(options.collectFile)}`,
    '   or by hand:',
    `   kubectl ${ns}wait --for=condition=Complete job/${options.jobName} --timeout=${options.waitSeconds}s   # a failed index ends the Job Failed instead: collect anyway`,
    `   for i in $(seq 0 ${options.shards - 1}); do`,
    `     pod=$(kubectl ${ns}get pods -l batch.kubernetes.io/job-name=${options.jobName},batch.kubernetes.io/job-completion-index=$i -o name)`,
    `     kubectl ${ns}logs "$pod" | sed -n '/^${RESULT_BEGIN}$/,/^${RESULT_END}$/p' | sed '1d;$d' | base64 -d | gunzip > shard-$((i + 1)).json`,
    '   done',
    '   hcbench merge shard-*.json --out merged.json        # add --allow-partial if a shard is missing',
    '4. clean up (the Job also deletes itself a day after it finished):',
    `   kubectl ${ns}delete job ${options.jobName} && kubectl ${ns}delete configmap ${options.jobName}`,
    '',
  ].join('\n');
}
