"""overfitting: did validation loss rise while training loss kept falling, and does it ship?

Reads the training record ``gatekeeper train`` writes beside the adapter (training.json: the
train and validation loss curves and which checkpoint was saved). A run overfits when the
validation loss rose from its minimum while the training loss went on falling; it only
matters for the release when the saved adapter is not that best checkpoint (early stopping
with best-checkpoint restore ships the minimum). The metric ``overfit_rise`` is that rise, as
a fraction of the minimum, at the saved adapter: 0 when the best checkpoint was saved or the
training loss did not fall after the minimum. Static: no model loads.

    - id: train.overfitting
      type: overfitting
      threshold: {metric: overfit_rise, max: 0.10}
"""

from __future__ import annotations

from pathlib import Path

from gatekeeper.core.errors import MeasurementError
from gatekeeper.core.measurement import Measurement
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type
from gatekeeper.bundle.training import RECORD, read_record_file


METRICS = (
    Metric("overfit_rise", higher_is_better=False, kind="value", lower=0, upper=None,
           description="validation-loss rise above its minimum at the saved adapter, as a share of "
                       "the minimum, while training loss kept falling"),
    Metric("val_loss_rise", higher_is_better=False, kind="value", lower=0, upper=None,
           description="last validation loss above the minimum, as a share of the minimum"),
    Metric("train_loss_drop", higher_is_better=True, kind="value", lower=None, upper=None,
           description="training-loss fall after the validation minimum, as a share"),
)


@gate_type(needs_model=False, metrics=METRICS, path_params={"record": "config"})
def overfitting(ctx, *, record: str | None = None) -> Measurement:
    """Validation loss rising while training loss falls, at the adapter that ships (training.json)."""
    path = Path(record) if record else _default_record(ctx.bundle)
    data = read_record_file(path)
    evals = [(p["step"], float(p["eval_loss"])) for p in data.get("loss_curve", []) if "eval_loss" in p]
    trains = [(p["step"], float(p["loss"])) for p in data.get("loss_curve", []) if "loss" in p]
    if len(evals) < 2 or not trains:
        raise MeasurementError(f"{path.name} has {len(evals)} validation point(s); overfitting needs "
                               "at least two and a training curve", where=path,
                               hint="give the recipe eval_data (validation loss is logged every eval_steps)")
    return measure(evals, trains, data.get("best") or {}, path)


def measure(evals: list, trains: list, best: dict, path: Path) -> Measurement:
    """The divergence numbers from the two curves and the saved-checkpoint facts."""
    best_step, best_loss = min(evals, key=lambda e: e[1])
    last_step, last_loss = evals[-1]
    saved_is_best = bool(best.get("adapter_is_best")) or last_step == best_step
    saved_loss = best_loss if saved_is_best else last_loss
    at_best = [v for s, v in trains if s <= best_step][-1:] or [trains[0][1]]
    after = [v for s, v in trains if s > best_step]
    drop = (at_best[0] - min(after)) / at_best[0] if after and at_best[0] > 0 else 0.0
    falling = drop > 0
    rise = (saved_loss - best_loss) / best_loss if best_loss > 0 else 0.0
    overfit = rise if falling else 0.0
    details = {
        "record": str(path), "best_step": best_step, "best_eval_loss": round(best_loss, 6),
        "last_step": last_step, "last_eval_loss": round(last_loss, 6),
        "saved_is_best": saved_is_best, "saved_eval_loss": round(saved_loss, 6),
        "train_kept_falling": falling,
        "curve": _curve(evals, trains),
        "verdict_hint": _hint(overfit, saved_is_best, falling, (last_loss - best_loss) / best_loss),
    }
    return Measurement(metrics={"overfit_rise": round(overfit, 6),
                                "val_loss_rise": round((last_loss - best_loss) / best_loss, 6),
                                "train_loss_drop": round(drop, 6)},
                       n=len(evals), details=details)


def _hint(overfit: float, saved_is_best: bool, falling: bool, rise: float) -> str:
    if rise <= 0:
        return "validation loss ended at its minimum"
    if saved_is_best:
        return "validation loss rose after its minimum, but the saved adapter is the best checkpoint"
    if not falling:
        return "validation loss rose, but so did training loss: unstable training, not overfitting"
    return "validation loss rose while training loss kept falling, and the saved adapter is past the minimum"


def _curve(evals: list, trains: list) -> list[dict]:
    by_step: dict = {}
    for step, loss in trains:
        by_step.setdefault(step, {"step": step})["loss"] = loss
    for step, loss in evals:
        by_step.setdefault(step, {"step": step})["eval_loss"] = loss
    return [by_step[s] for s in sorted(by_step)]


def _default_record(bundle) -> Path:
    if bundle.adapter is None:
        raise MeasurementError("the bundle has no adapter, so there is no training record to read",
                               hint="train one with `gatekeeper train`")
    return bundle.adapter / RECORD


def report_view(details: dict, gate: dict) -> dict:
    """The two loss curves as an inline SVG chart (drawn from report.json only)."""
    from gatekeeper.report.charts import line_chart

    return {"chart": line_chart(details.get("curve") or [])}
