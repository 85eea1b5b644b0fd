#!/usr/bin/env bash
# Set up from scratch and run the whole test suite (fast tests on a tiny in-process model,
# `slow` tests on the real small model, `browser` tests in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
exec "${PYTHON:-python3}" -m pytest "$@"
