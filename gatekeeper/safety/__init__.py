"""Safety evaluation pieces: prompt loaders, categories, and refusal classifiers.

``loaders`` reads XSTest / AdvBench / HarmBench CSVs and plain JSONL into SafetyPrompts
(errors at file:line), ``categories`` assigns the report's harm categories, ``refusal``
is the evidence-weighing classifier (its phrase lists in ``cues``; a small learned score
over general features in ``refusal_score`` / ``refusal_features``) and
``judge`` a pluggable local model judge. ``classify(text, prompt=None)`` is the default classifier:
``from gatekeeper.safety import classify``.
"""

from gatekeeper.safety.refusal import RefusalVerdict, classify

__all__ = ["RefusalVerdict", "classify"]
