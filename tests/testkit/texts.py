"""Synthetic sentences for the overlap, contamination and audit tests."""

from __future__ import annotations

import random


WORDS = ("river stone lantern orbit copper meadow signal harbor velvet quarry falcon ember "
         "tundra glacier compass lattice saffron beacon cinder marble thicket prism anchor "
         "willow granite hollow summit breeze cobalt fern ridge candle oyster meteor pebble "
         "juniper canyon spindle walnut tide ivory socket garnet").split()


VOCAB = [f"{w}{k}" if k else w for w in WORDS for k in range(40)]  # distinct like real words


def sentence(rng: random.Random, n: int) -> str:
    text = " ".join(rng.choice(VOCAB) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def swap_edit(text: str) -> str:
    """Word swaps, punctuation and casing edits: the same item, lightly disguised."""
    w = text.rstrip(".").split()
    w[3], w[4] = w[4], w[3]
    w[10], w[11] = w[11], w[10]
    w[20] = w[20].upper() + ","
    return "  ".join(w).lower() + "!!"
