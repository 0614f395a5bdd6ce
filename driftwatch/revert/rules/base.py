"""What every revert rule is made of: drafts, manual decisions and the region view.

A rule turns the part diffs of one resource (or of one type across a region,
for associations) into ``Draft`` steps or ``Manual`` decisions. Rules are pure:
they read the ``RegionView`` (both snapshots of one account and region) and
never call AWS; association ids they need are asked for as ``Lookup``s that
the planner resolves.

Ordering hints travel with a draft and are read by ``driftwatch.revert.order``:
``deletes`` (the id the step deletes), ``references`` (every id the step
touches), and ``provides`` / ``needs`` tokens for the dependencies that ids do
not show (re-attach a gateway before routing to it, DNS support before DNS
hostnames, authorize before revoke).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from driftwatch import registry
from driftwatch.revert.operations import operation
from driftwatch.revert.parts import WHOLE, PartDiff
from driftwatch.revert.steps import (
    NOTHING,
    Frozen,
    Lookup,
    PartCheck,
    Precondition,
    RevertStep,
)

Properties = Mapping[str, Any]
ResourceRef = tuple[str, str]
Target = tuple[str, str, str]

RESERVED_TAG_PREFIX = "aws:"
TYPE_RANK = {name: rank for rank, name in enumerate(registry.TYPE_NAMES)}


def rank(key: ResourceRef) -> tuple[int, str]:
    """Registry order, then id: the order resources are planned (and re-created) in."""
    return (TYPE_RANK.get(key[0], len(TYPE_RANK)), key[1])


@dataclass(frozen=True)
class Draft:
    """A step before it is linked to changes and put in order."""

    step: RevertStep
    deletes: str | None = None
    references: frozenset[str] = frozenset()
    provides: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    targets: tuple[Target, ...] = ()

    @property
    def all_targets(self) -> tuple[Target, ...]:
        """Every (type, id, part) this draft undoes: its checks and extra targets."""
        return tuple(c.target for c in self.step.precondition.checks) + self.targets


@dataclass(frozen=True)
class Manual:
    """A rule's decision that some parts go to people, with the reason."""

    resource_type: str
    resource_id: str
    reason: str
    targets: tuple[Target, ...] = ()


Outcome = list[Draft | Manual]


@dataclass(frozen=True)
class RegionView:
    """Both snapshots of one account and region, as rules need to see them."""

    account_id: str
    region: str
    baseline: Mapping[ResourceRef, Properties] = field(default_factory=dict)
    current: Mapping[ResourceRef, Properties] = field(default_factory=dict)

    def baseline_of(self, resource_type: str, resource_id: str) -> Properties | None:
        """Baseline properties of a resource (None if it was not there)."""
        return self.baseline.get((resource_type, resource_id))

    def current_of(self, resource_type: str, resource_id: str) -> Properties | None:
        """Current properties of a resource (None if it is not there now)."""
        return self.current.get((resource_type, resource_id))

    def either(self, resource_type: str, resource_id: str) -> Properties:
        """Current properties, else baseline, else empty."""
        return (
            self.current_of(resource_type, resource_id)
            or self.baseline_of(resource_type, resource_id)
            or {}
        )

    def is_new(self, resource_type: str, resource_id: str) -> bool:
        """True for a resource that exists now and was not in the baseline."""
        key = (resource_type, resource_id)
        return key in self.current and key not in self.baseline

    def of_type(self, resource_type: str) -> list[tuple[str, Properties]]:
        """(id, current properties) of every current resource of a type."""
        return self._by_type(self.current).get(resource_type, [])

    def known_type(self, resource_type: str) -> bool:
        """True when both sides hold resources of the type (it was read)."""
        return bool(
            self._by_type(self.baseline).get(resource_type)
            and self._by_type(self.current).get(resource_type)
        )

    def _by_type(
        self, side: Mapping[ResourceRef, Properties]
    ) -> dict[str, list[tuple[str, Properties]]]:
        # Rules ask for one type at a time, many times: index each side once.
        cache: dict[int, dict[str, list[tuple[str, Properties]]]]
        cache = self.__dict__.setdefault("_type_index", {})
        if id(side) not in cache:
            index: dict[str, list[tuple[str, Properties]]] = {}
            for (kind, resource_id), properties in side.items():
                index.setdefault(kind, []).append((resource_id, properties))
            cache[id(side)] = index
        return cache[id(side)]


FieldRule = Callable[[RegionView, Sequence[PartDiff]], Outcome]
WholeRule = Callable[[RegionView, str, Properties], Outcome]
Guard = Callable[[RegionView, str, Properties], str | None]
OwnerRule = Callable[[RegionView, Properties], ResourceRef | None]


@dataclass(frozen=True)
class Recreate:
    """How a deleted resource is made again: the create call and its fresh state.

    ``create`` gets the placeholder that stands for the new id and the baseline
    properties (with every reference already re-bound to placeholders) and
    returns the create call, whose ``binds`` say where in the response the new
    id is. ``fresh`` gives the properties right after creation; the planner
    then plans the way from fresh to baseline with the ordinary rules.
    """

    create: Callable[[RegionView, str, Properties], Draft]
    fresh: Callable[[Properties], Properties]
    note: str = ""


@dataclass(frozen=True)
class RevertRules:
    """The revert rules of one resource type (one entry of ``REVERT_RULES``).

    Attributes:
        fields: field name -> rule. Fields that share one rule function are
            handed to it together (an address's association is four fields).
        region_fields: fields whose rule sees every resource of the type in
            the region at once (an association moves between two resources).
        whole_fields: keyed lists one call replaces as a whole.
        guard: a reason why no part of a resource can be reverted in place
            (owned by another account or by an AWS service), or None.
        remove: the steps that remove a resource created since the baseline.
        owner: the resource whose deletion takes this one with it (a VPC's
            default security group), or None.
        recreate: how to make a deleted resource again, or None.
    """

    fields: Mapping[str, FieldRule]
    region_fields: frozenset[str] = frozenset()
    whole_fields: frozenset[str] = frozenset()
    guard: Guard | None = None
    remove: WholeRule | None = None
    owner: OwnerRule | None = None
    recreate: Recreate | None = None


def check(diff: PartDiff) -> PartCheck:
    """The precondition check of a part diff: current value, then baseline value."""
    return PartCheck(
        diff.resource_type,
        diff.resource_id,
        diff.part,
        Frozen.of(diff.before),
        Frozen.of(diff.after),
    )


def gone(resource_type: str, resource_id: str) -> PartCheck:
    """The check of a deletion: the resource exists now and must be gone after."""
    return PartCheck(resource_type, resource_id, WHOLE, NOTHING, NOTHING, True)


def created(resource_type: str, resource_id: str) -> PartCheck:
    """The check of a creation: the resource is absent now and exists after."""
    return PartCheck(
        resource_type, resource_id, WHOLE, NOTHING, NOTHING, after_any=True
    )


def draft(
    view: RegionView,
    name: str,
    params: Mapping[str, Any],
    reason: str,
    checks: Iterable[PartCheck],
    *,
    lookup: Lookup | None = None,
    deletes: str | None = None,
    references: Iterable[str] = (),
    provides: Iterable[str] = (),
    needs: Iterable[str] = (),
    targets: Iterable[Target] = (),
    binds: Mapping[str, str] | None = None,
) -> Draft:
    """A draft step of ``name`` in the view's account and region."""
    step = RevertStep(
        account_id=view.account_id,
        region=view.region,
        operation=name,
        params=Frozen.of(dict(params)),
        reason=reason,
        precondition=Precondition(tuple(checks), lookup),
        destructive=operation(name).destructive,
        binds=tuple(sorted((binds or {}).items())),
    )
    return Draft(
        step=step,
        deletes=deletes,
        references=frozenset(filter(None, references)),
        provides=frozenset(provides),
        needs=frozenset(needs),
        targets=tuple(targets),
    )


def lookup(kind: str, param: str, **key: str) -> Lookup:
    """A lookup of a volatile id, keyed by what finds it (resolved later)."""
    return Lookup(kind, Frozen.of(key), param)


def manual(diffs: Sequence[PartDiff], reason: str) -> Outcome:
    """Send every part of ``diffs`` to people with one reason."""
    if not diffs:
        return []
    first = diffs[0]
    targets = tuple((d.resource_type, d.resource_id, d.part) for d in diffs)
    return [Manual(first.resource_type, first.resource_id, reason, targets)]


def without_empty(item: Mapping[str, Any]) -> dict[str, Any]:
    """A copy without empty lists, for API parameters built from canonical items."""
    return {key: value for key, value in item.items() if value != []}


def id_list(items: Sequence[Mapping[str, Any]] | None, key: str) -> list[str]:
    """The ``key`` values of a list of dicts, sorted (group ids, for instance)."""
    return sorted(str(item[key]) for item in items or [])


# --- tags: the same rule for every type ---------------------------------------------


def tags_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Restore changed or deleted tags with one create_tags, remove extras with one
    delete_tags; ``aws:`` tags are reserved and go to people."""
    reserved = [d for d in diffs if _tag_key(d).startswith(RESERVED_TAG_PREFIX)]
    usable = [d for d in diffs if d not in reserved]
    outcome = manual(
        reserved,
        "Tags with the aws: prefix are reserved for AWS and cannot be created or "
        "deleted by anyone else; find the AWS service that changed them.",
    )
    if not usable:
        return outcome
    resource_id = usable[0].resource_id
    restore = [d for d in usable if d.after is not None]
    extra = [d for d in usable if d.after is None]
    if restore:
        tags = [
            {"Key": d.after["Key"], "Value": d.after.get("Value", "")} for d in restore
        ]
        outcome.append(
            draft(
                view,
                "create_tags",
                {"Resources": [resource_id], "Tags": tags},
                f"Put back {len(tags)} baseline tag(s) on {resource_id}: "
                + ", ".join(t["Key"] for t in tags)
                + ".",
                map(check, restore),
                references=[resource_id],
            )
        )
    if extra:
        # Key and Value together: AWS then deletes a tag only if it still has the
        # value the plan saw, so a tag someone changed again is left alone.
        tags = [
            {"Key": d.before["Key"], "Value": d.before.get("Value", "")} for d in extra
        ]
        outcome.append(
            draft(
                view,
                "delete_tags",
                {"Resources": [resource_id], "Tags": tags},
                f"Remove {len(tags)} tag(s) the baseline did not have from "
                f"{resource_id}: " + ", ".join(t["Key"] for t in tags) + ".",
                map(check, extra),
                references=[resource_id],
            )
        )
    return outcome


def _tag_key(diff: PartDiff) -> str:
    tag = diff.after or diff.before or {}
    return str(tag.get("Key", ""))


def foreign_owner(
    view: RegionView, resource_id: str, properties: Properties
) -> str | None:
    """A reason when the resource belongs to another account (a shared VPC)."""
    owner = properties.get("OwnerId")
    if not owner or str(owner) == view.account_id:
        return None
    return (
        f"{resource_id} is owned by account {owner}, not {view.account_id}; only "
        "that account can change it: ask its owners to revert it."
    )


def removal(
    view: RegionView,
    key: ResourceRef,
    name: str,
    params: Mapping[str, Any],
    reason: str,
    *,
    references: Iterable[str] = (),
    needs: Iterable[str] = (),
    provides: Iterable[str] = (),
) -> Draft:
    """The step that deletes a resource (type, id) created since the baseline."""
    resource_type, resource_id = key
    return draft(
        view,
        name,
        params,
        reason,
        [gone(resource_type, resource_id)],
        deletes=resource_id,
        references=[resource_id, *references],
        needs=needs,
        provides=provides,
    )
