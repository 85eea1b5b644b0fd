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

import errno
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gatekeeper.core.errors import ConfigError
from gatekeeper.core.files import open_regular, read_regular, sha256_tagged

ENTRY_FORMAT = 1
META_DIR = ".gatekeeper-release"  # where a restore puts the approving report: no entry file may go there
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
    problem: str | None = None  # set when the ref file cannot be read (refs() never raises for one)


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

    def check_readable(self) -> None:
        """A registry to read from must be a directory (a missing one or a file is exit 4)."""
        if not self.root.is_dir():
            what = "is a file, not a registry directory" if self.root.exists() else "does not exist"
            raise RegistryError(f"the release registry {what}", where=self.root,
                                hint="pass --registry with the directory `gatekeeper release` wrote")

    def check_writable(self) -> None:
        """Fail now, naming the registry, when it cannot take a release (read-only, full,
        a file): before the fingerprint, not after it."""
        try:
            fd, tmp = self._temp()
            try:
                os.write(fd, b"\0" * 4096)
                os.fsync(fd)
            finally:
                os.close(fd)
                Path(tmp).unlink(missing_ok=True)
        except OSError as exc:
            raise self._write_error(exc) from None

    def _write_error(self, exc: OSError) -> RegistryError:
        return RegistryError(f"cannot write to the release registry: {exc.strerror or exc}",
                             where=exc.filename or self.root,
                             hint="pass --registry with a writable directory that has free space")

    # -- blobs ---------------------------------------------------------------------------

    def blob_path(self, digest: str) -> Path:
        hexd = digest.removeprefix("sha256:") if isinstance(digest, str) else ""
        if not re.fullmatch(r"[0-9a-f]{64}", hexd):
            raise RegistryError(f"malformed digest {digest!r} in the registry", where=self.root)
        return self.root / "objects" / hexd[:2] / hexd[2:]

    def put_file(self, source: Path) -> str:
        """Copy ``source`` into the store; return its digest (hashed while copying)."""
        digest = hashlib.sha256()
        try:
            handle = open_regular(source)
        except OSError as exc:
            raise RegistryError(f"cannot read {source.name} to release it: {exc.strerror}",
                                where=source, hint="restore the file, then release again") from None
        try:
            fd, tmp = self._temp()
        except OSError as exc:
            handle.close()
            raise self._write_error(exc) from None
        try:
            with os.fdopen(fd, "wb") as out, handle:
                while block := handle.read(_BLOCK):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            return self._publish(tmp, "sha256:" + digest.hexdigest())
        except OSError as exc:
            raise self._write_error(exc) from None
        finally:
            Path(tmp).unlink(missing_ok=True)

    def put_bytes(self, data: bytes) -> str:
        try:
            fd, tmp = self._temp()
        except OSError as exc:
            raise self._write_error(exc) from None
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            return self._publish(tmp, sha256_tagged(data))
        except OSError as exc:
            raise self._write_error(exc) from None
        finally:
            Path(tmp).unlink(missing_ok=True)

    def read_blob(self, digest: str, name: str) -> bytes:
        """A (small) blob's bytes, verified against its digest; ``name`` is what errors call it."""
        out = bytearray()
        self._stream(digest, name, out.extend)
        return bytes(out)

    def verify_blob(self, digest: str, name: str) -> None:
        """Re-hash a blob without holding it in memory."""
        self._stream(digest, name, lambda block: None)

    def copy_blob(self, digest: str, name: str, target: Path) -> None:
        """Stream a blob into a new file ``target``; the caller discards it unless this returns."""
        with open(target, "xb") as out:
            self._stream(digest, name, out.write)

    def _stream(self, digest: str, name: str, sink) -> None:
        path = self.blob_path(digest)
        if not path.is_file():
            raise RegistryError(f"'{name}' is missing from the registry (blob {digest[:19]}…)",
                                where=path, hint="the registry lost a file: restore it from a backup")
        hasher = hashlib.sha256()
        try:
            with open_regular(path) as handle:
                while block := handle.read(_BLOCK):
                    hasher.update(block)
                    sink(block)
        except OSError as exc:
            raise RegistryError(f"cannot read '{name}' from the registry: {exc.strerror}", where=path,
                                hint="check the registry's permissions, or restore it from a backup") from None
        if "sha256:" + hasher.hexdigest() != digest:
            raise RegistryError(f"'{name}' is corrupt in the registry: its bytes no longer hash to "
                                f"{digest[:19]}…", where=path,
                                hint="the stored file changed after release: restore the registry "
                                     "from a backup; never edit released files")

    def _temp(self) -> tuple[int, str]:
        if self.root.exists() and not self.root.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a directory", str(self.root))
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
        try:
            ref.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = self._temp()
        except OSError as exc:
            raise self._write_error(exc) from None
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
        except OSError as exc:
            raise self._write_error(exc) from None
        finally:
            Path(tmp).unlink(missing_ok=True)
        _fsync_dir(ref.parent)
        return EntryRef(name, version, digest, ref)

    def refs(self, name: str | None = None) -> list[EntryRef]:
        """Every committed release (of ``name``, when given). Each ref is read on its own: one
        that cannot be read comes back with its ``problem`` instead of hiding the others."""
        base = self.root / "refs"
        if not base.is_dir():
            return []
        folders = [base / check_component("bundle name", name)] if name else \
            sorted(p for p in base.iterdir() if p.is_dir() and _NAME.match(p.name))
        out = []
        for folder in folders:
            if not folder.is_dir():
                continue
            for ref in sorted(folder.iterdir()):
                if _NAME.match(ref.name) and not ref.is_dir():
                    digest, problem = _read_ref(ref)
                    out.append(EntryRef(folder.name, ref.name, digest, ref, problem))
        return out

    def find(self, name: str | None, version: str) -> EntryRef:
        refs = self.refs(name)
        matches = [r for r in refs if r.version == version]
        if not matches:
            known = ", ".join(f"{r.name} {r.version}" for r in refs) or "none"
            raise RegistryError(f"no release {name + ' ' if name else ''}{version} in the registry "
                                f"(releases: {known})", where=self.root,
                                hint="list releases with `gatekeeper rollback --registry DIR --list`")
        if len(matches) > 1:
            raise RegistryError(f"version {version} is released under several names "
                                f"({', '.join(r.name for r in matches)})", where=self.root,
                                hint="say which with --name")
        return matches[0]

    def entry(self, ref: EntryRef) -> dict:
        """The entry a ref points at, checked for shape: a crafted entry is a RegistryError
        naming it, never a KeyError or AttributeError."""
        what = f"entry {ref.name} {ref.version}"
        if ref.problem:
            raise RegistryError(f"the ref of {ref.name} {ref.version} {ref.problem}", where=ref.path,
                                hint="the registry is damaged: restore refs/ from a backup")
        data = self.read_blob(ref.digest, what)
        try:
            entry = json.loads(data)
        except ValueError:
            raise RegistryError(f"{what} is not JSON", where=ref.path) from None
        if not isinstance(entry, dict) or entry.get("format") != ENTRY_FORMAT:
            found = entry.get("format") if isinstance(entry, dict) else f"a JSON {type(entry).__name__}"
            raise RegistryError(f"{what} has format {found!r}, this gatekeeper reads format "
                                f"{ENTRY_FORMAT}", where=ref.path, hint="use the gatekeeper version that wrote it")
        problem = entry_problem(entry, ref)
        if problem:
            raise RegistryError(f"{what} is malformed: {problem}", where=ref.path,
                                hint="the entry was not written by gatekeeper: do not restore it")
        return entry


def _read_ref(path: Path) -> tuple[str, str | None]:
    """(digest, None), or ("", why the ref cannot be used)."""
    try:
        raw = read_regular(path)
    except OSError as exc:
        return "", f"cannot be read: {exc.strerror}"
    text = raw.decode("ascii", "replace").strip()
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", text):
        return "", f"does not hold an entry digest (found {raw[:24]!r})"
    return text, None


def entry_problem(entry: dict, ref: EntryRef | None = None) -> str | None:
    """What is wrong with an entry's shape (None: every field restore and rollback read is sound)."""
    if ref is not None and (entry.get("name"), entry.get("version")) != (ref.name, ref.version):
        return f"it is the entry of {entry.get('name')!r} {entry.get('version')!r}, not {ref.name} {ref.version}"
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return "'files' must be an object of path: sha256 with at least one file"
    for rel, digest in files.items():
        if not isinstance(digest, str) or not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            return f"file {rel!r} has digest {digest!r}"
        try:
            safe_relpath(rel)
        except RegistryError as exc:
            return exc.message
    paths = {PurePosixPath(rel) for rel in files}
    inside_meta = next((str(p) for p in sorted(paths) if p.parts[0] == META_DIR), None)
    if inside_meta:
        return f"'{inside_meta}' would overwrite the restore's own {META_DIR}/ folder"
    clash = next((p for p in sorted(paths) if any(parent in paths for parent in p.parents)), None)
    if clash is not None:
        return f"'{clash}' is stored inside '{next(q for q in clash.parents if q in paths)}', which is a file"
    if not isinstance(entry.get("report"), str) or not re.fullmatch(r"sha256:[0-9a-f]{64}", entry["report"]):
        return f"'report' must be a sha256 digest, found {entry.get('report')!r}"
    bundle_dir = entry.get("bundle_dir")
    if not isinstance(bundle_dir, str):
        return f"'bundle_dir' must be a path, found {bundle_dir!r}"
    if bundle_dir != ".":
        try:
            safe_relpath(bundle_dir)
        except RegistryError as exc:
            return f"bundle_dir: {exc.message}"
    manifest = "gatekeeper.yaml" if bundle_dir == "." else f"{bundle_dir}/gatekeeper.yaml"
    if manifest not in files:
        return f"bundle_dir {bundle_dir!r} holds no gatekeeper.yaml among the entry's files"
    fingerprint = entry.get("fingerprint")
    if not isinstance(fingerprint, dict) or not isinstance(fingerprint.get("probes"), list):
        return "'fingerprint' must be an object with a list of probes"
    return None


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
