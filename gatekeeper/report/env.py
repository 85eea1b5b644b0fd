"""The one jinja environment every HTML piece renders with (page, gate cards, gate-type
fragments): package templates, autoescape everywhere, strict undefined, the report's filters."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined

from gatekeeper.report.fmt import OUTCOME_WORDS, num, pval, signed

SYMBOLS = {"pass": "\u2713", "fail": "\u2717", "inconclusive": "?", "error": "!", "skip": "\u2013"}


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    """The jinja environment: package templates, autoescape everywhere, strict undefined."""
    env = Environment(loader=PackageLoader("gatekeeper", "report/templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=num, signed=signed, pval=pval)
    env.globals.update(symbols=SYMBOLS, words=OUTCOME_WORDS)
    return env
