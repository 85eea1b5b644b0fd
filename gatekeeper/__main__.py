"""``python -m gatekeeper``: the same CLI as the ``gatekeeper`` command."""

from gatekeeper.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
