"""Scorers: compare one model output with one expected answer. Pure functions, no I/O.

Each returns a Score: whether it counts as correct, a score in [0, 1], and a short
detail a reviewer can read when it does not.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass

SCORERS = ("exact", "normalized", "json_field", "fuzzy", "choice")
_PUNCT = re.compile(f"[{re.escape(string.punctuation)}]")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Score:
    passed: bool
    value: float
    detail: str | None = None


def normalize(text: str) -> str:
    """Lower case, punctuation removed, whitespace collapsed."""
    return _WS.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


def score_exact(output: str, expected: str) -> Score:
    ok = output.strip() == expected.strip()
    return Score(ok, float(ok), None if ok else "output differs from expected")


def score_normalized(output: str, expected: str) -> Score:
    ok = normalize(output) == normalize(expected)
    return Score(ok, float(ok), None if ok else "differs after normalising case/punctuation/space")


def score_fuzzy(output: str, expected: str, min_ratio: float) -> Score:
    from rapidfuzz import fuzz

    ratio = fuzz.ratio(normalize(output), normalize(expected))
    ok = ratio >= min_ratio
    return Score(ok, ratio / 100.0, None if ok else f"similarity {ratio:.0f} < {min_ratio:g}")


def parse_json_object(text: str):
    """The output as JSON: the whole text, else the first {...} span (code fences tolerated)."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        pass
    start, end = stripped.find("{"), stripped.rfind("}")
    if 0 <= start < end:
        try:
            return json.loads(stripped[start:end + 1])
        except ValueError:
            return None
    return None


def expected_field(expected: str, field: str) -> str:
    """The expected value of ``field``: from a JSON target, or the target text itself."""
    parsed = parse_json_object(expected)
    if isinstance(parsed, dict) and field in parsed:
        return str(parsed[field])
    return expected.strip()


def score_json_field(output: str, expected: str, field: str) -> Score:
    parsed = parse_json_object(output)
    if not isinstance(parsed, dict):
        return Score(False, 0.0, "output is not a JSON object")
    if field not in parsed:
        return Score(False, 0.0, f"JSON has no '{field}'")
    got, want = str(parsed[field]), expected_field(expected, field)
    ok = got.strip().lower() == want.strip().lower()
    return Score(ok, float(ok), None if ok else f"{field}={got!r}, expected {want!r}")


def predicted_field(output: str, field: str) -> str:
    """The predicted label (for confusion tables), or a marker when there is none."""
    parsed = parse_json_object(output)
    if isinstance(parsed, dict) and field in parsed:
        return str(parsed[field])
    return "(no JSON)" if not isinstance(parsed, dict) else f"(no {field})"
