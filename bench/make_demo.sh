#!/usr/bin/env bash
# Seconds from a fresh clone to the demo's login page: `git clone` of REPO (default: this
# repository) at REF (default: HEAD) into a temporary folder, then `make demo` until /healthz
# and /login/ answer. Prints one line per run; the demo and its clone are removed after.
#
#   bench/make_demo.sh [REF] [REPO]          # pip's cache as it is
#   PIP_NO_CACHE_DIR=1 bench/make_demo.sh    # pip without its cache (cold)
set -euo pipefail
ref=${1:-HEAD}
repo=${2:-$(cd "$(dirname "$0")/.." && pwd)}
port=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
work=$(mktemp -d /tmp/unsilo-make-demo.XXXXXX)
log="$work/make-demo.log"
cleanup() {
  if [ -n "${demo:-}" ]; then kill -TERM -- "-$demo" 2>/dev/null || true; sleep 2; kill -KILL -- "-$demo" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet "$repo" "$work/unsilo"
git -C "$work/unsilo" checkout --quiet "$(git -C "$repo" rev-parse "$ref")"
cd "$work/unsilo"
start=$(date +%s.%N)
setsid make demo ARGS="--port $port" >"$log" 2>&1 &
demo=$!
answers() { curl -fsS -o /dev/null "http://127.0.0.1:$port$1" 2>/dev/null; }
until answers /healthz && answers /login/; do
  if ! kill -0 "$demo" 2>/dev/null; then echo "make demo stopped:"; tail -30 "$log"; exit 1; fi
  sleep 0.5
done
end=$(date +%s.%N)
printf 'make demo to login page: %.0f s (ref %s, pip cache %s, load %s)\n' \
  "$(echo "$end - $start" | bc)" "$(git rev-parse --short HEAD)" \
  "$([ -n "${PIP_NO_CACHE_DIR:-}" ] && echo off || echo on)" "$(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${SHOW_LOG:-}" ]; then cat "$log"; fi
