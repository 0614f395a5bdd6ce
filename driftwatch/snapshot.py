"""The snapshot model and its file format.

A snapshot is one JSON document (see CONTRACT.md): metadata, one coverage row
per (account, region, resource type) read, and the resources sorted by
(account, region, type, id). Files are written with sorted keys and a two-space
indent so that an unchanged account gives the same bytes apart from metadata.
A ``.json.gz`` file is accepted wherever a file is read.

Resources keep their ``properties`` as plain JSON-compatible dicts; treat them
as read-only. ``observed`` holds volatile facts (an auto-assigned public IPv4)
that reachability uses and drift ignores.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from driftwatch import __version__, registry
from driftwatch.errors import InputError
from driftwatch.files import atomic_write

FORMAT = "driftwatch-snapshot"
SCHEMA_VERSION = 1
COVERAGE_STATUSES = frozenset(
    {"ok", "denied", "throttled", "not_enabled", "unsupported", "error"}
)
ResourceKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class Resource:
    """One resource in canonical form."""

    account_id: str
    region: str
    resource_type: str
    resource_id: str
    properties: Mapping[str, Any]
    observed: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> ResourceKey:
        """Identity across snapshots: (account, region, type, id)."""
        return (self.account_id, self.region, self.resource_type, self.resource_id)

    def to_document(self) -> dict[str, Any]:
        """The resource as it is written to a snapshot file."""
        document: dict[str, Any] = {
            "account_id": self.account_id,
            "region": self.region,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "properties": self.properties,
        }
        if self.observed:
            document["observed"] = self.observed
        return document


@dataclass(frozen=True)
class Coverage:
    """Whether one (account, region, resource type) was read, and if not, why."""

    account_id: str
    region: str
    resource_type: str
    status: str
    detail: str | None = None

    @property
    def ok(self) -> bool:
        """True when the read succeeded, so an empty result really is empty."""
        return self.status == "ok"

    @property
    def scope(self) -> tuple[str, str, str]:
        """(account, region, type): what this row speaks for."""
        return (self.account_id, self.region, self.resource_type)

    def to_document(self) -> dict[str, Any]:
        """The coverage row as it is written to a snapshot file."""
        return {
            "account_id": self.account_id,
            "region": self.region,
            "resource_type": self.resource_type,
            "status": self.status,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Snapshot:
    """A point-in-time, canonical read of the network resources of some regions."""

    snapshot_id: str
    taken_at: str
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    coverage: tuple[Coverage, ...]
    resources: tuple[Resource, ...]
    tool_version: str = __version__
    label: str | None = None

    @property
    def complete(self) -> bool:
        """True when every (account, region, type) was read."""
        return all(row.ok for row in self.coverage)

    def unknown(self) -> tuple[Coverage, ...]:
        """The coverage rows that were not read: their resources are unknown."""
        return tuple(row for row in self.coverage if not row.ok)

    def known_scopes(self) -> frozenset[tuple[str, str, str]]:
        """(account, region, type) triples that were read successfully."""
        return frozenset(row.scope for row in self.coverage if row.ok)

    def by_key(self) -> dict[ResourceKey, Resource]:
        """Resources by (account, region, type, id)."""
        return {resource.key: resource for resource in self.resources}

    def of_type(self, resource_type: str) -> list[Resource]:
        """The resources of one type, in file order."""
        return [r for r in self.resources if r.resource_type == resource_type]

    def counts(self) -> dict[str, int]:
        """Number of resources per type."""
        counts: dict[str, int] = {}
        for resource in self.resources:
            counts[resource.resource_type] = counts.get(resource.resource_type, 0) + 1
        return dict(sorted(counts.items()))

    def to_document(self) -> dict[str, Any]:
        """The snapshot as the JSON document of the contract."""
        document: dict[str, Any] = {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "snapshot_id": self.snapshot_id,
            "taken_at": self.taken_at,
            "tool_version": self.tool_version,
            "accounts": list(self.accounts),
            "regions": list(self.regions),
            "coverage": [row.to_document() for row in self.coverage],
            "resources": [resource.to_document() for resource in self.resources],
        }
        if self.label:
            document["label"] = self.label
        return document


def build(
    resources: Iterable[Resource],
    coverage: Iterable[Coverage],
    *,
    taken_at: datetime | None = None,
    label: str | None = None,
    snapshot_id: str | None = None,
) -> Snapshot:
    """A snapshot with resources and coverage in the canonical order."""
    moment = (taken_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    ordered = tuple(sorted(resources, key=lambda r: r.key))
    rows = tuple(sorted(coverage, key=lambda row: row.scope))
    return Snapshot(
        snapshot_id=snapshot_id or new_snapshot_id(moment),
        taken_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        accounts=tuple(
            sorted({row.account_id for row in rows} | {r.account_id for r in ordered})
        ),
        regions=tuple(
            sorted({row.region for row in rows} | {r.region for r in ordered})
        ),
        coverage=rows,
        resources=ordered,
        label=label,
    )


def new_snapshot_id(moment: datetime) -> str:
    """A sortable, unique id: the UTC time and a random suffix."""
    return f"{moment.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


# --- serialisation --------------------------------------------------------------


def dumps(snapshot: Snapshot) -> bytes:
    """The canonical bytes of a snapshot file (UTF-8, sorted keys, two-space indent)."""
    text = json.dumps(
        snapshot.to_document(), sort_keys=True, indent=2, ensure_ascii=False
    )
    return (text + "\n").encode("utf-8")


def sha256(content: bytes) -> str:
    """Hex sha256 of file content, as recorded in the catalog."""
    return hashlib.sha256(content).hexdigest()


def read_bytes(path: Path) -> bytes:
    """The decompressed content of a snapshot file (``.gz`` is detected by suffix)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from exc
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: is not a valid gzip file ({exc}).") from exc
    return raw


def load(path: Path) -> Snapshot:
    """Read and validate a snapshot or baseline file."""
    return loads(read_bytes(path), str(path))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while big acyclic trees are built.

    Parsing a snapshot allocates millions of dicts and lists, none in a cycle;
    the collections their allocation triggers would walk all of them again and
    again (several times the parse itself on a 100,000-resource file).
    Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def loads(content: bytes, source: str = "<snapshot>") -> Snapshot:
    """Parse and validate snapshot bytes; ``source`` names the file in errors."""
    with collector_paused():
        return _parse(content, source)


def _parse(content: bytes, source: str) -> Snapshot:
    try:
        document = json.loads(content)
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: is not UTF-8 text ({exc.reason}).") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}); restore it from the store or git."
        ) from exc
    return from_document(document, source)


def from_document(document: Any, source: str = "<snapshot>") -> Snapshot:
    """Validate a parsed snapshot document and build the model from it."""
    _check_header(document, source)
    try:
        coverage = tuple(_coverage(row, source) for row in document["coverage"])
        resources = tuple(_resource(item, source) for item in document["resources"])
        snapshot = Snapshot(
            snapshot_id=str(document["snapshot_id"]),
            taken_at=str(document["taken_at"]),
            accounts=tuple(str(a) for a in document["accounts"]),
            regions=tuple(str(r) for r in document["regions"]),
            coverage=coverage,
            resources=resources,
            tool_version=str(document.get("tool_version", "")),
            label=document.get("label"),
        )
    except KeyError as exc:
        raise InputError(
            f"{source}: a required field is missing: {exc.args[0]}."
        ) from exc
    except (TypeError, AttributeError) as exc:
        raise InputError(f"{source}: a field has the wrong type ({exc}).") from exc
    _check_unique(snapshot, source)
    return snapshot


def _check_header(document: Any, source: str) -> None:
    if not isinstance(document, dict):
        raise InputError(f"{source}: is not a driftwatch snapshot (not a JSON object).")
    if document.get("format") != FORMAT:
        raise InputError(
            f"{source}: is not a driftwatch snapshot (format is "
            f"{document.get('format')!r}, expected {FORMAT!r})."
        )
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InputError(f"{source}: schema_version must be an integer.")
    if version > SCHEMA_VERSION:
        raise InputError(
            f"{source}: was written with schema version {version}, newer than "
            f"this driftwatch understands ({SCHEMA_VERSION}); upgrade driftwatch."
        )
    if version < 1:
        raise InputError(f"{source}: schema_version {version} is not valid.")
    for name in ("coverage", "resources", "accounts", "regions"):
        if not isinstance(document.get(name), list):
            raise InputError(f"{source}: field {name!r} must be a list.")


def _coverage(row: Mapping[str, Any], source: str) -> Coverage:
    if row["status"] not in COVERAGE_STATUSES:
        raise InputError(
            f"{source}: coverage status {row['status']!r} is not one of "
            f"{', '.join(sorted(COVERAGE_STATUSES))}."
        )
    _check_type(row["resource_type"], source)
    return Coverage(
        account_id=str(row["account_id"]),
        region=str(row["region"]),
        resource_type=str(row["resource_type"]),
        status=str(row["status"]),
        detail=row.get("detail"),
    )


def _resource(item: Mapping[str, Any], source: str) -> Resource:
    _check_type(item["resource_type"], source)
    properties = item["properties"]
    if not isinstance(properties, dict):
        raise InputError(
            f"{source}: properties of {item['resource_id']} must be a JSON object."
        )
    observed = item.get("observed") or {}
    if not isinstance(observed, dict):
        raise InputError(
            f"{source}: observed of {item['resource_id']} must be an object."
        )
    return Resource(
        account_id=str(item["account_id"]),
        region=str(item["region"]),
        resource_type=str(item["resource_type"]),
        resource_id=str(item["resource_id"]),
        properties=properties,
        observed=observed,
    )


def _check_type(name: Any, source: str) -> None:
    if name not in registry.BY_NAME:
        raise InputError(
            f"{source}: unknown resource type {name!r}; expected one of "
            f"{', '.join(registry.TYPE_NAMES)}."
        )


def _check_unique(snapshot: Snapshot, source: str) -> None:
    seen: set[ResourceKey] = set()
    for resource in snapshot.resources:
        if resource.key in seen:
            raise InputError(
                f"{source}: resource {resource.resource_id} ({resource.resource_type}, "
                f"{resource.region}) appears twice."
            )
        seen.add(resource.key)


def canonical_properties(resource: Resource) -> Mapping[str, Any]:
    """Properties canonicalised again: a hand-edited baseline reads like a fresh one."""
    entry = registry.resource_type(resource.resource_type)
    properties, _ = entry.canonicalize(resource.properties)
    return properties


def write(path: Path, snapshot: Snapshot) -> bytes:
    """Write a snapshot file atomically (gzip for a .gz name); return its JSON bytes."""
    content = dumps(snapshot)
    stored = gzip.compress(content, mtime=0) if path.suffix == ".gz" else content
    atomic_write(path, stored)
    return content
