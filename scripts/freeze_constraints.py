"""Print constraints.txt from the packages installed in this environment (see its header)."""

from __future__ import annotations

import re
import subprocess
import sys

HEADER = """\
# The versions CI last passed with (pip freeze of a fresh `bash scripts/setup.sh`).
# scripts/setup.sh installs with `-c constraints.txt`, so a fresh machine gets these and
# not whatever was released since. To move on: install without -c, run `bash scripts/test.sh`,
# then `python scripts/freeze_constraints.py > constraints.txt` and commit it with the green run.
"""


def main() -> int:
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--disable-pip-version-check"],
                            check=True, capture_output=True, text=True).stdout.splitlines()
    pins = []
    for line in frozen:
        if line.startswith("#") or "==" not in line or line.lower().startswith("gatekeeper=="):
            continue  # editable installs, URLs and the project itself are not constraints
        pins.append(re.sub(r"\+[A-Za-z0-9.]+$", "", line))  # torch 2.13.0+cpu matches the CUDA build too
    sys.stdout.write(HEADER + "\n".join(sorted(pins, key=str.lower)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
