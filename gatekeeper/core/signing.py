"""HMAC signatures of report.json: only a check that holds the key can approve a release.

With ``GATEKEEPER_SIGNING_KEY`` set in its environment, ``gatekeeper check`` writes
``report.json.sig`` beside report.json: ``hmac-sha256:<hex>`` over the file's exact bytes.
``gatekeeper release --require-signature`` (same key in its environment) refuses a report
without one or whose bytes no longer match it. A sidecar rather than a field, so the
signature covers report.json byte for byte with no canonical form to agree on.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from gatekeeper.core.errors import UsageError

SIGNING_KEY_ENV = "GATEKEEPER_SIGNING_KEY"
SIGNATURE_SUFFIX = ".sig"
MIN_KEY_BYTES = 16
_PREFIX = "hmac-sha256:"


def signing_key() -> bytes | None:
    """The key from the environment; unset or empty is None, a short key is refused."""
    text = os.environ.get(SIGNING_KEY_ENV, "")
    if not text:
        return None
    key = text.encode("utf-8", "surrogateescape")
    if len(key) < MIN_KEY_BYTES:
        raise UsageError(f"${SIGNING_KEY_ENV} is {len(key)} bytes long; a signing key needs at "
                         f"least {MIN_KEY_BYTES}", hint="use a random secret, e.g. "
                         "`python -c 'import secrets; print(secrets.token_hex(32))'`")
    return key


def signature_path(report: Path) -> Path:
    return report.with_name(report.name + SIGNATURE_SUFFIX)


def write_signature(report: Path, key: bytes) -> Path:
    """Sign report.json's bytes as written: ``report.json.sig`` beside it, atomically."""
    from gatekeeper.core.atomic import write_atomic

    return write_atomic(signature_path(report), sign(Path(report).read_bytes(), key) + "\n")


def sign(data: bytes, key: bytes) -> str:
    return _PREFIX + hmac.new(key, data, hashlib.sha256).hexdigest()


def signature_problem(data: bytes, signature: bytes | None, key: bytes) -> str | None:
    """Why ``signature`` does not vouch for ``data`` under ``key``; None when it does."""
    if signature is None:
        return "it is not signed (no report.json.sig beside it)"
    text = signature.decode("ascii", "replace").strip()
    if not hmac.compare_digest(text.encode(), sign(data, key).encode()):
        return "its signature does not match (the report was edited, or signed with another key)"
    return None
