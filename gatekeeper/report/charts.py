"""Geometry for the report's inline SVG charts.

Only numbers and short labels are computed here; the SVG elements themselves are written
by the jinja templates, so every label passes through autoescaping like the rest of the page. No chart library: the report must open offline.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from gatekeeper.report.fmt import is_num, num, signed

WIDTH = 560
GUTTER = 92        # left column for row labels ("candidate", "baseline")
RIGHT = 18


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [lo, hi] (1, 2, 2.5 or 5 times 10^k)."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(s - raw))
    start = math.ceil(lo / step - 1e-9) * step
    ticks, v = [], start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 12))
        v += step
    return ticks


def _domain(values: Sequence[float], *, rate: bool) -> tuple[float, float]:
    """Axis range: 0..1 for rates whose values spread widely, else padded around the values."""
    lo, hi = min(values), max(values)
    if rate and hi - lo > 0.3:
        return 0.0, 1.0
    # A zero span (e.g. 0 hits against max 0) still needs a readable axis around the value.
    pad = (hi - lo) * 0.15 if hi > lo else max(abs(hi) * 0.1, 0.05 if rate else 1.0)
    pad = max(pad, abs(hi) * 0.005)
    lo, hi = lo - pad, hi + pad
    if rate:
        lo, hi = max(lo, 0.0), min(hi, 1.0)
    ticks = nice_ticks(lo, hi)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else pad
    return min(lo, ticks[0]), max(hi, ticks[-1] if ticks[-1] >= hi else ticks[-1] + step)


class _Axis:
    """Maps data values to x pixels of the plotting area."""

    def __init__(self, lo: float, hi: float):
        self.lo, self.hi = lo, hi

    def x(self, v: float) -> float:
        v = min(max(v, self.lo), self.hi)
        return round(GUTTER + (v - self.lo) / (self.hi - self.lo) * (WIDTH - GUTTER - RIGHT), 1)

    def ticks(self) -> list[dict]:
        return [{"x": self.x(t), "label": num(t)} for t in nice_ticks(self.lo, self.hi)
                if self.lo - 1e-12 <= t <= self.hi + 1e-12]


def _row(axis: _Axis, label: str, y: int, point: Any, iv: Any, kind: str) -> dict | None:
    if not is_num(point):
        return None
    row = {"label": label, "y": y, "x": axis.x(point), "value": num(point), "kind": kind,
           "lo": None, "hi": None, "offscale": None, "anchor": "start"}
    if isinstance(iv, (list, tuple)) and len(iv) == 2 and all(is_num(v) for v in iv):
        row["lo"], row["hi"] = axis.x(iv[0]), axis.x(iv[1])
    return row


def _bad_regions(axis: _Axis, low_bad: Any, high_bad: Any) -> list[dict]:
    """Shaded spans of the axis where the measured value would fail."""
    out = []
    if is_num(low_bad) and low_bad > axis.lo:
        out.append({"x": axis.x(axis.lo), "w": round(axis.x(low_bad) - axis.x(axis.lo), 1)})
    if is_num(high_bad) and high_bad < axis.hi:
        out.append({"x": axis.x(high_bad), "w": round(axis.x(axis.hi) - axis.x(high_bad), 1)})
    return out


def _place_labels(lines: list[dict]) -> int:
    """Give each threshold label a text row so that no two labels overlap; return the rows used.

    Labels right of the line by default, left of it near the right edge.
    """
    taken: list[list[tuple[float, float]]] = []
    for line in sorted(lines, key=lambda item: item["x"]):
        width = 6.4 * len(line["label"]) + 4
        end = line["x"] + 3 + width > WIDTH
        lo, hi = (line["x"] - 3 - width, line["x"]) if end else (line["x"], line["x"] + 3 + width)
        level = next((i for i, spans in enumerate(taken) if all(hi < a or lo > b for a, b in spans)), len(taken))
        if level == len(taken):
            taken.append([])
        taken[level].append((lo, hi))
        line.update(anchor="end" if end else "start", tx=round(line["x"] - 3 if end else line["x"] + 3, 1),
                    ty=11 + 12 * level)
    return max(len(taken), 1)


def _finish(axis: _Axis, rows: list, lines: list, regions: list) -> dict:
    levels = _place_labels(lines)
    top = 12 * (levels - 1)
    rows = [dict(r, y=r["y"] + top) for r in rows if r]
    axis_y = top + 16 + 18 * len(rows) + 6
    return {"width": WIDTH, "height": axis_y + 22, "axis_y": axis_y, "rows": rows,
            "lines": lines, "regions": regions, "ticks": axis.ticks(), "x0": GUTTER,
            "x1": WIDTH - RIGHT, "top": top + 6}


def threshold_chart(th: Mapping | None, baseline: Any = None) -> dict | None:
    """Measured value with its interval against the min/max threshold (and the baseline).

    The axis is scaled to the candidate and the threshold; a baseline far outside that range
    is pinned to the edge and labelled "off scale" instead of squashing the interesting part.
    """
    if not th or not is_num(th.get("value")):
        return None
    iv = th.get("interval")
    values = [th["value"], *(v for v in (th.get("min"), th.get("max")) if is_num(v))]
    if isinstance(iv, (list, tuple)):
        values += [v for v in iv if is_num(v)]
    span = max(values) - min(values)
    offscale = is_num(baseline) and not (min(values) - 2 * span <= baseline <= max(values) + 2 * span)
    if is_num(baseline) and not offscale:
        values.append(baseline)
    axis = _Axis(*_domain(values, rate=all(0 <= v <= 1 for v in values)))
    base_row = _row(axis, "baseline", 40, baseline, None, "baseline")
    if base_row and offscale:
        base_row.update(offscale=f"{num(baseline)}, off scale",
                        anchor="start" if baseline < axis.lo else "end")
    rows = [_row(axis, "candidate", 22, th["value"], iv, "candidate"), base_row]
    lines = [{"x": axis.x(th[k]), "label": f"{k} {num(th[k])}"}
             for k in ("min", "max") if is_num(th.get(k))]
    return _finish(axis, rows, lines, _bad_regions(axis, th.get("min"), th.get("max")))


def comparison_chart(cmp: Mapping | None) -> dict | None:
    """Paired delta (candidate - baseline) with its CI against zero and the margin."""
    if not cmp or not is_num(cmp.get("delta")):
        return None
    margin = m if is_num(m := cmp.get("margin")) else 0.0
    # Non-inferiority tolerates a drop down to -margin; superiority needs a gain above +margin.
    edge = -abs(margin) if cmp.get("kind") != "superiority" else abs(margin)
    iv = cmp.get("ci")
    values = [cmp["delta"], 0.0, edge]
    if isinstance(iv, (list, tuple)):
        values += [v for v in iv if is_num(v)]
    axis = _Axis(*_domain(values, rate=False))
    rows = [_row(axis, "delta", 22, cmp["delta"], iv, "candidate")]
    lines = [{"x": axis.x(0.0), "label": "no change"}]
    if edge != 0:
        word = "required gain" if edge > 0 else "allowed drop"
        lines.append({"x": axis.x(edge), "label": f"{word} {signed(edge)}"})
    return _finish(axis, rows, lines, _bad_regions(axis, edge, None))


def subject_chart(subjects: Sequence[Mapping]) -> dict | None:
    """Horizontal bars of per-subject delta, sorted worst first, around a zero line."""
    rows = [s for s in subjects if isinstance(s, Mapping) and is_num(s.get("delta"))]
    if not rows:
        return None
    rows.sort(key=lambda s: s["delta"])
    span = max(abs(s["delta"]) for s in rows) or 1.0
    width, label_w, text_w, bar_h = WIDTH + 120, 200, 190, 16
    half = (width - label_w - text_w - 10) / 2
    mid = label_w + 5 + half
    bars = []
    for i, s in enumerate(rows):
        w = abs(s["delta"]) / span * half
        bars.append({"y": 8 + i * (bar_h + 4), "x": round(mid - w if s["delta"] < 0 else mid, 1),
                     "w": round(max(w, 1.0), 1), "neg": s["delta"] < 0, "name": str(s.get("name", "?")),
                     "text": f"{signed(s['delta'])}  ({num(s.get('baseline'))} \u2192 "
                             f"{num(s.get('candidate'))}, n={num(s.get('n'))})"})
    return {"width": width, "height": 16 + len(rows) * (bar_h + 4), "mid": round(mid, 1),
            "bar_h": bar_h, "bars": bars, "label_x": label_w, "text_x": width - text_w}


def line_chart(points: Sequence[Mapping], series: Sequence[str] = ("loss", "eval_loss")) -> dict | None:
    """Polylines of the training loss (and eval loss) against the step."""
    pts = [p for p in points if isinstance(p, Mapping) and is_num(p.get("step"))]
    if len(pts) < 2:
        return None
    ys = [p[k] for p in pts for k in series if is_num(p.get(k))]
    if not ys:
        return None
    w, h, left, top, bottom = WIDTH + 120, 240, 56, 14, 30
    sx0, sx1 = pts[0]["step"], pts[-1]["step"]
    ylo, yhi = min(ys), max(ys)
    yticks = nice_ticks(ylo, yhi)
    ylo, yhi = min(ylo, yticks[0]), max(yhi, yticks[-1])

    def px(step: float) -> float:
        return round(left + (step - sx0) / ((sx1 - sx0) or 1) * (w - left - 16), 1)

    def py(v: float) -> float:
        return round(top + (yhi - v) / ((yhi - ylo) or 1) * (h - top - bottom), 1)

    lines = []
    for k in series:
        xy = [f"{px(p['step'])},{py(p[k])}" for p in pts if is_num(p.get(k))]
        if xy:
            lines.append({"name": k, "points": " ".join(xy), "count": len(xy),
                          "last": num(next(p[k] for p in reversed(pts) if is_num(p.get(k))))})
    return {"width": w, "height": h, "left": left, "top": top, "bottom": h - bottom,
            "right": w - 16, "lines": lines,
            "yticks": [{"y": py(t), "label": num(t)} for t in yticks],
            "xticks": [{"x": px(t), "label": num(int(t) if float(t).is_integer() else t)}
                       for t in nice_ticks(sx0, sx1) if sx0 <= t <= sx1]}
