"""Per-item evidence for the HTML report: ordering, clipping, diffs and the paged JSON block.

A gate can carry tens of thousands of items. The page renders only the first ``DIRECT_ROWS``
(the failing ones come first) as HTML; every row also goes, clipped, into a
``<script type="application/json">`` block that the page's script pages through on demand.
Model output is hostile data: it is only ever autoescaped by jinja or, in the browser,
inserted with ``textContent``; the JSON block escapes ``<``, ``>`` and ``&`` so that no
string inside it can close the script element.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from typing import Any, Iterable, Mapping

from markupsafe import Markup

from gatekeeper.report.fmt import clean, is_num

DIRECT_ROWS = 50
PAGE_ROWS = 50_000          # items per gate carried in the page (~330 bytes each); report.json has all
TEXT_LIMIT = 1500           # characters per text field in the page; report.json has all
DIFF_LIMIT = 1200           # longer texts are not diffed (quadratic matcher, unreadable)
FIELDS = ("id", "passed", "baseline_passed", "input", "expected", "output", "baseline_output",
          "score", "baseline_score", "detail", "baseline_detail")
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def _rank(item: Mapping) -> int:
    """Order of evidence: regressions, other failures, unknown, fixes, passes."""
    cand, base = item.get("passed"), item.get("baseline_passed")
    if cand is False:
        return 0 if base is True else 1
    if cand is None:
        return 2
    return 3 if base is False else 4


def ordered(items: Iterable[Mapping]) -> list[Mapping]:
    """Items with failing ones first; the original order is kept within each group."""
    return sorted((i for i in items if isinstance(i, Mapping)), key=_rank)


def text(value: Any, limit: int = TEXT_LIMIT) -> str | None:
    """A text field clipped for the page, saying how much more report.json holds."""
    if value is None:
        return None
    value = clean(value)
    if len(value) <= limit:
        return value
    return f"{value[:limit]}\u2026 [{len(value) - limit:,} more characters in report.json]"


def _tokens(s: str) -> list[str]:
    return _TOKENS.findall(s)


def diff(expected: Any, output: Any) -> list[dict] | None:
    """Word diff of expected vs output (characters for single words), when it helps.

    Returns ``[{"op": "eq"|"del"|"ins", "text": ...}]`` or ``None`` when there is nothing
    useful to show: a missing side, identical texts, very long texts, or texts so different
    that a diff would just repeat both columns.
    """
    if not isinstance(expected, str) or not isinstance(output, str) or expected == output:
        return None
    if not expected.strip() or len(expected) > DIFF_LIMIT or len(output) > DIFF_LIMIT:
        return None
    single = " " not in expected.strip() and " " not in output.strip()
    a, b = (list(expected), list(output)) if single else (_tokens(expected), _tokens(output))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < 0.3:
        return None
    ops: list[dict] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal",):
            ops.append({"op": "eq", "text": "".join(a[i1:i2])})
            continue
        if i2 > i1:
            ops.append({"op": "del", "text": "".join(a[i1:i2])})
        if j2 > j1:
            ops.append({"op": "ins", "text": "".join(b[j1:j2])})
    return ops


def _status(passed: Any) -> str:
    return {True: "pass", False: "fail"}.get(passed, "n/a")


def row(item: Mapping, index: int) -> dict:
    """One evidence row for the template: clipped texts, status words, the diff."""
    cand, base = item.get("passed"), item.get("baseline_passed")
    tag = "regression" if cand is False and base is True else (
        "fixed" if cand is True and base is False else "")
    return {
        "index": index, "id": clean(item.get("id")), "status": _status(cand),
        "baseline_status": _status(base), "tag": tag, "failed": cand is False,
        "input": text(item.get("input")), "expected": text(item.get("expected")),
        "output": text(item.get("output")), "baseline_output": text(item.get("baseline_output")),
        "score": item.get("score") if is_num(item.get("score")) else None,
        "baseline_score": item.get("baseline_score") if is_num(item.get("baseline_score")) else None,
        "detail": text(item.get("detail"), 300), "baseline_detail": text(item.get("baseline_detail"), 300),
        "diff": diff(item.get("expected"), item.get("output")) if cand is not True else None,
    }


def _compact(item: Mapping) -> list:
    """A row for the JSON block: a list in ``FIELDS`` order (no repeated key names)."""
    out = []
    for key in FIELDS:
        value = item.get(key)
        if key in ("score", "baseline_score"):
            value = value if is_num(value) and math.isfinite(value) else None
        elif key not in ("passed", "baseline_passed"):
            value = text(value) if value is not None else None
        out.append(value)
    return out


def script_json(data: Any) -> Markup:
    """JSON safe to place inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc., so "</script>" or "<!--" in the data
    can never end the element; JSON.parse restores the original characters.
    """
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(raw)


def evidence(items: Any) -> dict | None:
    """Everything the evidence table of one gate needs, or None when there are no items."""
    if not isinstance(items, list) or not items:
        return None
    ranked = ordered(items)
    return {
        "total": len(ranked),
        "failing": sum(1 for i in ranked if i.get("passed") is False),
        "regressions": sum(1 for i in ranked if _rank(i) == 0),
        "has_baseline": any(i.get("baseline_output") is not None or i.get("baseline_passed") is not None
                            for i in ranked),
        "rows": [row(item, n + 1) for n, item in enumerate(ranked[:DIRECT_ROWS])],
        "page_size": DIRECT_ROWS, "omitted": max(len(ranked) - PAGE_ROWS, 0),
        "data": script_json({"fields": FIELDS, "rows": [_compact(i) for i in ranked[:PAGE_ROWS]]}),
    }
