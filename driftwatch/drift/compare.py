"""The drift engine: baseline and current snapshot in, exact changes out.

Resources are matched by identity (account, region, type, id), never by
position. A resource whose stored properties are equal on both sides costs one
dict comparison; only the others are canonicalised again (so a hand-edited
baseline compares like a fresh read) and compared part by part: one item of a
keyed list of the registry, or one top-level field. deepdiff gives the
field-level details of the parts that differ.

A scope (account, region, type) that either side could not read is unknown:
nothing in it is reported as added or removed. What AWS changes by itself is
not drift and is not reported at all (see ``describe.VIEWS``): requester-managed
ENIs and NAT gateway ENIs, AWS-owned prefix lists, local and gateway-endpoint
routes that come and go with a CIDR block or an endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.changes import Change, Detail, change_id, part_name
from driftwatch.drift import describe, severity
from driftwatch.drift.details import parsed_json, part_details
from driftwatch.drift.ignore import IgnoreRule, IgnoreRules
from driftwatch.drift.model import DriftResult, IgnoredChange, Unknown
from driftwatch.drift.part import Lookup, PartChange, Properties, Verdict
from driftwatch.errors import InputError

logger = logging.getLogger(__name__)

Scope = tuple[str, str, str]


def compute(
    baseline: snap.Snapshot,
    current: snap.Snapshot,
    *,
    ignore: IgnoreRules | None = None,
    today: date | None = None,
    sources: tuple[str, str] = ("the baseline", "the current snapshot"),
) -> DriftResult:
    """Every change from ``baseline`` to ``current``, and what could not be told.

    ``sources`` name the two sides (file paths) in error messages.

    Raises:
        InputError: a changed resource is malformed (a hand edit gone wrong).
    """
    comparable, unknown = _scopes(baseline, current)
    lookup = Lookup(baseline.by_key(), current.by_key())
    changes = sorted(_changes(lookup, comparable, sources), key=_change_order)
    active, expired = (ignore or IgnoreRules(())).split(today or date.today())
    kept, ignored = _apply_ignore(changes, active)
    for rule in expired:
        logger.warning(
            "ignore rule for %s %s expired on %s and no longer applies (%s)",
            rule.resource_type,
            rule.resource_id,
            rule.expires,
            rule.reason,
        )
    logger.info(
        "drift: %d changes, %d ignored, %d unknown scopes",
        len(kept),
        len(ignored),
        len(unknown),
    )
    return DriftResult(tuple(kept), unknown, tuple(ignored), expired)


# --- scopes ------------------------------------------------------------------------


def _scopes(
    baseline: snap.Snapshot, current: snap.Snapshot
) -> tuple[frozenset[Scope], tuple[Unknown, ...]]:
    """(scopes read on both sides, unknown rows for every other scope)."""
    sides = (("baseline", _rows(baseline)), ("current snapshot", _rows(current)))
    scopes = set(sides[0][1]) | set(sides[1][1])
    comparable: set[Scope] = set()
    unknown: list[Unknown] = []
    for scope in sorted(scopes):
        reasons = [_reason(name, rows.get(scope)) for name, rows in sides]
        problems = [reason for reason in reasons if reason]
        if not problems:
            comparable.add(scope)
            continue
        unknown.append(Unknown(*scope, reason="; ".join(problems)))
    return frozenset(comparable), tuple(unknown)


def _rows(snapshot: snap.Snapshot) -> dict[Scope, snap.Coverage | None]:
    rows: dict[Scope, snap.Coverage | None] = {
        row.scope: row for row in snapshot.coverage
    }
    # A resource in a scope without a coverage row (a hand-made file) cannot be
    # trusted to be the whole of that scope.
    scopes = {(r.account_id, r.region, r.resource_type) for r in snapshot.resources}
    for scope in scopes:
        rows.setdefault(scope, None)
    return rows


def _reason(side: str, row: snap.Coverage | None) -> str | None:
    if row is None:
        return f"{side} has no coverage of it"
    if row.ok:
        return None
    detail = f": {row.detail}" if row.detail else ""
    return f"{side} could not read it ({row.status}{detail})"


# --- resources ------------------------------------------------------------------------


def _changes(
    lookup: Lookup, comparable: frozenset[Scope], sources: tuple[str, str]
) -> Iterator[Change]:
    for key, before in lookup.baseline.items():
        if key[:3] not in comparable:
            continue
        after = lookup.current.get(key)
        if after is not None and after.properties == before.properties:
            continue
        yield from resource_changes(lookup, key, sources)
    for key in lookup.current.keys() - lookup.baseline.keys():
        if key[:3] in comparable:
            yield from resource_changes(lookup, key, sources)


def resource_changes(
    lookup: Lookup,
    key: snap.ResourceKey,
    sources: tuple[str, str] = ("the baseline", "the current snapshot"),
) -> list[Change]:
    """The changes of one resource present on at least one side."""
    type_view = describe.view(key[2])
    before = _canonical(lookup.baseline.get(key), sources[0])
    after = _canonical(lookup.current.get(key), sources[1])
    if before == after:
        return []
    if any(
        props is not None and type_view.not_drift(lookup, key, props)
        for props in (before, after)
    ):
        logger.debug("%s %s is managed by an AWS service: not drift", key[2], key[3])
        return []
    if before is None or after is None:
        return [_whole(lookup, key, before, after)]
    return list(_parts(lookup, key, before, after))


def _canonical(resource: snap.Resource | None, source: str) -> Properties | None:
    """Properties canonicalised again, or one sentence on what is malformed."""
    if resource is None:
        return None
    try:
        return snap.canonical_properties(resource)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problem = (
            f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        )
        raise InputError(
            f"{source}: {resource.resource_type} {resource.resource_id} in "
            f"{resource.region} is malformed ({problem}); fix it or restore the "
            "file from the store."
        ) from exc


def _whole(
    lookup: Lookup,
    key: snap.ResourceKey,
    before: Properties | None,
    after: Properties | None,
) -> Change:
    """A resource added or removed as a whole."""
    type_view = describe.view(key[2])
    properties = after if after is not None else before
    assert properties is not None
    label = type_view.label(key[3], properties)
    noun = registry.resource_type(key[2]).label
    vpc = properties.get("VpcId") if key[2] != registry.VPC else None
    if after is None:
        origin = f" from {vpc}" if vpc else ""
        verdict = Verdict("resource-removed", f"{noun} {label} removed{origin}")
        detail = Detail("", "removed", dict(before or {}), None)
        return _change(key, "removed", "", verdict, (detail,))
    summary = f"{noun} {label} added" + (f" in {vpc}" if vpc else "")
    verdict = Verdict("resource-added", summary)
    opening = _opening_part(lookup, key, after)
    if opening is not None:
        critical = severity.kind(opening.kind).severity == "critical"
        kind = (
            "resource-added-internet-admin" if critical else "resource-added-internet"
        )
        verdict = Verdict(kind, f"{summary}; {opening.summary}")
    return _change(key, "added", "", verdict, (Detail("", "added", None, dict(after)),))


def _opening_part(
    lookup: Lookup, key: snap.ResourceKey, after: Properties
) -> Verdict | None:
    """The most severe part of a new resource that opens an internet path."""
    empty: dict[str, Any] = {}
    verdicts = [verdict for _, verdict, _ in _part_verdicts(lookup, key, empty, after)]
    opening = [v for v in verdicts if severity.kind(v.kind).opens_internet_path]
    best = severity.most_severe([v.kind for v in opening])
    return next((v for v in opening if v.kind == best), None)


def _parts(
    lookup: Lookup, key: snap.ResourceKey, before: Properties, after: Properties
) -> Iterator[Change]:
    for part, verdict, details in _part_verdicts(lookup, key, before, after):
        yield _change(key, "modified", part, verdict, details)


def _part_verdicts(
    lookup: Lookup, key: snap.ResourceKey, before: Properties, after: Properties
) -> Iterator[tuple[str, Verdict, tuple[Detail, ...]]]:
    """(part name, verdict, details) of every part that differs."""
    type_view = describe.view(key[2])
    keyed = registry.resource_type(key[2]).keyed_lists
    label = type_view.label(key[3], after or before)
    followers = type_view.followers()
    for field in sorted(set(before) | set(after)):
        if field in followers:
            continue
        if field in keyed:
            parts = _keyed_parts(field, keyed[field], before, after)
        elif field in type_view.field_groups:
            parts = _group_part(field, type_view.field_groups[field], before, after)
        else:
            parts = _field_part(field, type_view, before, after)
        for item_key, old, new, details in parts:
            part = PartChange(
                key, label, field, item_key, old, new, before, after, lookup
            )
            if describe.is_derived(type_view, part):
                continue
            verdict = describe.describe_part(type_view, part)
            yield part_name(field, item_key), verdict, details


PartValues = tuple[tuple[Any, ...] | None, Any, Any, tuple[Detail, ...]]


def _keyed_parts(
    field: str, key_function: Any, before: Properties, after: Properties
) -> Iterator[PartValues]:
    old_items = {key_function(item): item for item in before.get(field) or []}
    new_items = {key_function(item): item for item in after.get(field) or []}
    for item_key in old_items.keys() | new_items.keys():
        old, new = old_items.get(item_key), new_items.get(item_key)
        if old == new:
            continue
        details = part_details(part_name(field, item_key), old, new)
        yield item_key, old, new, details


def _group_part(
    field: str, group: tuple[str, ...], before: Properties, after: Properties
) -> Iterator[PartValues]:
    names = (field, *group)
    old = {name: before[name] for name in names if name in before} or None
    new = {name: after[name] for name in names if name in after} or None
    if old == new:
        return
    details = tuple(
        detail
        for name in names
        for detail in part_details(name, before.get(name), after.get(name))
    )
    yield None, old, new, details


def _field_part(
    field: str, type_view: describe.TypeView, before: Properties, after: Properties
) -> Iterator[PartValues]:
    old, new = before.get(field), after.get(field)
    if field in type_view.json_fields:
        old, new = parsed_json(old), parsed_json(new)
    if old == new:
        return
    yield None, old, new, part_details(field, old, new)


def _change(
    key: snap.ResourceKey,
    action: str,
    part: str,
    verdict: Verdict,
    details: tuple[Detail, ...],
) -> Change:
    kind = severity.kind(verdict.kind)
    return Change(
        change_id=change_id(key, action, part, details),
        account_id=key[0],
        region=key[1],
        resource_type=key[2],
        resource_id=key[3],
        action=action,
        part=part,
        severity=kind.severity,
        summary=verdict.summary,
        details=details,
        opens_internet_path=kind.opens_internet_path,
        kind=verdict.kind,
    )


def _change_order(change: Change) -> tuple[str, ...]:
    return (*change.resource_key, change.part)


def _apply_ignore(
    changes: list[Change], rules: tuple[IgnoreRule, ...]
) -> tuple[list[Change], list[IgnoredChange]]:
    kept: list[Change] = []
    ignored: list[IgnoredChange] = []
    for change in changes:
        rule = next((rule for rule in rules if rule.matches(change)), None)
        if rule is None:
            kept.append(change)
            continue
        logger.debug("%s ignored: %s", change.change_id, rule.reason)
        ignored.append(IgnoredChange(change, rule))
    return kept, ignored
