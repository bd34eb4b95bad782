// Loads the fixed result fixtures the reporter tests render.

import { readFileSync } from 'node:fs';
import type { RunResult } from '../../src/metrics/result.js';

/** Synthetic, seeded: two repetitions of a k = 1, 5 sweep on both paths, intervals, one failed step. */
export function loadSweepFixture(): RunResult {
  return JSON.parse(readFileSync(new URL('../fixtures/results/sweep-run.json', import.meta.url), 'utf8')) as RunResult;
}

/** A real 0.5 s quickstart run (one repetition, no intervals), saved by `hcbench run`. */
export function loadQuickstartFixture(): RunResult {
  return JSON.parse(readFileSync(new URL('../fixtures/results/quickstart-run.json', import.meta.url), 'utf8')) as RunResult;
}
