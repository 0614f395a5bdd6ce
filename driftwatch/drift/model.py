"""The result of a drift computation: changes, unknown scopes, ignored changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from driftwatch.changes import Change
from driftwatch.drift.ignore import IgnoreRule
from driftwatch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK


@dataclass(frozen=True)
class Unknown:
    """An (account, region, type) that one side could not read: no verdict there."""

    account_id: str
    region: str
    resource_type: str
    reason: str

    def to_document(self) -> dict[str, Any]:
        """The row as the diff JSON of the contract has it."""
        return {
            "account_id": self.account_id,
            "region": self.region,
            "resource_type": self.resource_type,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class IgnoredChange:
    """A change that an ignore rule in force suppressed."""

    change: Change
    rule: IgnoreRule

    def to_document(self) -> dict[str, Any]:
        """The change and the rule that hid it."""
        return {"change": self.change.to_document(), "rule": self.rule.to_document()}


@dataclass(frozen=True)
class DriftResult:
    """Drift between a baseline and a current snapshot."""

    changes: tuple[Change, ...]
    unknown: tuple[Unknown, ...]
    ignored: tuple[IgnoredChange, ...] = ()
    expired_rules: tuple[IgnoreRule, ...] = ()

    def counts(self) -> dict[str, int]:
        """Changes per action, and the number of unknown scopes."""
        counts = {"added": 0, "removed": 0, "modified": 0}
        for change in self.changes:
            counts[change.action] += 1
        counts["unknown"] = len(self.unknown)
        return counts

    @property
    def exit_code(self) -> int:
        """1 for drift, else 3 when something was unknown, else 0."""
        if self.changes:
            return EXIT_FINDINGS
        if self.unknown:
            return EXIT_INCOMPLETE
        return EXIT_OK
