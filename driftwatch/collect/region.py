"""The reads of one region: what is still pending, what came back, what failed.

A ``RegionRead`` hands out the first reads of its region (one list per type),
takes each outcome as it arrives and answers with the reads that outcome makes
possible (a VPC's attributes once the VPCs are listed; prefix list entries once
the security groups and route tables are known). It lives in the collector's
main thread only; the worker threads never touch it.

A type whose list or any follow-up failed gets a coverage row saying why and
no resources at all: it is unknown, never empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from driftwatch import aws, registry
from driftwatch.collect.enrich import ENRICHMENTS
from driftwatch.collect.reads import RawItem, Read, list_read
from driftwatch.snapshot import Coverage, Resource

logger = logging.getLogger(__name__)

FinishedCallback = Callable[[str, str], None]


class RegionRead:
    """The state of one region's reads, fed outcomes by the collector."""

    def __init__(
        self, account_id: str, region: str, on_finished: FinishedCallback
    ) -> None:
        self.account_id = account_id
        self.region = region
        self._on_finished = on_finished
        self._items: dict[str, list[RawItem]] = {}
        self._waiting: set[str] = set()
        self._outstanding: dict[str, int] = {}
        self._results: dict[str, dict[str, dict[str, Any]]] = {}
        self._finished: dict[str, list[RawItem]] = {}
        self._failed: dict[str, Coverage] = {}

    @property
    def done(self) -> bool:
        """True once every type is either read or failed."""
        return len(self._finished) + len(self._failed) == len(registry.RESOURCE_TYPES)

    def first_reads(self) -> list[Read]:
        """One list read per resource type."""
        return [list_read(self.region, entry) for entry in registry.RESOURCE_TYPES]

    def settle(self, read: Read, outcome: Any) -> list[Read]:
        """Take the outcome of a read (a value or an exception); return new reads."""
        if read.resource_type in self._failed:
            return []
        if isinstance(outcome, BaseException):
            self._fail(read, outcome)
        elif read.is_list:
            self._listed(read.resource_type, outcome)
        else:
            self._followed_up(read, outcome)
        return self._release()

    def _listed(self, type_name: str, raw_items: Iterable[RawItem]) -> None:
        entry = registry.resource_type(type_name)
        # A record AWS still lists in a final state is not a live resource;
        # a pagination overlap must not give one resource twice.
        live = {entry.resource_id(raw): raw for raw in raw_items if entry.is_live(raw)}
        items = [_json_ready(raw) for raw in live.values()]
        if type_name in ENRICHMENTS:
            self._items[type_name] = items
            self._waiting.add(type_name)
            return
        self._finish(type_name, items)

    def _release(self) -> list[Read]:
        """Start the follow-ups of every waiting type whose inputs are settled."""
        new_reads: list[Read] = []
        ready = self._ready()
        while ready is not None:
            self._waiting.discard(ready)
            enrichment = ENRICHMENTS[ready]
            known = {after: self._finished.get(after, []) for after in enrichment.after}
            kept = enrichment.keep(self._items[ready], known, self.account_id)
            self._items[ready] = kept
            follow_ups = self._follow_ups(ready, kept)
            if follow_ups:
                self._outstanding[ready] = len(follow_ups)
                new_reads.extend(follow_ups)
            else:
                # Finishing may in turn release a type that waits for this one.
                self._finish(ready, kept)
            ready = self._ready()
        return new_reads

    def _ready(self) -> str | None:
        """A waiting type whose ``after`` types are all settled, if any."""
        for type_name in sorted(self._waiting):
            if all(self._settled(after) for after in ENRICHMENTS[type_name].after):
                return type_name
        return None

    def _settled(self, type_name: str) -> bool:
        return type_name in self._finished or type_name in self._failed

    def _follow_ups(self, type_name: str, items: list[RawItem]) -> list[Read]:
        entry = registry.resource_type(type_name)
        enrichment = ENRICHMENTS[type_name]
        return [
            Read(self.region, type_name, call, fetch, entry.resource_id(item), part)
            for item in items
            for part, call, fetch in enrichment.follow_ups(item)
        ]

    def _followed_up(self, read: Read, value: Any) -> None:
        type_name = read.resource_type
        results = self._results.setdefault(type_name, {})
        results.setdefault(read.subject, {})[read.part] = _json_ready(value)
        self._outstanding[type_name] -= 1
        if self._outstanding[type_name]:
            return
        entry = registry.resource_type(type_name)
        enrichment = ENRICHMENTS[type_name]
        items = [
            enrichment.apply(item, results.get(entry.resource_id(item), {}))
            for item in self._items[type_name]
        ]
        self._finish(type_name, items)

    def _fail(self, read: Read, exc: BaseException) -> None:
        type_name = read.resource_type
        self._waiting.discard(type_name)
        self._outstanding.pop(type_name, None)
        self._failed[type_name] = Coverage(
            self.account_id,
            self.region,
            type_name,
            aws.coverage_status(exc),
            f"{read.describe()}: {aws.describe_failure(exc)}",
        )
        logger.debug("%s in %s failed: %s", read.describe(), self.region, exc)
        self._note_finished(type_name)

    def _finish(self, type_name: str, items: list[RawItem]) -> None:
        self._finished[type_name] = items
        self._note_finished(type_name)

    def _note_finished(self, type_name: str) -> None:
        self._on_finished(self.region, type_name)
        if self.done:
            self._log_summary()

    def _log_summary(self) -> None:
        counts = ", ".join(
            f"{registry.resource_type(name).label} {len(items)}"
            for name, items in sorted(self._finished.items())
        )
        failed = ", ".join(
            f"{registry.resource_type(name).label} ({row.status})"
            for name, row in sorted(self._failed.items())
        )
        logger.info(
            "read %s (%s): %d resources [%s]; not read: %s",
            self.region,
            self.account_id,
            sum(len(items) for items in self._finished.values()),
            counts,
            failed or "none",
        )

    def coverage(self) -> list[Coverage]:
        """One row per resource type: ok, or why it could not be read."""
        ok = [
            Coverage(self.account_id, self.region, name, "ok")
            for name in self._finished
        ]
        return ok + list(self._failed.values())

    def resources(self) -> list[Resource]:
        """The canonical resources of every type read successfully."""
        resources: list[Resource] = []
        for type_name, items in self._finished.items():
            entry = registry.resource_type(type_name)
            for raw in items:
                properties, observed = entry.canonicalize(raw)
                resource_id = entry.resource_id(raw)
                logger.debug("%s %s in %s", entry.label, resource_id, self.region)
                resources.append(
                    Resource(
                        self.account_id,
                        self.region,
                        type_name,
                        resource_id,
                        properties,
                        observed,
                    )
                )
        return resources


def _json_ready(value: Any) -> Any:
    """boto3 values as JSON: timestamps become ISO 8601 text, tuples lists."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
