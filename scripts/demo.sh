#!/usr/bin/env bash
# The end-to-end backend workflow on embedded defaults (SQLite, 127.0.0.1): nothing for the user to start.
# Each tool adds its step here as it lands.
set -euo pipefail
out=demo-output
rm -rf "$out" && mkdir -p "$out"
cd "$out"
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "stanchion $(stanchion --version | cut -d' ' -f2): the effective configuration (embedded SQLite default)"
stanchion config

step "stanchion decide: the backend profile for a TypeScript team of 8, with the assumptions on the table"
stanchion decide --team-size 8 --qps-p99 50 --read-write-ratio 20 --tenancy shared-multi-tenant \
  --data-sensitivity pii --pattern modular-monolith --language-preference typescript

step "done: everything the demo wrote is in $out/"
