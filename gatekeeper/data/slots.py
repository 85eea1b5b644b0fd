"""Slot differences: where two rows of one template differ by a slot value, not by an edit.

Two rows written from the same template differ where the template has a slot (a city, an
order number, a device): at that place the item's other template siblings show other
words too. A light edit of a copied item differs at a place where the siblings agree (a
frame word replaced, a filler inserted between two frame words). ``slot_words`` aligns the
two word sequences (difflib) and returns the words of every replaced or inserted span whose
context (the word before and after it, or the start and end of the row) frames a *different*
span in at least one sibling.

Deleted spans (words of the item the training row lacks) are not slot evidence: a cut copy
lacks a word where siblings vary, and the near-copy score already charges a missing word.
"""

from __future__ import annotations

from difflib import SequenceMatcher

START, END = "\0start", "\0end"
GAP = 4  # the longest slot value compared, in words


def slot_words(item: list[str], other: list[str], siblings: list[list[str]]) -> set[str]:
    """Words of ``item`` and ``other`` that differ at a slot of their template.

    ``siblings``: the item's other nearest training rows (word sequences), ``other`` excluded.
    """
    out: set[str] = set()
    if not siblings:
        return out
    padded = [[START, *s, END] for s in siblings]
    for tag, i1, i2, j1, j2 in _opcodes(item, other):
        if tag not in ("replace", "insert"):
            continue
        left = item[i1 - 1] if i1 else START
        right = item[i2] if i2 < len(item) else END
        if _varies(left, right, item[i1:i2], padded):
            out.update(item[i1:i2], other[j1:j2])
    return out


def _opcodes(item: list[str], other: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, with a one-word match between two differences absorbed into them.

    A lone shared word inside a difference is a coincidence of the two slot values ("100
    clients. Whenever you have time is fine" vs "100 time entries" share "time"), not an
    anchor: splitting there would make half the slot look like a cut word.
    """
    ops = SequenceMatcher(None, item, other, autojunk=False).get_opcodes()
    out: list[tuple[str, int, int, int, int]] = []
    k = 0
    while k < len(ops):
        tag, i1, i2, j1, j2 = ops[k]
        if tag != "equal":
            while (k + 2 < len(ops) and ops[k + 1][0] == "equal" and ops[k + 1][2] - ops[k + 1][1] == 1
                   and ops[k + 2][0] != "equal"):
                i2, j2 = ops[k + 2][2], ops[k + 2][4]
                k += 2
            if i1 != i2 or j1 != j2:
                tag = "replace" if i1 != i2 and j1 != j2 else ("delete" if i1 != i2 else "insert")
        out.append((tag, i1, i2, j1, j2))
        k += 1
    return out


def _varies(left: str, right: str, middle: list[str], rows: list[list[str]]) -> bool:
    """Whether some row has ``left`` ... ``right`` (at most GAP words apart) around another middle."""
    for row in rows:
        for a, word in enumerate(row):
            if word != left:
                continue
            for b in range(a + 1, min(a + GAP + 2, len(row))):
                if row[b] == right:
                    if row[a + 1:b] != middle:
                        return True
                    break
    return False
