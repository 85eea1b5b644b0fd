"""Boilerplate: text shared by a large share of a set is template, not content.

An eval set whose every prompt starts with the same instruction line would otherwise make
every item look copied the moment one training row uses that instruction. Two discounts:

1. Lines: a line (normalised) found in at least ``share`` of a set's items, and in at least
   ``MIN_COUNT`` items, is boilerplate of that set. Boilerplate lines of any eval set are
   removed from eval *and* train texts before any detector runs (all three see the same text);
   boilerplate lines of the training rows (a system prompt on every row) are removed from
   training texts, unless an eval item contains that line.
2. n-grams (applied by the n-gram detector, gatekeeper.data.overlap): an n-gram found in at
   least ``share`` of the eval set's items (and ``MIN_COUNT`` items) is ignored, which catches
   in-line templates such as "which of the following".

An item made only of boilerplate has nothing left to compare and is not checked.
"""

from __future__ import annotations

from collections import Counter

from gatekeeper.data.text import normalise, words

MIN_COUNT = 3


def min_count(share: float, n_items: int) -> int:
    """How many items a line or n-gram must appear in to count as boilerplate."""
    return max(MIN_COUNT, int(share * n_items + 0.999999))


def common_lines(texts: list[str], share: float) -> frozenset[str]:
    """Normalised lines present in at least ``share`` of ``texts`` (and MIN_COUNT of them)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({normalise(line) for line in text.splitlines()} - {""})
    need = min_count(share, len(texts))
    return frozenset(line for line, c in counts.items() if c >= need)


def train_lines(texts: list[str], share: float, eval_texts: list[str]) -> frozenset[str]:
    """Template lines of the training side (a system prompt on every row), never eval content.

    Lines of multi-line training texts found in at least ``share`` of them, except any line
    that some eval item also contains: eval text repeated across training rows is a finding,
    not a template.
    """
    lines = common_lines([t for t in texts if "\n" in t], share * len(texts) / max(
        1, sum("\n" in t for t in texts)))
    if not lines:
        return lines
    seen = {normalise(line) for t in eval_texts for line in t.splitlines()}
    return frozenset(lines - seen)


BREAK = "\n"  # between the words of two lines; never a word (words are letters and digits)


def content_words(text: str, boilerplate: frozenset[str], breaks: bool = False) -> list[str]:
    """The normalised words of ``text`` without its boilerplate lines.

    With ``breaks``, BREAK separates the words of consecutive lines, so that an n-gram can
    be kept inside one line (a question must not share a 13-gram with another only through
    the answer choices that follow it).
    """
    if "\n" not in text:
        w = words(text)
        return [] if boilerplate and " ".join(w) in boilerplate else w
    out: list[str] = []
    for line in text.splitlines():
        w = words(line)
        if w and " ".join(w) not in boilerplate:
            out += [BREAK] + w if breaks and out else w
    return out
