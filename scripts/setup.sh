#!/usr/bin/env bash
# Installs everything the system needs on a fresh Debian machine of this project's kind:
# system packages, a virtualenv with the project, and the built console. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v pg_lsclusters >/dev/null 2>&1 || need_apt+=(postgresql)
if [ "${HOTLINE_WITH_BROWSER:-0}" = "1" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  fc-list :lang=zh 2>/dev/null | grep -q . || need_apt+=(fonts-wqy-microhei)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
echo "==> installing Python packages"
# torch first, from the local CPU wheel: a plain 'torch' would pull a multi-GB CUDA build.
.venv/bin/pip install -q --disable-pip-version-check torch==2.13.0
.venv/bin/pip install -q --disable-pip-version-check -e '.[dev]'

if [ -f agent_ui/frontend/package.json ]; then
  echo "==> building the console (agent_ui)"
  (cd agent_ui/frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi
