"""A templated synthetic set (sentence frames with slot values) and light edits of its rows.

Like the demo's tickets: every row is a frame from a small pool with slot values drawn from
pools of several sizes, plus an optional opener and closing cue. Siblings (same frame,
other slot values) resemble each other a lot; a light edit of a row is a copy.
"""

from __future__ import annotations

import random

from testkit.texts import VOCAB

OPENERS = ("", "hi team", "hello", "hey support", "good morning")
CUES = ("", "it can wait", "please hurry", "this blocks us", "no rush at all")
FILLERS = ("really", "actually", "just", "basically", "honestly")
POOLS = {"month": [f"month{k}" for k in range(12)], "plan": [f"plan{k}" for k in range(6)],
         "city": [f"city{k}" for k in range(40)], "person": [f"person{k}" for k in range(300)],
         "number": [str(100 + k) for k in range(900)], "thing": [f"thing{k}" for k in range(60)]}


def frames(rng: random.Random, count: int) -> list[list[str]]:
    """``count`` frames of 8-14 frame words with 2-3 slots (``{pool}``) among them."""
    out = []
    for _ in range(count):
        words = [rng.choice(VOCAB) for _ in range(rng.randint(8, 14))]
        big = rng.choice(("person", "number"))  # one slot with many values, 1-2 more
        others = [p for p in sorted(POOLS) if p != big]
        for slot in [big] + rng.sample(others, rng.randint(1, 2)):
            words.insert(rng.randrange(len(words) + 1), "{" + slot + "}")
        out.append(words)
    return out


def fill(rng: random.Random, frame: list[str]) -> str:
    words = [rng.choice(POOLS[w[1:-1]]) if w.startswith("{") else w for w in frame]
    text = " ".join(w for w in (rng.choice(OPENERS), " ".join(words), rng.choice(CUES)) if w)
    return text[0].upper() + text[1:] + "."


def rows(rng: random.Random, templates: list[list[str]], count: int,
         avoid: set[str] = frozenset()) -> list[str]:
    """``count`` rows; none whose words (as a set) equal those of a row in ``avoid``."""
    out: list[str] = []
    seen = {_key(t) for t in avoid}
    while len(out) < count:
        text = fill(rng, rng.choice(templates))
        if _key(text) not in seen:
            out.append(text)
    return out


def _key(text: str) -> frozenset[str]:
    return frozenset(text.lower().rstrip(".").split())


EDITS = ("swap", "case", "filler", "cut", "change")


def light_edit(rng: random.Random, text: str, kind: str) -> str:
    """One light edit: two words swapped, case and punctuation, a filler, a cut or a changed word."""
    w = text.rstrip(".").split()
    if kind == "swap":
        i = rng.randrange(len(w) - 1)
        w[i], w[i + 1] = w[i + 1], w[i]
    elif kind == "case":
        w = [x.upper() if rng.random() < 0.3 else x.lower() for x in w]
        w[rng.randrange(len(w))] += ","
    elif kind == "filler":
        w.insert(rng.randrange(len(w) + 1), rng.choice(FILLERS))
    elif kind == "cut":
        w = w[:-1]
    else:
        w[rng.randrange(len(w))] = rng.choice(VOCAB)
    return " ".join(w) + ("!" if kind == "case" else ".")
