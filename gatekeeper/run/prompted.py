"""The ``prompted`` named view: the base model prompted as well as the manifest declares.

``baselines: {prompted: {system: ..., fewshot: FILE}}`` (gatekeeper/bundle/baselines.py)
becomes a view with the adapter off and the system prompt and few-shot turns put before
every chat prompt: ``vs_baseline: {against: prompted, ...}``. It registers itself; the
registry imports this module when it loads the catalog.
"""

from __future__ import annotations

from gatekeeper.core.errors import ConfigError
from gatekeeper.run.views import ModelView, register_view

NAME = "prompted"


def prompted_view(access) -> ModelView:
    """Base model, adapter off, the declared prompt before each chat prompt."""
    baseline = getattr(access.bundle, "baselines", {}).get(NAME)
    if baseline is None:
        raise ConfigError("this gate compares with the prompted baseline, but the manifest "
                          "declares none", where=access.bundle.root / "gatekeeper.yaml",
                          hint="add `baselines: {prompted: {system: ..., fewshot: FILE}}` to the "
                               "manifest, or compare with `against: base`")
    return ModelView(access, NAME, adapter=False, prefix=baseline.messages)


register_view(NAME, prompted_view)
