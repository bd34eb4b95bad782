// The architecture is enforced, not just written down: dependency-cruiser runs the rule file
// (.dependency-cruiser.cjs) over src/ and must find nothing; the same rules must catch a cycle and
// a forbidden import in a small fixture tree; and docs/architecture.md must show the rule file's
// table, row for row.

import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ruleFile = fileURLToPath(new URL('../../.dependency-cruiser.cjs', import.meta.url));
const depcruise = fileURLToPath(new URL('../../node_modules/dependency-cruiser/bin/dependency-cruise.mjs', import.meta.url));
const { layers, allowed } = (createRequire(import.meta.url)(ruleFile) as { architecture: { layers: string[][]; allowed: Record<string, string[]> } }).architecture;

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs the dependency-cruiser CLI with the rule file on `src` inside `cwd`; resolves with its violations. */
function cruise(cwd: string): Promise<{ violations: Violation[]; totalCruised: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [depcruise, 'src', '--config', ruleFile, '--output-type', 'json'], { cwd, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // The CLI exits non-zero when it finds violations; the JSON on stdout is what counts.
      try {
        const summary = (JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } }).summary;
        resolve(summary);
      } catch {
        reject(new Error(`dependency-cruiser gave no JSON (${error?.message ?? 'no error'}): ${stderr.slice(0, 2000)}`));
      }
    });
  });
}

const describeViolation = (v: Violation): string => `${v.rule.name}: ${v.from} -> ${v.to}`;

describe('architecture rules (.dependency-cruiser.cjs)', () => {
  test('src/ has no forbidden import, no import cycle and no orphan', async () => {
    const { violations, totalCruised } = await cruise(root);
    expect(totalCruised).toBeGreaterThan(100);
    expect(violations.map(describeViolation)).toEqual([]);
  });

  test('the rules report a deliberate cycle and a deliberate upward import (test/fixtures/architecture)', async () => {
    const { violations, totalCruised } = await cruise(fileURLToPath(new URL('../fixtures/architecture/', import.meta.url)));
    expect(totalCruised).toBe(4);
    expect(violations.map(describeViolation).sort()).toEqual([
      'layer-metrics: src/metrics/upward.ts -> src/report/render.ts',
      'no-circular: src/metrics/cycle-a.ts -> src/metrics/cycle-b.ts',
    ]);
  });

  test('every folder of src/ is in the table, and every allowed import points to a lower layer', async () => {
    const folders = (await readdir(new URL('../../src/', import.meta.url), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    const layerOf = new Map(layers.flatMap((names, index) => names.map((name) => [name, index] as const)));
    expect([...layerOf.keys()].sort()).toEqual(['(root)', ...folders].sort());
    expect(Object.keys(allowed).sort()).toEqual([...layerOf.keys()].sort());
    for (const [name, targets] of Object.entries(allowed)) {
      for (const target of targets) {
        expect(layerOf.get(target), `${name} may import ${target}`).toBeLessThan(layerOf.get(name) ?? -1);
      }
    }
  });

  test('docs/architecture.md shows the same layers and allowed imports as the rule file', async () => {
    const doc = await readFile(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
    const rows = doc
      .split('\n')
      .map((line) => /^\|\s*(\d+)\s*\|\s*`([^`]+)`\s*\|([^|]*)\|/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ layer: Number(m[1]), folder: m[2] ?? '', allowed: [...(m[3] ?? '').matchAll(/`([^`]+)`/g)].map((a) => a[1] ?? '') }));
    const docLayers: string[][] = [];
    for (const row of rows) (docLayers[row.layer] ??= []).push(row.folder);
    expect(docLayers).toEqual(layers);
    expect(Object.fromEntries(rows.map((r) => [r.folder, r.allowed]))).toEqual(allowed);
  });
});
