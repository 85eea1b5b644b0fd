"""MMLU-layout data -> local lm-eval tasks: validation, errors at file:line, skipped YAMLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.core.errors import ConfigError
from gatekeeper.evals.mmlu import (MMLU_ENV, build_tasks, list_subjects, read_items,
                                   resolve_mmlu_dir)
from testkit.evals import write_mmlu

GENERAL = Path(__file__).resolve().parents[2] / "golden_sets" / "general"



def test_general_set_is_valid_mmlu_layout():
    subjects = list_subjects(GENERAL)
    assert len(subjects) >= 6
    total = sum(len(read_items(GENERAL / "data" / "test" / f"{s}_test.csv")) for s in subjects)
    assert total >= 300
    for s in subjects:
        assert len(read_items(GENERAL / "data" / "dev" / f"{s}_dev.csv")) == 5


def test_build_tasks_writes_one_task_per_subject(tmp_path):
    root = write_mmlu(tmp_path / "mmlu")
    tasks = build_tasks(root, None, tmp_path / "out")
    assert [t.subject for t in tasks.tasks] == ["alpha", "beta"]
    assert all(t.yaml_path.is_file() and t.n_test == 3 for t in tasks.tasks)
    again = build_tasks(root, ["beta"], tmp_path / "out")
    assert again.digest != tasks.digest and [t.subject for t in again.tasks] == ["beta"]
    # content-addressed: the same data gives the same folder, changed data a new one
    assert build_tasks(root, None, tmp_path / "out").directory == tasks.directory


def test_quoted_commas_and_multiline_questions_keep_line_numbers(tmp_path):
    path = tmp_path / "x_test.csv"
    path.write_text('"Two\nlines?",a,b,c,d,A\nok?,a,b,c,d,B\nbad,a,b,c,E\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_items(path)
    assert info.value.line == 4 and "6 columns" in str(info.value)


def test_bad_answer_letter_names_its_line(tmp_path):
    root = write_mmlu(tmp_path / "m", subjects=("alpha",),
                      rows=['q1,a,b,c,d,A\n', 'q2,a,b,c,d,Z\n'])
    with pytest.raises(ConfigError) as info:
        build_tasks(root, None, tmp_path / "out")
    assert info.value.line == 2 and "alpha_test.csv" in str(info.value) and "'Z'" in str(info.value)


def test_unknown_subject_lists_the_available_ones(tmp_path):
    root = write_mmlu(tmp_path / "m")
    with pytest.raises(ConfigError, match="available: alpha, beta"):
        build_tasks(root, ["gamma"], tmp_path / "out")


def test_missing_data_says_how_to_name_it(monkeypatch):
    monkeypatch.delenv(MMLU_ENV, raising=False)
    with pytest.raises(ConfigError) as info:
        resolve_mmlu_dir(None, None)
    assert "mmlu_dir" in str(info.value) and MMLU_ENV in str(info.value)  # the hint shows ${...}


def test_the_environment_variable_alone_changes_nothing(tmp_path, monkeypatch):
    """Only a gate file that writes ${GATEKEEPER_MMLU_DIR} reads it (bundle/collect.py)."""
    monkeypatch.setenv(MMLU_ENV, str(write_mmlu(tmp_path / "m")))
    assert resolve_mmlu_dir(None, str(GENERAL)) == (GENERAL, "params.fallback_dir")
    with pytest.raises(ConfigError, match="is set, but only a gate file that writes it is read"):
        resolve_mmlu_dir(None, None)


def test_missing_dev_split_is_named(tmp_path):
    root = write_mmlu(tmp_path / "m", subjects=("alpha",))
    (root / "data" / "dev" / "alpha_dev.csv").unlink()
    with pytest.raises(ConfigError, match="no dev file"):
        build_tasks(root, None, tmp_path / "out")


def test_a_task_yaml_lm_eval_would_skip_is_reported_with_its_file(tmp_path):
    from lm_eval.tasks import TaskManager

    from gatekeeper.evals.harness import check_registered

    root = write_mmlu(tmp_path / "m", subjects=("alpha",))
    tasks = build_tasks(root, None, tmp_path / "out")
    broken = tasks.directory / "broken.yaml"
    broken.write_text("task: broken\ndoc_to_text: [unclosed\n", encoding="utf-8")
    manager = TaskManager(include_path=str(tasks.directory), include_defaults=False)
    assert "broken" not in manager.all_tasks  # lm-eval skipped it without a word
    with pytest.raises(ConfigError) as info:
        check_registered(manager, tasks.directory, ["gk_mmlu_alpha"])
    assert info.value.where.endswith("broken.yaml") and "skip" in str(info.value)
    broken.unlink()
    manager = TaskManager(include_path=str(tasks.directory), include_defaults=False)
    check_registered(manager, tasks.directory, ["gk_mmlu_alpha"])
    with pytest.raises(ConfigError, match="not found: nope"):
        check_registered(manager, tasks.directory, ["nope"])


def test_general_set_files_equal_a_fresh_run_of_its_generator(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("general_generate", GENERAL / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for path in sorted((GENERAL / "data").rglob("*.csv")):
        fresh = tmp_path / path.relative_to(GENERAL / "data")
        assert fresh.read_bytes() == path.read_bytes(), path.name
