"""The store: a tinydb catalog plus one JSON file per snapshot and per baseline.

Layout of a store directory::

    <store>/catalog.json              tinydb: tables "snapshots" and "baselines"
    <store>/snapshots/<id>.json[.gz]  every snapshot taken
    <store>/NAME.json                 the approved baseline NAME, for people to read
    <store>/versions/NAME/<N>.json    every approved version, readable as NAME@N
    <store>/.lock                     held while anything in the store is written

Every file is written to a temporary name and renamed into place, and the
catalog itself is written the same way (``AtomicJSONStorage``), so a crash or a
second cron run at the same moment leaves either the old or the new state,
never half of one. Integrity hashes live in the catalog, not in the files: a
baseline edited by hand is accepted as it stands.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock
from tinydb import Query, TinyDB
from tinydb.storages import Storage

from driftwatch import snapshot as snap
from driftwatch.errors import InputError, RefNotFoundError, StoreError
from driftwatch.files import atomic_write

logger = logging.getLogger(__name__)

CATALOG = "catalog.json"
LOCK = ".lock"
LOCK_TIMEOUT_SECONDS = 60
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
REF_VERSION = re.compile(r"^(?P<name>[^@]+)@(?P<version>\d+)$")


class AtomicJSONStorage(Storage):
    """A tinydb storage that refuses a damaged file and replaces it atomically."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, Any] | None:
        """The whole catalog, or None for a store that has none yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(
                f"The catalog {self.path} cannot be read ({exc.strerror}); check "
                "its permissions, or pass another --store."
            ) from exc
        except UnicodeDecodeError as exc:
            raise StoreError(
                f"The catalog {self.path} is damaged (not UTF-8 text); it was left "
                "as it is: restore it from a backup or move it aside to start anew."
            ) from exc
        if not text.strip():
            return None
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise StoreError(
                f"The catalog {self.path} is damaged ({exc}); it was left as it "
                "is: restore it from a backup or move it aside to start a new one."
            ) from exc
        if not isinstance(document, dict):
            raise StoreError(f"The catalog {self.path} is not a tinydb catalog.")
        return document

    def write(self, data: dict[str, Any]) -> None:
        """Replace the catalog in one rename."""
        content = json.dumps(data, sort_keys=True, indent=1).encode("utf-8")
        atomic_write(self.path, content + b"\n")

    def close(self) -> None:
        """Nothing is held open between operations."""


@dataclass(frozen=True)
class Loaded:
    """A snapshot read through a REF, with where it came from and its hash."""

    snapshot: snap.Snapshot
    sha256: str
    source: str

    def header(self) -> dict[str, str]:
        """The snapshot_id / taken_at / sha256 block of diff and plan documents."""
        return {
            "snapshot_id": self.snapshot.snapshot_id,
            "taken_at": self.snapshot.taken_at,
            "sha256": self.sha256,
        }


def load_file(path: Path) -> Loaded:
    """Read a snapshot or baseline file given by path."""
    content = snap.read_bytes(path)
    return Loaded(snap.loads(content, str(path)), snap.sha256(content), str(path))


class Store:
    """A store directory: snapshots, approved baselines and their catalog."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # --- locking and the catalog ------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[TinyDB]:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock = filelock.FileLock(str(self.root / LOCK))
            lock.acquire(timeout=LOCK_TIMEOUT_SECONDS)
        except filelock.Timeout as exc:
            raise StoreError(
                f"The store {self.root} is locked by another driftwatch run; "
                f"wait for it or remove {self.root / LOCK} if none is running."
            ) from exc
        except OSError as exc:
            raise StoreError(
                f"The store {self.root} cannot be used ({exc.strerror}); "
                "check the path and its permissions, or pass another --store."
            ) from exc
        try:
            with TinyDB(str(self.root / CATALOG), storage=AtomicJSONStorage) as db:
                # Read the catalog before anything is written: a damaged one
                # stops the command while the store is still as it was.
                db.tables()
                yield db
        finally:
            lock.release()

    def _catalog(self) -> TinyDB:
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(
                f"The store {self.root} is not a directory; pass another --store."
            )
        if not self.root.is_dir():
            return TinyDB(storage=_EmptyStorage)
        return TinyDB(str(self.root / CATALOG), storage=AtomicJSONStorage)

    def check(self) -> None:
        """Fail now, with StoreError, if the store could not take a write later.

        A snapshot of many regions takes a while: a damaged catalog or a store
        path that cannot be written should stop it before it starts.
        """
        self._catalog().tables()
        if self.root.is_dir() and not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreError(
                f"The store {self.root} is not writable; check its permissions, "
                "or pass another --store."
            )

    # --- snapshots ----------------------------------------------------------------

    def add_snapshot(self, snapshot: snap.Snapshot, *, compress: bool = False) -> Path:
        """Write a snapshot file and record it in the catalog; return its path."""
        suffix = ".json.gz" if compress else ".json"
        path = self.root / "snapshots" / f"{snapshot.snapshot_id}{suffix}"
        with self._locked() as db:
            content = snap.write(path, snapshot)
            db.table("snapshots").insert(
                {
                    "snapshot_id": snapshot.snapshot_id,
                    "taken_at": snapshot.taken_at,
                    "accounts": list(snapshot.accounts),
                    "regions": list(snapshot.regions),
                    "counts": snapshot.counts(),
                    "complete": snapshot.complete,
                    "sha256": snap.sha256(content),
                    "label": snapshot.label,
                    "path": str(path.relative_to(self.root)),
                }
            )
        logger.info("stored snapshot %s at %s", snapshot.snapshot_id, path)
        return path

    def snapshots(self) -> list[dict[str, Any]]:
        """Catalog rows of every stored snapshot, oldest first."""
        rows = [dict(row) for row in self._catalog().table("snapshots").all()]
        return sorted(rows, key=lambda row: (row["taken_at"], row["snapshot_id"]))

    # --- baselines ----------------------------------------------------------------

    def approve(self, loaded: Loaded, name: str, *, approved_by: str | None) -> int:
        """Record ``loaded`` as the next version of baseline ``name``; return it."""
        _check_name(name)
        content = snap.dumps(loaded.snapshot)
        with self._locked() as db:
            table = db.table("baselines")
            versions = [row["version"] for row in table.search(Query().name == name)]
            version = max(versions, default=0) + 1
            version_path = self.root / "versions" / name / f"{version}.json"
            atomic_write(version_path, content)
            atomic_write(self.root / f"{name}.json", content)
            table.insert(
                {
                    "name": name,
                    "version": version,
                    "snapshot_id": loaded.snapshot.snapshot_id,
                    "taken_at": loaded.snapshot.taken_at,
                    "approved_at": _now(),
                    "approved_by": approved_by,
                    "accounts": list(loaded.snapshot.accounts),
                    "regions": list(loaded.snapshot.regions),
                    "counts": loaded.snapshot.counts(),
                    "sha256": snap.sha256(content),
                    "source": loaded.source,
                    "path": str(version_path.relative_to(self.root)),
                }
            )
        logger.info("approved %s as %s@%d", loaded.snapshot.snapshot_id, name, version)
        return version

    def baselines(self) -> list[dict[str, Any]]:
        """Catalog rows of every approved baseline version, by name and version."""
        rows = [dict(row) for row in self._catalog().table("baselines").all()]
        return sorted(rows, key=lambda row: (row["name"], row["version"]))

    # --- references ---------------------------------------------------------------

    def resolve(self, ref: str) -> Loaded:
        """Read what a REF names: a file, ``NAME``, ``NAME@N``, a snapshot id, latest.

        Raises:
            RefNotFoundError: the REF names nothing.
            InputError: it names a file that is not a valid snapshot.
            StoreError: the catalog is damaged.
        """
        path = Path(ref)
        if path.is_file():
            return load_file(path)
        named = self._resolve_baseline(ref)
        if named is not None:
            return named
        for row in reversed(self.snapshots()):
            if ref in (row["snapshot_id"], "latest"):
                return load_file(self.root / row["path"])
        raise RefNotFoundError(
            f"{ref!r} is not a file, a baseline in {self.root} (see "
            "'driftwatch baselines'), a stored snapshot id (see 'driftwatch "
            "history') or 'latest'."
        )

    def _resolve_baseline(self, ref: str) -> Loaded | None:
        match = REF_VERSION.match(ref)
        if match is None:
            path = self.root / f"{ref}.json"
            return (
                load_file(path) if NAME_PATTERN.match(ref) and path.is_file() else None
            )
        name, version = match["name"], int(match["version"])
        for row in self.baselines():
            if row["name"] == name and row["version"] == version:
                return load_file(self.root / row["path"])
        known = [row["version"] for row in self.baselines() if row["name"] == name]
        if not known:
            return None
        raise RefNotFoundError(
            f"Baseline {name} has no version {version}; its versions are "
            f"{', '.join(map(str, known))}."
        )


class _EmptyStorage(Storage):
    """The catalog of a store directory that does not exist yet: empty, read-only."""

    def read(self) -> dict[str, Any] | None:
        return None

    def write(self, data: dict[str, Any]) -> None:
        raise StoreError("The store does not exist; nothing can be written to it.")


def _check_name(name: str) -> None:
    if not NAME_PATTERN.match(name) or name in ("latest", "catalog"):
        raise InputError(
            f"{name!r} cannot be a baseline name: use letters, digits, '.', '_' "
            "or '-' (at most 64), and not 'latest' or 'catalog'."
        )


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_store() -> Path:
    """``$DRIFTWATCH_STORE`` or ``./baselines``."""
    return Path(os.environ.get("DRIFTWATCH_STORE") or "baselines")
