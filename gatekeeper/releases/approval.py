"""Which report may approve a release: a complete, passing check of exactly this bundle.

``gatekeeper release`` refuses a report.json unless it validates against
``schemas/report.schema.json``; names this bundle, version and lock digest; says
``complete: true`` and ``status: complete`` explicitly with verdict PASS and exit code 0;
lists exactly the bundle's declarative gates (same ids, types, severities and gate-spec
digests) plus python gates of the bundle's own python gate files; and shows no blocking gate
that did not pass (a skip, nothing to measure, is not a failure, as the judge counts it).
This refuses a hand-written or edited report, but not one forged by someone who also
rewrites its gates consistently: against that, the CI's check signs report.json with an HMAC
key (``gatekeeper.core.signing``) and ``release --require-signature`` verifies it.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from gatekeeper.bundle.validation import load_schema
from gatekeeper.core.errors import ConfigError, UsageError
from gatekeeper.core.files import read_regular
from gatekeeper.core.signing import SIGNING_KEY_ENV, signature_path, signature_problem, signing_key

_HINT = "pass the report.json of a passing `gatekeeper check` with --report"


def approved_report(bundle, collection, lock_digest: str, explicit: str | Path | None, *,
                    require_signature: bool = False) -> Path:
    """The report.json of a complete, passing check of exactly these locked files."""
    key = signing_key()
    if require_signature and key is None:
        raise UsageError(f"--require-signature needs ${SIGNING_KEY_ENV}: the key the check signed with",
                         hint=f"set {SIGNING_KEY_ENV} in the release job's environment (a CI secret)")
    path = Path(explicit) if explicit else _latest_report(bundle)
    if path.is_dir():
        path = path / "report.json"
    try:
        raw = read_regular(path)
        report = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the check report: {getattr(exc, 'strerror', None) or exc}",
                          where=path, hint=_HINT) from None
    problems = _signature_problems(path, raw, key, require_signature)
    problems += report_problems(report, bundle, collection, lock_digest) if not problems else []
    if problems:
        raise ConfigError(f"{bundle.name} {bundle.version} cannot be released: {'; '.join(problems)}",
                          where=path, hint=f"run `gatekeeper check {bundle.root}` until it passes, "
                                           "then release with --report RUN/report.json")
    return path


def _signature_problems(path: Path, raw: bytes, key: bytes | None, required: bool) -> list[str]:
    sig = signature_path(path)
    if key is None or not (required or sig.exists()):
        return []  # a signature present but unverifiable without the key proves nothing either way
    try:
        signature = read_regular(sig) if sig.exists() else None
    except OSError as exc:
        return [f"cannot read its signature {sig.name}: {exc.strerror}"]
    problem = signature_problem(raw, signature, key)
    return [problem] if problem else []


def report_problems(report, bundle, collection, lock_digest: str) -> list[str]:
    """Every reason ``report`` does not approve this bundle (empty: it does)."""
    try:
        jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)
    except jsonschema.ValidationError as exc:
        at = "/".join(map(str, exc.absolute_path)) or "(top level)"
        return [f"it does not match the report schema at {at}: {exc.message}"]
    problems = []
    meta = report["bundle"]
    if (meta.get("name"), meta.get("version")) != (bundle.name, bundle.version):
        problems.append(f"it is the report of {meta.get('name')} {meta.get('version')}")
    if meta.get("lock_digest") != lock_digest:
        problems.append("the bundle's files changed since that check (lock digest differs)")
    if report.get("complete") is not True or report["status"] != "complete":
        problems.append("it is not a complete run (`complete: true` and status complete are "
                        "required; -k, -m, --lf and -x make a run partial)")
    if report["verdict"] != "PASS" or report["exit_code"] != 0:
        problems.append(f"its verdict is {report['verdict']} (exit {report['exit_code']})")
    return problems + _gate_problems(report["gates"], collection)


def _gate_problems(gates: list, collection) -> list[str]:
    """The report's gates must be the bundle's: ids, types, severities, spec digests."""
    problems = []
    ids = [g["id"] for g in gates]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        problems.append(f"gate ids appear twice: {', '.join(twice)}")
    declared = {spec.id: spec for spec in collection.gates}
    stems = tuple(f"{p.stem}." for p in collection.python_files)
    reported = {g["id"]: g for g in gates if g["type"] != "python"}
    missing = sorted(declared.keys() - reported.keys())
    if missing:
        problems.append(f"gates of the bundle missing from it: {', '.join(missing)}")
    unknown = sorted(reported.keys() - declared.keys())
    unknown += sorted(g["id"] for g in gates if g["type"] == "python" and not g["id"].startswith(stems))
    if unknown:
        problems.append(f"gates the bundle does not declare: {', '.join(unknown)}")
    for gate_id in sorted(declared.keys() & reported.keys()):
        spec, gate = declared[gate_id], reported[gate_id]
        if (gate["type"], gate["severity"], gate.get("spec_digest")) != (spec.type, spec.severity, spec.digest):
            problems.append(f"gate {gate_id} is not the bundle's (type, severity or gate-spec digest differs)")
    for gate in gates:
        severity = declared[gate["id"]].severity if gate["id"] in declared else gate["severity"]
        if severity == "block" and gate["outcome"] not in ("pass", "skip"):
            problems.append(f"blocking gate {gate['id']} is {gate['outcome']}")
    return problems


def _latest_report(bundle) -> Path:
    """The newest reports/NAME-VERSION-*/report.json under the working directory."""
    found = sorted(Path("reports").glob(f"{bundle.name}-{bundle.version}-*/report.json"))
    if not found:
        raise ConfigError(f"no check report of {bundle.name} {bundle.version} under ./reports",
                          hint=f"run `gatekeeper check {bundle.root}` first, or pass --report")
    return found[-1]
