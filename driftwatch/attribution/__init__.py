"""Who made each change: CloudTrail events tied to drift.

For every change between a baseline and a current snapshot, find the mutating
EC2 call(s) made since the baseline's ``taken_at`` that explain it, and report
the actor. Events come from the CloudTrail API (``LookupEventsSource``) or from
a trail's log files (``LogFileSource``); the matching itself is pure
(``match.attribute``) and the knowledge of which call changes what is one table
(``events.EVENT_KINDS``), shared with ``driftwatch watch-rule``.

Typical use (what ``diff --attribute`` does)::

    source = LookupEventsSource(target)          # or LogFileSource(directory)
    found = attribute_changes(changes, since=baseline.taken_at,
                              until=current.taken_at, source=source)
    document = annotate(diff_document, found)    # adds "attribution" per change

LIMITATION: a call that names its resource only by an association or
attachment id (``DisassociateRouteTable``, ``DisassociateAddress``, the old side
of ``Replace*Association``, ``DetachNetworkInterface``, ``ModifyInstanceAttribute``)
cannot be proven to be the cause: it is reported as a ``candidate``.
LIMITATION: ``lookup_events`` keeps 90 days and reads the account of the
credentials only; older or other-account changes need ``--cloudtrail-dir``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from driftwatch.attribution.events import EVENT_KINDS, EVENT_NAMES, EventKind
from driftwatch.attribution.logfiles import LogFileSource
from driftwatch.attribution.lookup import LookupEventsSource, RateLimiter
from driftwatch.attribution.match import (
    Attribution,
    attribute,
    candidate_event_names,
)
from driftwatch.attribution.parts import split_part
from driftwatch.attribution.record import Actor, TrailEvent, parse_time
from driftwatch.changes import Change
from driftwatch.errors import CloudTrailError

__all__ = [
    "EVENT_KINDS",
    "EVENT_NAMES",
    "Actor",
    "Attribution",
    "EventKind",
    "EventSource",
    "LogFileSource",
    "LookupEventsSource",
    "RateLimiter",
    "TrailEvent",
    "annotate",
    "attribute",
    "attribute_changes",
    "lookup_names",
]

logger = logging.getLogger(__name__)


class EventSource(Protocol):
    """Where events come from: the CloudTrail API or log files."""

    @property
    def needs_event_names(self) -> bool:
        """True when events must be asked for by name (the API), not all read."""

    def events(
        self,
        account_id: str,
        region: str,
        *,
        resource_names: Collection[str],
        event_names: Collection[str],
        since: datetime,
        until: datetime | None,
    ) -> list[TrailEvent]:
        """Mutating EC2 events of one account and region in the window."""


def attribute_changes(
    changes: Sequence[Change],
    *,
    since: datetime | str,
    until: datetime | str | None = None,
    source: EventSource,
) -> tuple[Attribution, ...]:
    """One attribution per change, in the order of ``changes``.

    Args:
        changes: the drift, as the diff engine reports it.
        since: the baseline's ``taken_at``; earlier events are ignored.
        until: the current snapshot's ``taken_at`` (None: now).
        source: where the events come from.

    Raises:
        InputError: a ``--cloudtrail-dir`` that holds no log files. A failed
            CloudTrail API read does not raise: those changes are ``unavailable``.
    """
    start = parse_time(since) if isinstance(since, str) else since
    end = parse_time(until) if isinstance(until, str) else until
    found: dict[str, Attribution] = {}
    for (account_id, region), group in _by_scope(changes).items():
        for result in _attribute_scope(
            account_id, region, group, start, end, source=source
        ):
            found[result.change_id] = result
    return tuple(found[change.change_id] for change in changes)


def _by_scope(changes: Iterable[Change]) -> dict[tuple[str, str], list[Change]]:
    groups: dict[tuple[str, str], list[Change]] = {}
    for change in changes:
        groups.setdefault((change.account_id, change.region), []).append(change)
    return groups


def _attribute_scope(
    account_id: str,
    region: str,
    changes: list[Change],
    since: datetime,
    until: datetime | None,
    *,
    source: EventSource,
) -> tuple[Attribution, ...]:
    names = {name for change in changes for name in lookup_names(change)}
    try:
        events = source.events(
            account_id,
            region,
            resource_names=names,
            event_names=(),
            since=since,
            until=until,
        )
        results = attribute(changes, events, since, until)
        weak = [c for c, a in zip(changes, results, strict=True) if _weak(a)]
        if not weak or not source.needs_event_names:
            return results
        # Some calls are indexed under other names than the resource's id, or
        # under none: ask for the calls that could explain what is still open.
        events += source.events(
            account_id,
            region,
            resource_names=(),
            event_names=candidate_event_names(weak),
            since=since,
            until=until,
        )
    except CloudTrailError as exc:
        logger.warning("%s", exc)
        return tuple(
            Attribution(change.change_id, "unavailable", reason=str(exc))
            for change in changes
        )
    return attribute(changes, events, since, until)


def _weak(found: Attribution) -> bool:
    return found.status != "attributed" or found.confidence == "candidate"


def lookup_names(change: Change) -> tuple[str, ...]:
    """Names to look CloudTrail up by: the resource id and the ids in its part."""
    _, key = split_part(change.part)
    ids = [str(value) for value in key or () if _looks_like_id(value)]
    return tuple(dict.fromkeys([change.resource_id, *ids]))


def _looks_like_id(value: Any) -> bool:
    # EC2 ids are a lowercase prefix, a dash and hex digits: sg-0a1b..., subnet-...
    if not isinstance(value, str) or "-" not in value:
        return False
    prefix, _, digits = value.rpartition("-")
    return prefix.replace("-", "").isalpha() and prefix.islower() and _is_hex(digits)


def _is_hex(text: str) -> bool:
    return len(text) >= 8 and all(ch in "0123456789abcdef" for ch in text)


def annotate(
    diff_document: Mapping[str, Any], attributions: Iterable[Attribution]
) -> dict[str, Any]:
    """A copy of a diff JSON document with ``attribution`` on each change."""
    by_change = {found.change_id: found.to_document() for found in attributions}
    changes = [
        {**change, "attribution": by_change[change["change_id"]]}
        if change.get("change_id") in by_change
        else dict(change)
        for change in diff_document.get("changes", [])
    ]
    return {**diff_document, "changes": changes}
