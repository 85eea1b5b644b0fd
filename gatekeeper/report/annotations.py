"""GitHub Actions workflow commands: one annotation per gate that did not pass.

``::error`` for blocking gates (fail, inconclusive, error), ``::warning`` for warn-severity
ones, placed on the gate's declaration (``source`` file:line) so the annotation shows on
the gate file in the PR diff. Values are escaped the way @actions/core escapes them:
``%``, CR and LF everywhere, and also ``:`` and ``,`` in properties.
"""

from __future__ import annotations

from typing import Any, Mapping

from gatekeeper.report.fmt import NOT_PASS, blocking_ids, OUTCOME_WORDS, clean, dig


def escape_data(text: Any) -> str:
    """Escape a command's message (after ``::``)."""
    return clean(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: Any) -> str:
    """Escape a property value (``file=``, ``line=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, props: Mapping[str, Any], message: str) -> str:
    fields = ",".join(f"{k}={escape_property(v)}" for k, v in props.items() if v not in (None, ""))
    return f"::{level} {fields}::{escape_data(message)}" if fields else f"::{level}::{escape_data(message)}"


def github_annotations(report: Mapping) -> list[str]:
    """Workflow command lines (without newlines) for the gates that did not pass."""
    lines, blocking = [], blocking_ids(report)
    for gate in report.get("gates") or []:
        outcome = gate.get("outcome")
        if outcome not in NOT_PASS:
            continue
        level = "error" if gate.get("id") in blocking else "warning"
        props = {"file": dig(gate, "source", "file"), "line": dig(gate, "source", "line"),
                 "title": f"gatekeeper {clean(gate.get('id'))}"}
        lines.append(_command(level, props, f"{OUTCOME_WORDS.get(outcome, outcome)}: {clean(gate.get('reason'))}"))
    status = report.get("status", "complete")
    if status != "complete":
        lines.append(_command("error", {"title": f"gatekeeper run {status}"},
                              clean(report.get("message") or f"the run {status} before every gate ran")))
    return lines
