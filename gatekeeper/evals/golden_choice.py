"""Choice probabilities for a JSONL golden set of the ``choice`` scorer (task_accuracy's layout).

Rows carry a prompt, ``choices`` (a list) and a target that is a 0-based index or the
text of the right choice. Each choice is scored as the assistant's whole answer, exactly
as task_accuracy's ``choice`` scorer does, through the engine's cached ``loglik``.
"""

from __future__ import annotations

from gatekeeper.core.errors import ConfigError
from gatekeeper.evals.calibration import ChoiceScore, choice_scores
from gatekeeper.core.chat import prompt_of
from gatekeeper.bundle.golden import GoldenSet


def choice_index(target, choices: list) -> int | None:
    if isinstance(target, int) and not isinstance(target, bool):
        return target if 0 <= target < len(choices) else None
    return choices.index(target) if target in choices else None


def check_golden(golden: GoldenSet, prompt_field: str, target_field: str) -> None:
    for row in golden.rows:
        choices = row.data.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            raise ConfigError(f"golden set row '{row.id}' needs a 'choices' list", where=golden.path,
                              line=row.line)
        if choice_index(row.data.get(target_field), choices) is None:
            raise ConfigError(f"golden set row '{row.id}': {target_field} is neither an index into its "
                              "choices nor one of them", where=golden.path, line=row.line)
        try:
            prompt_of(row.data, prompt_field)
        except KeyError:
            raise ConfigError(f"golden set row '{row.id}' has no '{prompt_field}'", where=golden.path,
                              line=row.line) from None


def golden_scores(view, golden: GoldenSet, prompt_field: str, target_field: str) -> list[ChoiceScore]:
    rows = [r.data for r in golden.rows]
    requests = [(prompt_of(r, prompt_field), str(c)) for r in rows for c in r["choices"]]
    flat = view.loglik(requests)
    logliks, pos = [], 0
    for r in rows:
        logliks.append(flat[pos:pos + len(r["choices"])])
        pos += len(r["choices"])
    targets = [choice_index(r[target_field], r["choices"]) or 0 for r in rows]
    return choice_scores(logliks, targets)
