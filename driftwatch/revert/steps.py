"""The revert plan model: frozen steps, manual items, and the plan file format.

A ``RevertStep`` is one boto3 call (``getattr(client, operation)(**params)``)
with everything an apply needs to run it safely:

- ``precondition.checks``: the parts of live resources the step changes, each
  with the value the plan saw (``before``, from the current snapshot) and the
  value the step must leave (``after``, from the baseline). Before the call the
  live part must show ``before`` (or ``after``: already converged, skipped);
  anything else means someone changed it since the plan, and the step is
  refused as stale. After the call the apply polls until every part shows
  ``after``.
- ``precondition.lookup``: a volatile id (an association id) the call needs.
  The plan holds the value read at plan time; the apply reads it again.

Values that come from JSON (params, part values, lookup keys) are held as
``Frozen`` canonical JSON text, so that steps stay immutable and hashable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from driftwatch.drift.model import Unknown

PLAN_FORMAT = "driftwatch-plan"
SCHEMA_VERSION = 1
PLACEHOLDER_PREFIX = "${new:"


@dataclass(frozen=True)
class Frozen:
    """A JSON value held as canonical text: immutable, hashable, comparable."""

    text: str

    @classmethod
    def of(cls, value: Any) -> Frozen:
        """Freeze a JSON-compatible value (tuples become lists)."""
        return cls(json.dumps(value, sort_keys=True, separators=(",", ":")))

    @property
    def value(self) -> Any:
        """A fresh, mutable copy of the value."""
        return json.loads(self.text)

    def same(self, other: Any) -> bool:
        """True when ``other`` (a plain value) is JSON-equal to this one."""
        return Frozen.of(other).text == self.text


NOTHING = Frozen.of(None)


@dataclass(frozen=True)
class PartCheck:
    """One part of a resource a step changes: what it shows now, what it must show."""

    resource_type: str
    resource_id: str
    part: str
    before: Frozen
    after: Frozen
    before_any: bool = False
    after_any: bool = False

    @property
    def target(self) -> tuple[str, str, str]:
        """(type, id, part): what a drift change on the same part points at."""
        return (self.resource_type, self.resource_id, self.part)

    def swapped(self) -> PartCheck:
        """The check of the inverse transition (after becomes before)."""
        return PartCheck(
            self.resource_type,
            self.resource_id,
            self.part,
            self.after,
            self.before,
            before_any=self.after_any,
            after_any=self.before_any,
        )

    def to_document(self) -> dict[str, Any]:
        """The check as it is written in a plan file."""
        document: dict[str, Any] = {
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "part": self.part,
        }
        for name, value, wildcard in (
            ("before", self.before, self.before_any),
            ("after", self.after, self.after_any),
        ):
            if wildcard:
                document[f"{name}_any"] = True
            else:
                document[name] = value.value
        return document


@dataclass(frozen=True)
class Lookup:
    """A volatile id a call needs, found by a read: read at plan and at apply time."""

    kind: str
    key: Frozen
    param: str
    value: str | None = None

    def to_document(self) -> dict[str, Any]:
        """The lookup as it is written in a plan file."""
        return {
            "kind": self.kind,
            "key": self.key.value,
            "param": self.param,
            "value": self.value,
        }


@dataclass(frozen=True)
class Precondition:
    """What the live state must show before a step runs, and after it ran."""

    checks: tuple[PartCheck, ...]
    lookup: Lookup | None = None

    def to_document(self) -> dict[str, Any]:
        """The precondition as it is written in a plan file."""
        document: dict[str, Any] = {"parts": [c.to_document() for c in self.checks]}
        if self.lookup is not None:
            document["lookup"] = self.lookup.to_document()
        return document


@dataclass(frozen=True)
class RevertStep:
    """One boto3 call of a plan, with its reason, links and safety checks."""

    account_id: str
    region: str
    operation: str
    params: Frozen
    reason: str
    precondition: Precondition
    change_ids: tuple[str, ...] = ()
    closes_exposure: bool = False
    destructive: bool = False
    service: str = "ec2"
    binds: tuple[tuple[str, str], ...] = ()

    @property
    def resource_type(self) -> str:
        """The type of the first resource the step checks."""
        return self.precondition.checks[0].resource_type

    @property
    def resource_id(self) -> str:
        """The id of the first resource the step checks."""
        return self.precondition.checks[0].resource_id

    def to_document(self, number: int) -> dict[str, Any]:
        """The step as the plan JSON of the contract has it."""
        document: dict[str, Any] = {
            "step": number,
            "account_id": self.account_id,
            "region": self.region,
            "service": self.service,
            "operation": self.operation,
            "params": self.params.value,
            "reason": self.reason,
            "change_ids": list(self.change_ids),
            "closes_exposure": self.closes_exposure,
            "destructive": self.destructive,
            "precondition": self.precondition.to_document(),
        }
        if self.binds:
            document["binds"] = dict(self.binds)
        return document


@dataclass(frozen=True)
class ManualItem:
    """Drift that cannot be reverted in place: what to do by hand, and the calls."""

    account_id: str
    region: str
    resource_type: str
    resource_id: str
    reason: str
    change_ids: tuple[str, ...] = ()
    calls: tuple[RevertStep, ...] = ()
    targets: tuple[tuple[str, str, str], ...] = ()

    def to_document(self) -> dict[str, Any]:
        """The manual item as the plan JSON has it (calls are re-creation calls)."""
        document: dict[str, Any] = {
            "change_ids": list(self.change_ids),
            "reason": self.reason,
            "account_id": self.account_id,
            "region": self.region,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
        }
        if self.calls:
            document["calls"] = [
                call.to_document(number) for number, call in enumerate(self.calls, 1)
            ]
        return document


@dataclass(frozen=True)
class KeptResource:
    """A resource created since the baseline that ``--keep-new`` leaves in place."""

    account_id: str
    region: str
    resource_type: str
    resource_id: str
    change_ids: tuple[str, ...] = ()

    def to_document(self) -> dict[str, Any]:
        """The kept resource as the plan JSON lists it."""
        return {
            "account_id": self.account_id,
            "region": self.region,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "change_ids": list(self.change_ids),
        }


@dataclass(frozen=True)
class SnapshotRef:
    """Which snapshot a plan was made from: id, time and the file's sha256."""

    snapshot_id: str
    sha256: str
    taken_at: str = ""

    def to_document(self) -> dict[str, str]:
        """The header block of a plan document."""
        return {
            "snapshot_id": self.snapshot_id,
            "sha256": self.sha256,
            "taken_at": self.taken_at,
        }


@dataclass(frozen=True)
class Plan:
    """An ordered revert plan, with what is left to people."""

    baseline: SnapshotRef
    current: SnapshotRef
    steps: tuple[RevertStep, ...]
    manual: tuple[ManualItem, ...] = ()
    kept: tuple[KeptResource, ...] = ()
    unknown: tuple[Unknown, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """True when there is nothing to do, automatically or by hand."""
        return not self.steps and not self.manual

    def to_document(self) -> dict[str, Any]:
        """The plan as the JSON document of the contract."""
        return {
            "format": PLAN_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "baseline": self.baseline.to_document(),
            "current": self.current.to_document(),
            "steps": [step.to_document(n) for n, step in enumerate(self.steps, 1)],
            "manual": [item.to_document() for item in self.manual],
            "kept": [item.to_document() for item in self.kept],
            "unknown": [item.to_document() for item in self.unknown],
        }


def dumps(plan: Plan) -> str:
    """The plan file text: sorted keys, two-space indent, a final newline."""
    return json.dumps(plan.to_document(), sort_keys=True, indent=2) + "\n"


def placeholder(resource_id: str) -> str:
    """The stand-in for the id a re-created resource will get."""
    return f"{PLACEHOLDER_PREFIX}{resource_id}}}"


# Every string in JSON text shaped like an EC2 id (``prefix-suffix``) or a
# placeholder: found in one pass of C code, then matched against a set.
ID_LIKE = re.compile(r'"((?:[a-z0-9]+-)+[0-9A-Za-z]+|\$\{new:[^"}]*\})"')


class IdFinder:
    """Finds which of many ids a JSON value names, fast enough for whole snapshots.

    The value is written as JSON once and every id-shaped string in it is taken
    by one regular expression, so the cost does not grow with the number of ids.
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = frozenset(ids)

    def found(self, value: Any) -> set[str]:
        """The ids that appear as strings anywhere in ``value``."""
        if not self.ids:
            return set()
        text = json.dumps(value, default=str)
        return {match for match in ID_LIKE.findall(text) if match in self.ids}


def mentions(value: Any, ids: frozenset[str] | set[str]) -> set[str]:
    """The strings of ``ids`` that appear anywhere in a JSON value."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item in ids:
                found.add(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, Sequence):
            stack.extend(item)
    return found
