"""Dataset audit pieces: row schema, duplicates, split overlap, classes, policy examples, cards.

Every function takes rows already read and returns plain JSON-ready values; the
``dataset_audit`` gate type puts them together (and renders samples, gatekeeper.data.render).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.core.chat import as_messages, split_messages, training_problem
from gatekeeper.data.boilerplate import common_lines, content_words
from gatekeeper.data.overlap import Options, Side, self_pairs
from gatekeeper.data.records import Problem, TextItem, _shown, row_item
from gatekeeper.data.sketch import Vocab
from gatekeeper.data.text import marked_diff, normalise

# Answers that refuse or hand over to a person; deliberately broad (a human reads the list).
POLICY_PATTERNS = {
    "refusal": r"\b(i can(no|')?t|i cannot|i won'?t|i'm (sorry|not able)|i am (sorry|not able)|"
               r"unable to (help|assist)|not able to (help|assist)|i must decline)\b",
    "escalation": r"\b(escalat\w*|human (agent|support)|support team will|contact (our )?support|"
                  r"hand(ing)? (this|you) over|transfer(ring)? you|a specialist)\b",
}
CARD_NAMES = ("{stem}.md", "{stem}.card.md", "DATA_CARD.md", "DATACARD.md", "README.md")


@dataclass(frozen=True)
class Row:
    item: TextItem
    messages: tuple
    data: dict


def read_rows(path: Path, base: Path | None = None) -> tuple[list[Row], list[Problem]]:
    """Training rows of a JSONL file and every row that breaks the schema (file:line)."""
    shown = _shown(path, base)
    rows, problems = [], []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Problem(shown, number, f"not valid JSON: {exc.msg}"))
                continue
            message = _schema_problem(data)
            if message:
                problems.append(Problem(shown, number, message))
                continue
            item = row_item(data, shown, number)
            if item is None:
                problems.append(Problem(shown, number, "no prompt or answer text"))
                continue
            rows.append(Row(item, tuple(_messages(data)), data))
    return rows, problems


def _schema_problem(data) -> str | None:
    problem = training_problem(data)
    if problem is not None:
        return problem
    prompt, _ = split_messages(as_messages(data))
    if not any(m["content"].strip() for m in prompt):
        return "has no prompt text (nothing the answer responds to)"
    return None


def _messages(data: dict) -> list[dict]:
    return list(as_messages(data))


def _text(item: TextItem) -> str:
    return f"{item.prompt}\n{item.answer}"


def duplicates(rows: list[Row]) -> tuple[list[bool], list[dict]]:
    """Per row: a normalised copy of an earlier row? And the duplicate groups (lines)."""
    first: dict[str, int] = {}
    flags: list[bool] = []
    groups: dict[int, list[str]] = {}
    for i, row in enumerate(rows):
        key = normalise(_text(row.item))
        flags.append(key in first)
        groups.setdefault(first.setdefault(key, i), []).append(row.item.where)
    return flags, [{"rows": g} for g in groups.values() if len(g) > 1]


def near_duplicates(rows: list[Row], opts: Options, exact: list[bool]) -> tuple[list[bool], list[dict]]:
    """Per row: a near (not exact) duplicate of an earlier row? And the pairs, texts marked."""
    texts = [_text(r.item) for r in rows]
    lines = common_lines(texts, opts.boilerplate_share)
    side = Side.build([content_words(t, lines) for t in texts], [0] * len(rows), Vocab())
    flags, pairs = [False] * len(rows), []
    for a, b, score in self_pairs(side, opts):
        if exact[b] or flags[b]:
            continue
        flags[b] = True
        left, right = marked_diff(texts[a], texts[b])
        pairs.append({"first": rows[a].item.where, "second": rows[b].item.where,
                      "score": round(score, 4), "first_marked": left, "second_marked": right})
    return flags, pairs


def split_overlap(splits: dict[str, list[TextItem]], share: float) -> list[dict]:
    """Items of each later split whose prompt (boilerplate removed) is in an earlier split."""
    keys = {}
    for name, items in splits.items():
        lines = common_lines([i.prompt for i in items], share)
        keys[name] = [" ".join(content_words(i.prompt, lines)) for i in items]
    names, out = list(splits), []
    for k, later in enumerate(names):
        for earlier in names[:k]:
            seen = {key: i for i, key in enumerate(keys[earlier]) if key}
            shared = [(splits[later][j].where, splits[earlier][seen[key]].where)
                      for j, key in enumerate(keys[later]) if key in seen]
            out.append({"splits": [earlier, later], "count": len(shared),
                        "examples": [{"item": a, "also_in": b} for a, b in shared[:10]]})
    return out


def class_counts(rows: list[Row], field: str) -> dict[str, int]:
    return dict(Counter(str(r.data.get(field)) for r in rows if field in r.data).most_common())


def label_field(rows: list[Row], declared: str | None) -> str | None:
    """The declared label field, else ``label`` / ``category`` when every row has it."""
    if declared:
        return declared
    return next((f for f in ("label", "category", "class") if rows and all(f in r.data for r in rows)), None)


def policy_examples(rows: list[Row], kinds: list[str]) -> dict[str, list[str]]:
    """Per declared policy kind, the rows whose answer matches its pattern (file:line)."""
    found = {}
    for kind in kinds:
        pattern = re.compile(POLICY_PATTERNS[kind], re.IGNORECASE)
        found[kind] = [r.item.where for r in rows if pattern.search(r.item.answer)]
    return found


def card_for(data_file: Path) -> dict:
    """The data card next to a data file and whether it states a source and a license."""
    for name in CARD_NAMES:
        card = data_file.parent / name.format(stem=data_file.stem)
        if card.is_file():
            text = card.read_text("utf-8", errors="replace").lower()
            return {"card": str(card), "source": bool(re.search(r"\b(source|provenance)", text)),
                    "license": bool(re.search(r"\blicen[cs]e", text))}
    return {"card": None, "source": False, "license": False}
