"""The change model: what drift is made of, shared by diff, exposure and revert.

A ``Change`` is one unit of drift that a responder reads, a revert step undoes
and an exposure delta points at:

- a whole resource ``added`` or ``removed`` (``part`` is empty), or
- one part of a resource ``modified``: one item of a keyed list (a security
  group rule, an ACL entry, a route, an association, a tag) or one top-level
  field. ``part`` names it as ``Field`` or ``Field<json key>``, for example
  ``IpPermissions["tcp",22,22,"IpRanges","0.0.0.0/0"]``. The key is JSON so
  that no two keys can print alike (tcp 1-234 is not tcp 12-34).

``change_id`` is a digest of everything that says what the drift is, so the
same drift gets the same id in every run and a different one never does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ACTIONS = ("added", "removed", "modified")
DETAIL_KINDS = ("added", "removed", "changed")
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class Detail:
    """One field-level difference inside a change."""

    path: str
    kind: str
    before: Any = None
    after: Any = None

    def to_document(self) -> dict[str, Any]:
        """The detail as the diff JSON of the contract has it."""
        return {
            "path": self.path,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Change:
    """One unit of drift between a baseline and a current snapshot."""

    change_id: str
    account_id: str
    region: str
    resource_type: str
    resource_id: str
    action: str
    part: str
    severity: str
    summary: str
    details: tuple[Detail, ...]
    opens_internet_path: bool = False
    kind: str = ""

    @property
    def resource_key(self) -> tuple[str, str, str, str]:
        """(account, region, type, id) of the resource the change is on."""
        return (self.account_id, self.region, self.resource_type, self.resource_id)

    def to_document(self) -> dict[str, Any]:
        """The change as the diff JSON of the contract has it."""
        return {
            "change_id": self.change_id,
            "account_id": self.account_id,
            "region": self.region,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "action": self.action,
            "part": self.part,
            "severity": self.severity,
            "summary": self.summary,
            "details": [detail.to_document() for detail in self.details],
            "opens_internet_path": self.opens_internet_path,
            "kind": self.kind,
        }


def part_name(field: str, key: Sequence[Any] | None = None) -> str:
    """The ``part`` of a change: a field, or a field and the JSON of an item key."""
    if key is None:
        return field
    return field + json.dumps(list(key), separators=(",", ":"), default=str)


def change_id(
    resource_key: Sequence[str],
    action: str,
    part: str,
    details: Sequence[Detail],
) -> str:
    """A stable id: the same drift gives the same id in every run."""
    material = json.dumps(
        [list(resource_key), action, part, [d.to_document() for d in details]],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return "dw-" + hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]
