"""Safety evaluation pieces: prompt loaders, categories, and refusal classifiers.

``loaders`` reads XSTest / AdvBench / HarmBench CSVs and plain JSONL into SafetyPrompts
(errors at file:line), ``categories`` assigns the report's harm categories, ``refusal``
is the transparent pattern classifier and ``judge`` a pluggable local model judge.
"""
