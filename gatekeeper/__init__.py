"""gatekeeper: decide whether a fine-tuned LLM adapter may ship.

Heavy libraries (torch, transformers, peft, trl, lm_eval) are imported lazily, inside the
functions that need them, so ``gatekeeper --help`` and ``gatekeeper validate`` stay fast.
"""

from gatekeeper.core.version import __version__  # noqa: F401
