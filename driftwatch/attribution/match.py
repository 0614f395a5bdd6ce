"""Pure matching of CloudTrail events to changes: which call made this drift?

For each change, every usable event (successful, in the change's account and
region, inside the time window) is checked against the event table. A match has
a confidence:

- ``exact``: the event names the resource and the very part (the rule, route,
  entry, tag...) or creates / deletes the whole resource;
- ``resource``: it names the resource and is the right kind of call, but its
  parameters cannot confirm the part (a rule revoked by its ``sgr-`` id);
- ``candidate``: the right kind of call in the right region, but it names the
  resource only by an association id that no snapshot keeps.

The best confidence wins, and among equals the latest event: the last call that
touched a part is the one that left it as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from driftwatch.attribution import events as table
from driftwatch.attribution.params import values_at
from driftwatch.attribution.parts import PartKey, split_part
from driftwatch.attribution.record import Actor, TrailEvent, format_time
from driftwatch.changes import Change

CONFIDENCES = ("exact", "resource", "candidate")
STATUSES = ("attributed", "not_found", "unavailable")

# A snapshot's taken_at is when its collection started; a call made while it
# was still reading may be in it. Events this long after ``until`` still count.
UNTIL_SLACK = timedelta(minutes=15)


@dataclass(frozen=True)
class Attribution:
    """Who made one change: the event that did it, or why none was found."""

    change_id: str
    status: str
    event: TrailEvent | None = None
    confidence: str | None = None
    other_events: tuple[TrailEvent, ...] = ()
    reason: str | None = None

    @property
    def actor(self) -> Actor | None:
        """The actor of the chosen event."""
        return self.event.actor if self.event else None

    def to_document(self) -> dict[str, Any]:
        """The attribution as the diff JSON carries it on each change."""
        return {
            "status": self.status,
            "confidence": self.confidence,
            "actor": self.event.actor.to_document() if self.event else None,
            "event": self.event.to_document() if self.event else None,
            "other_events": [_brief(event) for event in self.other_events],
            "reason": self.reason,
        }


def _brief(event: TrailEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "event_name": event.event_name,
        "event_time": format_time(event.event_time),
        "actor": event.actor.display,
    }


def attribute(
    changes: Sequence[Change],
    events: Iterable[TrailEvent],
    since: datetime,
    until: datetime | None = None,
) -> tuple[Attribution, ...]:
    """One attribution per change, from the events in the window [since, until]."""
    usable = [event for event in events if in_window(event, since, until)]
    return tuple(attribute_change(change, usable, since, until) for change in changes)


def in_window(event: TrailEvent, since: datetime, until: datetime | None) -> bool:
    """A successful call made after the baseline (and before the current snapshot)."""
    if event.failed or event.event_time < since:
        return False
    return until is None or event.event_time <= until + UNTIL_SLACK


def attribute_change(
    change: Change,
    events: Iterable[TrailEvent],
    since: datetime,
    until: datetime | None = None,
) -> Attribution:
    """The attribution of one change among already usable events."""
    matches = [
        (level, event) for event in events if (level := confidence(change, event))
    ]
    if not matches:
        return Attribution(
            change.change_id, "not_found", reason=_not_found(since, until)
        )
    matches.sort(key=lambda m: (CONFIDENCES.index(m[0]), -m[1].event_time.timestamp()))
    level, event = matches[0]
    others = tuple(other for _, other in matches[1:])
    return Attribution(change.change_id, "attributed", event, level, others)


def _not_found(since: datetime, until: datetime | None) -> str:
    end = format_time(until) if until else "now"
    return (
        f"no successful CloudTrail call that explains this change between "
        f"{format_time(since)} and {end}"
    )


def confidence(change: Change, event: TrailEvent) -> str | None:
    """How surely ``event`` made ``change``: exact, resource, candidate or None."""
    kind = table.EVENT_KINDS.get(event.event_name)
    if kind is None or event.failed:
        return None
    if event.account_id and event.account_id != change.account_id:
        return None
    if event.region and event.region != change.region:
        return None
    field, key = split_part(change.part)
    direction = change_direction(change)
    levels = [
        _effect_level(e, event, change, field=field, key=key, direction=direction)
        for e in kind.effects
    ]
    found = [level for level in levels if level]
    return min(found, key=CONFIDENCES.index) if found else None


def _effect_level(
    effect: table.Effect,
    event: TrailEvent,
    change: Change,
    *,
    field: str,
    key: PartKey,
    direction: str,
) -> str | None:
    if not fits(effect, change.resource_type, change.action, field, direction):
        return None
    if not effect.named:
        return "candidate"
    if change.resource_id not in resource_ids(event, effect):
        return None
    if change.action != "modified":
        return "exact"
    verdict = effect.refine(event, field, key) if effect.refine else None
    if verdict is False:
        return None
    return "exact" if verdict else "resource"


def fits(
    effect: table.Effect, resource_type: str, action: str, field: str, direction: str
) -> bool:
    """Whether a call with this effect can cause a change of this shape at all."""
    if effect.resource_type not in (resource_type, table.ANY_TYPE):
        return False
    if action in ("added", "removed"):
        return effect.whole == action
    if effect.whole is not None or field not in effect.fields:
        return False
    return direction in table.EXPLAINS[effect.direction]


def change_direction(change: Change) -> str:
    """add, remove or change: what happened to the part, from the change's details."""
    if change.action == "added":
        return table.ADD
    if change.action == "removed":
        return table.REMOVE
    # The part itself appeared or went (a rule, a route); a detail deeper in
    # it (a description, a route target) means the part was changed.
    kinds = {detail.kind for detail in change.details if detail.path == change.part}
    if kinds == {"added"}:
        return table.ADD
    if kinds == {"removed"}:
        return table.REMOVE
    return table.CHANGE


def resource_ids(event: TrailEvent, effect: table.Effect) -> frozenset[str]:
    """The resource ids an event names for one of its effects."""
    document = {"request": event.request, "response": event.response}
    return frozenset(
        str(value)
        for path in effect.ids
        for value in values_at(document, path)
        if isinstance(value, str | int)
    )


def candidate_event_names(changes: Iterable[Change]) -> tuple[str, ...]:
    """Every call that could explain one of ``changes``, for a lookup by name."""
    names: dict[str, None] = {}
    for change in changes:
        field, _ = split_part(change.part)
        direction = change_direction(change)
        for kind in table.EVENT_KINDS_IN_ORDER:
            if any(
                fits(e, change.resource_type, change.action, field, direction)
                for e in kind.effects
            ):
                names[kind.name] = None
    return tuple(names)
