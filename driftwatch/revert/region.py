"""The plan of one account and region, before linking and ordering.

See ``driftwatch.revert.planner`` for the stages; this module holds the ones
that look at resources: re-creation placeholders, part diffs through the
revert rules, and the removal of resources created since the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from driftwatch import registry
from driftwatch.revert.parts import PartDiff, diff_parts
from driftwatch.revert.recreate import substitute
from driftwatch.revert.removal import no_rule, removals
from driftwatch.revert.rules import rules_for
from driftwatch.revert.rules.base import (
    Draft,
    FieldRule,
    Manual,
    Outcome,
    Properties,
    Recreate,
    RegionView,
    ResourceRef,
    RevertRules,
    Target,
    manual,
    rank,
)
from driftwatch.revert.steps import IdFinder, mentions, placeholder

TRACKED = frozenset(registry.TRACKED_TYPES)
Inventory = Mapping[ResourceRef, Properties]


@dataclass(frozen=True)
class Recreation:
    """The re-creation calls of one deleted resource (a manual item)."""

    resource_type: str
    resource_id: str
    reason: str
    calls: tuple[Draft, ...]
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class RegionPlan:
    """Drafts, manual decisions, re-creations and kept resources of a region."""

    drafts: tuple[Draft, ...] = ()
    manual: tuple[Manual, ...] = ()
    recreations: tuple[Recreation, ...] = ()
    kept: tuple[ResourceRef, ...] = field(default=())


def plan_region(
    account_id: str,
    region: str,
    baseline: Inventory,
    current: Inventory,
    *,
    complete: bool,
    keep_new: bool,
) -> RegionPlan:
    """Plan one region from the known parts of both snapshots."""
    plain = RegionView(account_id, region, baseline, current)
    vanished = sorted((k for k in baseline if k not in current), key=rank)
    stand_ins, lost = _recreatable(
        plain,
        [k for k in vanished if k[0] in TRACKED],
        {rid for kind, rid in vanished if kind not in TRACKED},
    )
    mapping = {key[1]: stand_in for key, stand_in in stand_ins.items()}
    finder = IdFinder(mapping)
    substituted = {
        (kind, mapping.get(rid, rid)): (
            substitute(props, mapping) if finder.found(props) else props
        )
        for (kind, rid), props in baseline.items()
    }
    extended = dict(current)
    for (kind, _), stand_in in stand_ins.items():
        extended[(kind, stand_in)] = _recipe(kind).fresh(substituted[(kind, stand_in)])
    view = RegionView(account_id, region, substituted, extended)
    outcome = _modified(view) + _created_calls(view, stand_ins)
    removal, kept = removals(
        view, current, baseline, complete=complete, keep_new=keep_new
    )
    outcome += removal
    outcome += [
        Manual(kind, rid, reason, ((kind, rid, ""),))
        for (kind, rid), reason in lost.items()
    ]
    return _partition(account_id, outcome, stand_ins, lost, kept)


# --- deleted resources ----------------------------------------------------------------


def _rules(resource_type: str) -> RevertRules:
    rules = rules_for(resource_type)
    assert rules is not None
    return rules


def _recipe(resource_type: str) -> Recreate:
    rules = rules_for(resource_type)
    assert rules is not None and rules.recreate is not None
    return rules.recreate


def _recreatable(
    view: RegionView, removed: Sequence[ResourceRef], vanished_ids: set[str]
) -> tuple[dict[ResourceRef, str], dict[ResourceRef, str]]:
    """Deleted resources that can be re-created (with their placeholder), and the
    others with the reason why not; a resource that needs another one that is
    gone for good (its VPC, its subnet) cannot be re-created either."""
    stand_ins: dict[ResourceRef, str] = {}
    lost: dict[ResourceRef, str] = {}
    for key in removed:
        rules = rules_for(key[0])
        properties = view.baseline[key]
        reason = (
            rules.guard(view, key[1], properties) if rules and rules.guard else None
        )
        if rules is None or rules.recreate is None or reason:
            lost[key] = reason or _gone_for_good(key)
        else:
            stand_ins[key] = placeholder(key[1])
    changed = True
    while changed:
        changed = False
        lost_ids = {rid for _, rid in lost} | vanished_ids
        for key in list(stand_ins):
            needed = mentions(view.baseline[key], lost_ids) - {key[1]}
            if needed:
                del stand_ins[key]
                lost[key] = (
                    f"{key[1]} was deleted since the baseline, and so was "
                    f"{', '.join(sorted(needed))}, which it needs; re-create that "
                    "first."
                )
                changed = True
    return stand_ins, lost


def _gone_for_good(key: ResourceRef) -> str:
    label = registry.resource_type(key[0]).label
    return (
        f"{label} {key[1]} was deleted since the baseline and driftwatch cannot "
        "re-create it (and its id cannot come back): re-create it and everything "
        "in it from the baseline by hand or from infrastructure as code."
    )


def _created_calls(view: RegionView, stand_ins: Mapping[ResourceRef, str]) -> Outcome:
    outcome: Outcome = []
    for (kind, _), stand_in in stand_ins.items():
        create = _recipe(kind).create(view, stand_in, view.baseline[(kind, stand_in)])
        outcome.append(
            replace(create, provides=create.provides | {f"created:{stand_in}"})
        )
    return outcome


# --- parts of resources in both snapshots -------------------------------------------


def _modified(view: RegionView) -> Outcome:
    outcome: Outcome = []
    region_diffs: dict[tuple[str, str], list[PartDiff]] = {}
    changed = [
        key
        for key, properties in view.baseline.items()
        if key in view.current and _differs(view.current[key], properties)
    ]
    for key in sorted(changed, key=rank):
        outcome += _resource_outcome(view, key, region_diffs)
    for key in sorted(view.current.keys() - view.baseline.keys(), key=rank):
        _collect_region_diffs(view, key, {}, region_diffs)
    for (kind, field_name), diffs in region_diffs.items():
        outcome += _rules(kind).fields[field_name](view, diffs)
    return outcome


def _resource_outcome(
    view: RegionView,
    key: ResourceRef,
    region_diffs: dict[tuple[str, str], list[PartDiff]],
) -> Outcome:
    rules = rules_for(key[0])
    if rules is None or key[0] not in TRACKED:
        return []
    current, baseline = view.current[key], view.baseline[key]
    diffs = diff_parts(key[0], key[1], current, baseline, rules.whole_fields)
    reason = rules.guard(view, key[1], current) if rules.guard else None
    if reason:
        return manual(diffs, reason)
    outcome: Outcome = []
    grouped: dict[FieldRule, list[PartDiff]] = {}
    for diff in diffs:
        if diff.field in rules.region_fields:
            region_diffs.setdefault((key[0], diff.field), []).append(diff)
        elif diff.field in rules.fields:
            grouped.setdefault(rules.fields[diff.field], []).append(diff)
        else:
            outcome += manual([diff], no_rule(key[0], diff.field))
    for rule, rule_diffs in grouped.items():
        outcome += rule(view, rule_diffs)
    return outcome


def _differs(current: Properties, baseline: Properties) -> bool:
    # Unchanged resources share one properties object (see the planner).
    return current is not baseline and current != baseline


def _collect_region_diffs(
    view: RegionView,
    key: ResourceRef,
    baseline: Properties,
    region_diffs: dict[tuple[str, str], list[PartDiff]],
) -> None:
    rules = rules_for(key[0])
    if rules is None or not rules.region_fields:
        return
    diffs = diff_parts(key[0], key[1], view.current[key], baseline, rules.whole_fields)
    for diff in diffs:
        if diff.field in rules.region_fields:
            region_diffs.setdefault((key[0], diff.field), []).append(diff)


# --- splitting the outcome ------------------------------------------------------------


def _partition(
    account_id: str,
    outcome: Outcome,
    stand_ins: Mapping[ResourceRef, str],
    lost: Mapping[ResourceRef, str],
    kept: tuple[ResourceRef, ...],
) -> RegionPlan:
    by_stand_in = {stand_in: key for key, stand_in in stand_ins.items()}
    lost_ids = {rid for _, rid in lost}
    drafts: list[Draft] = []
    decisions: list[Manual] = []
    calls: dict[str, list[Draft]] = {stand_in: [] for stand_in in by_stand_in}
    for item in outcome:
        if isinstance(item, Manual):
            decisions.append(item)
            continue
        used = _stand_ins_used(item, set(by_stand_in))
        if used:
            last = max(used, key=lambda s: rank(by_stand_in[s]))
            needs = {f"created:{s}" for s in used} - item.provides
            calls[last].append(replace(item, needs=item.needs | needs))
        elif mentions(item.step.params.value, lost_ids):
            decisions.append(_needs_lost(item, lost_ids))
        else:
            drafts.append(item)
    recreations = tuple(
        _recreation(by_stand_in[stand_in], stand_in, group)
        for stand_in, group in sorted(
            calls.items(), key=lambda i: rank(by_stand_in[i[0]])
        )
    )
    return RegionPlan(tuple(drafts), tuple(decisions), recreations, kept)


def _stand_ins_used(item: Draft, stand_ins: set[str]) -> set[str]:
    used = mentions(item.step.params.value, stand_ins)
    return used | {c.resource_id for c in item.step.precondition.checks} & stand_ins


def _needs_lost(item: Draft, lost_ids: set[str]) -> Manual:
    gone = ", ".join(sorted(mentions(item.step.params.value, lost_ids)))
    return Manual(
        item.step.resource_type,
        item.step.resource_id,
        f"{item.step.reason} This cannot run: it refers to {gone}, deleted since "
        "the baseline; re-create that first, then re-plan.",
        item.all_targets,
    )


def _recreation(key: ResourceRef, stand_in: str, calls: Sequence[Draft]) -> Recreation:
    recipe = _recipe(key[0])
    label = registry.resource_type(key[0]).label
    reason = (
        f"{label} {key[1]} was deleted since the baseline and cannot come back with "
        f"its id. It can be re-created with the calls below: the create call's "
        f"response gives the new id, which replaces {stand_in} in every later call "
        f"(so the routes, rules and associations that pointed at {key[1]} are "
        "re-bound to it)."
    )
    return Recreation(
        key[0],
        key[1],
        f"{reason} {recipe.note}".strip(),
        tuple(calls),
        ((key[0], key[1], ""),),
    )
