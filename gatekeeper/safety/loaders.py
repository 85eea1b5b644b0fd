"""Read safety prompt sets: XSTest CSV, AdvBench CSV, HarmBench CSV, plain JSONL.

The format is recognised from the CSV header (or the .jsonl suffix). Every prompt is
either ``harmful`` (the model should refuse) or benign (it should answer: over-refusal).
A malformed row raises ConfigError naming the file and the line it starts on.

    XSTest     id,prompt,type,label,focus,note     label: safe | unsafe
    AdvBench   goal,target                         every row harmful
    HarmBench  Behavior,FunctionalCategory,SemanticCategory,...   every row harmful
    JSONL      {"prompt": str, "label": "harmful"|"benign", "category"?: str, "id"?: str}
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.core.errors import ConfigError
from gatekeeper.safety.categories import HARMBENCH, XSTEST, categorize, normalize

HARMFUL_LABELS = {"harmful": True, "unsafe": True, "benign": False, "safe": False}


@dataclass(frozen=True)
class SafetyPrompt:
    id: str
    prompt: str
    harmful: bool
    category: str
    kind: str = ""   # the dataset's own type (XSTest type, HarmBench FunctionalCategory)
    line: int = 0


def load_prompts(path: str | Path) -> list[SafetyPrompt]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError("safety prompt file not found", where=path)
    rows = _jsonl(path) if path.suffix == ".jsonl" else _csv(path)
    if not rows:
        raise ConfigError("no prompts in the file", where=path)
    seen: dict[str, int] = {}
    for p in rows:
        if p.id in seen:
            raise ConfigError(f"duplicate id '{p.id}' (first at line {seen[p.id]})", where=path, line=p.line)
        seen[p.id] = p.line
    return rows


def _csv(path: Path) -> list[SafetyPrompt]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ConfigError("empty CSV", where=path)
            parse = _parser(header, path)
            out, start = [], reader.line_num + 1
            for row in reader:
                if any(cell.strip() for cell in row):
                    out.append(parse(_as_dict(header, row, path, start), start))
                start = reader.line_num + 1
            return out
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"unreadable CSV: {exc}", where=path, hint="save it as UTF-8 CSV") from None


def _as_dict(header: list[str], row: list[str], path: Path, line: int) -> dict:
    if len(row) != len(header):
        raise ConfigError(f"expected {len(header)} columns ({','.join(header)}), found {len(row)}",
                          where=path, line=line, hint="quote fields that contain commas")
    return dict(zip(header, row))


def _parser(header: list[str], path: Path):
    cols = set(header)
    if {"prompt", "label", "type"} <= cols:
        return lambda r, line: _xstest(r, line, path)
    if {"goal", "target"} <= cols:
        return lambda r, line: _make(r["goal"], True, None, "", f"advbench-{line}", line, path)
    if {"Behavior", "SemanticCategory"} <= cols:
        return lambda r, line: _make(r["Behavior"], True, HARMBENCH.get(r["SemanticCategory"]),
                                     r.get("FunctionalCategory", ""),
                                     r.get("BehaviorID") or f"harmbench-{line}", line, path)
    raise ConfigError(f"unrecognised safety CSV header: {','.join(header)}", where=path, line=1,
                      hint="expected XSTest (id,prompt,type,label,...), AdvBench (goal,target) or "
                           "HarmBench (Behavior,...,SemanticCategory,...) columns, or use JSONL")


def _xstest(r: dict, line: int, path: Path) -> SafetyPrompt:
    label = r["label"].strip().lower()
    if label not in ("safe", "unsafe"):
        raise ConfigError(f"label must be 'safe' or 'unsafe', found {r['label']!r}", where=path, line=line)
    return _make(r["prompt"], label == "unsafe", XSTEST.get(r["type"]), r["type"],
                 r.get("id") or f"xstest-{line}", line, path)


def _make(prompt: str, harmful: bool, category: str | None, kind: str, id_: str, line: int,
          path: Path) -> SafetyPrompt:
    if not prompt or not prompt.strip():
        raise ConfigError("empty prompt", where=path, line=line)
    return SafetyPrompt(str(id_), prompt, harmful, category or categorize(prompt), kind, line)


def _jsonl(path: Path) -> list[SafetyPrompt]:
    out = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8: {exc}", where=path) from None
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"invalid JSON: {exc.msg}", where=path, line=number) from None
        out.append(_json_row(row, path, number))
    return out


def _json_row(row, path: Path, line: int) -> SafetyPrompt:
    if not isinstance(row, dict) or not isinstance(row.get("prompt"), str):
        raise ConfigError("each line needs a \"prompt\" string", where=path, line=line,
                          hint='{"prompt": "...", "label": "harmful" | "benign", "category": "..."}')
    label = str(row.get("label", "")).strip().lower()
    if label not in HARMFUL_LABELS:
        raise ConfigError(f"label must be 'harmful' or 'benign', found {row.get('label')!r}",
                          where=path, line=line)
    category = row.get("category")
    if category is not None and normalize(str(category)) is None:
        raise ConfigError(f"unknown category {category!r}", where=path, line=line,
                          hint="categories: violence, weapons, self-harm, cyber abuse, fraud, "
                               "privacy, hate, other")
    return _make(row["prompt"], HARMFUL_LABELS[label], normalize(category) if category else None,
                 str(row.get("kind", "")), str(row.get("id", f"line{line}")), line, path)
