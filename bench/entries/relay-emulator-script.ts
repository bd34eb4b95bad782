// Entry 6b (#4): engineer R's standalone emulator bench (bench/relay-emulator.ts: plain ws echo vs
// through the emulator, roles in separate processes, plus leg-delay accuracy), wired into the
// suite unchanged: one invocation per round, its two rows parsed into the hcbench (through the
// emulator) and reference (plain ws echo) figures. Both come from the same invocation, plain first.

import { fileURLToPath } from 'node:url';
import { runTool } from '../lib/tools.js';
import type { BenchEntry, Figure } from '../lib/types.js';

const SCRIPT = fileURLToPath(new URL('../relay-emulator.ts', import.meta.url));

/** Figures of one run of bench/relay-emulator.ts: RT/s and p50/p99 of both rows, cost per message, delay lines. */
export function parseRelayEmulatorOutput(output: string): { relayed: Figure; plain: Figure } {
  const row = (name: string): { rate: number; p50: number; p99: number } => {
    const m = new RegExp(`^${name}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)`, 'm').exec(output);
    if (m === null) throw new Error(`unexpected bench/relay-emulator.ts output (no "${name}" row): ${output.trim().slice(0, 300)}`);
    return { rate: Number(m[1]), p50: Number(m[2]), p99: Number(m[4]) };
  };
  const plain = row('plain ws echo');
  const relayed = row('through the relay emulator');
  const cost = /emulator cost per bridged message \(p50, 2 per round trip\): (-?\d+) µs/.exec(output);
  const delayLines = [...output.matchAll(/^\s*([\d.]+ ms\/leg: .*error -?\d+ µs\))/gm)].map((m) => m[1] ?? '');
  return {
    relayed: {
      value: relayed.rate,
      detail: { p50Us: relayed.p50, p99Us: relayed.p99, ...(cost === null ? {} : { costPerBridgedMessageUs: Number(cost[1]) }) },
      notes: delayLines,
    },
    plain: { value: plain.rate, detail: { p50Us: plain.p50, p99Us: plain.p99 } },
  };
}

export const relayEmulatorScript: BenchEntry = {
  id: 'relay-emulator-script',
  title: "relay emulator bench script (R's bench/relay-emulator.ts): ws ping-pong through the emulator vs plain ws echo",
  issue: '#4',
  unit: 'RT/s',
  better: 'higher',
  hcbenchLabel: 'bench/relay-emulator.ts "through the relay emulator" row (relay and listener roles in their own processes)',
  referenceLabel: 'the same script\'s "plain ws echo" row, same invocation',
  requires: [],
  rounds: 1,
  async setup(ctx) {
    const seconds = ctx.isQuick ? '1' : '2';
    let cached: { round: number; plain: Figure } | undefined;
    const invoke = async (round: number) => {
      const out = await runTool(process.execPath, ['--import', 'tsx', SCRIPT, '--seconds', seconds], 180_000);
      if (out.exitCode !== 0) throw new Error(`bench/relay-emulator.ts exited ${String(out.exitCode)}: ${out.stderr.trim().slice(-200)}`);
      const parsed = parseRelayEmulatorOutput(out.stdout);
      cached = { round, plain: parsed.plain };
      return parsed;
    };
    return {
      runHcbench: async (round) => (await invoke(round)).relayed,
      runReference: async (round) => (cached?.round === round ? cached.plain : (await invoke(round)).plain),
      close: async () => undefined,
    };
  },
};
