"""Evaluation harness plumbing: lm-eval tasks generated locally, run on the loaded model.

``mmlu`` turns MMLU-layout CSVs into local lm-eval tasks, ``harness`` runs lm-eval on a
model instance (no second load) and checks that every task was registered, ``results``
pairs candidate and baseline samples by document, ``calibration`` scores choice
probabilities. Nothing here imports lm_eval or torch at import time.
"""
