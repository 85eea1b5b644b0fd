"""MMLU-layout data -> local lm-eval tasks (one task per subject), validated row by row.

The layout is the original Hendrycks release: ``data/{dev,test}/<subject>_<split>.csv``,
headerless rows ``question,A,B,C,D,answer`` with the answer a letter. Each subject becomes
a task with the same prompt, choices and few-shot source as lm-eval's own ``mmlu_*``
tasks, reading a JSONL copy we write (lm-eval's CSV loader would need a header).

Two styles (``STYLES``): ``letters`` is lm-eval's MMLU (the choices listed as A-D, the model
scores the letter); ``cloze`` scores each full answer text as the continuation of
"Question: ...\nAnswer:" (lm-eval's cloze / continuation MMLU). A small model often answers
one letter everywhere, so the letter style measures its letter bias, not its knowledge
(SmolLM2-135M: the same letter on every question, 0.28; cloze 0.63 on the demo's set).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.core.atomic import write_atomic
from gatekeeper.core.errors import ConfigError

MMLU_ENV = "GATEKEEPER_MMLU_DIR"
LETTERS = ("A", "B", "C", "D")
FORMAT_VERSION = 1
_PROMPT = ("{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\nC. {{choices[2]}}\n"
           "D. {{choices[3]}}\nAnswer:")
_CLOZE = "Question: {{question.strip()}}\nAnswer:"
STYLES = ("letters", "cloze")


@dataclass(frozen=True)
class McItem:
    """One multiple-choice question and the CSV line it starts on."""

    line: int
    question: str
    choices: tuple[str, ...]
    answer: int


@dataclass(frozen=True)
class TaskFile:
    name: str
    subject: str
    yaml_path: Path
    n_test: int


@dataclass(frozen=True)
class TaskSet:
    """Generated tasks in one include directory; ``digest`` pins their content."""

    directory: Path
    tasks: tuple[TaskFile, ...]
    digest: str
    source: Path

    def subject_of(self, task: str) -> str:
        return next(t.subject for t in self.tasks if t.name == task)


def resolve_mmlu_dir(mmlu_dir: str | None, fallback_dir: str | None) -> tuple[Path, str]:
    """The data directory and how it was chosen: the parameter, else the fallback.

    ``$GATEKEEPER_MMLU_DIR`` is read only where a gate file writes it
    (``mmlu_dir: ${GATEKEEPER_MMLU_DIR}``, expanded at collection and locked like any path);
    set but not written there, it changes nothing.
    """
    if mmlu_dir:
        return Path(mmlu_dir), "params.mmlu_dir"
    if fallback_dir:
        return Path(fallback_dir), "params.fallback_dir"
    unused = f" (${MMLU_ENV} is set, but only a gate file that writes it is read)" \
        if os.environ.get(MMLU_ENV) else ""
    raise ConfigError(f"no MMLU data: the gate names no mmlu_dir or fallback_dir{unused}",
                      hint=f"set params.mmlu_dir (e.g. mmlu_dir: \"${{{MMLU_ENV}}}\" with that folder in "
                           "the manifest's data_roots) or params.fallback_dir")


def split_dir(root: Path, split: str) -> Path:
    """``root/data/<split>`` (the release layout) or ``root/<split>``."""
    for candidate in (root / "data" / split, root / split):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"no '{split}' folder in the MMLU directory", where=root,
                      hint=f"expected {root}/data/{split}/<subject>_{split}.csv "
                           f"(set params.mmlu_dir to the folder above data/)")


def list_subjects(root: Path) -> list[str]:
    folder = split_dir(root, "test")
    subjects = sorted(p.name[: -len("_test.csv")] for p in folder.glob("*_test.csv"))
    if not subjects:
        raise ConfigError("no <subject>_test.csv files", where=folder,
                          hint="the MMLU layout is data/test/<subject>_test.csv")
    return subjects


def pick_subjects(root: Path, subjects: list[str] | None) -> list[str]:
    available = list_subjects(root)
    if not subjects:
        return available
    unknown = [s for s in subjects if s not in available]
    if unknown:
        raise ConfigError(f"unknown subject(s) {', '.join(unknown)} in {root}",
                          hint="available: " + ", ".join(available))
    return list(subjects)


def read_items(path: Path) -> list[McItem]:
    """Rows of one CSV; a malformed row raises ConfigError naming its file and line."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ConfigError("file not found", where=path) from None
    return list(_read_items(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=256)
def _read_items(path: Path, mtime_ns: int, size: int) -> tuple[McItem, ...]:
    """Parsed once per file version: collection checks every gate's rows, the run reads them again."""
    items: list[McItem] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            start = 1
            for row in reader:
                items.append(_parse_row(row, path, start))
                start = reader.line_num + 1
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"unreadable CSV: {exc}", where=path,
                          hint="MMLU CSVs are UTF-8 without a header") from None
    return tuple(items)


def _parse_row(row: list[str], path: Path, line: int) -> McItem:
    if len(row) != 6:
        raise ConfigError(f"expected 6 columns (question,A,B,C,D,answer), found {len(row)}",
                          where=path, line=line, hint="quote fields that contain commas")
    question, *choices, answer = row
    if answer.strip().upper() not in LETTERS:
        raise ConfigError(f"answer must be one of A, B, C, D; found {answer!r}",
                          where=path, line=line)
    if not question.strip():
        raise ConfigError("empty question", where=path, line=line)
    return McItem(line, question, tuple(choices), LETTERS.index(answer.strip().upper()))


def build_tasks(root: Path, subjects: list[str] | None, out_root: Path, prefix: str = "gk_mmlu",
                style: str = "letters") -> TaskSet:
    """Validate the CSVs and write JSONL + task YAMLs under ``out_root/<digest>`` (idempotent)."""
    if style not in STYLES:
        raise ConfigError(f"style must be one of {', '.join(STYLES)}, found {style!r}",
                          hint="cloze scores the answer text; letters is lm-eval's MMLU prompt")
    if style == "cloze":
        prefix = f"{prefix}_cloze"
    chosen = pick_subjects(root, subjects)
    data = {s: (read_items(_csv(root, s, "test")), read_items(_csv(root, s, "dev"))) for s in chosen}
    for subject, (test, _) in data.items():
        if not test:
            raise ConfigError("no questions", where=_csv(root, subject, "test"))
    digest = _digest(data, prefix)
    directory = out_root / digest[:16]
    tasks = []
    for subject, (test, dev) in data.items():
        name = f"{prefix}_{subject}"
        yaml_path = directory / f"{name}.yaml"
        if not yaml_path.exists():
            _write_task(directory, name, subject, test, dev, style)
        tasks.append(TaskFile(name, subject, yaml_path, len(test)))
    return TaskSet(directory, tuple(tasks), digest, root)


def _csv(root: Path, subject: str, split: str) -> Path:
    folder = split_dir(root, split)
    path = folder / f"{subject}_{split}.csv"
    if not path.is_file():
        raise ConfigError(f"subject '{subject}' has no {split} file", where=path,
                          hint=f"every subject needs data/{split}/{subject}_{split}.csv "
                               "(the dev split holds the few-shot examples)")
    return path


def _digest(data: dict, prefix: str) -> str:
    prompt = _CLOZE if prefix.endswith("_cloze") else _PROMPT
    h = hashlib.sha256(f"gatekeeper-mmlu-v{FORMAT_VERSION}:{prefix}:{prompt}".encode())
    for subject, splits in data.items():
        h.update(subject.encode())
        for items in splits:
            h.update(json.dumps([(i.question, i.choices, i.answer) for i in items]).encode())
    return h.hexdigest()


def _write_task(directory: Path, name: str, subject: str, test: list[McItem], dev: list[McItem],
                style: str = "letters") -> None:
    import yaml

    files = {}
    for split, items in (("test", test), ("dev", dev)):
        files[split] = directory / f"{name}_{split}.jsonl"
        write_atomic(files[split], "".join(
            json.dumps({"question": i.question, "choices": list(i.choices), "answer": i.answer,
                        "subject": subject}, ensure_ascii=False) + "\n" for i in items))
    config = {
        "task": name, "dataset_path": "json",
        "dataset_kwargs": {"data_files": {k: str(v) for k, v in files.items()}},
        "test_split": "test", "fewshot_split": "dev", "fewshot_config": {"sampler": "first_n"},
        "output_type": "multiple_choice",
        "doc_to_text": _CLOZE if style == "cloze" else _PROMPT,
        "doc_to_choice": "{{choices}}" if style == "cloze" else list(LETTERS),
        "doc_to_target": "answer",
        "description": f"The following are multiple choice questions (with answers) about "
                       f"{subject.replace('_', ' ')}.\n\n",
        "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
        "metadata": {"version": 1.0},
    }
    write_atomic(directory / f"{name}.yaml", yaml.safe_dump(config, sort_keys=False, allow_unicode=True))

