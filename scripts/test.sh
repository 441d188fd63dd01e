#!/usr/bin/env bash
# Set up and run the whole test suite: lint, then pytest on SQLite, then again on PostgreSQL
# when DATABASE_URL is set or a server answers on 127.0.0.1:5432. The race tests (marker
# `postgresql`: workers side by side) run only in the PostgreSQL pass, so in CI (CI set) a
# missing PostgreSQL fails the run instead of passing without them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test

echo "== ruff"
.venv/bin/ruff check .

export UNSILO_DATA_DIR=${UNSILO_DATA_DIR:-$(mktemp -d)}
echo "== pytest on SQLite"
env -u DATABASE_URL .venv/bin/pytest -n 2 "$@"

pg_url=${DATABASE_URL:-}
if [ -z "$pg_url" ] && .venv/bin/python - <<'PY' 2>/dev/null
import psycopg
psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
PY
then
  pg_url="postgresql://postgres@127.0.0.1:5432/unsilo"
fi
if [ -n "$pg_url" ]; then
  echo "== pytest on PostgreSQL (with the race tests)"
  DATABASE_URL=$pg_url UNSILO_TEST_POSTGRESQL=1 .venv/bin/pytest -n 2 "$@"
elif [ -n "${CI:-}" ]; then
  echo "== PostgreSQL not reachable: the race tests cannot run, so CI fails" >&2
  exit 1
else
  echo "== PostgreSQL not reachable: SQLite run only, the race tests (marker postgresql) skipped"
fi
