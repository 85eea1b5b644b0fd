"""Portable reports: no absolute path of the machine that ran the check.

A report travels (CI artifacts, release registries, reviewers' laptops), so the machine's
folders must not be in it. ``portable_report`` rewrites every string of a built report:

- a path under the bundle becomes relative to the bundle (``adapter/training.json``; the
  bundle itself is ``.``); a path under the working directory becomes relative to the
  bundle too (``../../golden_sets/general``), so every path of the report reads from one
  place;
- a path under the cache root becomes ``<cache>/...``, one under the home folder ``~/...``;
- ``bundle.path`` is the bundle as seen from the working directory (what the user typed, for
  a relative argument) and ``provenance.cwd`` the working directory as seen from the bundle;
- the command line stays as typed, except that an absolute argument becomes relative to the
  working directory, so ``reproduce`` still runs from there.

All outputs (HTML, JUnit, markdown) render from report.json, so rewriting it once covers
them. Reports written before this keep their absolute ``cwd`` and still render.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

from gatekeeper.core.paths import CACHE_ENV, cache_settings


def _cache_folder() -> Path | None:
    """The cache root in force, without creating it (cache_root() would)."""
    explicit = cache_settings().root
    if explicit is not None:
        return explicit
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser().absolute()
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - a dependency
        return None
    return Path(platformdirs.user_cache_dir("gatekeeper"))


def _forms(path: Path) -> list[str]:
    """The path as written and as resolved (``/tmp`` may be a link to ``/private/tmp``)."""
    out = [str(path.absolute())]
    try:
        resolved = str(path.resolve())
    except OSError:
        resolved = out[0]
    return out if resolved == out[0] else [*out, resolved]


def _rel(target: Path, start: Path) -> str:
    return os.path.relpath(target, start)


class _Rewriter:
    """Replace absolute prefixes (longest first) in any text."""

    def __init__(self, bundle_root: Path, cwd: Path):
        anchors: list[tuple[str, str]] = []
        for form in _forms(bundle_root):
            anchors.append((form, "."))
        rel_cwd = _rel(cwd, bundle_root)
        for form in _forms(cwd):
            anchors.append((form, rel_cwd))
        cache = _cache_folder()
        if cache is not None:
            anchors += [(form, "<cache>") for form in _forms(cache)]
        home = Path.home()
        anchors += [(form, "~") for form in _forms(home)]
        anchors = [(a.rstrip(os.sep) or os.sep, r) for a, r in anchors if a not in ("", os.sep)]
        self.anchors = sorted(set(anchors), key=lambda a: -len(a[0]))

    def text(self, value: str) -> str:
        if os.sep not in value:
            return value
        for prefix, repl in self.anchors:
            if prefix in value:
                value = _replace(value, prefix, repl)
        return value


def _replace(value: str, prefix: str, repl: str) -> str:
    """``prefix`` -> ``repl`` where it is a whole path (followed by a separator, the end or a
    character that cannot be in the path's next name: quote, colon, space, bracket)."""
    out, start = [], 0
    while (at := value.find(prefix, start)) >= 0:
        end = at + len(prefix)
        after = value[end:end + 1]
        before = value[at - 1:at] if at else ""
        if (after in ("", os.sep) or after in " \t\n'\":,;)]}>") and before not in _NAME_CHARS:
            out.append(value[start:at])
            if after == os.sep and repl == ".":
                end += 1  # ./adapter -> adapter
            else:
                out.append(repl)
            start = end
        else:
            out.append(value[start:end])
            start = end
    out.append(value[start:])
    return "".join(out)


_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-~")


def _walk(value: Any, rewrite: _Rewriter) -> Any:
    if isinstance(value, str):
        return rewrite.text(value)
    if isinstance(value, dict):
        return {k: _walk(v, rewrite) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_walk(v, rewrite) for v in value]
    return value


def _argument(arg: str, cwd: Path) -> str:
    """An absolute argument (or ``--opt=/abs``) relative to the working directory."""
    name, eq, rest = arg.partition("=") if arg.startswith("--") else ("", "", arg)
    if rest and os.path.isabs(rest):
        return f"{name}{eq}{_rel(Path(rest), cwd)}"
    return arg


def portable_report(report: dict, bundle_root: Path, cwd: Path | None = None) -> dict:
    """A copy of ``report`` with no absolute path of this machine (module docstring)."""
    cwd = Path.cwd() if cwd is None else Path(cwd)
    rewrite = _Rewriter(Path(bundle_root), cwd)
    prov = report.get("provenance") or {}
    command = prov.get("command")
    out = _walk({k: v for k, v in report.items() if k != "provenance"}, rewrite)
    out_prov = _walk({k: v for k, v in prov.items() if k not in ("command", "reproduce", "cwd")}, rewrite)
    if isinstance(command, list):
        argv = [_argument(str(a), cwd) for a in command]
        out_prov["command"], out_prov["reproduce"] = argv, shlex.join(argv)
    elif "reproduce" in prov:
        out_prov["reproduce"] = rewrite.text(str(prov["reproduce"]))
    out_prov["cwd"] = _rel(cwd, Path(bundle_root))
    if isinstance(out.get("bundle"), dict):
        out["bundle"]["path"] = _rel(Path(bundle_root), cwd)
    out["provenance"] = {k: out_prov[k] for k in [*prov, *out_prov] if k in out_prov}
    return out
