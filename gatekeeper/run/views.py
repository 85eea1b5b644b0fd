"""Named model views: what ``ctx.candidate``, ``ctx.baseline`` and ``ctx.view(name)`` return.

A view is one model of the run (the candidate adapter, the base with the adapter off,
another adapter on the same weights) with batched, cached ``generate`` and ``loglik``.
``candidate`` and ``base`` are built in; every other named view registers itself with
``register_view(name, factory)`` from its own module, a factory being
``fn(access: ModelAccess) -> ModelView`` (``gatekeeper/run/prompted.py``,
``gatekeeper/releases/view.py``; third parties use the ``gatekeeper.views`` entry points).
The registry imports those modules when it loads the catalog; the context imports none.
A bundle's named adapter baselines (``baselines: {production: {adapter: DIR}}``) are views
too, by their name: that adapter loaded on the shared weights (``view_factory(name, bundle)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

if TYPE_CHECKING:
    from gatekeeper.run.context import ModelAccess

Prompt = Any  # a str (one user turn) or a list of chat message dicts


class ModelView:
    """One named model of the run: generate and loglik, batched and cached by the engine.

    ``adapter`` is True (the candidate adapter), False (adapter disabled) or the name of
    another loaded adapter (``ModelAccess.adapter_view``); ``prefix`` is a list of chat
    messages (system prompt, few-shot turns) put before every chat prompt, as a prompted
    baseline does.
    """

    def __init__(self, access: "ModelAccess", name: str, *, adapter: bool | str = True,
                 prefix: Sequence[Mapping[str, str]] = ()):
        self._access, self.name, self.adapter = access, name, adapter
        self.prefix = tuple(dict(m) for m in prefix)

    def _prompts(self, prompts: Sequence[Prompt], chat: bool) -> list[Prompt]:
        if not self.prefix or not chat:
            return list(prompts)
        head = [dict(m) for m in self.prefix]
        return [head + ([{"role": "user", "content": p}] if isinstance(p, str) else list(p))
                for p in prompts]

    def generate(self, prompts: Sequence[Prompt], *, max_new_tokens: int = 64,
                 stop: Sequence[str] = (), chat: bool = True, desc: str | None = None) -> list[str]:
        """Greedy continuations in input order."""
        engine = self._access._engine()  # the run package's own seam: gate types never see it
        return engine.generate(self._prompts(prompts, chat), adapter=self.adapter,
                               max_new_tokens=max_new_tokens, stop=tuple(stop),
                               chat=chat, desc=desc or self.name)

    def loglik(self, requests: Sequence[tuple[Prompt, str]], *, chat: bool = True,
               desc: str | None = None) -> list[float]:
        """Summed log-probability of each continuation given its context."""
        contexts = self._prompts([c for c, _ in requests], chat)
        pairs = [(c, x) for c, (_, x) in zip(contexts, requests)]
        return self._access._engine().loglik(pairs, adapter=self.adapter, chat=chat,
                                             desc=desc or self.name)

    def __repr__(self) -> str:
        return f"ModelView({self.name!r}, adapter={self.adapter!r})"


ViewFactory = Callable[["ModelAccess"], ModelView]
ADAPTER_PREFIX = "baseline_"  # the PEFT adapter name of a named adapter baseline
BUILTIN = ("candidate", "base")
_VIEWS: dict[str, ViewFactory] = {
    "candidate": lambda access: ModelView(access, "candidate", adapter=True),
    "base": lambda access: ModelView(access, "base", adapter=False),
}


def register_view(name: str, factory: ViewFactory) -> None:
    """Register a named model view (a named baseline such as ``prompted``)."""
    if name in BUILTIN:
        raise ValueError(f"'{name}' is a built-in view and cannot be replaced")
    _VIEWS[name] = factory


def unregister_view(name: str) -> None:
    if name not in BUILTIN:
        _VIEWS.pop(name, None)


def view_factory(name: str, bundle: Any = None) -> ViewFactory | None:
    """The registered view ``name``, else the bundle's adapter baseline of that name."""
    if name in _VIEWS:
        return _VIEWS[name]
    from gatekeeper.bundle.baselines import AdapterBaseline

    baseline = (getattr(bundle, "baselines", None) or {}).get(name)
    if not isinstance(baseline, AdapterBaseline):
        return None
    return lambda access: access.adapter_view(ADAPTER_PREFIX + name, baseline.adapter, name)


def view_names() -> tuple[str, ...]:
    return tuple(_VIEWS)
