#!/usr/bin/env bash
# Installs the system packages the test suite and benchmarks use: real servers, never mocks.
# Idempotent: installs only what is missing. Needs root (or passwordless sudo) when something is missing.
set -euo pipefail

packages=(
  postgresql-15 postgresql-contrib postgresql-15-hypopg   # PostgreSQL fixture, pg_stat_statements, HypoPG
  mariadb-server                                          # MariaDB fixture (MySQL dialect)
  chromium                                                # HTML report rendering test (headless)
  nginx wrk hey                                           # benchmarks: the pinned server, the C and Go peers
  openssl                                                 # load tests: a self-signed certificate for the TLS server
)

# Node.js 20 or newer with npm builds and tests the generated TypeScript projects; it is the machine's own.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup-system: node and npm not found; install Node.js 20 or newer with npm" >&2
  exit 3
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup-system: Node.js $node_major found; the generated projects need Node.js 20 or newer" >&2
  exit 3
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup-system: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo -n)
else
  echo "setup-system: missing Debian packages: ${missing[*]}" >&2
  echo "setup-system: install them as root: apt-get install -y ${missing[*]}" >&2
  exit 3
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/stanchion-apt.log 2>&1; then
  "${sudo_cmd[@]}" apt-get update >>/tmp/stanchion-apt.log 2>&1 || true
  if ! "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/stanchion-apt.log 2>&1; then
    echo "setup-system: apt-get install failed; see /tmp/stanchion-apt.log" >&2
    tail -20 /tmp/stanchion-apt.log >&2
    exit 3
  fi
fi
# Debian starts the packaged services on install; the suite runs its own throwaway servers instead.
for svc in mariadb postgresql nginx; do
  (command -v service >/dev/null && service "$svc" stop >/dev/null 2>&1) || true
done
