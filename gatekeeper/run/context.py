"""The sealed seam between the runner and gate types: what a gate type may use.

A gate type is ``fn(ctx: GateContext, **params) -> Measurement``. ``GateContext`` is frozen
and carries everything a gate type may touch: its spec, the bundle, its golden set, the
run's data (train/eval files and every evaluation source of the run), the seed, a scratch
directory, and model access. No gate type reaches into the session, the runtime, pytest or
the engine.

Capabilities of the context:

* ``ctx.memo(kind, parts, compute)``: a result kept across runs, keyed by ``parts``; it
  honours the run's ``--no-cache`` / ``--cache-dir`` (the context holds them, privately);
* ``ctx.stored(kind, parts, compute, version=)``: the same with the time it was measured,
  for results reused across runs whose age the report states (serving timings); ``check
  --remeasure`` computes again;
* ``ctx.output_dir(name)``: a directory the run grants for an output (``check
  --export-merged DIR`` grants ``merged``; ``gatekeeper check`` grants ``report``, the
  directory of report.json, for evidence files the report links to), or None;
* ``ctx.log(message)``: a progress line.

Model access (``ctx.models``):

* named views with batched, cached ``generate`` / ``loglik``: ``ctx.candidate`` (adapter
  on), ``ctx.baseline`` (the view the gate's ``vs_baseline.against`` names; ``base`` =
  adapter disabled), ``ctx.view(name)``; views register themselves (gatekeeper/run/views.py);
* another adapter on the shared weights as a view: ``ctx.models.adapter_view(name, dir, label)``;
* the shared loaded HF/PEFT model, read-only: ``with ctx.models.hf_model(adapter=False) as m``,
  and its tokenizer;
* a freshly loaded copy the caller owns (merge checks must never merge the shared model):
  ``ctx.models.load_fresh(adapter=True)``;
* ``ctx.models.run_memo(key, compute)``: one value per run and loaded model (serving gates
  of one run share one timing);
* provenance: ``base``, ``adapter_dir``, ``dtype``, ``device``, ``quantization``, ``info()``.

The engine itself stays private to the run package (``ModelAccess._engine()``).
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from gatekeeper.bundle.manifest import Bundle
from gatekeeper.core.errors import ConfigError, MeasurementError
from gatekeeper.bundle.golden import GoldenSet
from gatekeeper.core.paths import use_cache_of
from gatekeeper.core.spec import GateSpec
from gatekeeper.core.store import stamped
from gatekeeper.model.memo import memoised
from gatekeeper.run.views import ModelView, view_factory, view_names

# run_memo's values, one table per loaded engine (dropped with the engine).
_RUN_MEMOS: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class EvalSource:
    """One evaluation file or directory a gate of this run reads (for contamination checks)."""

    gate_id: str
    path: Path
    param: str  # "golden_set" or the name of the gate type's path parameter (role "eval")


@dataclass(frozen=True)
class RunData:
    """The data of the run: the recipe's training files and every evaluation source."""

    train_data: Path | None = None
    eval_data: Path | None = None
    eval_sets: tuple[EvalSource, ...] = ()
    mix_data: Path | None = None  # train.mix.data: general rows trained on too
    output_schemas: tuple[EvalSource, ...] = ()  # path params of role "output_schema"


class ModelAccess:
    """Model access for gate types: named views, the shared model, fresh copies.

    The engine is created on first use, so a static gate that never touches ``models``
    never imports torch. It is private: views and the methods below are the only way in.
    """

    def __init__(self, bundle: Bundle, engine_factory: Callable[[], Any]):
        self.bundle = bundle
        self._engine_factory = engine_factory
        self._views: dict[str, ModelView] = {}

    def _engine(self):
        """The run's engine (for ModelView and this class only)."""
        return self._engine_factory()

    def view(self, name: str) -> ModelView:
        if name not in self._views:
            factory = view_factory(name, self.bundle)
            if factory is None:
                raise ConfigError(f"unknown model view '{name}'",
                                  hint=f"named views: {', '.join(view_names())}")
            self._views[name] = factory(self)
        return self._views[name]

    def adapter_view(self, name: str, adapter_dir: Path, label: str) -> ModelView:
        """Another adapter loaded on the shared weights (as PEFT adapter ``name``), as a view
        called ``label``; its answers are cached under that adapter's own fingerprint."""
        self._engine().add_adapter(name, Path(adapter_dir))
        return ModelView(self, label, adapter=name)

    def run_memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per run and loaded model for ``key`` (name your gate type in it)."""
        memo = _RUN_MEMOS.setdefault(self._engine(), {})
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    # -- raw access ------------------------------------------------------------------------

    @property
    def tokenizer(self):
        """The HF tokenizer (left padding, the bundle's chat template applied)."""
        return self._engine().tokenizer

    @contextlib.contextmanager
    def hf_model(self, adapter: bool = True) -> Iterator[Any]:
        """The shared loaded model with the adapter on or off. Read-only: never merge it."""
        with self._engine().adapter_enabled(adapter) as model:
            yield model

    def load_fresh(self, adapter: bool = True, *, dtype: str | None = None,
                   quantization: str | None = "same", device: str | None = None):
        """A freshly loaded model (PeftModel with the adapter when asked) that the caller owns."""
        from gatekeeper.model.loading import load_model

        engine = self._engine()
        if adapter and engine.adapter_dir is None:
            raise MeasurementError("the bundle has no adapter to load",
                                   hint="set `adapter:` in the manifest")
        return load_model(engine.base, adapter_dir=engine.adapter_dir if adapter else None,
                          dtype=dtype or engine.dtype, device=device or engine.device,
                          quantization=engine.quantization if quantization == "same" else quantization,
                          trust_remote_code=engine.trust_remote_code)

    @property
    def base(self):
        """The resolved base model (``fingerprint``, ``tokenizer_fingerprint``, ...)."""
        return self._engine().base

    @property
    def adapter_dir(self) -> Path | None:
        return self.bundle.adapter

    @property
    def dtype(self) -> str:
        return self._engine().dtype

    @property
    def device(self) -> str:
        return self._engine().device

    @property
    def quantization(self) -> str | None:
        return self._engine().quantization

    def info(self) -> dict:
        return self._engine().info()


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
    # held for the capabilities below, not for gate types to read
    _cache: Any = field(default=None, repr=False, compare=False)  # the run's cache options
    _outputs: Mapping[str, Path] = field(default_factory=dict, repr=False, compare=False)

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

    def memo(self, kind: str, parts: dict, compute: Callable[[], dict]) -> dict:
        """``compute()`` (a JSON-safe dict), or its stored result for the same ``kind`` and
        ``parts`` (put everything the result depends on in them); honours ``--no-cache``."""
        return memoised(self._cache, kind, parts, compute)

    def stored(self, kind: str, parts: dict, compute: Callable[[], Any], *,
               version: int) -> tuple[Any, float, bool]:
        """``(value, measured_at, reused)``: a value stored by an earlier run for the same
        ``kind`` and ``parts`` with the time it was measured, or ``compute()`` now (and
        stored); ``check --remeasure`` and ``--no-cache`` always compute."""
        fresh = bool(getattr(self._cache, "remeasure", False))
        with use_cache_of(self._cache):
            return stamped(kind, parts, compute, version=version, fresh=fresh)

    def output_dir(self, name: str) -> Path | None:
        """The directory the run grants for output ``name`` (``merged``: ``--export-merged``), or None."""
        path = self._outputs.get(name)
        return Path(path) if path is not None else None

    def log(self, message: str) -> None:
        """A progress line for the person watching the run (gate types never print)."""
        if self.logger is not None:
            self.logger(f"[{self.spec.id}] {message}")
