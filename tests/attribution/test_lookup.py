"""The CloudTrail API source: lookups, pagination, rate limit, failures.

moto does not implement ``lookup_events``: its answers come from botocore's
Stubber, built from the fixture records the way CloudTrail's event history
would serve them (by region, time window and indexed resource or event name).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from driftwatch import registry as r
from driftwatch.attribution import LookupEventsSource, RateLimiter, attribute_changes
from driftwatch.attribution.match import UNTIL_SLACK
from driftwatch.changes import part_name
from tests.attribution.trail import (
    BASELINE_AT,
    CURRENT_AT,
    RTB_OLD,
    SG_WEB,
    fixture_entries,
    lookup_item,
    make_change,
    names,
    utc,
)


class FakeClock:
    """A monotonic clock that only moves when something sleeps or time is advanced."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class TimedClient:
    """A stubbed client that notes the fake time of every call."""

    def __init__(
        self, client: Any, clock: FakeClock, calls: list[tuple[str, float]], region: str
    ) -> None:
        self._client, self._clock, self._calls, self._region = (
            client,
            clock,
            calls,
            region,
        )

    def lookup_events(self, **request: Any) -> Any:
        self._calls.append((self._region, self._clock.now))
        return self._client.lookup_events(**request)


def history(
    region: str, attribute: str, value: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """What CloudTrail's event history answers for one lookup, newest first."""
    found = []
    for entry in fixture_entries():
        record = entry["record"]
        moment = utc(record["eventTime"][:-1])
        if record["awsRegion"] != region or not start <= moment <= end:
            continue
        indexed = [name for _, name in entry["lookup_resources"]]
        if (attribute == "ResourceName" and value in indexed) or (
            attribute == "EventName" and record["eventName"] == value
        ):
            found.append(lookup_item(entry))
    return sorted(found, key=lambda item: item["EventTime"], reverse=True)


def expect(
    stubber: Stubber, region: str, attribute: str, value: str, page_size: int = 50
) -> None:
    """Queue the answers (in pages of ``page_size``) to one lookup."""
    end = CURRENT_AT + UNTIL_SLACK
    items = history(region, attribute, value, BASELINE_AT, end)
    pages = [items[i : i + page_size] for i in range(0, len(items), page_size)] or [[]]
    for number, page in enumerate(pages):
        request = {
            "LookupAttributes": [{"AttributeKey": attribute, "AttributeValue": value}],
            "StartTime": BASELINE_AT,
            "EndTime": end,
            "MaxResults": 50,
        }
        response: dict[str, Any] = {"Events": page}
        if number:
            request["NextToken"] = f"page-{number}"
        if number + 1 < len(pages):
            response["NextToken"] = f"page-{number + 1}"
        stubber.add_response("lookup_events", response, request)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def stubbed_source(
    clock: FakeClock, regions: tuple[str, ...] = ("us-east-1",)
) -> tuple[LookupEventsSource, dict[str, Stubber], list[tuple[str, float]]]:
    stubbers: dict[str, Stubber] = {}
    clients: dict[str, TimedClient] = {}
    calls: list[tuple[str, float]] = []
    for region in regions:
        client = boto3.client("cloudtrail", region_name=region)
        stubbers[region] = Stubber(client)
        clients[region] = TimedClient(client, clock, calls, region)
    source = LookupEventsSource(
        target=None,  # type: ignore[arg-type]
        client_factory=clients.__getitem__,
        clock=clock,
        sleep=clock.sleep,
        now=lambda: utc("2026-12-04T09:00:00"),
    )
    return source, stubbers, calls


def sg_rule(port: int) -> str:
    return part_name("IpPermissions", ("tcp", port, port, "IpRanges", "0.0.0.0/0"))


def test_the_rate_limiter_spaces_calls_half_a_second_apart(clock: FakeClock) -> None:
    limiter = RateLimiter(2.0, clock=clock, sleep=clock.sleep)

    starts = []
    for _ in range(4):
        limiter.wait()
        starts.append(clock.now)
    clock.now += 10.0
    idle_wait = limiter.wait()

    assert starts == [0.0, 0.5, 1.0, 1.5]
    assert clock.sleeps == [0.5, 0.5, 0.5]
    assert idle_wait == 0.0


def test_the_rate_limiter_counts_time_already_spent(clock: FakeClock) -> None:
    limiter = RateLimiter(2.0, clock=clock, sleep=clock.sleep)

    limiter.wait()
    clock.now += 0.3
    waited = limiter.wait()

    assert waited == pytest.approx(0.2)
    assert clock.now == pytest.approx(0.5)


def test_a_lookup_pages_through_next_tokens_within_the_window(clock: FakeClock) -> None:
    source, stubbers, calls = stubbed_source(clock)
    expect(stubbers["us-east-1"], "us-east-1", "ResourceName", SG_WEB, page_size=2)

    with stubbers["us-east-1"]:
        events = source.events(
            "123456789012",
            "us-east-1",
            resource_names=[SG_WEB],
            event_names=(),
            since=BASELINE_AT,
            until=CURRENT_AT,
        )
        stubbers["us-east-1"].assert_no_pending_responses()

    # Newest first, as the event history answers; bob's earlier call is outside
    # the window, mallory's refused one is in it (matching drops it later).
    assert names(events) == [
        "DeleteTags",
        "CreateTags",
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupIngress",
    ]
    assert [event.actor.name for event in events][2:] == [
        "mallory",
        "gha-run-4821",
        "alice",
    ]
    assert [event.origin for event in events] == ["cloudtrail:lookup_events"] * 5
    # Three pages of two, each call half a second after the one before.
    assert [at for _, at in calls] == [0.0, 0.5, 1.0]


def test_changes_are_attributed_through_the_api_with_a_second_pass_by_event_name(
    clock: FakeClock,
) -> None:
    source, stubbers, calls = stubbed_source(clock, ("us-east-1", "eu-west-1"))
    removed = part_name("Associations", ("subnet", "subnet-0c0c0c0c0c0c0c0c0"))
    changes = [
        make_change(r.SECURITY_GROUP, SG_WEB, part=sg_rule(22)),
        make_change(r.ROUTE_TABLE, RTB_OLD, part=removed, kind="removed"),
        make_change(r.SECURITY_GROUP, SG_WEB, part=sg_rule(8080), region="eu-west-1"),
    ]
    east, west = stubbers["us-east-1"], stubbers["eu-west-1"]
    expect(east, "us-east-1", "ResourceName", RTB_OLD)
    expect(east, "us-east-1", "ResourceName", SG_WEB)
    expect(east, "us-east-1", "ResourceName", "subnet-0c0c0c0c0c0c0c0c0")
    # DisassociateRouteTable names only an association id: found by event name.
    expect(east, "us-east-1", "EventName", "DisassociateRouteTable")
    expect(east, "us-east-1", "EventName", "ReplaceRouteTableAssociation")
    expect(west, "eu-west-1", "ResourceName", SG_WEB)

    with east, west:
        found = attribute_changes(
            changes, since="2026-12-03T18:15:00Z", until=CURRENT_AT, source=source
        )
        east.assert_no_pending_responses()
        west.assert_no_pending_responses()

    assert [a.status for a in found] == ["attributed"] * 3
    assert [a.confidence for a in found] == ["exact", "candidate", "exact"]
    assert [a.event.event_name for a in found if a.event] == [
        "AuthorizeSecurityGroupIngress",
        "DisassociateRouteTable",
        "AuthorizeSecurityGroupIngress",
    ]
    assert [a.actor.name for a in found if a.actor] == ["alice", "alice", "alice"]
    # Five calls in us-east-1 spaced 0.5 s apart; eu-west-1 has its own limit.
    east_times = [at for region, at in calls if region == "us-east-1"]
    west_times = [at for region, at in calls if region == "eu-west-1"]
    assert east_times == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert west_times == [2.0]


def test_a_refused_lookup_makes_the_attribution_unavailable_not_empty(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    source, stubbers, _ = stubbed_source(clock)
    stubbers["us-east-1"].add_client_error(
        "lookup_events",
        service_error_code="AccessDeniedException",
        service_message="User is not authorized to perform: cloudtrail:LookupEvents",
        http_status_code=400,
    )
    change = make_change(r.SECURITY_GROUP, SG_WEB, part=sg_rule(22))

    with stubbers["us-east-1"], caplog.at_level(logging.WARNING):
        (found,) = attribute_changes(
            [change], since=BASELINE_AT, until=CURRENT_AT, source=source
        )

    assert found.status == "unavailable"
    assert found.event is None
    assert found.reason is not None
    assert (
        "CloudTrail lookup_events in us-east-1 failed (AccessDeniedException"
        in found.reason
    )
    assert "grant cloudtrail:LookupEvents" in found.reason
    assert "CloudTrail lookup_events in us-east-1 failed" in caplog.text


def test_a_lookup_stops_at_the_page_limit_and_says_so(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    source, stubbers, _ = stubbed_source(clock)
    source._max_pages = 1
    expect(stubbers["us-east-1"], "us-east-1", "ResourceName", SG_WEB, page_size=3)

    with stubbers["us-east-1"], caplog.at_level(logging.WARNING):
        events = source.events(
            "123456789012",
            "us-east-1",
            resource_names=[SG_WEB],
            event_names=(),
            since=BASELINE_AT,
            until=CURRENT_AT,
        )

    assert len(events) == 3
    assert (
        "stopped after 1 pages of events for ResourceName sg-0a1b2c3d4e5f60718"
        in caplog.text
    )


def test_a_baseline_older_than_the_event_history_is_warned_about(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    source, stubbers, _ = stubbed_source(clock)
    since = utc("2026-08-01T00:00:00")
    stubbers["us-east-1"].add_response(
        "lookup_events",
        {"Events": []},
        {
            "LookupAttributes": [
                {"AttributeKey": "EventName", "AttributeValue": "CreateRoute"}
            ],
            "StartTime": since,
            "MaxResults": 50,
        },
    )

    with stubbers["us-east-1"], caplog.at_level(logging.WARNING):
        events = source.events(
            "123456789012",
            "us-east-1",
            resource_names=(),
            event_names=["CreateRoute"],
            since=since,
            until=None,
        )

    assert events == []
    assert "CloudTrail event history keeps 90 days" in caplog.text
    assert "2026-09-05T09:00:00Z" in caplog.text
