"""The release registry on disk: content-addressed blobs, immutable entries, atomic commits.

    <registry>/objects/ab/cdef…        every released file, named by its sha256 (read-only)
    <registry>/refs/<name>/<version>   the sha256 of that release's entry (a JSON blob)
    <registry>/tmp/                    staging; anything left here by a crash is garbage

An entry lists every file of the release (path -> sha256), where the bundle sits among
them, the report that approved it and the behavioural fingerprint recorded at release.
Blobs are written to ``tmp/`` and hard-linked into ``objects/``; the ref is the commit
point and is created with ``os.link``, which never replaces an existing name. So a crash
mid-release leaves at most unreferenced blobs (never a partial entry), two concurrent
releases of one version cannot both win, and an entry, once written, is never modified.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gatekeeper.core.errors import ConfigError
from gatekeeper.core.files import sha256_tagged

ENTRY_FORMAT = 1
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
_BLOCK = 1 << 20


class RegistryError(ConfigError):
    """The registry is missing, corrupt, or refuses a write (exit 4, never a traceback)."""


@dataclass(frozen=True)
class EntryRef:
    """A release in the registry: name, version and the digest of its entry."""

    name: str
    version: str
    digest: str
    path: Path


def check_component(kind: str, value: str) -> str:
    """Names and versions become path components: refuse anything that could escape."""
    if not isinstance(value, str) or not _NAME.match(value) or ".." in value:
        raise RegistryError(f"{kind} {value!r} cannot be used in the release registry",
                            hint="use letters, digits and . _ + - only")
    return value


def safe_relpath(text: str) -> PurePosixPath:
    """A stored file path must be relative and stay inside the restore directory."""
    path = PurePosixPath(text)
    if not text or path.is_absolute() or "\\" in text or \
            any(part in ("..", ".", "") for part in text.split("/")):
        raise RegistryError(f"registry entry names an unsafe path {text!r}",
                            hint="the entry was not written by gatekeeper: do not restore it")
    return path


class Store:
    """One registry directory (created on first write)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    # -- blobs ---------------------------------------------------------------------------

    def blob_path(self, digest: str) -> Path:
        hexd = digest.removeprefix("sha256:")
        if not re.fullmatch(r"[0-9a-f]{64}", hexd):
            raise RegistryError(f"malformed digest {digest!r} in the registry", where=self.root)
        return self.root / "objects" / hexd[:2] / hexd[2:]

    def put_file(self, source: Path) -> str:
        """Copy ``source`` into the store; return its digest (hashed while copying)."""
        digest = hashlib.sha256()
        fd, tmp = self._temp()
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as handle:
                while block := handle.read(_BLOCK):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            return self._publish(tmp, "sha256:" + digest.hexdigest())
        finally:
            Path(tmp).unlink(missing_ok=True)

    def put_bytes(self, data: bytes) -> str:
        fd, tmp = self._temp()
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            return self._publish(tmp, sha256_tagged(data))
        finally:
            Path(tmp).unlink(missing_ok=True)

    def read_blob(self, digest: str, name: str) -> bytes:
        """A blob's bytes, verified against its digest; ``name`` is what the error calls it."""
        path = self.blob_path(digest)
        if not path.is_file():
            raise RegistryError(f"'{name}' is missing from the registry (blob {digest[:19]}…)",
                                where=path, hint="the registry lost a file: restore it from a backup")
        data = path.read_bytes()
        if sha256_tagged(data) != digest:
            raise RegistryError(f"'{name}' is corrupt in the registry: its bytes no longer hash to "
                                f"{digest[:19]}…", where=path,
                                hint="the stored file changed after release: restore the registry "
                                     "from a backup; never edit released files")
        return data

    def _temp(self) -> tuple[int, str]:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=tmp_dir, prefix="blob-")

    def _publish(self, tmp: str, digest: str) -> str:
        target = self.blob_path(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        try:
            os.link(tmp, target)
        except FileExistsError:
            pass  # same name = same content; an existing blob is never rewritten
        return digest

    # -- entries -------------------------------------------------------------------------

    def ref_path(self, name: str, version: str) -> Path:
        return self.root / "refs" / check_component("bundle name", name) / \
            check_component("version", version)

    def commit(self, entry: dict) -> EntryRef:
        """Store ``entry`` and publish its ref; refuses a version that is already released."""
        name, version = entry["name"], entry["version"]
        ref = self.ref_path(name, version)
        digest = self.put_bytes(canonical(entry))
        ref.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = self._temp()
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(digest + "\n")
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)
            os.link(tmp, ref)  # atomic and exclusive: the commit point
        except FileExistsError:
            raise RegistryError(f"{name} {version} is already released in this registry", where=ref,
                                hint="released entries are immutable: bump the bundle's version") from None
        finally:
            Path(tmp).unlink(missing_ok=True)
        _fsync_dir(ref.parent)
        return EntryRef(name, version, digest, ref)

    def refs(self, name: str | None = None) -> list[EntryRef]:
        """Every committed release (of ``name``, when given)."""
        base = self.root / "refs"
        if not base.is_dir():
            return []
        folders = [base / check_component("bundle name", name)] if name else sorted(p for p in base.iterdir() if p.is_dir())
        out = []
        for folder in folders:
            if not folder.is_dir():
                continue
            for ref in sorted(folder.iterdir()):
                if ref.is_file() and _NAME.match(ref.name):
                    out.append(EntryRef(folder.name, ref.name, ref.read_text("utf-8").strip(), ref))
        return out

    def find(self, name: str | None, version: str) -> EntryRef:
        matches = [r for r in self.refs(name) if r.version == version]
        if not matches:
            known = ", ".join(f"{r.name} {r.version}" for r in self.refs(name)) or "none"
            raise RegistryError(f"no release {name + ' ' if name else ''}{version} in the registry "
                                f"(releases: {known})", where=self.root,
                                hint="list releases with `gatekeeper rollback --registry DIR --list`")
        if len(matches) > 1:
            raise RegistryError(f"version {version} is released under several names "
                                f"({', '.join(r.name for r in matches)})", where=self.root,
                                hint="say which with --name")
        return matches[0]

    def entry(self, ref: EntryRef) -> dict:
        data = self.read_blob(ref.digest, f"entry {ref.name} {ref.version}")
        try:
            entry = json.loads(data)
        except ValueError:
            raise RegistryError(f"entry {ref.name} {ref.version} is not JSON", where=ref.path) from None
        if entry.get("format") != ENTRY_FORMAT:
            raise RegistryError(f"entry {ref.name} {ref.version} has format {entry.get('format')!r}, "
                                f"this gatekeeper reads format {ENTRY_FORMAT}", where=ref.path,
                                hint="use the gatekeeper version that wrote it")
        return entry


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False).encode("utf-8")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
