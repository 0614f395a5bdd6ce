"""Plan, apply and re-read on in-process moto: the round trip the tests assert on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftwatch import aws, drift
from driftwatch import snapshot as snap
from driftwatch.aws import AwsTarget
from driftwatch.changes import Change
from driftwatch.collect.region import RegionRead
from driftwatch.revert import planfile
from driftwatch.revert.apply import Applier, ApplyOptions, ApplyReport
from driftwatch.revert.emulators import MOTO_IGNORES_DRY_RUN
from driftwatch.revert.live import LiveReader
from driftwatch.revert.planner import plan_revert
from driftwatch.revert.steps import Plan, RevertStep, SnapshotRef, dumps
from driftwatch.revert.undo import UndoLog
from driftwatch.snapshot import Snapshot

__all__ = ["Applier", "UndoLog", "drift", "dumps"]

ACCOUNT = "123456789012"
TARGET = AwsTarget()
DATA = Path(__file__).resolve().parent.parent / "data"
# moto settles at once: verify with a single read instead of polling.
OPTIONS = ApplyOptions(
    dry_run_ignored=MOTO_IGNORES_DRY_RUN, settle_scale=0.0, poll_interval=0.0
)


def snapshot(ec2: Any, name: str = "moto") -> Snapshot:
    """A snapshot of the moto region by the collector's own region reads.

    The reads run one after the other on the test's client: the full collector
    makes new clients for every snapshot, which costs more than the reads on
    moto, and the round trips take hundreds of snapshots.
    """
    region = RegionRead(ACCOUNT, ec2.meta.region_name, lambda *_: None)
    pending = region.first_reads()
    while pending:
        read = pending.pop(0)
        try:
            outcome: Any = read.fetch(ec2)
        except aws.AWS_FAILURES as exc:
            outcome = exc
        pending += region.settle(read, outcome)
    return snap.build(region.resources(), region.coverage(), snapshot_id=name)


def plan_for(
    baseline: Snapshot,
    current: Snapshot,
    *,
    keep_new: bool = False,
    reader: LiveReader | None = None,
) -> tuple[drift.DriftResult, Plan]:
    """Drift and the revert plan, the plan passed through its JSON file format."""
    result = drift.compute(baseline, current)
    plan = plan_revert(
        baseline,
        current,
        baseline_ref=SnapshotRef(baseline.snapshot_id, "b" * 64),
        current_ref=SnapshotRef(current.snapshot_id, "c" * 64),
        drift=result,
        keep_new=keep_new,
        reader=reader or LiveReader(TARGET),
    )
    loaded = planfile.from_document(json.loads(dumps(plan)))
    # The plan file is lossless: what is read back writes the same bytes.
    assert dumps(loaded) == dumps(plan)
    return result, loaded


def plan_now(ec2: Any, baseline: Snapshot, **options: Any) -> Plan:
    """The plan from ``baseline`` to the live state now."""
    return plan_for(baseline, snapshot(ec2, "current"), **options)[1]


def apply(
    plan: Plan,
    store: Path,
    options: ApplyOptions = OPTIONS,
    reader: LiveReader | None = None,
) -> tuple[ApplyReport, ApplyReport, UndoLog]:
    """Check and run a plan; return (check report, run report, undo log)."""
    applier = Applier(plan, TARGET, options, reader=reader)
    checked = applier.check()
    log = UndoLog.start(store, plan, "p" * 64)
    return checked, applier.run(checked, log), log


def operations(plan: Plan) -> list[str]:
    """The operations of the plan's steps, in order."""
    return [step.operation for step in plan.steps]


def only_step(plan: Plan) -> RevertStep:
    """The one step of a plan (fails with the operations when there are more)."""
    assert len(plan.steps) == 1, operations(plan)
    return plan.steps[0]


@dataclass(frozen=True)
class Trip:
    """Everything a round trip produced."""

    result: drift.DriftResult
    plan: Plan
    checked: ApplyReport
    report: ApplyReport
    after: Snapshot
    left: tuple[Change, ...]

    @property
    def manual_ids(self) -> set[str]:
        """Change ids the plan sent to people."""
        return {cid for item in self.plan.manual for cid in item.change_ids}


def round_trip(
    ec2: Any, baseline: Snapshot, store: Path, reader: LiveReader | None = None
) -> Trip:
    """Plan from the live state back to ``baseline``, apply, and re-read."""
    reader = reader or LiveReader(TARGET)
    result, plan = plan_for(baseline, snapshot(ec2, "current"), reader=reader)
    checked, report, _ = apply(plan, store, reader=reader)
    after = snapshot(ec2, "after")
    left = drift.compute(baseline, after).changes
    return Trip(result, plan, checked, report, after, left)
