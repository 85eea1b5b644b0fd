"""The support-ticket golden set: reproducible, well-formed, deduplicated, and documented.

These tests read the committed files and re-run the committed generator, so a hand edit of
the JSONL, a generator change without regenerating, or a stale card all fail here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "golden_sets"
TICKETS = GOLDEN / "tickets"
GENERATOR = TICKETS / "generate.py"
SIZES = {"train": 777, "val": 100, "test": 1300, "heldout": 320}
FIRST_TRAIN = 600   # rows drawn with the category quotas; the rest is the template floor
FILES = [f"{split}.jsonl" for split in SIZES] + ["schema.json"]
ROW_KEYS = ["id", "prompt", "target", "category", "priority", "ticket"]


def read_rows(split: str) -> list[dict]:
    with open(TICKETS / f"{split}.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def normalise(text: str) -> str:
    # Independent of the generator's own helper on purpose: same rule, checked from outside.
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def run_generator(out: Path, *extra: str) -> str:
    done = subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), *extra],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict]]:
    return {split: read_rows(split) for split in SIZES}


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((TICKETS / "schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("tickets")
    return out, run_generator(out, "--stats")


def _templates(name: str):
    sys.path.insert(0, str(TICKETS))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(TICKETS))


@pytest.fixture(scope="module")
def cues():
    return _templates("ticket_templates")


@pytest.fixture(scope="module")
def heldout_cues():
    return _templates("heldout_templates")


def test_regenerating_rewrites_identical_files(regenerated):
    out, _ = regenerated
    for name in FILES:
        assert (out / name).read_bytes() == (TICKETS / name).read_bytes(), name


def test_split_sizes_and_ids(splits):
    for split, rows in splits.items():
        assert len(rows) == SIZES[split]
        assert [r["id"] for r in rows] == [f"tickets-{split}-{i:04d}" for i in range(1, len(rows) + 1)]


def test_rows_have_keys_in_order_and_consistent_labels(splits):
    for split, rows in splits.items():
        expected = ROW_KEYS + (["messages"] if split == "train" else [])
        for row in rows:
            assert list(row) == expected, row["id"]
            target = json.dumps({"category": row["category"], "priority": row["priority"]})
            assert row["target"] == target, row["id"]
            assert row["prompt"].endswith(f"\nTicket: {row['ticket']}"), row["id"]


def test_train_rows_carry_chat_messages(splits):
    for row in splits["train"]:
        assert row["messages"] == [{"role": "user", "content": row["prompt"]},
                                   {"role": "assistant", "content": row["target"]}]


def test_every_target_validates_against_schema(splits, schema):
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    for rows in splits.values():
        for row in rows:
            validator.validate(json.loads(row["target"]))
    assert not validator.is_valid({"category": "billing_refund", "priority": "high", "x": 1})
    assert not validator.is_valid({"category": "not_a_category", "priority": "high"})
    assert not validator.is_valid({"category": "outage"})


def test_schema_enum_matches_the_categories_used(splits, schema):
    enum = schema["properties"]["category"]["enum"]
    assert len(enum) == len(set(enum)) == 20
    for split, rows in splits.items():
        assert {r["category"] for r in rows} == set(enum), split
        assert {r["priority"] for r in rows} == {"low", "medium", "high"}, split


def test_categories_are_balanced(splits):
    for split, rows in splits.items():
        rows = rows[:FIRST_TRAIN] if split == "train" else rows
        counts = Counter(r["category"] for r in rows)
        assert max(counts.values()) - min(counts.values()) <= 1, (split, counts)


def test_no_duplicate_texts_within_or_across_splits(splits):
    seen: dict[str, str] = {}
    for rows in splits.values():
        for row in rows:
            key = normalise(row["ticket"])
            assert key not in seen, (row["id"], seen.get(key))
            seen[key] = row["id"]


def test_prompts_are_short_and_share_one_instruction(splits, schema):
    instructions = {r["prompt"].split("\nTicket: ")[0] for rows in splits.values() for r in rows}
    assert len(instructions) == 1
    instruction = instructions.pop()
    assert len(instruction.split()) < 25
    assert not any(c in instruction for c in schema["properties"]["category"]["enum"])
    for rows in splits.values():
        for row in rows:
            assert len(row["prompt"].split()) < 60, row["id"]
            assert len(row["ticket"].split()) <= 35, row["id"]


def test_priority_follows_from_the_cue_in_the_text(splits, cues, heldout_cues):
    """A cue of another priority never appears; an uncued ticket has its category's default."""
    for split, rows in splits.items():
        style = heldout_cues if split == "heldout" else cues
        for row in rows:
            text = row["ticket"].lower().rstrip(".!?")
            found = {p for p, prefixes in style.PREFIX_CUES.items()
                     for c in prefixes if text.startswith(c.lower())}
            found |= {p for p, suffixes in style.SUFFIX_CUES.items()
                      for c in suffixes if text.endswith(c.lower().rstrip(".!?"))}
            if found:
                assert found == {row["priority"]}, row
            else:
                assert row["priority"] == cues.UNCUED_PRIORITY.get(row["category"], "medium"), row


def _frame_grams(template: str, n: int = 4) -> set:
    """Word n-grams of a template's own wording (slot values cut it into pieces)."""
    grams = set()
    for piece in re.split(r"\{[a-z_]+\}", template.lower()):
        words = re.findall(r"[a-z0-9'-]+", piece)
        grams |= {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
    return grams


def test_heldout_templates_and_phrasings_are_never_used_elsewhere(cues, heldout_cues):
    """No held-out sentence frame shares four words in a row with a training template, and
    no cue, opener or closer is reused: the split measures unseen phrasing."""
    assert set(heldout_cues.CATEGORIES) == set(cues.CATEGORIES)
    seen = set().union(*(_frame_grams(t) for ts in cues.CATEGORIES.values() for t in ts))
    for category, templates in heldout_cues.CATEGORIES.items():
        for template in templates:
            assert not _frame_grams(template) & seen, (category, template)

    def phrases(style) -> set:
        cue_lists = [*style.PREFIX_CUES.values(), *style.SUFFIX_CUES.values()]
        return {normalise(p) for p in [*style.OPENERS, *style.CLOSERS, *sum(cue_lists, ())]}
    assert not phrases(cues) & phrases(heldout_cues)


def test_heldout_rows_are_far_from_every_training_row(splits):
    """What the contamination gate checks, from outside: no held-out ticket shares an 8-word
    span with a train or val ticket (the test split does, by design: shared templates;
    shorter spans occur where slot values such as "a 429 rate limit error" meet)."""
    def spans(text: str) -> set:
        words = normalise(text).split()
        return {tuple(words[i:i + 8]) for i in range(len(words) - 7)}
    trained = set().union(*(spans(r["ticket"]) for s in ("train", "val") for r in splits[s]))
    assert not [r["id"] for r in splits["heldout"] if spans(r["ticket"]) & trained]
    assert [r["id"] for r in splits["test"] if spans(r["ticket"]) & trained]


def test_training_split_covers_every_template():
    """Every training template has TRAIN_FLOOR training rows, unless all of its slot
    combinations (floor-only values included) are used up by the splits; the floor's values
    occur in no val, test or held-out ticket."""
    generator = _templates("generate")
    splits = generator.generate()
    in_train = Counter(t.template for t in splits["train"])
    everywhere = Counter(t.template for s in ("train", "val", "test") for t in splits[s])
    short = []
    for category, templates in generator.CATEGORIES.items():
        for index, template in enumerate(templates):
            key = ("ticket_templates", category, index)
            if in_train[key] >= generator.TRAIN_FLOOR:
                continue
            combos = 1
            for field in generator.template_fields(template):
                if field not in generator.FREE_SLOTS:
                    combos *= len(generator.SLOTS[field] + generator.FLOOR_SLOTS.get(field, ()))
            assert everywhere[key] == combos, (template, in_train[key], everywhere[key], combos)
            short.append(template)
    assert len(short) <= 3, short
    floor_values = {v.lower() for vs in generator.FLOOR_SLOTS.values() for v in vs}
    for split in ("val", "test", "heldout"):
        for ticket in splits[split]:
            text = normalise(ticket.text)
            assert not [v for v in floor_values if f" {normalise(v)} " in f" {text} "], ticket


def test_card_shows_current_tables_hashes_and_version(regenerated):
    _, stats = regenerated
    card = (TICKETS / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^version: \d+\.\d+\.\d+$", card, re.MULTILINE)
    for line in stats.strip().splitlines():
        assert line in card, f"card is stale, rerun generate.py --stats and paste: {line}"


def test_every_golden_set_has_a_card_and_provenance():
    sets = [d for d in GOLDEN.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))]
    assert TICKETS in sets
    index = (GOLDEN / "README.md").read_text(encoding="utf-8")
    for directory in sets:
        card = (directory / "README.md").read_text(encoding="utf-8")
        assert re.search(r"^version: \d+\.\d+\.\d+$", card, re.MULTILINE), directory.name
        assert (directory / "generate.py").exists() or "## Provenance" in card, directory.name
        assert f"{directory.name}/" in index, f"{directory.name} missing from golden_sets/README.md"


def test_gatekeeper_loads_the_golden_set():
    from gatekeeper.bundle.golden import load_golden

    golden = load_golden(TICKETS / "test.jsonl")
    assert len(golden) == SIZES["test"]
    golden.require("prompt", "target", "category")
    assert golden.rows[0].id == "tickets-test-0001"
