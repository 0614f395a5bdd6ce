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

from collections.abc import Mapping
from dataclasses import dataclass

from driftwatch.revert.rules.base import Properties, ResourceRef
from driftwatch.revert.steps import IdFinder


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
