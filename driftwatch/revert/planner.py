"""Turn a baseline and a current snapshot into an ordered revert plan.

Per account and region, the planner:

1. keeps only the (type) scopes read successfully in both snapshots: a type
   that was not read is unknown, so nothing is planned for it and nothing
   created since the baseline is deleted in that region;
2. replaces every deleted resource that can be re-created by a placeholder
   (``driftwatch.revert.recreate``);
3. diffs each resource part by part and hands the diffs to the type's revert
   rules (``driftwatch.revert.rules.REVERT_RULES``);
4. decides which resources created since the baseline can be removed
   (``driftwatch.revert.removal``) and asks their rules for the steps;
5. links every step and manual item to the drift changes it undoes, and sends
   any change no rule undid to the manual list;
6. orders the steps (``driftwatch.revert.order``) and resolves the association
   ids they need with read-only calls.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from driftwatch import registry
from driftwatch.changes import Change
from driftwatch.drift import DriftResult
from driftwatch.errors import AwsError
from driftwatch.revert import order as ordering
from driftwatch.revert.link import ChangeIndex
from driftwatch.revert.region import RegionPlan, plan_region
from driftwatch.revert.rules.base import Draft, Manual, rank
from driftwatch.revert.steps import (
    Frozen,
    KeptResource,
    Lookup,
    ManualItem,
    Plan,
    RevertStep,
    SnapshotRef,
)
from driftwatch.snapshot import Resource, Snapshot, canonical_properties

logger = logging.getLogger(__name__)


class LookupReader(Protocol):
    """Reads a volatile id (an association id) for a step; read-only."""

    def resolve(self, account_id: str, region: str, lookup: Lookup) -> str | None:
        """The id the lookup finds now, or None when there is none."""


def plan_revert(
    baseline: Snapshot,
    current: Snapshot,
    *,
    baseline_ref: SnapshotRef,
    current_ref: SnapshotRef,
    drift: DriftResult,
    keep_new: bool = False,
    reader: LookupReader | None = None,
) -> Plan:
    """The ordered plan that brings ``current`` back to ``baseline``.

    ``drift`` is the drift between the two (``driftwatch.drift.compute``): its
    changes are what the steps link to, its unknown scopes are reported.
    """
    changes = drift.changes
    known = baseline.known_scopes() & current.known_scopes()
    steps: list[RevertStep] = []
    manual: list[ManualItem] = []
    kept: list[KeptResource] = []
    before, after = _by_region(baseline, known), _by_region(current, known)
    for account_id, region in _regions(baseline, current):
        old, new = _inventories(
            before.get((account_id, region), {}), after.get((account_id, region), {})
        )
        region_plan = plan_region(
            account_id,
            region,
            old,
            new,
            complete=_complete(account_id, region, known),
            keep_new=keep_new,
        )
        region_changes = [
            c for c in changes if (c.account_id, c.region) == (account_id, region)
        ]
        linked = _link(region_plan, region_changes, account_id, region)
        steps.extend(_resolve(linked[0], reader))
        manual.extend(
            replace(item, calls=tuple(_resolve(list(item.calls), reader)))
            for item in linked[1]
        )
        kept.extend(linked[2])
        logger.info(
            "planned %s %s: %d steps, %d manual, %d kept",
            account_id,
            region,
            len(linked[0]),
            len(linked[1]),
            len(linked[2]),
        )
    return Plan(
        baseline=baseline_ref,
        current=current_ref,
        steps=tuple(steps),
        manual=tuple(manual),
        kept=tuple(kept),
        unknown=drift.unknown,
    )


def _regions(baseline: Snapshot, current: Snapshot) -> list[tuple[str, str]]:
    pairs = {(r.account_id, r.region) for r in baseline.coverage} | {
        (r.account_id, r.region) for r in current.coverage
    }
    pairs |= {(r.account_id, r.region) for r in baseline.resources}
    return sorted(pairs)


Inventory = dict[tuple[str, str], Resource]


def _by_region(
    snapshot: Snapshot, known: frozenset[tuple[str, str, str]]
) -> dict[tuple[str, str], Inventory]:
    """The resources of the known scopes, by (account, region) and (type, id)."""
    grouped: dict[tuple[str, str], Inventory] = {}
    for r in snapshot.resources:
        if (r.account_id, r.region, r.resource_type) in known:
            region = grouped.setdefault((r.account_id, r.region), {})
            region[(r.resource_type, r.resource_id)] = r
    return grouped


def _inventories(
    baseline: Inventory, current: Inventory
) -> tuple[dict[tuple[str, str], Any], dict[tuple[str, str], Any]]:
    """Canonical properties of both sides; a resource stored alike on both sides
    is not canonicalised again (only a difference needs a second look)."""

    def canonical(resource: Resource, other: Resource | None) -> Any:
        if other is not None and other.properties == resource.properties:
            return resource.properties
        return dict(canonical_properties(resource))

    return (
        {key: canonical(r, current.get(key)) for key, r in baseline.items()},
        {key: canonical(r, baseline.get(key)) for key, r in current.items()},
    )


def _complete(
    account_id: str, region: str, known: frozenset[tuple[str, str, str]]
) -> bool:
    return all((account_id, region, name) in known for name in registry.TYPE_NAMES)


def _link(
    region_plan: RegionPlan,
    changes: Sequence[Change],
    account_id: str,
    region: str,
) -> tuple[list[RevertStep], list[ManualItem], list[KeptResource]]:
    index = ChangeIndex.of(changes)
    used: set[str] = set()

    def linked(draft: Draft) -> Draft:
        found = index.matching(draft.all_targets)
        used.update(c.change_id for c in found)
        step = replace(
            draft.step,
            change_ids=tuple(c.change_id for c in found),
            closes_exposure=any(c.opens_internet_path for c in found),
        )
        return replace(draft, step=step)

    drafts = ordering.order([linked(d) for d in region_plan.drafts])
    manual = [
        _manual_item(m, index, used, account_id, region) for m in region_plan.manual
    ]
    for group in region_plan.recreations:
        calls = [linked(d).step for d in ordering.order(group.calls)]
        found = index.matching(group.targets)
        used.update(c.change_id for c in found)
        call_ids = {i for call in calls for i in call.change_ids}
        manual.append(
            ManualItem(
                account_id,
                region,
                group.resource_type,
                group.resource_id,
                group.reason,
                tuple(sorted({c.change_id for c in found} | call_ids)),
                tuple(calls),
            )
        )
    kept = []
    for resource_type, resource_id in region_plan.kept:
        found = index.matching([(resource_type, resource_id, "")])
        used.update(c.change_id for c in found)
        kept.append(
            KeptResource(
                account_id,
                region,
                resource_type,
                resource_id,
                tuple(c.change_id for c in found),
            )
        )
    manual.extend(_unplanned(changes, used))
    # Registry order: re-created resources come before the ones that refer to them.
    manual.sort(key=lambda m: (*rank((m.resource_type, m.resource_id)), m.reason))
    return [d.step for d in drafts], manual, kept


def _manual_item(
    decision: Manual,
    index: ChangeIndex,
    used: set[str],
    account_id: str,
    region: str,
) -> ManualItem:
    targets = decision.targets or ((decision.resource_type, decision.resource_id, ""),)
    found = index.matching(targets)
    used.update(c.change_id for c in found)
    return ManualItem(
        account_id,
        region,
        decision.resource_type,
        decision.resource_id,
        decision.reason,
        tuple(c.change_id for c in found),
        targets=tuple(targets),
    )


def _unplanned(changes: Sequence[Change], used: set[str]) -> list[ManualItem]:
    return [
        ManualItem(
            change.account_id,
            change.region,
            change.resource_type,
            change.resource_id,
            f"No revert rule undoes this change ({change.summary}); restore it by "
            "hand from the baseline.",
            (change.change_id,),
        )
        for change in changes
        if change.change_id not in used
    ]


def _resolve(steps: list[RevertStep], reader: LookupReader | None) -> list[RevertStep]:
    return [_resolve_step(step, reader) for step in steps]


def _resolve_step(step: RevertStep, reader: LookupReader | None) -> RevertStep:
    wanted = step.precondition.lookup
    if wanted is None or reader is None:
        return step
    try:
        value = reader.resolve(step.account_id, step.region, wanted)
    except AwsError as exc:
        logger.warning("%s; the apply will look it up again", exc)
        return step
    if value is None:
        logger.warning(
            "no %s found for %s in %s; the apply will look for it again",
            wanted.kind,
            step.operation,
            step.region,
        )
        return step
    params = {**step.params.value, wanted.param: value}
    precondition = replace(step.precondition, lookup=replace(wanted, value=value))
    return replace(step, params=Frozen.of(params), precondition=precondition)
