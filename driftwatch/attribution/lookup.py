"""Events from the CloudTrail API: ``lookup_events`` by resource or event name.

``LookupEvents`` allows 2 requests per second per account per region and one
lookup attribute per request; it covers the last 90 days of management events.
Each region gets its own ``RateLimiter`` (one source reads one account: that of
its credentials), and the client's adaptive retries absorb any throttling left.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from driftwatch.attribution.events import EVENT_KINDS
from driftwatch.attribution.match import UNTIL_SLACK
from driftwatch.attribution.record import (
    EC2_EVENT_SOURCE,
    TrailEvent,
    format_time,
    trail_event_from_json,
)
from driftwatch.aws import AWS_FAILURES, AwsTarget, describe_failure
from driftwatch.errors import CloudTrailError, InputError

logger = logging.getLogger(__name__)

LOOKUP_RATE = 2.0
MAX_RESULTS = 50
MAX_PAGES = 40
HISTORY = timedelta(days=90)
ORIGIN = "cloudtrail:lookup_events"

ClientFactory = Callable[[str], Any]


class RateLimiter:
    """Spaces calls at least ``1 / rate`` seconds apart; safe across threads."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until the next call may go; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = now if self._next is None else max(now, self._next)
            self._next = start + self._interval
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay


@dataclass(frozen=True)
class Query:
    """One lookup: a region, one lookup attribute and the time window."""

    region: str
    attribute: str
    value: str
    since: datetime
    until: datetime | None

    def request(self) -> dict[str, Any]:
        """The keyword arguments of ``lookup_events`` for the first page."""
        request: dict[str, Any] = {
            "LookupAttributes": [
                {"AttributeKey": self.attribute, "AttributeValue": self.value}
            ],
            "StartTime": self.since,
            "MaxResults": MAX_RESULTS,
        }
        if self.until is not None:
            request["EndTime"] = self.until + UNTIL_SLACK
        return request


class LookupEventsSource:
    """Mutating EC2 events of one account, read with ``cloudtrail:LookupEvents``."""

    needs_event_names = True

    def __init__(
        self,
        target: AwsTarget,
        *,
        client_factory: ClientFactory | None = None,
        rate: float = LOOKUP_RATE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_pages: int = MAX_PAGES,
    ) -> None:
        self._factory = client_factory or (
            lambda region: target.client("cloudtrail", region)
        )
        self._rate, self._clock, self._sleep, self._now = rate, clock, sleep, now
        self._max_pages = max_pages
        self._clients: dict[str, Any] = {}
        self._limiters: dict[str, RateLimiter] = {}
        self._cache: dict[Query, list[TrailEvent]] = {}
        self._lock = threading.Lock()

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
        """Events that name any of ``resource_names`` or are any of ``event_names``."""
        self._warn_if_beyond_history(since)
        found: dict[str, TrailEvent] = {}
        queries = [
            Query(region, "ResourceName", name, since, until)
            for name in sorted(resource_names)
        ]
        queries += [
            Query(region, "EventName", name, since, until)
            for name in sorted(event_names)
        ]
        for query in queries:
            for event in self._lookup(query):
                found.setdefault(event.event_id, event)
        logger.info(
            "cloudtrail %s: %d lookups, %d mutating EC2 events",
            region,
            len(queries),
            len(found),
        )
        return list(found.values())

    def limiter(self, region: str) -> RateLimiter:
        """The rate limiter of a region (created on first use)."""
        with self._lock:
            if region not in self._limiters:
                self._limiters[region] = RateLimiter(
                    self._rate, self._clock, self._sleep
                )
            return self._limiters[region]

    def _client(self, region: str) -> Any:
        with self._lock:
            if region not in self._clients:
                self._clients[region] = self._factory(region)
            return self._clients[region]

    def _lookup(self, query: Query) -> list[TrailEvent]:
        if query not in self._cache:
            self._cache[query] = list(self._pages(query))
        return self._cache[query]

    def _pages(self, query: Query) -> Iterator[TrailEvent]:
        region = query.region
        request = query.request()
        for page in range(1, self._max_pages + 1):
            response = self._call(region, request, f"{query.attribute} {query.value}")
            yield from self._mutating(response.get("Events") or [], region)
            token = response.get("NextToken")
            if not token:
                return
            request["NextToken"] = token
            if page == self._max_pages:
                logger.warning(
                    "cloudtrail %s: stopped after %d pages of events for %s %s; "
                    "older calls are not considered",
                    region,
                    page,
                    query.attribute,
                    query.value,
                )

    def _call(self, region: str, request: dict[str, Any], what: str) -> dict[str, Any]:
        self.limiter(region).wait()
        logger.debug("cloudtrail %s: lookup_events %s", region, what)
        try:
            response: dict[str, Any] = self._client(region).lookup_events(**request)
        except AWS_FAILURES as exc:
            failure = describe_failure(exc)
            raise CloudTrailError(
                f"CloudTrail lookup_events in {region} failed ({failure}); "
                "grant cloudtrail:LookupEvents or pass --cloudtrail-dir with the "
                "trail's log files."
            ) from exc
        return response

    def _mutating(
        self, items: list[dict[str, Any]], region: str
    ) -> Iterator[TrailEvent]:
        for item in items:
            if item.get("EventName") not in EVENT_KINDS:
                continue
            if item.get("EventSource", EC2_EVENT_SOURCE) != EC2_EVENT_SOURCE:
                continue
            try:
                yield trail_event_from_json(item["CloudTrailEvent"], ORIGIN)
            except (KeyError, InputError) as exc:
                logger.warning(
                    "cloudtrail %s: event %s skipped: %s",
                    region,
                    item.get("EventId"),
                    exc,
                )

    def _warn_if_beyond_history(self, since: datetime) -> None:
        oldest = self._now() - HISTORY
        if since < oldest:
            logger.warning(
                "CloudTrail event history keeps 90 days: calls before %s cannot be "
                "found by lookup; pass --cloudtrail-dir with the trail's log files",
                format_time(oldest),
            )
