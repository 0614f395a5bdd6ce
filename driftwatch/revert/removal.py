"""Which resources created since the baseline can be removed: nothing may use them.

A new resource is removed only when, after the revert, nothing that stays
refers to it. "After the revert" means: resources of the baseline with their
baseline properties (the revert puts those back), new resources that stay
with their current properties, and the supporting types (subnets...) as they
are now. A reference is any string in a resource's properties equal to the
new resource's id. Resources that go with an owner (a VPC's default security
group, a NAT gateway's interface) do not hold their owner back.

The answer is a fixed point: a new resource that must stay can keep another
one in use, so the set shrinks until it is stable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from driftwatch import registry
from driftwatch.revert.rules import rules_for
from driftwatch.revert.rules.base import (
    Draft,
    Manual,
    Outcome,
    Properties,
    RegionView,
    ResourceRef,
    rank,
)
from driftwatch.revert.steps import IdFinder, mentions

TRACKED = frozenset(registry.TRACKED_TYPES)
CONTAINERS = frozenset({registry.VPC, registry.SUBNET})
Inventory = Mapping[ResourceRef, Properties]


@dataclass(frozen=True)
class Removal:
    """The outcome of the analysis: what goes, and what keeps the rest."""

    going: frozenset[ResourceRef]
    blocked: Mapping[ResourceRef, tuple[ResourceRef, ...]]


def removable(
    candidates: frozenset[ResourceRef],
    owners: Mapping[ResourceRef, ResourceRef],
    after_revert: Mapping[ResourceRef, Properties],
) -> Removal:
    """The candidates that nothing staying uses, and the users of the others."""
    if not candidates:
        return Removal(frozenset(), {})
    finder = IdFinder(resource_id for _, resource_id in candidates)
    references = {
        key: found - {key[1]}
        for key, properties in after_revert.items()
        if (found := finder.found(properties))
    }
    deletable = set(candidates)
    blocked: dict[ResourceRef, tuple[ResourceRef, ...]] = {}
    changed = True
    while changed:
        changed = False
        going = deletable | {key for key, owner in owners.items() if owner in deletable}
        for key in sorted(deletable):
            users = tuple(
                sorted(
                    user
                    for user, refs in references.items()
                    if key[1] in refs and user not in going and user != key
                )
            )
            if users:
                deletable.discard(key)
                blocked[key] = users
                changed = True
    going = deletable | {key for key, owner in owners.items() if owner in deletable}
    return Removal(frozenset(going), blocked)


def removals(
    view: RegionView,
    current: Inventory,
    baseline: Inventory,
    *,
    complete: bool,
    keep_new: bool,
) -> tuple[Outcome, tuple[ResourceRef, ...]]:
    """The steps that remove what was created since the baseline, the manual
    items for what must stay, and (with ``keep_new``) the resources kept."""
    new = sorted((k for k in current if k not in baseline), key=rank)
    owners = _owners(view, new)
    candidates = [k for k in new if k[0] in TRACKED and k not in owners]
    if keep_new:
        return [], tuple(candidates)
    if not complete:
        reason = (
            "It was created since the baseline, but not every resource type of this "
            "region could be read, so driftwatch cannot tell whether it is in use; "
            "it is left in place."
        )
        return [Manual(k[0], k[1], reason, ((k[0], k[1], ""),)) for k in candidates], ()
    outcomes = {key: _remove(view, key) for key in candidates}
    removal = removable(
        frozenset(
            k for k, o in outcomes.items() if all(isinstance(i, Draft) for i in o)
        ),
        owners,
        _after_revert(view, current, baseline),
    )
    outcome: Outcome = []
    containers = {rid for kind, rid in current if kind in CONTAINERS}
    for key in candidates:
        if key in removal.going:
            inside = mentions(current[key], containers) - {key[1]}
            outcome += _with_owned(_inside(outcomes[key], key, inside), key, owners)
        elif key in removal.blocked:
            outcome.append(_blocked(key, removal.blocked[key]))
        else:
            outcome += [i for i in outcomes[key] if isinstance(i, Manual)]
    return outcome, ()


def _after_revert(
    view: RegionView, current: Inventory, baseline: Inventory
) -> dict[ResourceRef, Properties]:
    """What may refer to a new resource once the plan ran (see ``removal``).

    A resource of the baseline that the revert puts back refers only to ids of
    the baseline, never to a new one, so only the rest is searched: the new
    resources, the supporting types as they are now, and resources that a
    guard keeps from being changed.
    """
    staying: dict[ResourceRef, Properties] = {}
    for key, properties in current.items():
        if key not in baseline or key[0] not in TRACKED or _guarded(view, key):
            staying[key] = properties
    return staying


def _guarded(view: RegionView, key: ResourceRef) -> bool:
    rules = rules_for(key[0])
    if rules is None or rules.guard is None:
        return False
    return rules.guard(view, key[1], view.current[key]) is not None


def _owners(
    view: RegionView, keys: Sequence[ResourceRef]
) -> dict[ResourceRef, ResourceRef]:
    owners: dict[ResourceRef, ResourceRef] = {}
    for key in keys:
        rules = rules_for(key[0])
        owner = rules.owner(view, view.current[key]) if rules and rules.owner else None
        if owner is not None and owner in view.current:
            owners[key] = owner
    return owners


def _remove(view: RegionView, key: ResourceRef) -> Outcome:
    rules = rules_for(key[0])
    if rules is None or rules.remove is None:
        return [
            Manual(key[0], key[1], no_rule(key[0], "removal"), ((key[0], key[1], ""),))
        ]
    return rules.remove(view, key[1], view.current[key])


def _inside(outcome: Outcome, key: ResourceRef, containers: set[str]) -> Outcome:
    """The deletion of ``key`` names the VPCs and subnets it lives in (or joins, for
    a peering), so it comes before their own deletion."""
    return [
        replace(item, references=item.references | containers)
        if isinstance(item, Draft) and item.deletes == key[1]
        else item
        for item in outcome
    ]


def _with_owned(
    outcome: Outcome, owner: ResourceRef, owners: Mapping[ResourceRef, ResourceRef]
) -> Outcome:
    owned = tuple((k[0], k[1], "") for k, o in owners.items() if o == owner)
    return [
        replace(item, targets=item.targets + owned)
        if isinstance(item, Draft) and item.deletes == owner[1]
        else item
        for item in outcome
    ]


def _blocked(key: ResourceRef, users: Sequence[ResourceRef]) -> Manual:
    names = ", ".join(rid for _, rid in users)
    return Manual(
        key[0],
        key[1],
        f"{key[1]} was created since the baseline but {names} will still use it "
        "after the revert; it is left in place: change or remove those first.",
        ((key[0], key[1], ""),),
    )


def no_rule(resource_type: str, field_name: str) -> str:
    """The manual reason for drift that no revert rule covers."""
    label = registry.resource_type(resource_type).label
    return (
        f"driftwatch has no revert rule for {field_name} of a {label}; set it back "
        "by hand to the baseline value."
    )
