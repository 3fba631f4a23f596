#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs everything (PostgreSQL, Chromium and Chinese fonts
# for the browser tests, the virtualenv, the console build), starts PostgreSQL, runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
HOTLINE_WITH_BROWSER=1 scripts/setup.sh
url=$(scripts/pg.sh | tail -n1)
echo "==> PostgreSQL at ${url%%@*}@…"
export HOTLINE_TEST_PG_URL="$url"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if ! fc-list :lang=zh | grep -q .; then
  echo "no Chinese font found (fc-list :lang=zh is empty): the browser tests cannot run" >&2
  exit 1
fi
echo "==> console unit tests (vitest)"
(cd agent_ui/frontend && npm test --silent)
echo "==> pytest"
# -v: every test id appears, so the [sqlite] and [postgresql] runs of each test are visible in the log.
exec .venv/bin/python -m pytest -v --durations=15 "$@"
