#!/usr/bin/env bash
# Sets up and starts the system on embedded defaults (SQLite + on-disk search index) with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/hotline serve --demo --host "${HOTLINE_HOST:-127.0.0.1}" --port "${HOTLINE_PORT:-8000}"
