#!/usr/bin/env bash
# Autogenerate an Alembic revision against a scratch SQLite database at head: scripts/new_migration.sh "message"
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
url="sqlite:///$tmp/scratch.db"
.venv/bin/python - "$url" "$1" <<'PY'
import sys
from alembic import command
from hotline.db import alembic_config, migrate
url, message = sys.argv[1], sys.argv[2]
migrate(url)
command.revision(alembic_config(url), message=message, autogenerate=True)
PY
rm -rf "$tmp"
