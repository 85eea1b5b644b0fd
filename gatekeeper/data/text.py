"""Text normalisation shared by every data check, and word diffs for the report.

``normalise`` folds what should not make two texts different: Unicode compatibility forms
(NFKC: full-width letters, ligatures), case (casefold), punctuation and whitespace. What is
left is a sequence of words (letters and digits), compared by the detectors.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_ASCII_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The normalised words of ``text``: NFKC, casefolded, split on anything not a letter/digit."""
    if text.isascii():  # the common case, 3-4x faster; same result as the general path
        return _ASCII_WORD.findall(text.lower())
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).split()


def normalise(text: str) -> str:
    """``text`` as one normalised string (words joined by single spaces)."""
    return " ".join(words(text))


def marked_diff(left: str, right: str) -> tuple[list, list]:
    """Both texts as ``[[chunk, changed], ...]`` runs; ``changed`` marks words the other lacks.

    The diff is on normalised words, so case and punctuation edits do not count as changes;
    the chunks show the original words (split on whitespace) so the report reads naturally.
    """
    a_raw, b_raw = left.split(), right.split()
    a_norm, b_norm = [normalise(w) for w in a_raw], [normalise(w) for w in b_raw]
    a_changed, b_changed = [True] * len(a_raw), [True] * len(b_raw)
    matcher = difflib.SequenceMatcher(None, a_norm, b_norm, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            a_changed[block.a + k] = False
            b_changed[block.b + k] = False
    return _runs(a_raw, a_changed), _runs(b_raw, b_changed)


def _runs(tokens: list[str], changed: list[bool]) -> list:
    runs: list = []
    for token, flag in zip(tokens, changed):
        if runs and runs[-1][1] == flag:
            runs[-1][0] += " " + token
        else:
            runs.append([token, flag])
    return runs
