// The commented starter scenario `hcbench init` writes: valid as written, every key explained.

export const STARTER_SCENARIO = `# yaml-language-server: $schema=./schema.json
# An hcbench scenario. Validate with \`hcbench validate <file>\`, run with \`hcbench run <file>\`.
# Every key is listed in the JSON Schema (\`hcbench schema\`); editors complete and check them.
$schema: ./schema.json

# Short name, used in result folder names.
name: my-scenario
# The question this scenario answers, for whoever reads the results.
description: >-
  What does the relay hop cost our chatty protocol, compared with VNet integration?

# Network distances for a fair comparison: loopback (none), same-region, cross-region,
# distant-site, a name from networkProfiles, or inline legs:
#   network: { direct: { oneWayDelayMs: 5 }, appToRelay: { oneWayDelayMs: 0.5 }, relayToAgent: { oneWayDelayMs: 5 } }
network: same-region

# The system under test: the built-in request/response server, the built-in HTTP server
# (kind: http), or your own server (kind: external, address: 127.0.0.1:6379).
target:
  kind: tcp-request-response

# The paths to compare: direct (VNet integration), relay-emulated (the embedded Azure Relay
# emulator; agents: 2 for two Hybrid Connection Managers), relay-azure (a real namespace; its
# connection string comes from the environment variable named by connectionStringEnv).
paths:
  - kind: direct
  - kind: relay-emulated

# What to run. Kinds: tcp-request-response, connection-churn, tcp-stream, http, dialog.
workload:
  kind: tcp-request-response
  connections: 1                 # pooled connections
  roundTripsPerTransaction: 10   # sequential round trips in one transaction (e.g. a page's queries)
  requestBytes: 128              # includes the 8-byte header of the built-in target
  responseBytes: 1024
  # load: { model: open, ratePerSec: 50 }    # open model: arrivals on a schedule
  # matrix: { roundTripsPerTransaction: [1, 10, 50] }   # sweep a parameter

durationMs: 5000     # measured per step and path
warmupMs: 1000       # not recorded
repetitions: 1       # 3+ gives confidence intervals for the overhead
order: alternate     # paths in A B, B A order across repetitions

output:
  formats: [console, json]   # also csv, md, html, hlog
`;
