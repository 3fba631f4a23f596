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
exec .venv/bin/python -m pytest "$@"
