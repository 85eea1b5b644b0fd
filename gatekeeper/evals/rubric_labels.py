"""A labelled set for the rubric judge: outputs a person graded, to measure the judge itself.

JSON Lines, one ``{"output": TEXT, "label": "pass" | "fail", "rubric"?: TEXT, "input"?: TEXT,
"id"?: ...}`` per line (``label`` may also be ``true`` / ``false``). A row without ``rubric``
is graded against the gate's. The judge grades every row as it grades the gate's items; its
agreement with the labels (and precision / recall, "pass" being the positive class) says
how far its grades can be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gatekeeper.bundle.yamlio import iter_jsonl
from gatekeeper.core.errors import ConfigError

WHAT = "judge labels file"
PASS_WORDS = {"pass": True, "fail": False}
MAX_DISAGREEMENTS = 20


@dataclass(frozen=True)
class LabelRow:
    line: int
    id: str
    output: str
    label: bool
    rubric: str | None = None
    input: str | None = None


def load_labels(path: str | Path) -> list[LabelRow]:
    """Every row, checked; a bad row is a ConfigError at its file:line."""
    path = Path(path)
    rows = []
    for line, data in iter_jsonl(path, WHAT):
        def bad(message: str, hint: str, at: int = line) -> ConfigError:
            return ConfigError(f"{WHAT} row: {message}", where=path, line=at, hint=hint)

        output = data.get("output")
        if not isinstance(output, str) or not output.strip():
            raise bad("'output' must be a non-empty string (the graded reply)",
                      'write {"output": "...", "label": "pass"}')
        label = data.get("label")
        if isinstance(label, str) and label.strip().lower() in PASS_WORDS:
            passed = PASS_WORDS[label.strip().lower()]
        elif isinstance(label, bool):
            passed = label
        else:
            raise bad(f"'label' must be \"pass\" or \"fail\" (or true / false), found {label!r}",
                      "label each output as a person grades it against the rubric")
        for name in ("rubric", "input"):
            value = data.get(name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise bad(f"'{name}' must be a non-empty string when given, found {value!r}",
                          f"drop '{name}' to use the gate's" if name == "rubric" else "drop it or write the input")
        rows.append(LabelRow(line, str(data.get("id", f"line{line}")), output, passed,
                             data.get("rubric"), data.get("input")))
    if not rows:
        raise ConfigError(f"{WHAT} is empty", where=path, hint='add one {"output", "label"} per line')
    return rows


def agreement(rows: list[LabelRow], graded: list[bool], p_yes: list[float], source: str) -> dict:
    """The judge against the labels: agreement, precision and recall of "pass", the counts,
    and the rows it disagrees with (most confident mistakes first)."""
    tp = sum(r.label and g for r, g in zip(rows, graded, strict=True))
    tn = sum(not r.label and not g for r, g in zip(rows, graded, strict=True))
    fp = sum(not r.label and g for r, g in zip(rows, graded, strict=True))
    fn = sum(r.label and not g for r, g in zip(rows, graded, strict=True))
    wrong = sorted((i for i, (r, g) in enumerate(zip(rows, graded, strict=True)) if r.label != g),
                   key=lambda i: -abs(p_yes[i] - 0.5))
    return {
        "file": source, "n": len(rows), "agreement": (tp + tn) / len(rows),
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "tp": tp, "fp": fp, "fn": fn, "tn": tn, "labelled_pass": tp + fn,
        "disagreements": [{"id": rows[i].id, "line": rows[i].line, "output": rows[i].output,
                           "label": "pass" if rows[i].label else "fail",
                           "p_yes": round(p_yes[i], 4)} for i in wrong[:MAX_DISAGREEMENTS]],
    }
