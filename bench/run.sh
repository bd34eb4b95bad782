#!/bin/sh
# `npm run bench`: raises the open-file limit for the suite (the scale entry holds 5,000 relayed
# connections: about 15,000 sockets in the app process and as many in the onprem process), then
# runs bench/main.ts (or $BENCH_SCRIPT, e.g. heap-roles.ts) under tsx with the given flags. Role and
# helper processes inherit the limit.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then want=65536; else want=$hard; fi
ulimit -n "$want" 2>/dev/null || echo "bench: could not raise the open-file limit to $want (now $(ulimit -n))" >&2
exec tsx "$(dirname "$0")/${BENCH_SCRIPT:-main.ts}" "$@"
