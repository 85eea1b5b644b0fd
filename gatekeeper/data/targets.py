"""Training answers checked against what the bundle's gates demand of the model's outputs.

A ``json_validity`` gate declares a JSON Schema (path role ``output_schema``); a training
answer that does not parse as JSON, or that no such schema accepts, teaches the model the
very output the gate fails. Which answers are checked:

* every answer of the **task** training data (the recipe's ``data`` and ``eval_data``): the
  rows the gated task is trained on;
* from the general **mix** only answers that look like JSON (they start with ``{`` or ``[``
  once stripped): the mix is everyday chat and refusals by design, and prose there is
  not a finding.

With several schemas an answer is fine when one of them accepts it (a bundle may gate two
JSON tasks). Findings name the row at file:line and say what is wrong.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from gatekeeper.data.records import TextItem

MAX_FINDINGS = 50


def looks_like_json(text: str) -> bool:
    return text.strip()[:1] in ("{", "[")


def answer_problem(answer: str, validators: list[tuple[str, Any]]) -> str | None:
    """Why ``answer`` is not an output the gates accept, or None when it is."""
    try:
        value = json.loads(answer.strip())
    except json.JSONDecodeError as exc:
        return f"answer is not valid JSON ({exc.msg} at character {exc.pos})"
    except RecursionError:
        return "answer is not valid JSON (nested too deeply)"
    problems = []
    for name, validator in validators:
        error = next(iter(sorted(validator.iter_errors(value), key=lambda e: list(e.path))), None)
        if error is None:
            return None
        where = "/" + "/".join(map(str, error.absolute_path))
        problems.append(f"{name} at {where}: {error.message[:120]}")
    return "answer violates " + "; ".join(problems)


def target_findings(items: Iterable[TextItem], task_paths: set[str],
                    validators: list[tuple[str, Any]]) -> tuple[list[float], list[dict], int]:
    """(per item 1.0 when its answer is a finding, findings with file:line, items checked).

    ``task_paths`` are the items' ``path`` values of the task files (every other item is mix
    data, checked only when its answer looks like JSON).
    """
    flags: list[float] = []
    findings: list[dict] = []
    checked = 0
    for item in items:
        if not validators or (item.path not in task_paths and not looks_like_json(item.answer)):
            flags.append(0.0)
            continue
        checked += 1
        problem = answer_problem(item.answer, validators)
        flags.append(float(problem is not None))
        if problem is not None and len(findings) < MAX_FINDINGS:
            findings.append({"where": item.where, "message": problem, "answer": item.answer[:200]})
    return flags, findings, checked
