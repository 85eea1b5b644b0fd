"""The sealed seam between the runner and gate types: what a gate type may use.

A gate type is ``fn(ctx: GateContext, **params) -> Measurement``. ``GateContext`` is frozen
and carries everything a gate type may touch: its spec, the bundle, its golden set, the
run's data (train/eval files and every evaluation source of the run), the seed, a scratch
directory, and model access. No gate type reaches into the session, the runtime or pytest.

Model access (``ctx.models``):

* named views with batched, cached ``generate`` / ``loglik``: ``ctx.candidate`` (adapter
  on), ``ctx.baseline`` (the view the gate's ``vs_baseline.against`` names; ``base`` =
  adapter disabled), ``ctx.view(name)``;
* the shared loaded HF/PEFT model, read-only: ``with ctx.models.hf_model(adapter=False) as m``;
* a freshly loaded copy the caller owns (merge checks must never merge the shared model):
  ``ctx.models.load_fresh(adapter=True)``.

Views are registered by name (``register_view``), so a named baseline (``prompted``,
``previous_release``) is one function that builds a ``ModelView`` from the access.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from gatekeeper.bundle.manifest import Bundle
from gatekeeper.core.errors import ConfigError, MeasurementError
from gatekeeper.bundle.golden import GoldenSet
from gatekeeper.core.spec import GateSpec

Prompt = Any  # a str (one user turn) or a list of chat message dicts


@dataclass(frozen=True)
class EvalSource:
    """One evaluation file or directory a gate of this run reads (for contamination checks)."""

    gate_id: str
    path: Path
    param: str  # "golden_set" or the name of the path parameter


@dataclass(frozen=True)
class RunData:
    """The data of the run: the recipe's training files and every evaluation source."""

    train_data: Path | None = None
    eval_data: Path | None = None
    eval_sets: tuple[EvalSource, ...] = ()
    mix_data: Path | None = None  # train.mix.data: general rows trained on too


class ModelView:
    """One named model of the run: generate and loglik, batched and cached by the engine.

    ``adapter`` is True (the candidate adapter), False (adapter disabled) or the name of
    another loaded adapter; ``prefix`` is a list of chat messages (system prompt, few-shot
    turns) put before every chat prompt, as a prompted baseline does.
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
        return self._access.engine.generate(self._prompts(prompts, chat), adapter=self.adapter,
                                            max_new_tokens=max_new_tokens, stop=tuple(stop),
                                            chat=chat, desc=desc or self.name)

    def loglik(self, requests: Sequence[tuple[Prompt, str]], *, chat: bool = True,
               desc: str | None = None) -> list[float]:
        """Summed log-probability of each continuation given its context."""
        contexts = self._prompts([c for c, _ in requests], chat)
        pairs = [(c, x) for c, (_, x) in zip(contexts, requests)]
        return self._access.engine.loglik(pairs, adapter=self.adapter, chat=chat,
                                          desc=desc or self.name)

    def __repr__(self) -> str:
        return f"ModelView({self.name!r}, adapter={self.adapter!r})"


def _previous_release(access: "ModelAccess") -> ModelView:
    from gatekeeper.releases.view import previous_release_view  # reads the registry lazily

    return previous_release_view(access)


def _prompted(access: "ModelAccess") -> ModelView:
    from gatekeeper.bundle.baselines import prompted_view  # the manifest's baselines.prompted

    return prompted_view(access)


ViewFactory = Callable[["ModelAccess"], ModelView]
_VIEWS: dict[str, ViewFactory] = {
    "candidate": lambda access: ModelView(access, "candidate", adapter=True),
    "base": lambda access: ModelView(access, "base", adapter=False),
    "previous_release": _previous_release,
    "prompted": _prompted,
}


def register_view(name: str, factory: ViewFactory) -> None:
    """Register a named model view (a named baseline such as ``prompted``)."""
    _VIEWS[name] = factory


def view_names() -> tuple[str, ...]:
    return tuple(_VIEWS)


class ModelAccess:
    """Model access for gate types: named views, the shared model, fresh copies.

    The engine is created on first use, so a static gate that never touches ``models``
    never imports torch.
    """

    def __init__(self, bundle: Bundle, engine_factory: Callable[[], Any], engine_options: Any):
        self.bundle = bundle
        self._engine_factory = engine_factory
        self.engine_options = engine_options
        self._views: dict[str, ModelView] = {}

    @property
    def engine(self):
        return self._engine_factory()

    def view(self, name: str) -> ModelView:
        if name not in self._views:
            factory = _VIEWS.get(name)
            if factory is None:
                raise ConfigError(f"unknown model view '{name}'",
                                  hint=f"named views: {', '.join(_VIEWS)}")
            self._views[name] = factory(self)
        return self._views[name]

    # -- raw access ------------------------------------------------------------------------

    @property
    def tokenizer(self):
        """The HF tokenizer (left padding, the bundle's chat template applied)."""
        return self.engine.tokenizer

    @contextlib.contextmanager
    def hf_model(self, adapter: bool = True) -> Iterator[Any]:
        """The shared loaded model with the adapter on or off. Read-only: never merge it."""
        with self.engine.adapter_enabled(adapter) as model:
            yield model

    def load_fresh(self, adapter: bool = True, *, dtype: str | None = None,
                   quantization: str | None = "same", device: str | None = None):
        """A freshly loaded model (PeftModel with the adapter when asked) that the caller owns."""
        from gatekeeper.model.loading import load_model

        engine = self.engine
        if adapter and engine.adapter_dir is None:
            raise MeasurementError("the bundle has no adapter to load",
                                   hint="set `adapter:` in the manifest")
        return load_model(engine.base, adapter_dir=engine.adapter_dir if adapter else None,
                          dtype=dtype or engine.dtype, device=device or engine.device,
                          quantization=engine.quantization if quantization == "same" else quantization,
                          trust_remote_code=engine.trust_remote_code)

    @property
    def base(self):
        return self.engine.base

    @property
    def adapter_dir(self) -> Path | None:
        return self.bundle.adapter

    @property
    def dtype(self) -> str:
        return self.engine.dtype

    @property
    def device(self) -> str:
        return self.engine.device

    @property
    def quantization(self) -> str | None:
        return self.engine.quantization

    def info(self) -> dict:
        return self.engine.info()


@dataclass(frozen=True)
class GateContext:
    """What a gate type receives; see the module docstring."""

    spec: GateSpec
    bundle: Bundle
    models: ModelAccess
    data: RunData = field(default_factory=RunData)
    golden: GoldenSet | None = None
    seed: int = 0
    scratch: Path | None = None
    logger: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    @property
    def candidate(self) -> ModelView:
        return self.models.view("candidate")

    @property
    def baseline(self) -> ModelView:
        """The view the gate compares with (``vs_baseline.against``, default ``base``)."""
        against = getattr(self.spec.vs_baseline, "against", None) if self.spec.vs_baseline else None
        return self.models.view(against or "base")

    @property
    def compares(self) -> bool:
        """Whether the gate has a ``vs_baseline``: only then is the baseline worth running.

        Generating 1,300 baseline answers nobody judges doubled the demo's cost; a gate
        without a comparison reports the candidate alone.
        """
        return self.spec.vs_baseline is not None

    def view(self, name: str) -> ModelView:
        return self.models.view(name)

    def log(self, message: str) -> None:
        """A progress line for the person watching the run (gate types never print)."""
        if self.logger is not None:
            self.logger(f"[{self.spec.id}] {message}")
