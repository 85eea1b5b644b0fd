"""Write the general-knowledge regression set (MMLU layout) from the fact tables below.

    python golden_sets/general/generate.py          # rewrites data/{dev,test}/*.csv

Every question is built from a fact written here (or computed, for arithmetic, number
bases and units) and three distractors drawn from the same table, with a fixed seed, so
the output is byte-for-byte reproducible. The first five items of each subject are the
few-shot ``dev`` split, the rest are ``test``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20260101
DEV = 5
LETTERS = "ABCD"

COUNTRIES = [  # country, capital, continent
    ("France", "Paris", "Europe"), ("Germany", "Berlin", "Europe"), ("Italy", "Rome", "Europe"),
    ("Spain", "Madrid", "Europe"), ("Portugal", "Lisbon", "Europe"),
    ("the Netherlands", "Amsterdam", "Europe"), ("Belgium", "Brussels", "Europe"),
    ("Austria", "Vienna", "Europe"), ("Poland", "Warsaw", "Europe"), ("Sweden", "Stockholm", "Europe"),
    ("Norway", "Oslo", "Europe"), ("Finland", "Helsinki", "Europe"), ("Denmark", "Copenhagen", "Europe"),
    ("Ireland", "Dublin", "Europe"), ("Greece", "Athens", "Europe"), ("Hungary", "Budapest", "Europe"),
    ("the Czech Republic", "Prague", "Europe"), ("Japan", "Tokyo", "Asia"), ("China", "Beijing", "Asia"),
    ("India", "New Delhi", "Asia"), ("Thailand", "Bangkok", "Asia"), ("Vietnam", "Hanoi", "Asia"),
    ("South Korea", "Seoul", "Asia"), ("Indonesia", "Jakarta", "Asia"), ("the Philippines", "Manila", "Asia"),
    ("Iran", "Tehran", "Asia"), ("Kenya", "Nairobi", "Africa"), ("Nigeria", "Abuja", "Africa"),
    ("Ethiopia", "Addis Ababa", "Africa"), ("Ghana", "Accra", "Africa"), ("Morocco", "Rabat", "Africa"),
    ("Senegal", "Dakar", "Africa"), ("Canada", "Ottawa", "North America"),
    ("Mexico", "Mexico City", "North America"), ("Cuba", "Havana", "North America"),
    ("Brazil", "Brasilia", "South America"), ("Argentina", "Buenos Aires", "South America"),
    ("Peru", "Lima", "South America"), ("Chile", "Santiago", "South America"),
    ("Colombia", "Bogota", "South America"), ("Australia", "Canberra", "Oceania"),
    ("New Zealand", "Wellington", "Oceania"),
]
ELEMENTS = [  # name, symbol, atomic number
    ("hydrogen", "H", 1), ("helium", "He", 2), ("lithium", "Li", 3), ("carbon", "C", 6),
    ("nitrogen", "N", 7), ("oxygen", "O", 8), ("fluorine", "F", 9), ("neon", "Ne", 10),
    ("sodium", "Na", 11), ("magnesium", "Mg", 12), ("aluminium", "Al", 13), ("silicon", "Si", 14),
    ("phosphorus", "P", 15), ("sulfur", "S", 16), ("chlorine", "Cl", 17), ("argon", "Ar", 18),
    ("potassium", "K", 19), ("calcium", "Ca", 20), ("iron", "Fe", 26), ("copper", "Cu", 29),
    ("zinc", "Zn", 30), ("silver", "Ag", 47), ("tin", "Sn", 50), ("iodine", "I", 53),
    ("gold", "Au", 79), ("mercury", "Hg", 80), ("lead", "Pb", 82), ("uranium", "U", 92),
    ("nickel", "Ni", 28), ("platinum", "Pt", 78),
]
def _plural(group: str) -> str:
    return group if group == "fish" else group + "s"  # "fish", not "fishs"


ANIMALS = {
    "mammal": ["dog", "whale", "dolphin", "bat", "elephant", "horse", "kangaroo", "cow", "lion", "rabbit"],
    "bird": ["eagle", "penguin", "ostrich", "sparrow", "owl", "parrot", "flamingo", "pigeon"],
    "reptile": ["snake", "crocodile", "lizard", "turtle", "iguana", "chameleon"],
    "fish": ["salmon", "shark", "tuna", "trout", "goldfish", "cod"],
    "amphibian": ["frog", "toad", "salamander", "newt"],
    "insect": ["ant", "bee", "butterfly", "beetle", "mosquito", "grasshopper"],
}
ANTONYMS = [
    ("hot", "cold"), ("big", "small"), ("fast", "slow"), ("happy", "sad"), ("light", "dark"),
    ("early", "late"), ("full", "empty"), ("strong", "weak"), ("rich", "poor"), ("wet", "dry"),
    ("young", "old"), ("hard", "soft"), ("loud", "quiet"), ("buy", "sell"), ("arrive", "depart"),
    ("cheap", "expensive"), ("deep", "shallow"), ("narrow", "wide"), ("thick", "thin"),
    ("inside", "outside"), ("ancient", "modern"), ("accept", "refuse"), ("push", "pull"),
    ("win", "lose"), ("friend", "enemy"), ("asleep", "awake"), ("victory", "defeat"),
]
PLURALS = [("child", "children"), ("mouse", "mice"), ("goose", "geese"), ("man", "men"),
           ("woman", "women"), ("tooth", "teeth"), ("foot", "feet"), ("person", "people"),
           ("ox", "oxen"), ("sheep", "sheep"), ("knife", "knives"), ("leaf", "leaves")]
SCIENCE = [  # question, answer, three wrong answers
    ("Which planet is closest to the Sun?", "Mercury", "Venus", "Earth", "Mars"),
    ("Which planet is the largest in the Solar System?", "Jupiter", "Saturn", "Neptune", "Earth"),
    ("Which planet is known as the Red Planet?", "Mars", "Venus", "Jupiter", "Mercury"),
    ("Which planet is third from the Sun?", "Earth", "Mars", "Venus", "Jupiter"),
    ("Which planet has the most prominent ring system?", "Saturn", "Mars", "Mercury", "Venus"),
    ("How many planets are in the Solar System?", "8", "7", "9", "10"),
    ("At sea level, at what temperature in degrees Celsius does water boil?", "100", "90", "80", "120"),
    ("At what temperature in degrees Celsius does pure water freeze?", "0", "10", "-10", "4"),
    ("Which gas do plants take from the air for photosynthesis?", "carbon dioxide", "oxygen",
     "helium", "hydrogen"),
    ("Which gas makes up most of Earth's atmosphere?", "nitrogen", "oxygen", "carbon dioxide", "argon"),
    ("Which force keeps the planets in orbit around the Sun?", "gravity", "magnetism", "friction",
     "buoyancy"),
    ("What is the centre of an atom called?", "the nucleus", "the electron", "the shell", "the orbit"),
    ("Which particle carries a negative electric charge?", "the electron", "the proton",
     "the neutron", "the nucleus"),
    ("Which organ pumps blood through the human body?", "the heart", "the liver", "the lungs",
     "the kidneys"),
    ("Which is the largest organ of the human body?", "the skin", "the heart", "the brain", "the liver"),
    ("How many bones does an adult human skeleton usually have?", "206", "106", "306", "150"),
    ("Which blood cells carry oxygen around the body?", "red blood cells", "white blood cells",
     "platelets", "nerve cells"),
    ("What is the natural satellite of Earth called?", "the Moon", "the Sun", "Mars", "Halley's Comet"),
    ("Which is the largest ocean on Earth?", "the Pacific Ocean", "the Atlantic Ocean",
     "the Indian Ocean", "the Arctic Ocean"),
    ("What is the chemical formula of water?", "H2O", "CO2", "NaCl", "O2"),
    ("What is the chemical formula of table salt?", "NaCl", "H2O", "KCl", "CaCO3"),
    ("Which natural material is the hardest?", "diamond", "granite", "iron", "quartz"),
    ("How many legs does an insect have?", "6", "4", "8", "10"),
    ("How many legs does a spider have?", "8", "6", "4", "10"),
    ("What do bees make from nectar?", "honey", "milk", "silk", "wax paper"),
    ("Which part of a plant absorbs water from the soil?", "the roots", "the leaves", "the flowers",
     "the seeds"),
    ("Which star is at the centre of our Solar System?", "the Sun", "Sirius", "Polaris", "Vega"),
    ("What kind of energy does a moving object have?", "kinetic energy", "chemical energy",
     "nuclear energy", "magnetic energy"),
    ("Which instrument measures temperature?", "a thermometer", "a barometer", "a ruler",
     "a compass"),
    ("Which vitamin does the skin make in sunlight?", "vitamin D", "vitamin C", "vitamin A",
     "vitamin K"),
    ("What is the boiling of a liquid into a gas called?", "evaporation", "condensation",
     "freezing", "melting"),
    ("Which colour of visible light has the longest wavelength?", "red", "blue", "violet", "green"),
]
UNITS = [  # question template, factor
    ("How many metres are in {x} kilometres?", 1000), ("How many centimetres are in {x} metres?", 100),
    ("How many grams are in {x} kilograms?", 1000), ("How many minutes are in {x} hours?", 60),
    ("How many seconds are in {x} minutes?", 60), ("How many millilitres are in {x} litres?", 1000),
    ("How many days are in {x} weeks?", 7), ("How many months are in {x} years?", 12),
    ("How many millimetres are in {x} centimetres?", 10), ("How many hours are in {x} days?", 24),
]


def _item(question: str, answer, wrong, rng: random.Random) -> list[str]:
    choices = [str(answer)] + [str(w) for w in wrong]
    assert len(set(choices)) == 4, (question, choices)
    rng.shuffle(choices)
    return [question, *choices, LETTERS[choices.index(str(answer))]]


def _others(rng, pool, exclude, k=3):
    return rng.sample([p for p in dict.fromkeys(pool) if p != exclude], k)


def geography(rng):
    capitals = [c[1] for c in COUNTRIES]
    continents = ["Europe", "Asia", "Africa", "North America", "South America", "Oceania"]
    for country, capital, continent in COUNTRIES:
        yield _item(f"What is the capital of {country}?", capital, _others(rng, capitals, capital), rng)
        yield _item(f"On which continent is {country}?", continent,
                    _others(rng, continents, continent), rng)


def chemistry(rng):
    symbols, names = [e[1] for e in ELEMENTS], [e[0] for e in ELEMENTS]
    for name, symbol, number in ELEMENTS:
        yield _item(f"What is the chemical symbol of {name}?", symbol, _others(rng, symbols, symbol), rng)
        yield _item(f"Which element has the chemical symbol {symbol}?", name, _others(rng, names, name), rng)
        near = [n for n in range(max(1, number - 6), number + 7) if n != number]
        yield _item(f"What is the atomic number of {name}?", number, rng.sample(near, 3), rng)


def biology(rng):
    groups = list(ANIMALS)
    for group, animals in ANIMALS.items():
        for animal in animals:
            yield _item(f"To which group of animals does the {animal} belong?", _plural(group),
                        [_plural(g) for g in _others(rng, groups, group)], rng)


def vocabulary(rng):
    words = [w for pair in ANTONYMS for w in pair]
    for a, b in ANTONYMS:
        yield _item(f"Which word means the opposite of '{a}'?", b,
                    _others(rng, [w for w in words if w not in (a, b)], b), rng)
    for single, plural in PLURALS:
        wrong = dict.fromkeys(w for w in (single + "s", single + "es", plural + "s", single + "en")
                              if w != plural)
        yield _item(f"What is the plural of '{single}'?", plural, rng.sample(list(wrong), 3), rng)


def arithmetic(rng):
    for k in range(48):
        a, b = rng.randint(12, 99), rng.randint(2, 19)
        op = k % 4
        if op == 0:
            q, ans = f"What is {a} + {b}?", a + b
        elif op == 1:
            q, ans = f"What is {a} - {b}?", a - b
        elif op == 2:
            q, ans = f"What is {a} * {b}?", a * b
        else:
            q, ans = f"What is {a * b} / {b}?", a
        offsets = rng.sample([d for d in range(-12, 13) if d], 3)
        yield _item(q, ans, [ans + d for d in offsets], rng)


def computer_science(rng):
    for k in range(48):
        n = rng.randint(5, 255)
        near = rng.sample([m for m in range(max(1, n - 9), n + 10) if m != n], 3)
        if k % 3 == 0:
            yield _item(f"What is the binary number {n:b} in decimal?", n, near, rng)
        elif k % 3 == 1:
            yield _item(f"What is the decimal number {n} in binary?", f"{n:b}", [f"{m:b}" for m in near], rng)
        else:
            yield _item(f"What is the hexadecimal number {n:X} in decimal?", n, near, rng)


def units(rng):
    for k in range(40):
        template, factor = UNITS[k % len(UNITS)]
        x = rng.randint(2, 12)
        ans = x * factor
        wrong = dict.fromkeys(w for w in (x * factor * 10, x * factor // 10 or x + 1, (x + 1) * factor,
                                          (x - 1) * factor, x * factor + factor // 2) if w != ans)
        yield _item(template.format(x=x), ans, rng.sample(list(wrong), 3), rng)


def science(rng):
    for question, answer, *wrong in SCIENCE:
        yield _item(question, answer, wrong, rng)


SUBJECTS = {"geography": geography, "chemistry": chemistry, "biology": biology,
            "vocabulary": vocabulary, "arithmetic": arithmetic,
            "computer_science": computer_science, "units": units, "science": science}


def main(out: Path = Path(__file__).parent / "data") -> None:
    for subject, make in SUBJECTS.items():
        rng = random.Random(f"{SEED}:{subject}")
        rows = list(make(rng))
        rng.shuffle(rows)
        for split, part in (("dev", rows[:DEV]), ("test", rows[DEV:])):
            path = out / split / f"{subject}_{split}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(part)
        print(f"{subject}: {len(rows) - DEV} test, {DEV} dev")


if __name__ == "__main__":
    main()
