"""Run lm-eval tasks on a model that is already loaded, and keep every sample.

lm-eval's ``HFLM`` accepts a model instance and a tokenizer, so the run's one loaded
model (adapter on for the candidate, off for the baseline) is evaluated without a second
load. Tasks come only from include paths (``include_defaults=False``): the bundle's task
folder and, for built-in tasks (evals/registry.py), the folders of lm-eval's own YAMLs
they use, so a run never indexes the whole registry. Hub datasets are read offline from
the datasets cache (evals/hfcache.py). lm-eval skips a task YAML it cannot parse with a
debug log line only: ``check_registered`` turns that into an error naming the file and the
reason. A task with several filters (gsm8k: strict-match, flexible-extract) logs every
document once per filter; one filter is kept (``filter``, else the task's first).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator, Sequence

from gatekeeper.core.errors import ConfigError, MeasurementError


@dataclass(frozen=True)
class SampleRecord:
    """One evaluated document of one task, as lm-eval logged it."""

    task: str
    doc_id: int
    doc_hash: str
    target: str
    metric: float
    logliks: tuple[float, ...] = ()
    choices: tuple[str, ...] = ()
    target_index: int | None = None
    response: str | None = None
    prompt: str = ""

    @property
    def predicted(self) -> int | None:
        """Index of the most likely choice (multiple-choice tasks)."""
        if not self.logliks:
            return None
        return max(range(len(self.logliks)), key=self.logliks.__getitem__)

    def to_dict(self) -> dict:
        return asdict(self) | {"logliks": list(self.logliks), "choices": list(self.choices)}

    @classmethod
    def from_dict(cls, data: dict) -> "SampleRecord":
        return cls(**{**data, "logliks": tuple(data.get("logliks") or ()),
                      "choices": tuple(data.get("choices") or ())})


@dataclass(frozen=True)
class HarnessRun:
    """What to evaluate: tasks from the include directories, and how."""

    task_dir: Path | None
    tasks: tuple[str, ...]
    num_fewshot: int | None = 0
    limit: int | None = None
    batch_size: int = 16
    chat_template: bool = False
    metric: str | None = "acc"       # None: each task's first metric (acc, exact_match, ...)
    seed: int = 0
    include: tuple[Path, ...] = ()   # lm-eval's own task folders (built-in tasks)
    filter: str | None = None        # which filter's responses to keep; None: the first logged

    @property
    def include_paths(self) -> list[str]:
        """lm-eval lets a later path override an earlier one: the bundle's folder comes last."""
        return [str(p) for p in tuple(self.include) + ((self.task_dir,) if self.task_dir else ())]


def run_harness(model, tokenizer, run: HarnessRun) -> dict[str, list[SampleRecord]]:
    """Evaluate ``run.tasks`` on ``model`` (any HF causal LM, PeftModel included)."""
    with quiet():
        import lm_eval
        from lm_eval.models.huggingface import HFLM
        from lm_eval.tasks import TaskManager

        manager = TaskManager(include_path=run.include_paths, include_defaults=False)
        check_registered(manager, run.task_dir, run.tasks)
        lm = HFLM(pretrained=model, tokenizer=tokenizer, batch_size=run.batch_size)
        out = lm_eval.simple_evaluate(
            model=lm, tasks=list(run.tasks), num_fewshot=run.num_fewshot, limit=run.limit,
            log_samples=True, task_manager=manager, apply_chat_template=run.chat_template,
            bootstrap_iters=0, random_seed=run.seed, numpy_random_seed=run.seed,
            torch_random_seed=run.seed, fewshot_random_seed=run.seed)
    if out is None or "samples" not in out:
        raise MeasurementError("lm-eval returned no per-sample log")
    return {task: [_record(task, s, run.metric) for s in _one_filter(task, samples, run.filter)]
            for task, samples in out["samples"].items()}


def _one_filter(task: str, samples: list[dict], wanted: str | None) -> list[dict]:
    """The samples of one filter (every document once)."""
    names = list(dict.fromkeys(str(s.get("filter", "none")) for s in samples))
    if not names:
        return samples
    keep = wanted or names[0]
    if keep not in names:
        raise MeasurementError(f"lm-eval task '{task}' has no filter '{keep}'",
                               hint="its filters: " + ", ".join(names))
    return [s for s in samples if str(s.get("filter", "none")) == keep]


def check_registered(manager, task_dir: Path | None, wanted: Sequence[str]) -> None:
    """Every task YAML under ``task_dir`` was indexed and every wanted task exists."""
    from lm_eval.tasks._index import TaskIndex
    from lm_eval.tasks._yaml_loader import load_yaml

    index = manager.task_index
    missing = [t for t in wanted if t not in index]
    if task_dir is None:
        if missing:
            raise ConfigError(f"lm-eval task(s) not found: {', '.join(missing)}")
        return
    indexed = {Path(e.yaml_path).resolve(): name for name, e in index.items() if e.yaml_path}
    for path in sorted(Path(task_dir).rglob("*.yaml")):
        if path.resolve() in indexed:
            continue
        try:
            cfg = load_yaml(path, resolve_func=False, recursive=True)
            TaskIndex._kind_of(cfg)
        except Exception as exc:  # noqa: BLE001 - lm-eval's own reason, reported to the user
            raise ConfigError(f"lm-eval cannot load this task file and would skip it silently: "
                              f"{type(exc).__name__}: {exc}", where=path,
                              hint="fix the YAML (lm-eval's task config format)") from None
        name = cfg.get("task") or cfg.get("group")
        if isinstance(name, str) and name in index:
            raise ConfigError(f"task name '{name}' is defined twice; lm-eval ignores this file",
                              where=path, hint=f"the other definition: {index[name].yaml_path}")
    if missing:
        known = ", ".join(sorted(index)[:20]) or "none"
        raise ConfigError(f"lm-eval task(s) not found: {', '.join(missing)}", where=task_dir,
                          hint=f"tasks defined there: {known}")


def _record(task: str, sample: dict, metric: str | None) -> SampleRecord:
    metric = metric or next(iter(sample.get("metrics") or ()), "acc")
    if metric not in sample:
        raise MeasurementError(f"lm-eval task '{task}' has no per-sample metric '{metric}'",
                               hint="metrics it logged: " + ", ".join(sample.get("metrics", [])))
    resps = sample.get("filtered_resps") or []
    args = [a if isinstance(a, (list, tuple)) else (str(a),) for a in sample.get("arguments") or [("",)]]
    target = sample.get("target")
    multiple_choice = bool(resps) and all(isinstance(r, (list, tuple)) and len(r) == 2 and
                                          isinstance(r[0], (int, float)) for r in resps)
    if not multiple_choice:
        response = resps[0] if resps and not isinstance(resps[0], (list, tuple)) else \
            (resps[0][0] if resps else None)
        return SampleRecord(task, int(sample["doc_id"]), str(sample["doc_hash"]), str(target),
                            float(sample[metric]), response=None if response is None else str(response),
                            prompt=str(args[0][0]))
    choices = tuple(str(a[1]).strip() if len(a) > 1 else "" for a in args)
    return SampleRecord(task, int(sample["doc_id"]), str(sample["doc_hash"]), str(target),
                        float(sample[metric]), logliks=tuple(float(r[0]) for r in resps),
                        choices=choices, target_index=_target_index(target, choices),
                        prompt=str(args[0][0]))


def _target_index(target, choices: tuple[str, ...]) -> int | None:
    if isinstance(target, bool):
        return None
    if isinstance(target, int) or (isinstance(target, str) and target.strip().isdigit()):
        index = int(target)
        return index if 0 <= index < len(choices) else None
    text = str(target).strip()
    return choices.index(text) if text in choices else None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Offline (hfcache.offline), and lm-eval's INFO logs and progress bars kept off the console."""
    from gatekeeper.evals.hfcache import offline

    loggers = [logging.getLogger(n) for n in ("lm_eval", "lm-eval", "datasets")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR if lg.name == "datasets" else logging.WARNING)
    try:
        with offline():
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
