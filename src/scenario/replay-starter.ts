// The scenario `hcbench init --from-trace` writes: a replay of the user's own recorded traffic on
// the direct and the relay-emulated path, with what the trace says in comments. Valid as written.

import type { TraceSummary } from '../trace/summary.js';

/** A replay scenario for the trace at `tracePath` (relative to the scenario file), named `name`. */
export function replayStarterScenario(name: string, tracePath: string, s: TraceSummary): string {
  const ms = (us: number): string => `${(us / 1000).toFixed(us >= 100_000 ? 0 : 2)} ms`;
  const target = s.payload === 'full' ? 'built-in   # or recorded: your own server gets the recorded bytes (set target.kind external)' : 'built-in   # the trace has sizes only (recorded with --payload sizes)';
  return `# yaml-language-server: $schema=./schema.json
# Replays your recorded traffic on both paths. Validate with \`hcbench validate <file>\`, run with
# \`hcbench run <file>\`. Written by \`hcbench init --from-trace\`.
#
# What the trace says (\`hcbench replay-summary ${tracePath}\`):
#   ${s.conversations} conversations over ${ms(s.durationUs)}, at most ${s.peakConcurrency} at once
#   round trips per conversation: p50 ${s.roundTripsPerConversation.p50}, max ${s.roundTripsPerConversation.max}
#   server time to first byte: p50 ${ms(s.serverUs.p50)}; client think time: p50 ${ms(s.thinkUs.p50)}
# Every round trip pays the relay hop: the per-turn overhead times the round trips is what your
# conversations lose on the relay path.
name: ${name}
description: >-
  What does the relay hop cost our own traffic (recorded with hcbench record), compared with
  VNet integration?

network: same-region

# built-in: answers each turn with the recorded response size after the recorded server time, so
# the server's own work is the same on both paths and only the network differs.
target:
  kind: tcp-request-response

paths:
  - kind: direct
  - kind: relay-emulated

workload:
  kind: replay
  trace: ${JSON.stringify(tracePath)}
  target: ${target}
  load: { model: as-recorded }      # conversations start as recorded; or { model: closed } (connections
                                    # back to back, e.g. a fixed pool) / { model: open, ratePerSec: 20 }
  # connections: as-recorded        # cap conversations at once at the recorded peak (or a number)
  speed: 1                          # divide think times and arrival gaps by this

durationMs: 10000    # measured per path
warmupMs: 1000       # not recorded
repetitions: 1       # 3+ gives confidence intervals for the overhead

output:
  formats: [console, json]
`;
}
