"""The undo log of an apply, and the inverse of each step.

The log is ``<store>/undo/<UTC time>.json``, written atomically when the
apply starts and again after every step, so a crash leaves a true record of
what was done. Each entry holds the step as sent (with the association id read
just before), its outcome, the live values of its parts before the call, and
the call's response. Its ``undo`` member is itself a driftwatch plan (format
``driftwatch-plan``) of the inverse steps in reverse order, so
``driftwatch revert --apply <undo log>`` puts back what the apply changed.

The inverse of a step is found by the same revert rules run the other way:
its checks swapped (baseline becomes current) are handed to the rule of the
part. Deleting a resource has no inverse; the log says so and keeps the
resource's properties as they were.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from driftwatch.files import atomic_write
from driftwatch.revert.parts import WHOLE, PartDiff, field_of
from driftwatch.revert.rules import rules_for
from driftwatch.revert.rules.base import Draft, FieldRule, RegionView
from driftwatch.revert.steps import Plan, RevertStep, SnapshotRef

logger = logging.getLogger(__name__)

UNDO_FORMAT = "driftwatch-undo"
SCHEMA_VERSION = 1


def inverse(step: RevertStep) -> tuple[RevertStep, ...] | None:
    """The steps that undo ``step``, or None when it cannot be undone (a delete)."""
    checks = step.precondition.checks
    if any(check.part == WHOLE for check in checks):
        return None
    view = RegionView(step.account_id, step.region)
    diffs = [
        PartDiff(
            c.resource_type,
            c.resource_id,
            field_of(c.part),
            c.part,
            c.after.value,
            c.before.value,
        )
        for c in checks
    ]
    grouped: dict[FieldRule, list[PartDiff]] = {}
    for diff in diffs:
        rules = rules_for(diff.resource_type)
        rule = rules.fields.get(diff.field) if rules else None
        if rule is None:
            return None
        grouped.setdefault(rule, []).append(diff)
    outcome = [item for rule, group in grouped.items() for item in rule(view, group)]
    if not outcome or not all(isinstance(item, Draft) for item in outcome):
        return None
    return tuple(
        replace(item.step, reason=f"Undo: {item.step.reason}")
        for item in outcome
        if isinstance(item, Draft)
    )


@dataclass
class UndoLog:
    """The undo log of one apply, rewritten whole after every step."""

    path: Path
    plan: Plan
    plan_sha256: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    undo_steps: list[RevertStep] = field(default_factory=list)
    started_at: str = ""
    status: str = "running"

    @classmethod
    def start(cls, store_root: Path, plan: Plan, plan_sha256: str) -> UndoLog:
        """Create the log file for an apply that starts now."""
        moment = datetime.now(UTC)
        stamp = moment.strftime("%Y%m%dT%H%M%S.%fZ")
        path = store_root / "undo" / f"{stamp}.json"
        log = cls(path, plan, plan_sha256, started_at=_iso(moment))
        log.write()
        logger.info("undo log: %s", path)
        return log

    def record(
        self, entry: dict[str, Any], step: RevertStep | None, applied: bool
    ) -> None:
        """Add one step's entry (and its inverse when it changed AWS), then write."""
        if applied and step is not None:
            undo = inverse(step)
            if undo is None:
                entry["undo"] = "cannot be undone automatically; see before"
            else:
                entry["undo"] = [u.operation for u in undo]
                self.undo_steps[:0] = list(undo)
        self.entries.append(entry)
        self.write()

    def finish(self, status: str) -> None:
        """Record how the apply ended."""
        self.status = status
        self.write()

    def to_document(self) -> dict[str, Any]:
        """The log as written: the entries and the plan that undoes them."""
        undo_plan = Plan(
            baseline=self.plan.current,
            current=SnapshotRef("after-apply", "", ""),
            steps=tuple(self.undo_steps),
        )
        return {
            "format": UNDO_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "plan": {
                "sha256": self.plan_sha256,
                "baseline": self.plan.baseline.to_document(),
                "current": self.plan.current.to_document(),
            },
            "started_at": self.started_at,
            "updated_at": _iso(datetime.now(UTC)),
            "status": self.status,
            "steps": self.entries,
            "undo": undo_plan.to_document(),
        }

    def write(self) -> None:
        """Replace the log file in one rename."""
        text = json.dumps(self.to_document(), sort_keys=True, indent=2, default=str)
        atomic_write(self.path, (text + "\n").encode("utf-8"))


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
