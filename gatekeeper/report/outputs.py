"""Write the rendered report files (HTML, JUnit, markdown) and feed GitHub Actions.

report.json is written by the caller first; everything here is rendered from it. Each file
is written atomically (a temporary file in the same directory, then ``os.replace``) so a
crash or a concurrent reader never sees half a report.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping

from gatekeeper.core.atomic import write_atomic
from gatekeeper.report.annotations import github_annotations
from gatekeeper.report.html import render_html
from gatekeeper.report.junit import render_junit
from gatekeeper.report.markdown import render_markdown


def _run_link() -> str | None:
    """The Actions run page (where report.html is an artifact), when running in Actions."""
    env = os.environ
    if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY") and env.get("GITHUB_RUN_ID"):
        return f"{env['GITHUB_SERVER_URL']}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    return None


def write_outputs(report: Mapping, out_dir: Path, *, junit_path: Path | None = None,
                  extra_junit: Path | None = None) -> dict[str, Path]:
    """Write report.html, junit.xml and summary.md into ``out_dir``; return their paths.

    ``extra_junit`` is a second place for the same JUnit text (``--junitxml``).
    With ``GITHUB_STEP_SUMMARY`` set, the markdown is also appended to the job summary; with
    ``GITHUB_ACTIONS=true``, annotations for the gates that did not pass go to stdout.
    """
    out_dir = Path(out_dir)
    paths = {"html": out_dir / "report.html", "junit": Path(junit_path) if junit_path else out_dir / "junit.xml",
             "markdown": out_dir / "summary.md"}
    write_atomic(paths["html"], render_html(report))
    junit = render_junit(report)  # rendered once, written where asked
    write_atomic(paths["junit"], junit)
    write_atomic(paths["markdown"], render_markdown(report))
    if extra_junit:  # --junitxml: an extra copy where CI expects it, after the run dir is complete
        paths["junit (--junitxml)"] = write_atomic(Path(extra_junit), junit)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        try:
            with open(step_summary, "a", encoding="utf-8") as handle:
                handle.write(render_markdown(report, link=_run_link()) + "\n")
        except OSError as exc:  # a CI nicety: the report itself is complete without it
            print(f"warning: cannot append the summary to $GITHUB_STEP_SUMMARY ({step_summary}): "
                  f"{exc.strerror or exc}", file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github_annotations(report):
            print(line, file=sys.stdout)
        sys.stdout.flush()
    return paths
