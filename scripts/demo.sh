#!/usr/bin/env bash
# Set up from scratch and check the demo bundle on the small real model (CPU).
# Extra arguments go to `gatekeeper check`, e.g. bash scripts/demo.sh -k json
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec gatekeeper check examples/tickets "$@"
