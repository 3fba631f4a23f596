#!/usr/bin/env bash
# Autogenerate an Alembic revision against a scratch SQLite database at head: scripts/new_migration.sh "message"
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
url="sqlite:///$tmp/scratch.db"
.venv/bin/python - "$url" "$1" <<'PY'
import sys
from alembic import command
from alembic.config import Config
from pathlib import Path
url, message = sys.argv[1], sys.argv[2]
cfg = Config()
cfg.set_main_option("script_location", str(Path("hotline/migrations")))
cfg.set_main_option("sqlalchemy.url", url)
command.upgrade(cfg, "head")
command.revision(cfg, message=message, autogenerate=True)
PY
rm -rf "$tmp"
