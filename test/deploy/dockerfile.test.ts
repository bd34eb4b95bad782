// The Dockerfile, linted by a checklist (hadolint is not installable here: not in Debian's
// archive, and its registry wrappers are on a registry this machine cannot reach; Docker itself is
// not installed, so the image is not built here). Each rule says why it matters; a broken
// Dockerfile is shown to fail every rule, so the checklist can fail.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Dockerfile text to instructions (comments dropped, `\` continuations joined), with their stage. */
function parseDockerfile(text: string): Instruction[] {
  const logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  let stage = -1;
  return logical.map((line) => {
    const [op = '', ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === 'FROM') stage += 1;
    return { op: op.toUpperCase(), args: rest.join(' '), stage };
  });
}

/** Paths a .dockerignore excludes (plain names and globs with a leading ** / only). */
function ignored(dockerignore: string): string[] {
  return dockerignore.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'));
}

const SECRET_NAME = /(KEY|SECRET|TOKEN|PASSWORD|CONNECTION_?STRING|SAS)/i;

/** Every checklist rule the Dockerfile breaks, each with its reason. */
function lint(dockerfile: string, dockerignore: string): string[] {
  const all = parseDockerfile(dockerfile);
  const problems: string[] = [];
  const froms = all.filter((i) => i.op === 'FROM');
  const last = froms.length - 1;
  const inLast = all.filter((i) => i.stage === last);
  for (const from of froms) {
    const image = from.args.split(/\s+/)[0] ?? '';
    if (!/^node:20\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/.test(image)) problems.push(`FROM ${image}: base must be node 20 slim pinned to an exact version (a moving tag rebuilds a different image)`);
  }
  if (froms.length < 2) problems.push('single stage: tsc needs dev dependencies the runtime image must not carry (multi-stage build)');
  const ci = (i: Instruction) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args);
  if (!inLast.some((i) => ci(i) && /--omit=dev/.test(i.args) && /--ignore-scripts/.test(i.args))) problems.push('runtime stage: npm ci --omit=dev --ignore-scripts missing (prepare would run tsc, which --omit=dev leaves out)');
  if (!all.some((i) => i.stage < last && i.op === 'RUN' && /npm run build/.test(i.args))) problems.push('no build stage runs npm run build');
  if (all.some((i) => i.op === 'RUN' && /\bnpm install\b/.test(i.args))) problems.push('npm install: use npm ci (the lock file, exactly)');
  for (const stage of new Set(all.map((i) => i.stage))) {
    const instrs = all.filter((i) => i.stage === stage);
    const firstCi = instrs.findIndex(ci);
    if (firstCi < 0) continue;
    const before = instrs.slice(0, firstCi).filter((i) => i.op === 'COPY').map((i) => i.args).join(' ');
    if (!/package-lock\.json/.test(before) || !/\bstubs\b/.test(before)) problems.push(`stage ${stage}: npm ci before package-lock.json and stubs/ are copied (the overrides point at stubs/)`);
  }
  const users = inLast.filter((i) => i.op === 'USER');
  const user = users.at(-1)?.args ?? 'root';
  if (/^(root|0)(:|$)/.test(user)) problems.push(`runs as ${user}: the last USER must be non-root`);
  if (!/^\d+(:\d+)?$/.test(user)) problems.push(`USER ${user}: give a numeric user (Kubernetes runAsNonRoot cannot verify a name)`);
  const lastRun = inLast.map((i) => i.op).lastIndexOf('RUN');
  const lastUser = inLast.map((i) => i.op).lastIndexOf('USER');
  if (lastUser < lastRun) problems.push('a RUN after the last USER runs as root in the final image');
  for (const i of all.filter((x) => x.op === 'ADD')) problems.push(`ADD ${i.args}: use COPY (ADD fetches URLs and unpacks archives implicitly)`);
  for (const i of all.filter((x) => x.op === 'ENV' || x.op === 'ARG')) if (SECRET_NAME.test(i.args)) problems.push(`${i.op} ${i.args}: secrets must not be baked into the image`);
  for (const i of all.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
    const sources = i.args.split(/\s+/).slice(0, -1);
    for (const s of sources) if (/\.env|\.pem|\.key/.test(s)) problems.push(`COPY ${s}: secrets must not be copied into the image`);
  }
  if (!all.some((i) => i.op === 'HEALTHCHECK')) problems.push('no HEALTHCHECK (or HEALTHCHECK NONE with the reason)');
  const entry = inLast.filter((i) => i.op === 'ENTRYPOINT').at(-1);
  if (entry === undefined || !entry.args.startsWith('[')) problems.push('ENTRYPOINT must be in exec form (signals reach hcbench, not a shell)');
  for (const i of all.filter((x) => x.op === 'WORKDIR')) if (!i.args.startsWith('/')) problems.push(`WORKDIR ${i.args}: must be absolute`);
  for (const i of all.filter((x) => x.op === 'RUN' && /apt-get install/.test(x.args))) if (!/--no-install-recommends/.test(i.args)) problems.push('apt-get install without --no-install-recommends');
  if (!inLast.some((i) => i.op === 'RUN' && /\/usr\/local\/bin\/hcbench/.test(i.args))) problems.push('hcbench is not on PATH (the Job\'s container command calls `hcbench`)');
  const excluded = ignored(dockerignore);
  for (const needed of ['node_modules', 'dist', '.git', 'results']) if (!excluded.includes(needed)) problems.push(`.dockerignore does not exclude ${needed}`);
  for (const i of all.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
    for (const source of i.args.split(/\s+/).slice(0, -1)) if (excluded.includes(source.replace(/\/$/, ''))) problems.push(`COPY ${source}: excluded by .dockerignore`);
  }
  return problems;
}

describe('Dockerfile checklist', () => {
  test('the Dockerfile passes every rule, and copies only files that exist', async () => {
    const dockerfile = await readFile('Dockerfile', 'utf8');
    expect(lint(dockerfile, await readFile('.dockerignore', 'utf8'))).toEqual([]);
    const sources = parseDockerfile(dockerfile).filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(source), source).toBe(true);
    // The image's Node is the one the tests run on (same major at least).
    const tag = /FROM node:(\d+)\./.exec(dockerfile)?.[1];
    expect(tag).toBe(process.versions.node.split('.')[0]);
  });

  test('a broken Dockerfile fails each rule (the checklist can fail)', () => {
    const broken = [
      'FROM node:latest',
      'WORKDIR app',
      'ARG RELAY_SAS_KEY',
      'ADD https://example.invalid/hcbench.tgz /app/',
      'COPY .env ./',
      'RUN npm install && npm run build',
      'RUN npm ci',
      'USER root',
      'RUN apt-get update && apt-get install -y curl',
      'ENTRYPOINT node dist/cli/bin.js',
    ].join('\n');
    const problems = lint(broken, 'node_modules\nsrc\n').join('\n');
    for (const expected of [
      'base must be node 20 slim pinned',
      'single stage',
      'npm ci --omit=dev --ignore-scripts missing',
      'no build stage runs npm run build',
      'npm install: use npm ci',
      'npm ci before package-lock.json and stubs/ are copied',
      'runs as root',
      'give a numeric user',
      'a RUN after the last USER',
      'ADD https://example.invalid/hcbench.tgz /app/: use COPY',
      'ARG RELAY_SAS_KEY: secrets must not be baked',
      'COPY .env: secrets must not be copied',
      'no HEALTHCHECK',
      'ENTRYPOINT must be in exec form',
      'WORKDIR app: must be absolute',
      'apt-get install without --no-install-recommends',
      'hcbench is not on PATH',
      '.dockerignore does not exclude dist',
    ]) {
      expect(problems).toContain(expected);
    }
  });
});
