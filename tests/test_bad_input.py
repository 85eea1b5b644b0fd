"""Every class of bad input, through the real CLI entry (``gatekeeper.cli.main``).

One table, one test: each case builds a small bundle (or breaks one), runs a command and
asserts the exit code, that ONE output line names the place (file:line or the option) and
says what is wrong, that no traceback reaches the console, and, for faults after the gates
started, that report.json is complete. Adding a case is adding one ``Case`` to CASES.

Bundles are static (gate types from tests/testkit/bundles.py, no model) unless a case asks for the
tiny model (``model=True``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import jsonschema
import pytest

from testkit.bundles import ROWS, STATIC_TYPES
from gatekeeper.cli import main
from gatekeeper.core.measurement import ItemResult, Measurement, Samples
from gatekeeper.core.gatetype import gate_type
from gatekeeper.run.registry import register_gate_type, unregister_gate_type
from gatekeeper.bundle.validation import load_schema

MANIFEST = """\
name: demo
version: 1.0.0
base:
  model: builtin:smollm2-135m-instruct
gates: [gates/]
"""

STATIC = """\
gates:
  - id: s.ok
    type: static_rate
    params: {passes: 10, total: 10}
    threshold: {metric: rate, min: 0.5}
"""

ACCURACY = """\
gates:
  - id: t.acc
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {scorer: normalized, max_new_tokens: 4}
    threshold: {metric: accuracy, min: 0.0}
"""

JSON_GATE = """\
gates:
  - id: t.json
    type: json_validity
    golden_set: ../data/eval.jsonl
    params: {schema: ../data/schema.json}
    threshold: {metric: valid_rate, min: 0.5}
"""

ASSERTIONS = """\
gates:
  - id: t.assert
    type: assertions
    golden_set: ../data/eval.jsonl
    params: {assertions: [{max_length: 200}]}
    threshold: {metric: pass_rate, min: 0.5}
"""

LM_EVAL = """\
gates:
  - id: t.lm
    type: lm_eval
    params: {{{params}}}
    vs_baseline: {{max_drop: 0.05}}
"""


RUBRIC = """\
gates:
  - id: t.rubric
    type: rubric
    golden_set: ../data/eval.jsonl
    params: {rubric: "The reply answers the question."}
    threshold: {metric: pass_rate, min: 0.5}
"""


def _rubric(params: str, labels: list | None = None):
    """A rubric gate with ``params`` (labels: written to data/labels.jsonl)."""
    def setup(b: Bundle) -> None:
        b.gates(RUBRIC.replace('{rubric: "The reply answers the question."}', params))
        if labels is not None:
            b.rows(labels, "data/labels.jsonl")
    return setup


def _assertions(entries: str, rows: list | None = None):
    def setup(b: Bundle) -> None:
        b.gates(ASSERTIONS.replace("[{max_length: 200}]", entries))
        if rows is not None:
            b.rows(rows)
    return setup


def _named_adapter(config: str | None = '{"base_model_name_or_path": "org/base"}', *,
                   manifest: str = "{production: {adapter: prod/}}", weights: str = "adapter_model.safetensors"):
    """A candidate adapter of org/base and a named adapter baseline ``prod/`` (config None: none)."""
    def setup(b: Bundle) -> None:
        b.adapter()
        b.write("adapter/adapter_config.json", '{"base_model_name_or_path": "org/base"}')
        if config is not None:
            b.write("prod/adapter_config.json", config)
        b.write(f"prod/{weights}", b"weights")
        b.edit("gatekeeper.yaml", "gates: [gates/]", f"gates: [gates/]\nbaselines: {manifest}")
    return setup


# "billion laughs": 9 levels of 9 aliases each, about 350 bytes
BOMB = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9))


@gate_type("surrogate", needs_model=False, metrics=("rate",))
def surrogate(ctx) -> Measurement:
    """Model output with a lone surrogate (unencodable as UTF-8) in every text field."""
    bad = "broken \ud800 output"
    return Measurement(metrics={"rate": 1.0}, n=1, samples={"rate": Samples((1.0,), None, binary=True)},
                       items=(ItemResult(id="i\udcff", input=bad, output=bad, passed=True),),
                       details={"note": bad})


TYPES = (*STATIC_TYPES, surrogate)


class Bundle:
    """A bundle directory under construction; setup functions change it."""

    def __init__(self, root: Path, request: pytest.FixtureRequest):
        self.root, self.tmp, self._request = root, root.parent, request
        self.write("gatekeeper.yaml", MANIFEST)
        self.write("gates/g.yaml", STATIC)
        self.rows(ROWS)
        self.locked = False

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")
        return path

    def edit(self, rel: str, old: str, new: str) -> None:
        text = (self.root / rel).read_text("utf-8")
        assert old in text, (rel, old)
        self.write(rel, text.replace(old, new))

    def rows(self, rows: list, rel: str = "data/eval.jsonl") -> None:
        self.write(rel, "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))

    def gates(self, text: str) -> None:
        self.write("gates/g.yaml", text)

    def adapter(self) -> Path:
        self.write("adapter/adapter_config.json", "{}")
        self.write("adapter/adapter_model.safetensors", b"not really weights")
        self.edit("gatekeeper.yaml", "gates: [gates/]", "adapter: adapter/\ngates: [gates/]")
        return self.root / "adapter"

    def tiny(self) -> Path:
        """Base the bundle on a private copy of the tiny model (cases may change its files)."""
        model = self.tmp / "tiny-model"
        if not model.exists():
            shutil.copytree(self._request.getfixturevalue("tiny_model_dir"), model)
        self.edit("gatekeeper.yaml", "builtin:smollm2-135m-instruct", str(model))
        return model

    def real_adapter(self, **config) -> Path:
        """The tiny model's LoRA adapter, copied in, with ``config`` overriding adapter_config.json."""
        target = self.root / "adapter"
        shutil.copytree(self._request.getfixturevalue("tiny_adapter_dir"), target)
        path = target / "adapter_config.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), **config}))
        self.edit("gatekeeper.yaml", "gates: [gates/]", "adapter: adapter/\ngates: [gates/]")
        return target

    def lock(self) -> dict:
        """A real gatekeeper.lock (base fingerprinted when it is a local model)."""
        from gatekeeper.bundle.manifest import load_bundle
        from gatekeeper.bundle.collect import collect_gates
        from gatekeeper.run.registry import load_catalog
        from gatekeeper.bundle.lock import base_identity, write_lock

        bundle = load_bundle(self.root)
        identity = base_identity(bundle) if bundle.base.model.startswith("/") else \
            {"model": bundle.base.model, "revision": None, "fingerprint": None}
        write_lock(bundle, collect_gates(bundle, load_catalog()), identity)
        self.locked = True
        return json.loads((self.root / "gatekeeper.lock").read_text())

    def relock(self, change: Callable[[dict], None]) -> None:
        lock = self.lock()
        change(lock)
        self.write("gatekeeper.lock", json.dumps(lock))


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Bundle], None]
    says: tuple[str, ...]                   # all on one output line: where + what
    argv: tuple[str, ...] = ("validate", "{root}")
    code: int = 4
    report: bool = False                    # the gates started: report.json must be complete
    env: dict = field(default_factory=dict)
    skip_if: Callable[[], str | None] | None = None  # a reason to skip on this machine, or None
    cwd: str | None = None                  # run from here ("{root}": inside the bundle)


def nothing(b: Bundle) -> None:
    return None


def _has_cuda() -> str | None:
    import torch

    return "this machine has a CUDA device" if torch.cuda.is_available() else None


def _has_vllm() -> str | None:
    import importlib.util

    return "vLLM is installed here" if importlib.util.find_spec("vllm") is not None else None


def _set_base(key: str, value):
    return lambda lock: lock["base"].__setitem__(key, value)


def _symlinked_adapter(b: Bundle) -> None:
    b.adapter()
    outside = b.write("../outside.safetensors", b"weights from elsewhere")
    (b.root / "adapter" / "adapter_model.safetensors").unlink()
    os.symlink(outside, b.root / "adapter" / "adapter_model.safetensors")


def _pickle_adapter(b: Bundle) -> None:
    b.adapter()
    b.write("adapter/adapter_model.bin", b"\x80\x04pickle")


def _schema(text: str, extra: dict | None = None):
    def setup(b: Bundle) -> None:
        b.gates(JSON_GATE)
        b.write("data/schema.json", text)
        for rel, content in (extra or {}).items():
            b.write(rel, content)
    return setup


def _accuracy_rows(rows: list):
    def setup(b: Bundle) -> None:
        b.gates(ACCURACY)
        b.rows(rows)
    return setup


def _model_check(b: Bundle) -> None:
    b.tiny()
    b.gates(ACCURACY)


def _read_only_dir(path: Path) -> None:
    path.mkdir()
    path.chmod(0o500)


def _is_root() -> str | None:
    return "root may write anywhere" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def _corrupt_cache(b: Bundle) -> None:
    _model_check(b)
    b.write("../cache/cache.sqlite", b"this is not an sqlite database at all")


def _changed_chat_template(b: Bundle) -> None:
    model = b.tiny()
    b.gates(ACCURACY)
    b.lock()
    config = json.loads((model / "tokenizer_config.json").read_text())
    config["chat_template"] = (config.get("chat_template") or "") + "{# edited #}"
    (model / "tokenizer_config.json").write_text(json.dumps(config))
    (model / "chat_template.jinja").unlink(missing_ok=True)


def _outside_folder(b: Bundle) -> None:
    b.write("../outside/id_rsa", "-----BEGIN PRIVATE KEY-----\n")
    b.edit("gatekeeper.yaml", "gates: [gates/]", "gates: [gates/, ../outside]")


def _folder_without_gates(b: Bundle) -> None:
    b.write("more/README.md", "notes, not gates\n")
    b.edit("gatekeeper.yaml", "gates: [gates/]", "gates: [gates/, more/]")


def _unused_lock_key(b: Bundle) -> None:
    b.write("../secret.txt", "not part of the bundle")
    b.relock(lambda lk: lk["artifacts"].__setitem__("../secret.txt", "sha256:" + "0" * 64))


def _report_of(b: Bundle) -> None:
    b.write("../run/report.json", '{"schema_version": 1, "verdict": 7}')


R = "{root}"
LAUNCH_ENV = {"RANK": "0", "WORLD_SIZE": "2", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1",
              "MASTER_PORT": "29500"}
CHECK = ("check", R, "--out", "{tmp}/run", "--no-progress")
CASES = [
    # --- the bundle and its manifest -------------------------------------------------------
    Case("bundle_dir_missing", nothing, ("nope", "bundle directory not found"), ("validate", "{tmp}/nope")),
    Case("manifest_missing", lambda b: (b.root / "gatekeeper.yaml").unlink(), ("no gatekeeper.yaml",)),
    Case("manifest_not_mapping", lambda b: b.write("gatekeeper.yaml", "- a\n- b\n"),
         ("gatekeeper.yaml:1", "must be a mapping")),
    Case("manifest_malformed_yaml", lambda b: b.edit("gatekeeper.yaml", "name: demo", "name: [demo"),
         ("gatekeeper.yaml:", "malformed YAML")),
    Case("manifest_not_utf8", lambda b: b.write("gatekeeper.yaml", MANIFEST.replace("demo", "d\xe9mo").encode("latin-1")),
         ("gatekeeper.yaml:1", "not valid UTF-8")),
    Case("manifest_duplicate_key", lambda b: b.write("gatekeeper.yaml", MANIFEST + "name: other\n"),
         ("gatekeeper.yaml:6", "duplicate key 'name' (lines 1 and 6)")),
    Case("manifest_alias_bomb", lambda b: b.write("gatekeeper.yaml", BOMB + MANIFEST),
         ("gatekeeper.yaml:", "expands to more than")),
    Case("manifest_recursive_alias", lambda b: b.write("gatekeeper.yaml", MANIFEST + "seed: &s [*s]\n"),
         ("gatekeeper.yaml:6", "alias refers to a value that contains it")),
    Case("manifest_python_tag", lambda b: b.write("gatekeeper.yaml", MANIFEST + "seed: !!python/object:os.getcwd x\n"),
         ("gatekeeper.yaml:6", "unsupported value")),
    Case("manifest_unknown_key_1", lambda b: b.write("gatekeeper.yaml", MANIFEST + "sead: 1\nadaptor: x\n"),
         ("gatekeeper.yaml:6", "unknown key 'sead'", "did you mean 'seed'")),
    Case("manifest_unknown_key_2", lambda b: b.write("gatekeeper.yaml", MANIFEST + "sead: 1\nadaptor: x\n"),
         ("gatekeeper.yaml:7", "unknown key 'adaptor'", "did you mean 'adapter'")),
    Case("manifest_missing_base", lambda b: b.edit("gatekeeper.yaml", "base:\n  model: builtin:smollm2-135m-instruct\n", ""),
         ("gatekeeper.yaml:1", "'base' is a required property")),
    Case("manifest_version_escapes", lambda b: b.edit("gatekeeper.yaml", "1.0.0", "x/../../escaped"),
         ("gatekeeper.yaml:2", "version 'x/../../escaped' is not a plain version")),
    Case("manifest_version_is_number", lambda b: b.edit("gatekeeper.yaml", "1.0.0", "1.0"),
         ("gatekeeper.yaml:2", "version", "expected string")),
    Case("manifest_name_control_char", lambda b: b.edit("gatekeeper.yaml", "name: demo", 'name: "demo\\n"'),
         ("gatekeeper.yaml:1", "name 'demo\\n' is not")),
    Case("manifest_bad_dtype", lambda b: b.edit("gatekeeper.yaml", "  model:", "  dtype: bf16\n  model:"),
         ("gatekeeper.yaml:4", "base.dtype", "did you mean 'bfloat16'")),
    Case("manifest_no_gates", lambda b: b.edit("gatekeeper.yaml", "gates: [gates/]", "gates: []"),
         ("gatekeeper.yaml:5", "at least one gate file")),
    Case("chat_template_escapes", lambda b: b.write("gatekeeper.yaml", MANIFEST + "chat_template: ../../etc/passwd\n"),
         ("gatekeeper.yaml:6", "leaves the bundle")),
    Case("data_root_missing", lambda b: b.write("gatekeeper.yaml", MANIFEST + "data_roots: [../shared]\n"),
         ("gatekeeper.yaml:6", "does not exist")),
    Case("manifest_empty", lambda b: b.write("gatekeeper.yaml", ""), ("gatekeeper.yaml:1", "must be a mapping")),
    Case("manifest_is_directory", lambda b: ((b.root / "gatekeeper.yaml").unlink(), (b.root / "gatekeeper.yaml").mkdir()),
         ("no gatekeeper.yaml",)),
    Case("manifest_seed_not_int", lambda b: b.write("gatekeeper.yaml", MANIFEST + "seed: abc\n"),
         ("gatekeeper.yaml:6", "seed", "expected integer")),
    Case("manifest_seed_negative", lambda b: b.write("gatekeeper.yaml", MANIFEST + "seed: -1\n"),
         ("gatekeeper.yaml:6", "seed must be a whole number from 0")),
    Case("manifest_gates_not_list", lambda b: b.edit("gatekeeper.yaml", "gates: [gates/]", "gates: gates/"),
         ("gatekeeper.yaml:5", "gates", "expected array")),
    Case("gate_source_missing", lambda b: b.edit("gatekeeper.yaml", "gates: [gates/]", "gates: [gates/, more.yaml]"),
         ("gatekeeper.yaml:5", "more.yaml' does not exist")),
    Case("gate_source_not_yaml", lambda b: b.edit("gatekeeper.yaml", "gates: [gates/]", "gates: [gates/, data/eval.jsonl]"),
         ("gatekeeper.yaml", "neither YAML nor Python")),
    Case("chat_template_bad_jinja", lambda b: (b.write("chat.jinja", "{% for m in messages %}\n{{ m }"),
                                               b.write("gatekeeper.yaml", MANIFEST + "chat_template: chat.jinja\n")),
         ("chat.jinja:2", "chat template does not parse")),
    Case("python_gate_import_error", lambda b: (b.write("gates/test_mine.py", "import no_such_module_xyz\n\ndef test_x():\n    pass\n"), b.lock()),
         ("test_mine.py", "could not be imported", "no_such_module_xyz"), CHECK),
    Case("python_gate_marker_infinite_limit",
         lambda b: (b.write("gates/test_mark_inf.py", "import pytest\n\n"
                            "@pytest.mark.gatekeeper(threshold={'metric': 'r', 'max': float('inf'), 'bound': 'point'})\n"
                            "def test_x(record):\n    record(r=0.5)\n"), b.lock()),
         ("test_mark_inf.py:3", "bad gate declaration", "max must be a finite number, got inf"), CHECK,
         code=3, report=True),
    Case("python_gate_marker_negative_margin",
         lambda b: (b.write("gates/test_mark_margin.py", "import pytest\n\n"
                            "@pytest.mark.gatekeeper(vs_baseline={'metric': 'r', 'min_gain': -0.05})\n"
                            "def test_x(record):\n    record.samples('r', [1, 0, 1], [1, 1, 0])\n"), b.lock()),
         ("test_mark_margin.py:3", "min_gain must be >= 0, got -0.05"), CHECK, code=3, report=True),
    Case("python_gate_marker_unknown_option",
         lambda b: (b.write("gates/test_mark_option.py", "import pytest\n\n"
                            "@pytest.mark.gatekeeper(thresold={'metric': 'r', 'min': 0.5})\n"
                            "def test_x(record):\n    record(r=0.5)\n"), b.lock()),
         ("test_mark_option.py:3", "has no option thresold"), CHECK, code=3, report=True),
    Case("plan_assume_outside_range", lambda b: b.gates(STATIC),
         ("--assume", "rate=2 is outside what rate can be [0, 1]"), ("plan", R, "--assume", "rate=2")),
    Case("plan_assume_base_outside_range", lambda b: b.gates(STATIC),
         ("--assume", "rate.base=2 is outside what rate.base can be [0, 1]"),
         ("plan", R, "--assume", "rate.base=2")),
    Case("plan_assume_unknown_key", lambda b: b.gates(STATIC),
         ("--assume", "unknown key 'mean'"), ("plan", R, "--assume", "rate.mean=0.5")),
    Case("python_gate_syntax_error", lambda b: b.write("gates/test_mine.py", "def test_x(:\n    pass\n"),
         ("test_mine.py:1", "python gate file does not parse")),
    # --- the adapter -------------------------------------------------------------------------
    Case("adapter_config_not_json", lambda b: (b.adapter(), b.write("adapter/adapter_config.json", "{peft")),
         ("adapter_config.json:1", "not valid JSON")),
    Case("adapter_config_not_object", lambda b: (b.adapter(), b.write("adapter/adapter_config.json", "[]")),
         ("adapter_config.json", "expected an object")),
    Case("adapter_dir_missing", lambda b: b.write("gatekeeper.yaml", MANIFEST + "adapter: adapter/\n"),
         ("gatekeeper.yaml:6", "adapter", "does not exist")),
    Case("adapter_without_config", lambda b: (b.adapter(), (b.root / "adapter/adapter_config.json").unlink()),
         ("gatekeeper.yaml:5", "no adapter_config.json")),
    Case("adapter_pickle_weights", _pickle_adapter, ("gatekeeper.yaml:5", "pickle", "allow_pickle")),
    Case("adapter_symlink_leaves_bundle", _symlinked_adapter,
         ("gatekeeper.yaml:5", "adapter_model.safetensors' is a link that leaves the bundle")),
    # --- gate files --------------------------------------------------------------------------
    Case("gate_file_empty", lambda b: b.gates(""), ("g.yaml:1", "gate file is empty")),
    Case("gate_file_not_mapping", lambda b: b.gates("- id: x\n"), ("g.yaml:1", "must be a mapping")),
    Case("gate_duplicate_key", lambda b: b.gates(STATIC + "    severity: warn\n    severity: block\n"),
         ("g.yaml:7", "duplicate key 'severity' (lines 6 and 7)")),
    Case("gate_unknown_type", lambda b: b.gates(STATIC.replace("static_rate", "static_rat")),
         ("g.yaml:3", "unknown gate type 'static_rat'", "did you mean 'static_rate'")),
    Case("gate_unknown_param", lambda b: b.gates(STATIC.replace("passes:", "pases:")),
         ("g.yaml:4", "unknown parameter 'pases'", "did you mean 'passes'")),
    Case("gate_param_wrong_type", lambda b: b.gates(STATIC.replace("passes: 10", "passes: ten")),
         ("g.yaml:4", "parameter 'passes' must be int")),
    Case("gate_max_new_tokens_zero", lambda b: b.gates(ACCURACY.replace("max_new_tokens: 4", "max_new_tokens: 0")),
         ("g.yaml:5", "'max_new_tokens' must be at least 1")),
    Case("gate_against_prompted_undeclared",
         lambda b: b.gates(ACCURACY.replace("threshold: {metric: accuracy, min: 0.0}",
                                            "vs_baseline: {against: prompted, min_gain: 0.05}")),
         ("g.yaml:6", "compares with the prompted baseline", "declares none", "baselines: {prompted:")),
    Case("gate_unknown_key", lambda b: b.gates(STATIC.replace("threshold:", "treshold:")),
         ("g.yaml:5", "unknown key 'treshold'", "did you mean 'threshold'")),
    Case("gate_nothing_to_judge", lambda b: b.gates(STATIC.split("    threshold")[0]),
         ("g.yaml:2", "has nothing to judge")),
    Case("gate_unknown_metric", lambda b: b.gates(STATIC.replace("metric: rate", "metric: rat")),
         ("g.yaml:5", "has no metric 'rat'")),
    Case("gate_bad_severity", lambda b: b.gates(STATIC + "    severity: blocker\n"),
         ("g.yaml:6", "severity", "did you mean 'block'")),
    Case("gate_bad_id", lambda b: b.gates(STATIC.replace("s.ok", "s ok")), ("g.yaml:2", "id must be letters")),
    Case("gate_duplicate_id", lambda b: b.gates(STATIC + STATIC.split("gates:\n")[1]),
         ("g.yaml:6", "duplicate gate id 's.ok'")),
    Case("gate_bound_without_min", lambda b: b.gates(STATIC.replace("min: 0.5", "max: 0.5, bound: lower95")),
         ("g.yaml:5", "bound lower95 applies to a `min` threshold")),
    Case("golden_set_missing", lambda b: b.gates(ACCURACY.replace("eval.jsonl", "evl.jsonl")),
         ("g.yaml:4", "does not exist")),
    Case("golden_set_escapes", lambda b: b.gates(ACCURACY.replace("../data/eval.jsonl", "../../../x.jsonl")),
         ("g.yaml:4", "leaves the bundle")),
    Case("gate_params_not_mapping", lambda b: b.gates(STATIC.replace("{passes: 10, total: 10}", "[10, 10]")),
         ("g.yaml:4", "params", "expected object")),
    Case("gate_threshold_without_metric", lambda b: b.gates(STATIC.replace("metric: rate, ", "")),
         ("g.yaml:5", "a threshold needs `metric`")),
    Case("golden_set_is_directory", lambda b: (b.gates(ACCURACY.replace("../data/eval.jsonl", "../data")),),
         ("data", "cannot read golden set")),
    # --- named adapter baselines ----------------------------------------------------------
    Case("adapter_baseline_missing", _named_adapter(manifest="{production: {adapter: prd/}}"),
         ("gatekeeper.yaml:7", "baselines.production.adapter: path 'prd/' does not exist")),
    Case("adapter_baseline_not_an_adapter", _named_adapter(None),
         ("gatekeeper.yaml:7", "adapter directory has no adapter_config.json", "baselines.production.adapter")),
    Case("adapter_baseline_other_base", _named_adapter('{"base_model_name_or_path": "org/other"}'),
         ("gatekeeper.yaml:7", "made for base 'org/other', the candidate for 'org/base'", "same base model")),
    Case("adapter_baseline_config_not_json", _named_adapter("{peft"),
         ("adapter_config.json", "not valid JSON")),
    Case("adapter_baseline_pickle", _named_adapter(weights="adapter_model.bin"),
         ("gatekeeper.yaml:7", "pickle weights (prod/adapter_model.bin)")),
    Case("adapter_baseline_reserved_name", _named_adapter(manifest="{base: {adapter: prod/}}"),
         ("gatekeeper.yaml:7", "'base' is a built-in baseline")),
    Case("adapter_baseline_no_adapter_key", _named_adapter(manifest="{production: {adaptor: prod/}}"),
         ("gatekeeper.yaml", "named adapter baseline is `NAME: {adapter: path/to/adapter}`")),
    Case("adapter_baseline_unknown_against",
         lambda b: (_named_adapter()(b), b.gates(STATIC + "    vs_baseline: {against: prodution, max_drop: 0.1}\n")),
         ("g.yaml:6", "unknown baseline 'prodution'", "production")),
    # --- assertions gate ------------------------------------------------------------------
    Case("assertion_unknown_kind", _assertions("[{contain: refund}]"),
         ("g.yaml:5", "params.assertions[0]: unknown assertion 'contain'", "did you mean 'contains'")),
    Case("assertion_bad_regex", _assertions("[{regex: '(unclosed'}]"),
         ("g.yaml:5", "params.assertions[0].regex: bad regular expression")),
    Case("assertion_length_not_int", _assertions("[{max_length: '200'}]"),
         ("g.yaml:5", "max_length must be a whole number")),
    Case("assertion_equals_not_string", _assertions("[{equals: 3}]"),
         ("g.yaml:5", "equals must be a string", "json_path")),
    Case("assertion_json_path_syntax", _assertions("[{json_path: {path: 'a..b', equals: 1}}]"),
         ("g.yaml:5", "is not a dotted path")),
    Case("assertion_json_path_no_value", _assertions("[{json_path: {path: a}}]"),
         ("g.yaml:5", "needs exactly one of 'equals' and 'one_of'")),
    Case("assertions_not_a_list", _assertions("{max_length: 200}"),
         ("g.yaml:5", "parameter 'assertions' must be list")),
    Case("assertion_row_bad", _assertions("[{max_length: 200}]", [ROWS[0], {**ROWS[1], "assertions": [{"regex": "("}]}]),
         ("eval.jsonl:2", "golden set row 'q1'", "'assertions'[0].regex: bad regular expression")),
    Case("assertions_none_at_all", _assertions("[]"),
         ("eval.jsonl:1", "has no assertions", "params.assertions")),
    # --- lm_eval tasks by name (lm-eval's registry, HF datasets cache) ----------------------
    Case("lm_eval_unknown_task", lambda b: b.gates(LM_EVAL.format(params="tasks: [mmlu_abstract_algebr]")),
         ("g.yaml:", "unknown lm-eval task 'mmlu_abstract_algebr'", "did you mean mmlu_abstract_algebra")),
    Case("lm_eval_dataset_not_cached", lambda b: b.gates(LM_EVAL.format(params="tasks: [mmlu_anatomy]")),
         ("g.yaml:", "not in the Hugging Face datasets cache", "cais/mmlu config anatomy",
          "datasets.load_dataset('cais/mmlu', 'anatomy')"), env={"HF_DATASETS_CACHE": "{tmp}/hf"}),
    Case("lm_eval_csv_param_with_task_names",
         lambda b: b.gates(LM_EVAL.format(params="tasks: [mmlu_anatomy], max_items: 50")),
         ("g.yaml:", "max_items applies to the MMLU CSVs (mmlu_dir/fallback_dir) only")),
    Case("lm_eval_task_dir_hub_dataset_not_cached",
         lambda b: (b.write("tasks/mine.yaml", "task: mine\ndataset_path: Rowan/hellaswag\n"
                                               "output_type: multiple_choice\ndoc_to_text: '{{ctx}}'\n"
                                               "doc_to_target: label\ndoc_to_choice: '{{endings}}'\n"),
                    b.gates(LM_EVAL.format(params="task_dir: ../tasks, tasks: [mine]"))),
         ("g.yaml:", "Rowan/hellaswag config default (task mine,", "mine.yaml"),
         env={"HF_DATASETS_CACHE": "{tmp}/hf"}),
    # --- rubric gate ------------------------------------------------------------------------
    Case("rubric_missing", _rubric("{judge: builtin:smollm2-135m-instruct}"),
         ("g.yaml:5", "gate type 'rubric' needs parameter 'rubric'")),
    Case("rubric_empty", _rubric('{rubric: "  "}'),
         ("g.yaml:5", "params.rubric must be the rubric text")),
    Case("rubric_unknown_builtin_judge", _rubric('{rubric: ok, judge: "builtin:smollm-9b"}'),
         ("g.yaml:5", "unknown built-in judge 'builtin:smollm-9b'", "builtin:smollm2-135m-instruct")),
    Case("rubric_judge_dir_missing", _rubric("{rubric: ok, judge_dir: ../no_such_judge}"),
         ("g.yaml:5", "path '../no_such_judge' does not exist")),
    Case("rubric_judge_absolute_path_missing", _rubric("{rubric: ok, judge: /no/such/judge}"),
         ("g.yaml:5", "judge model directory '/no/such/judge' does not exist", "judge_dir")),
    Case("rubric_judge_dir_not_a_model", lambda b: (b.write("judge/README.md", "no weights here"),
                                                    _rubric("{rubric: ok, judge_dir: ../judge}")(b)),
         ("g.yaml:5", "params.judge_dir", "needs a local model directory with config.json")),
    Case("rubric_judge_is_a_classifier",
         lambda b: (b.write("judge/config.json", '{"architectures": ["BertForSequenceClassification"]}'),
                    _rubric("{rubric: ok, judge_dir: ../judge}")(b)),
         ("g.yaml:5", "must be a causal (chat) LM, not a classifier")),
    Case("rubric_grading_prompt_without_output", _rubric('{rubric: ok, grading_prompt: "Grade {input}"}'),
         ("g.yaml:5", "never shows the judge the output")),
    Case("rubric_pass_threshold_out_of_range", _rubric("{rubric: ok, pass_threshold: 1.5}"),
         ("g.yaml:5", "pass_threshold must be a probability between 0 and 1")),
    Case("rubric_labels_bad_json", _rubric("{rubric: ok, judge_labels: ../data/labels.jsonl}",
                                           ['{"output": "a", "label": "pass"}', "{nope"]),
         ("labels.jsonl:2", "judge labels file line is not valid JSON")),
    Case("rubric_labels_no_output", _rubric("{rubric: ok, judge_labels: ../data/labels.jsonl}",
                                            [{"output": "a", "label": "pass"}, {"label": "fail"}]),
         ("labels.jsonl:2", "'output' must be a non-empty string")),
    Case("rubric_labels_bad_label", _rubric("{rubric: ok, judge_labels: ../data/labels.jsonl}",
                                            [{"output": "a", "label": "good"}]),
         ("labels.jsonl:1", "'label' must be \"pass\" or \"fail\"", "found 'good'")),
    Case("rubric_labels_empty", _rubric("{rubric: ok, judge_labels: ../data/labels.jsonl}", []),
         ("labels.jsonl", "judge labels file is empty")),
    # --- golden sets ------------------------------------------------------------------------
    Case("golden_prompt_empty", _accuracy_rows([{"id": "e", "prompt": "", "target": "x"}]),
         ("eval.jsonl:1", "must be a non-empty string")),
    Case("golden_not_json", _accuracy_rows([ROWS[0], "{nope"]), ("eval.jsonl:2", "not valid JSON")),
    Case("golden_row_not_object", _accuracy_rows([ROWS[0], "[1, 2]"]), ("eval.jsonl:2", "expected an object")),
    Case("golden_empty", _accuracy_rows([]), ("eval.jsonl", "golden set is empty")),
    Case("golden_duplicate_id", _accuracy_rows([ROWS[0], ROWS[0]]), ("eval.jsonl:2", "duplicate id 'q0'")),
    Case("golden_missing_target", _accuracy_rows([ROWS[0], {"id": "b", "prompt": "p"}]),
         ("eval.jsonl:2", "has no 'target'")),
    Case("golden_messages_not_objects", _accuracy_rows([ROWS[0], {"id": "m", "messages": ["hi"], "target": "x"}]),
         ("eval.jsonl:2", "malformed chat messages", "message 0 is a JSON str")),
    Case("golden_messages_bad_role", _accuracy_rows([{"id": "m", "messages": [{"role": "human", "content": "hi"}],
                                                      "target": "x"}]),
         ("eval.jsonl:1", "malformed chat messages", "role 'human'")),
    Case("golden_not_utf8", lambda b: (b.gates(ACCURACY), b.write("data/eval.jsonl", '{"prompt": "caf\xe9"}\n'.encode("latin-1"))),
         ("eval.jsonl:1", "not valid UTF-8")),
    # --- JSON Schemas -----------------------------------------------------------------------
    Case("schema_is_directory", lambda b: (b.gates(JSON_GATE), (b.root / "data/schema.json").mkdir()),
         ("schema.json", "cannot read schema file")),
    Case("schema_not_json", _schema("{nope"), ("schema.json:1", "schema file is not valid JSON")),
    Case("schema_not_a_schema", _schema('{"type": "objekt"}'), ("schema.json", "not a valid JSON Schema")),
    Case("schema_ref_to_url", _schema('{"$ref": "https://example.com/s.json"}'),
         ("schema.json", "points to the network", "never downloads")),
    Case("schema_ref_missing_file", _schema('{"$ref": "defs.json"}'), ("defs.json", "schema $ref target not found")),
    Case("schema_ref_to_nowhere", _schema('{"$ref": "#/$defs/nope"}'), ("schema.json", "cannot be resolved")),
    # --- the lock (check verifies it before any gate) ---------------------------------------
    Case("lock_missing", nothing, ("no gatekeeper.lock", "gatekeeper lock"), CHECK),
    Case("lock_not_json", lambda b: (b.lock(), b.write("gatekeeper.lock", "{nope")),
         ("gatekeeper.lock", "not valid JSON"), CHECK),
    Case("lock_artifacts_wrong_type", lambda b: b.relock(lambda lk: lk.__setitem__("artifacts", ["gatekeeper.yaml"])),
         ("gatekeeper.lock", "'artifacts' must be an object"), CHECK),
    Case("lock_artifact_not_a_hash", lambda b: b.relock(lambda lk: lk["artifacts"].__setitem__("gatekeeper.yaml", 5)),
         ("gatekeeper.lock", "artifact 'gatekeeper.yaml' has 5"), CHECK),
    Case("lock_file_tampered", lambda b: (b.lock(), b.edit("gates/g.yaml", "passes: 10", "passes: 9")),
         ("gatekeeper.lock", "'gates/g.yaml' differs from the lock"), CHECK),
    Case("lock_file_not_locked", lambda b: (b.lock(), b.write("gates/h.yaml", STATIC.replace("s.ok", "s.new"))),
         ("gatekeeper.lock", "'gates/h.yaml' is used by the bundle but not locked"), CHECK),
    Case("lock_schema_ref_changed", lambda b: (_schema('{"$ref": "defs.json"}', {"data/defs.json": '{"type": "object"}'})(b),
                                               b.lock(), b.write("data/defs.json", '{"type": "array"}')),
         ("gatekeeper.lock", "'data/defs.json' differs from the lock"), CHECK),
    Case("lock_file_is_directory", lambda b: (b.root / "gatekeeper.lock").mkdir(),
         ("gatekeeper.lock", "cannot write gatekeeper.lock"), ("lock", R)),
    Case("lock_other_base_model", lambda b: b.relock(_set_base("model", "builtin:other")),
         ("gatekeeper.lock", "pins base model 'builtin:other'"), CHECK),
    Case("lock_null_fingerprint", lambda b: (b.gates(ACCURACY), b.lock()),
         ("gatekeeper.lock", "does not pin the base model"), CHECK),
    Case("lock_base_weights_differ", lambda b: (_model_check(b), b.relock(_set_base("fingerprint", "0" * 64))),
         ("gatekeeper.lock", "fingerprint differs from the lock"), CHECK),
    Case("lock_chat_template_changed", _changed_chat_template,
         ("gatekeeper.lock", "chat_template_fingerprint differs from the lock"), CHECK),
    # --- command line -----------------------------------------------------------------------
    Case("cli_unknown_option", nothing, ("unrecognized arguments: --tb=long",), (*CHECK, "--tb=long")),
    Case("cli_unknown_command", nothing, ("invalid choice: 'chek'",), ("chek", R)),
    Case("cli_batch_size_zero", nothing, ("--batch-size", "must be at least 1"), (*CHECK, "--batch-size", "0")),
    Case("cli_batch_size_word", nothing, ("--batch-size", "expected a whole number"), (*CHECK, "--batch-size", "x")),
    Case("cli_bad_k_expression", nothing, ("-k 'a and'", "bad expression"), (*CHECK, "-k", "a and")),
    Case("cli_bad_m_expression", nothing, ("-m 'not'", "bad expression"), (*CHECK, "-m", "not")),
    Case("cli_bad_device", nothing, ("--device", "invalid choice: 'tpu'"), (*CHECK, "--device", "tpu")),
    Case("cli_cuda_without_cuda", nothing, ("--device cuda", "no CUDA device"), (*CHECK, "--device", "cuda"),
         skip_if=_has_cuda),
    Case("cli_cache_dir_is_file", lambda b: b.write("../cachefile", "x"), ("--cache-dir", "is a file"),
         (*CHECK, "--cache-dir", "{tmp}/cachefile")),
    Case("cli_cache_dir_under_a_file", lambda b: b.write("../cachefile", "x"),
         ("cachefile/sub", "cannot use", "--cache-dir"), (*CHECK, "--cache-dir", "{tmp}/cachefile/sub")),
    Case("cli_cache_dir_not_writable", lambda b: _read_only_dir(b.tmp / "locked"), ("--cache-dir", "not writable"),
         (*CHECK, "--cache-dir", "{tmp}/locked"), skip_if=_is_root),
    Case("lock_cache_dir_is_file", lambda b: b.write("../cachefile", "x"), ("--cache-dir", "is a file"),
         ("lock", R, "--cache-dir", "{tmp}/cachefile")),
    Case("cli_remeasure_with_a_value", nothing, ("--remeasure", "ignored explicit argument 'yes'"),
         (*CHECK, "--remeasure=yes")),
    Case("cli_bad_backend", nothing, ("--backend", "invalid choice: 'tgi'"), (*CHECK, "--backend", "tgi")),
    Case("cli_vllm_not_installed", nothing, ("--backend vllm", "vLLM is not installed", "gatekeeper[vllm]"),
         (*CHECK, "--backend", "vllm"), skip_if=_has_vllm),
    Case("cli_vllm_with_workers", nothing, ("--backend vllm with --workers", "drop --workers"),
         (*CHECK, "--backend", "vllm", "--workers", "2")),
    Case("cli_tensor_parallel_zero", nothing, ("--tensor-parallel-size", "must be at least 1"),
         (*CHECK, "--tensor-parallel-size", "0")),
    Case("cli_tensor_parallel_without_vllm", nothing, ("--tensor-parallel-size 2 needs --backend vllm",),
         (*CHECK, "--tensor-parallel-size", "2")),
    Case("cli_tensor_parallel_vllm_not_installed", nothing, ("--backend vllm", "vLLM is not installed"),
         (*CHECK, "--backend", "vllm", "--tensor-parallel-size", "2"), skip_if=_has_vllm),
    Case("cli_workers_bad_dist_timeout", nothing, ("GATEKEEPER_DIST_TIMEOUT='-5'", "above 0"),
         (*CHECK, "--workers", "2"), env={"GATEKEEPER_DIST_TIMEOUT": "-5"}),
    # --- launched under torchrun / accelerate: the launcher's environment ------------------
    Case("launch_env_partial", nothing, ("incomplete launcher environment", "RANK=0",
                                         "WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT are not"),
         CHECK, env={"RANK": "0"}),
    Case("launch_rank_not_below_world_size", nothing, ("RANK=2 is not below WORLD_SIZE=2",), CHECK,
         env={**LAUNCH_ENV, "RANK": "2"}),
    Case("launch_world_size_not_a_number", nothing, ("WORLD_SIZE='two'", "whole number"), CHECK,
         env={**LAUNCH_ENV, "WORLD_SIZE": "two"}),
    Case("launch_bad_dist_timeout", nothing, ("GATEKEEPER_DIST_TIMEOUT='soon'", "number of seconds"), CHECK,
         env={**LAUNCH_ENV, "GATEKEEPER_DIST_TIMEOUT": "soon"}),
    Case("launch_with_workers", nothing, ("--workers 2 under", "already started the ranks", "drop --workers"),
         (*CHECK, "--workers", "2"), env=LAUNCH_ENV),
    Case("launch_with_vllm", nothing, ("--backend vllm under", "without a launcher"),
         (*CHECK, "--backend", "vllm"), env=LAUNCH_ENV),
    Case("cli_junitxml_is_dir", nothing, ("--junitxml", "is a directory"), (*CHECK, "--junitxml", "{tmp}")),
    Case("cli_out_is_file", lambda b: b.write("../outfile", "x"), ("--out", "is a file"),
         ("check", R, "--out", "{tmp}/outfile")),
    Case("cli_out_inside_bundle", nothing, ("--out", "is inside the bundle"), ("check", R, "--out", "{root}/run")),
    Case("cli_missing_argument", nothing, ("required: bundle",), ("validate",)),
    Case("init_name_not_yaml_safe", nothing, ("--name 'a: b'", "not a valid bundle name"),
         ("init", "{tmp}/new", "--name", "a: b")),
    Case("init_into_file", lambda b: b.write("../afile", "x"), ("afile", "already exists and is a file"),
         ("init", "{tmp}/afile")),
    Case("init_into_non_empty_dir", nothing, ("already exists and is not empty",), ("init", R)),
    Case("report_json_missing", nothing, ("report.json",), ("report", "{tmp}/run/report.json")),
    Case("report_json_not_a_report", _report_of, ("report.json",), ("report", "{tmp}/run/report.json")),
    Case("report_out_is_file", lambda b: (b.write("../outfile", "x"), b.lock(),
                                          main(["check", str(b.root), "--out", str(b.tmp / "run"), "--no-progress"])),
         ("--out", "is a file"), ("report", "{tmp}/run/report.json", "--out", "{tmp}/outfile")),
    Case("report_json_is_directory", lambda b: (b.root.parent / "run" / "report.json").mkdir(parents=True),
         ("report.json",), ("report", "{tmp}/run/report.json")),
    Case("lock_base_model_missing", lambda b: (b.gates(ACCURACY), b.edit("gatekeeper.yaml", "builtin:smollm2-135m-instruct",
                                                                         "/nonexistent/model")),
         ("gatekeeper.yaml:4", "/nonexistent/model", "does not exist"), ("lock", R)),
    Case("lock_builtin_model_unknown", lambda b: b.edit("gatekeeper.yaml", "smollm2-135m-instruct", "nope"),
         ("gatekeeper.yaml:4", "unknown built-in model"), ("lock", R)),
    Case("gate_id_too_long", lambda b: b.gates(STATIC.replace("s.ok", "s" * 5000)), ("g.yaml:2", "id must be letters", "at most 128")),
    Case("gate_id_ends_in_newline", lambda b: b.gates(STATIC.replace("id: s.ok", 'id: "s.ok\\n"')),
         ("g.yaml:2", "id must be letters")),
    Case("gate_marker_ends_in_newline", lambda b: b.gates(STATIC + '    markers: ["static\\n"]\n'),
         ("g.yaml:6", "a marker is at most 64 letters")),
    Case("golden_lone_surrogate", _accuracy_rows([ROWS[0], '{"id": "s", "prompt": "bad \\ud800 text", "target": "x"}']),
         ("eval.jsonl:2", "'prompt' holds a lone surrogate")),
    Case("gates_folder_outside_bundle", _outside_folder,
         ("gatekeeper.yaml:5", "'../outside' is a folder outside the bundle and its data_roots")),
    Case("gates_folder_without_gate_file", _folder_without_gates, ("gatekeeper.yaml:5", "holds no gate file")),
    Case("lock_key_not_used", _unused_lock_key, ("gatekeeper.lock", "does not use: '../secret.txt'"), CHECK),
    Case("cli_junitxml_under_a_file", lambda b: b.write("../afile", "x"), ("--junitxml", "afile is a file, not a directory"),
         (*CHECK, "--junitxml", "{tmp}/afile/junit.xml")),
    Case("cli_default_out_inside_bundle", nothing, ("default report directory", "is inside the bundle",
                                                    "run from outside the bundle, or pass --out ../reports/"),
         ("check", ".", "--no-progress"), cwd="{root}"),
    Case("signing_key_too_short", nothing, ("GATEKEEPER_SIGNING_KEY is 5 bytes long", "at least 16"), CHECK,
         env={"GATEKEEPER_SIGNING_KEY": "short"}),
    Case("rollback_list_missing_registry", nothing, ("noreg", "release registry does not exist"),
         ("rollback", "--registry", "{tmp}/noreg", "--list")),
    Case("rollback_list_registry_is_file", lambda b: b.write("../regfile", "x"), ("regfile", "is a file, not a registry"),
         ("rollback", "--registry", "{tmp}/regfile", "--list")),
    Case("step_summary_unwritable", lambda b: b.lock(), ("$GITHUB_STEP_SUMMARY", "cannot append the summary", "nodir"),
         CHECK, code=0, report=True, env={"GITHUB_STEP_SUMMARY": "{tmp}/nodir/summary.md"}),
    # --- caches -----------------------------------------------------------------------------
    Case("cache_root_is_file", lambda b: (b.lock(), b.write("../cacheroot", "x")),
         ("cacheroot", "cannot use"), CHECK, env={"GATEKEEPER_CACHE_DIR": "{tmp}/cacheroot"}),
    Case("cache_corrupt_is_rebuilt", lambda b: (_corrupt_cache(b), b.lock()), ("cache.sqlite", "moved it to"),
         (*CHECK, "--cache-dir", "{tmp}/cache"), code=0, report=True),
    # --- faults after the gates started ----------------------------------------------------
    Case("adapter_does_not_fit_base", lambda b: (_model_check(b), b.real_adapter(target_modules=["nope_proj"]),
                                                 b.lock()),
         ("could not measure", "cannot apply adapter", "nope_proj"), CHECK, code=3, report=True),
    Case("gate_raises", lambda b: (b.gates(STATIC + "  - id: s.boom\n    type: boom\n"
                                           "    threshold: {metric: rate, min: 0.5}\n"), b.lock()),
         ("s.boom", "could not measure"), CHECK, code=3, report=True),
    Case("gate_interrupted", lambda b: (b.gates(STATIC + "  - id: s.int\n    type: interrupt\n"
                                                "    threshold: {metric: rate, min: 0.5}\n"), b.lock()),
         ("interrupted",), CHECK, code=2, report=True),
    Case("model_output_lone_surrogate", lambda b: (b.gates(STATIC.replace("static_rate", "surrogate")
                                                           .replace("    params: {passes: 10, total: 10}\n", "")
                                                           .replace("min: 0.5}", "min: 0.5, bound: point}")),
                                                   b.lock()),
         ("verdict: PASS",), CHECK, code=0, report=True),
    Case("previous_release_corrupt", lambda b: (b.write("../releases/demo/0.9.0/report.json", "[1, 2]"),
                                                b.write("gatekeeper.yaml", MANIFEST + "releases: ../releases\n"),
                                                b.lock()),
         ("verdict: PASS",), CHECK, code=0, report=True),
    # --- subset / where / limit of item-scoring gates -----------------------------------
    Case("subset_where_unknown_field",
         lambda b: b.gates(ACCURACY.replace("max_new_tokens: 4}", "max_new_tokens: 4, where: {categroy: a}}")),
         ("eval.jsonl", "where names the field 'categroy'", "row fields: id, prompt, target")),
    Case("subset_where_not_a_mapping",
         lambda b: (b.write("data/schema.json", "{}"), b.gates(JSON_GATE.replace("schema.json}", "schema.json, where: {}}"))),
         ("g.yaml:", "where must map row fields")),
    Case("subset_where_empty_list",
         lambda b: b.gates(ACCURACY.replace("max_new_tokens: 4}", "max_new_tokens: 4, where: {target: []}}")),
         ("g.yaml:", "where.target must be a value or a non-empty list of values")),
    Case("audit_targets_not_a_bool",
         lambda b: b.gates("gates:\n  - id: d.targets\n    type: dataset_audit\n"
                           "    params: {targets: maybe}\n    threshold: {metric: target_errors, max: 0}\n"),
         ("g.yaml:", "parameter 'targets' must be bool", "'maybe'")),
    Case("subset_limit_zero", lambda b: b.gates(ACCURACY.replace("max_new_tokens: 4}", "max_new_tokens: 4, limit: 0}")),
         ("g.yaml:", "limit must be a whole number of items, at least 1, found 0")),
    Case("subset_spread_without_limit",
         lambda b: b.gates(ASSERTIONS.replace("[{max_length: 200}]}", "[{max_length: 200}], spread: true}")),
         ("g.yaml:", "spread: true needs a limit")),
    Case("subset_unknown_name", lambda b: b.gates(ACCURACY.replace("max_new_tokens: 4}", "max_new_tokens: 4, subset: claen}")),
         ("g.yaml:", "unknown subset 'claen'", "did you mean 'clean'?")),
    Case("subset_clean_without_contamination_scan",
         lambda b: (b.tiny(), b.gates(ACCURACY.replace("max_new_tokens: 4}", "max_new_tokens: 4, subset: clean}")),
                    b.lock()),
         ("t.acc", "subset: clean/overlap needs a contamination scan", "names no training data"),
         CHECK, code=3, report=True),
    Case("contamination_copy_quantile_out_of_range",
         lambda b: b.gates("gates:\n  - id: d.copies\n    type: contamination\n"
                           "    params: {copy_quantile: 2}\n    threshold: {metric: near_copies, max: 0}\n"),
         ("g.yaml:", "copy_quantile must be in [0.5, 1]")),
    Case("contamination_copy_frame_share_zero",
         lambda b: b.gates("gates:\n  - id: d.copies\n    type: contamination\n"
                           "    params: {copy_frame_share: 0}\n    threshold: {metric: near_copies, max: 0}\n"),
         ("g.yaml:", "copy_frame_share must be in (0, 1]")),
    Case("contamination_copy_score_unknown",
         lambda b: b.gates("gates:\n  - id: d.copies\n    type: contamination\n"
                           "    params: {copy_score: cosine}\n    threshold: {metric: near_copies, max: 0}\n"),
         ("g.yaml:", "copy_score must be edits or jaccard", "'cosine'")),
]


@pytest.fixture(autouse=True)
def static_types():
    for fn in TYPES:
        register_gate_type(fn)
    yield
    for fn in TYPES:
        unregister_gate_type(fn.__gate_type__.name)


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors end the process the same way
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, capsys, monkeypatch, request):
    if case.skip_if is not None and (reason := case.skip_if()):
        pytest.skip(reason)
    bundle = Bundle(tmp_path / "b", request)
    case.setup(bundle)
    if case.argv[0] == "check" and not bundle.locked and case.id.startswith("cli_"):
        bundle.lock()
    fill = {"root": str(bundle.root), "tmp": str(tmp_path)}
    for key, value in case.env.items():
        monkeypatch.setenv(key, value.format(**fill))
    if case.cwd is not None:
        monkeypatch.chdir(case.cwd.format(**fill))
    capsys.readouterr()
    code, out = run_cli([a.format(**fill) for a in case.argv], capsys)
    assert code == case.code, out
    assert "Traceback" not in out, out
    lines = [line for line in out.splitlines() if all(s in line for s in case.says)]
    assert lines, f"no single line says {case.says}:\n{out}"
    report = tmp_path / "run" / "report.json"
    if case.cwd is not None:
        assert not (bundle.root / "reports").exists(), "nothing may be written inside the bundle"
    if case.report:
        data = json.loads(report.read_text("utf-8"))
        jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(data)
        assert data["exit_code"] == case.code and data["gates"], data
    elif case.argv[0] == "check":
        assert not report.exists(), "nothing may run when the input is bad"


def test_the_table_covers_at_least_forty_classes():
    assert len({c.id for c in CASES}) == len(CASES) >= 40


def test_a_byte_order_mark_is_not_bad_input(tmp_path, capsys, request):
    """Editors on Windows start UTF-8 files with a BOM: manifests and golden sets still read."""
    bundle = Bundle(tmp_path / "b", request)
    bundle.gates(ACCURACY)
    for rel in ("gatekeeper.yaml", "gates/g.yaml", "data/eval.jsonl"):
        path = bundle.root / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, out = run_cli(["validate", str(bundle.root)], capsys)
    assert code == 0 and "1 gate(s)" in out, out


# Third-party plugins (entry points) and gate-type declarations: each problem is one line
# naming the plugin and what to do, before anything runs.
PLUGIN = '''
from gatekeeper import Measurement, gate_type

def shouting(access):
    raise AssertionError("never built at validation")

@gate_type("task_accuracy", needs_model=False, metrics=("rate",))
def clash(ctx) -> Measurement:
    return Measurement(metrics={"rate": 1.0}, n=1)
'''
BAD_ROLE = '''
from gatekeeper import Measurement, gate_type

@gate_type(needs_model=False, metrics=("rate",), path_params={"data": "evaluation"})
def bad_role(ctx, *, data: str | None = None) -> Measurement:
    return Measurement(metrics={"rate": 1.0}, n=1)
'''
PLUGIN_CASES = [
    ("gate_type_plugin_import_error", {"gatekeeper.gate_types": [("gone", "no_such_module_xyz:gone")]},
     ("gate type plugin 'gone'", "failed to import", "fix or uninstall")),
    ("gate_type_plugin_redefines_a_built_in", {"gatekeeper.gate_types": [("task_accuracy", "plugin_gk:clash")]},
     ("gate type plugin 'task_accuracy'", "redefines the gate type 'task_accuracy'")),
    ("gate_type_path_role_unknown", {"gatekeeper.gate_types": [("bad_role", "plugin_gk_roles:bad_role")]},
     ("gate type plugin 'bad_role'", "path parameter 'data' has role 'evaluation'", "roles: eval, train")),
    ("view_plugin_import_error", {"gatekeeper.views": [("gone", "no_such_module_xyz:gone")]},
     ("view plugin 'gone'", "failed to import")),
    ("view_plugin_replaces_a_built_in", {"gatekeeper.views": [("base", "plugin_gk:shouting")]},
     ("view plugin 'base'", "replaces the built-in view 'base'", "another name")),
]


@pytest.mark.parametrize("groups,says", [c[1:] for c in PLUGIN_CASES], ids=[c[0] for c in PLUGIN_CASES])
def test_bad_plugins(groups, says, tmp_path, capsys, monkeypatch, request):
    from importlib.metadata import EntryPoint

    import gatekeeper.run.registry as registry

    (tmp_path / "plugin_gk.py").write_text(PLUGIN, "utf-8")
    (tmp_path / "plugin_gk_roles.py").write_text(BAD_ROLE, "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    request.addfinalizer(lambda: [sys.modules.pop(name, None) for name in ("plugin_gk", "plugin_gk_roles")])
    monkeypatch.setattr(registry, "entry_points", lambda *, group: [
        EntryPoint(name, value, group) for name, value in groups.get(group, [])])
    bundle = Bundle(tmp_path / "b", request)
    code, out = run_cli(["validate", str(bundle.root)], capsys)
    assert code == 4 and "Traceback" not in out, out
    assert [line for line in out.splitlines() if all(s in line for s in says)], out


def test_validate_reports_every_kind_of_mistake_in_one_pass(tmp_path, capsys, request):
    """Schema, semantic, scorer, path and duplicate-id mistakes of one gate file, all at once."""
    bundle = Bundle(tmp_path / "b", request)
    bundle.gates(ACCURACY.replace("gates:\n", "gates:\n  - id: t.bad\n    type: task_accuracy\n"
                                  "    golden_set: ../data/eval.jsonl\n    treshold: {metric: accuracy, min: 0.5}\n")
                 .replace("scorer: normalized", "scorer: normalised")
                 .replace("min: 0.0", "min: 2")
                 + ACCURACY.split("gates:\n")[1].replace("../data/eval.jsonl", "../data/nope.jsonl"))
    code, out = run_cli(["validate", str(bundle.root)], capsys)
    assert code == 4, out
    for says in ("unknown key 'treshold'", "unknown scorer 'normalised'", "outside the range of 'accuracy'",
                 "nope.jsonl' does not exist", "duplicate gate id 't.acc'"):
        assert says in out, (says, out)


def test_a_long_gate_file_without_aliases_is_not_a_bomb(tmp_path, capsys, request):
    """10,000 gates written out: more than 100,000 values, none repeated by an alias."""
    bundle = Bundle(tmp_path / "b", request)
    entry = STATIC.split("gates:\n")[1]
    bundle.gates("gates:\n" + "".join(entry.replace("s.ok", f"s.g{i}") for i in range(10_000)))
    code, out = run_cli(["validate", str(bundle.root)], capsys)
    assert code == 0 and "10000 gate(s)" in out, out
