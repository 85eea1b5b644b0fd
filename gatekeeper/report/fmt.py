"""Formatting and reading helpers shared by every renderer (HTML, markdown, JUnit, annotations).

Renderers read report.json dicts written by other code and possibly by older versions, so
every accessor here tolerates missing keys and ``None`` (an error gate has no measurement,
a gate without ``vs_baseline`` has no comparison). Numbers are formatted one way everywhere
so that the HTML, the PR comment and the JUnit message agree digit for digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, TypeGuard

from gatekeeper.core.numbers import is_number, pvalue, significant

NOT_PASS = ("fail", "inconclusive", "error")
MISSING = "\u2013"          # en dash: "no value", quieter in tables than "n/a"
OUTCOME_WORDS: dict[Any, str] = {"pass": "PASS", "fail": "FAIL", "inconclusive": "INCONCLUSIVE",
                 "error": "ERROR", "skip": "SKIP"}

# C0 controls (except tab, newline, carriage return) are invalid in XML 1.0 and
# unreadable in HTML, lone surrogates cannot be written as UTF-8; model outputs can
# contain both, so they become U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def clean(text: Any) -> str:
    """``text`` as a str with characters that XML/HTML cannot carry replaced."""
    if text is None:
        return ""
    return _CONTROL.sub("\ufffd", str(text))


def one_line(text: Any, limit: int = 300) -> str:
    """First-line-ish summary: whitespace collapsed, cut at ``limit`` characters."""
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def clip(text: Any, limit: int) -> tuple[str, int]:
    """``text`` cut at ``limit`` characters and how many characters were cut."""
    text = clean(text)
    if len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


def is_num(x: Any) -> TypeGuard[float]:
    """A finite int or float (not a bool): the values renderers may do arithmetic on."""
    return is_number(x)


def num(x: Any) -> str:
    """A metric value: 4 significant digits, thousands separators for big numbers."""
    if not is_num(x):
        return MISSING if x is None else str(x)
    return significant(x)


def signed(x: Any) -> str:
    """A delta with its sign, so 'no change' and 'small drop' read differently."""
    if not is_num(x):
        return MISSING
    if x == 0:
        return "\u00b10"
    return f"{x:+.3g}"


def pval(p: Any) -> str:
    return pvalue(p) if is_num(p) else MISSING


def interval(iv: Any, fmt=num) -> str:
    """``[lo, hi]`` as text, or '' when there is no interval."""
    if not isinstance(iv, (list, tuple)) or len(iv) != 2 or not all(is_num(v) for v in iv):
        return ""
    return f"[{fmt(iv[0])}, {fmt(iv[1])}]"


def seconds(s: Any) -> str:
    if not is_num(s):
        return "n/a"
    if s < 60:
        return f"{s:.1f} s"
    minutes, rest = divmod(int(round(s)), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def dig(data: Any, *keys: Any, default: Any = None) -> Any:
    """``data[k1][k2]...`` or ``default`` when any step is missing or not a container."""
    for key in keys:
        if isinstance(data, Mapping):
            data = data.get(key)
        elif isinstance(data, (list, tuple)) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return default
        if data is None:
            return default
    return data


def source_text(gate: Mapping) -> str:
    """``file:line`` of where the gate was declared, or ''."""
    file = dig(gate, "source", "file")
    if not file:
        return ""
    line = dig(gate, "source", "line")
    return f"{file}:{line}" if line else str(file)


def blocking_ids(report: Mapping) -> set:
    """The gates that block the release, as the run decided them (``summary.blocking``:
    block severity, ran, did not pass). Renderers read this; none recomputes the rule.

    A listed gate whose outcome is a pass or a skip is not shown as blocking (older reports
    listed skipped blocking gates; a skip does not decide the verdict).
    """
    listed = (report.get("summary") or {}).get("blocking") or []
    listed = {str(g) for g in listed} if isinstance(listed, list) else set()
    return {str(g.get("id")) for g in report.get("gates") or []
            if isinstance(g, Mapping) and str(g.get("id")) in listed and g.get("outcome") in NOT_PASS}


@dataclass(frozen=True)
class Headline:
    """The one line a reviewer reads per gate: main metric, candidate vs baseline."""

    metric: str | None
    candidate: float | None
    interval: list | None
    baseline: float | None
    delta: float | None
    delta_ci: list | None
    p_value: float | None
    threshold: str
    n: int | None
    flipped: bool = False     # comparison of a lower-is-better metric: delta = baseline - candidate


ASSERTION = "assertion (no statistics)"


def threshold_text(th: Mapping | None) -> str:
    """'min 0.85 (lower95)' style description of an absolute threshold."""
    if not th:
        return ""
    parts = []
    if is_num(th.get("min")):
        parts.append(f"\u2265 {num(th['min'])}")
    if is_num(th.get("max")):
        parts.append(f"\u2264 {num(th['max'])}")
    text = " and ".join(parts)
    return f"{text} ({evidence_text(th)})" if text else text


def judged_on_bound(th: Mapping) -> bool:
    """Whether the threshold was judged on its confidence bound(s) (not census, not point)."""
    evidence = th.get("evidence")
    if evidence is not None:
        return evidence == "bound"
    return th.get("bound") not in (None, "point")  # reports written before issue 20


def evidence_text(th: Mapping) -> str:
    """What a threshold compared: 'lower95 bound', 'census, exact' or 'point, no evidence required'."""
    if judged_on_bound(th):
        return f"{th.get('bound')} bound"
    if th.get("evidence") == "census":
        return "census, exact"
    return "point, no evidence required"


def headline(gate: Mapping) -> Headline:
    """Main metric of a gate: the threshold's metric, else the comparison's, else the first."""
    th = gate.get("threshold") or {}
    cmp = gate.get("comparison") or {}
    meas = gate.get("measurement") or {}
    metrics = meas.get("metrics") or {}
    metric = th.get("metric") or cmp.get("metric") or next(iter(metrics), None)
    cand = th.get("value") if is_num(th.get("value")) else None
    if cand is None and cmp.get("metric") == metric and is_num(cmp.get("candidate")):
        cand = cmp["candidate"]
    if cand is None and is_num(metrics.get(metric)):
        cand = metrics[metric]
    base = cmp.get("baseline") if is_num(cmp.get("baseline")) else None
    if base is None and is_num(dig(meas, "baseline_metrics", metric)):
        base = meas["baseline_metrics"][metric]
    delta = cmp.get("delta") if is_num(cmp.get("delta")) else None
    flipped = delta is not None and cmp.get("higher_is_better") is False
    if delta is None and cand is not None and base is not None:
        delta = cand - base
    n = cmp.get("n") if is_num(cmp.get("n")) else meas.get("n")
    required = threshold_text(th)
    if not th and not cmp and gate.get("type") == "python" and gate.get("outcome") in ("pass", "fail"):
        required = ASSERTION  # a bare-assert python gate: its pass is its assertions
    return Headline(metric=metric, candidate=cand, interval=th.get("interval"), baseline=base,
                    delta=delta, delta_ci=cmp.get("ci"), p_value=cmp.get("p_value"),
                    threshold=required, n=n, flipped=flipped)


def partial_note(report: Mapping) -> str | None:
    """'partial run: 2 of 9 gates ran (-k); not a release verdict', or None for a full run."""
    if report.get("complete", True) is not False:
        return None
    sel = report.get("selection") or {}
    how = ", ".join(map(str, sel.get("selection") or [])) or "stopped early"
    return (f"partial run: {sel.get('gates_run', '?')} of {sel.get('gates_total', '?')} gates ran "
            f"({how}); not a release verdict")


def vs_prompting(report: Mapping) -> list[str]:
    """'Fine-tune vs best prompting' sentences: one per gate compared with the prompted baseline.

    The design's first question about a fine-tune is whether it beats the base model well
    prompted; these lines lead the console summary, the markdown and the HTML report.
    """
    lines = []
    for gate in report.get("gates") or []:
        spec_cmp = dig(gate, "spec", "vs_baseline") or {}
        cmp = gate.get("comparison") or {}
        if not isinstance(spec_cmp, Mapping) or spec_cmp.get("against") != "prompted" or not cmp:
            continue
        word = OUTCOME_WORDS.get(str(cmp.get("outcome")), str(cmp.get("outcome")))
        margin = cmp.get("margin")
        claim = (f"required gain {num(margin)}" if cmp.get("kind") == "superiority"
                 else f"allowed drop {num(margin)}")
        lines.append(
            f"{gate.get('id')}: {cmp.get('metric')} {num(cmp.get('candidate'))} fine-tuned vs "
            f"{num(cmp.get('baseline'))} prompted, delta {signed(cmp.get('delta'))} "
            f"(CI {interval(cmp.get('ci'), signed)}, p {pval(cmp.get('p_value'))}, n={num(cmp.get('n'))}; "
            f"{claim}): {word}")
    return lines


def reason_bars(details: Mapping, sections: tuple[tuple[str, str], ...]) -> list:
    """(title, bars) per (details key, title) whose value is a reason -> count histogram."""
    out = []
    for key, title in sections:
        data = details.get(key)
        if not isinstance(data, Mapping) or not data:
            continue
        rows = sorted(((clean(k), v) for k, v in data.items() if is_num(v)), key=lambda kv: -kv[1])
        total, top = sum(v for _, v in rows) or 1, (rows[0][1] if rows else 1) or 1
        out.append((title, [{"reason": k, "count": v, "pct": f"{100 * v / total:.0f}%",
                             "width": round(100 * v / top, 1)} for k, v in rows]))
    return out
