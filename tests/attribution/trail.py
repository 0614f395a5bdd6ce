"""Test helpers: the CloudTrail fixtures of tests/data/cloudtrail and changes to match.

``records.json`` holds CloudTrail records in the documented record format, each
with the resources CloudTrail's event history indexes it under (what a
``ResourceName`` lookup finds it by).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from driftwatch.attribution.record import TrailEvent, parse_time, trail_event
from driftwatch.changes import Change, Detail, change_id

DATA = Path(__file__).resolve().parent.parent / "data" / "cloudtrail"
ACCOUNT = "123456789012"
BASELINE_AT = parse_time("2026-12-03T18:15:00Z")
CURRENT_AT = parse_time("2026-12-04T08:00:00Z")

SG_WEB, SG_DB = "sg-0a1b2c3d4e5f60718", "sg-0f1e2d3c4b5a69788"
SG_NEW, SG_OLD = "sg-0c0ffee0c0ffee001", "sg-0dead0beef0dead01"
RTB, RTB_OLD = "rtb-0123456789abcdef0", "rtb-0fedcba9876543210"
IGW, SUBNET = "igw-0aa11bb22cc33dd44", "subnet-0a1a2a3a4a5a6a7a8"
ACL = "acl-0123abcd4567ef890"
ENI, ENI_NEW = "eni-0b1b2b3b4b5b6b7b8", "eni-0e1e2e3e4e5e6e7e8"
EIP, EIP_NEW, EIP_OTHER = (
    "eipalloc-0c1c2c3c4c5c6c7c8",
    "eipalloc-0d1d2d3d4d5d6d7d8",
    "eipalloc-0a9a8a7a6a5a4a3a2",
)
VPC = "vpc-0f0e0d0c0b0a09080"
PCX, PCX_NEW = "pcx-0a0b0c0d0e0f01020", "pcx-0b0c0d0e0f0102030"
NAT, VPCE, CGW = (
    "nat-0a9b8c7d6e5f43210",
    "vpce-0a1b2c3d4e5f67890",
    "cgw-0a1b2c3d4e5f67890",
)


def fixture_entries() -> list[dict[str, Any]]:
    """The fixture entries: ``{"lookup_resources": [...], "record": {...}}``."""
    entries: list[dict[str, Any]] = json.loads((DATA / "records.json").read_text())
    return entries


def fixture_records() -> list[dict[str, Any]]:
    """The CloudTrail records of the fixtures."""
    return [entry["record"] for entry in fixture_entries()]


def fixture_events() -> list[TrailEvent]:
    """The fixture records as TrailEvents."""
    return [trail_event(record, "fixture") for record in fixture_records()]


def make_change(
    resource_type: str,
    resource_id: str,
    action: str = "modified",
    part: str = "",
    kind: str = "added",
    region: str = "us-east-1",
) -> Change:
    """A change as the diff engine reports it (one detail of ``kind`` for a part)."""
    details = (Detail(part, kind),) if action == "modified" else ()
    key = (ACCOUNT, region, resource_type, resource_id)
    return Change(
        change_id=change_id(key, action, part, details),
        account_id=ACCOUNT,
        region=region,
        resource_type=resource_type,
        resource_id=resource_id,
        action=action,
        part=part,
        severity="high",
        summary=f"{action} {resource_id} {part}".strip(),
        details=details,
    )


def lookup_item(entry: dict[str, Any]) -> dict[str, Any]:
    """A fixture entry as one item of a ``lookup_events`` answer."""
    record = entry["record"]
    identity = record["userIdentity"]
    item: dict[str, Any] = {
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "ReadOnly": "false",
        "EventTime": parse_time(record["eventTime"]),
        "EventSource": record["eventSource"],
        "Resources": [
            {"ResourceType": kind, "ResourceName": name}
            for kind, name in entry["lookup_resources"]
        ],
        "CloudTrailEvent": json.dumps(record),
    }
    if identity.get("accessKeyId"):
        item["AccessKeyId"] = identity["accessKeyId"]
    username = identity.get("userName") or identity.get("arn", "").rsplit("/", 1)[-1]
    if username:
        item["Username"] = username
    return item


def write_trail(root: Path, records: Iterable[dict[str, Any]]) -> list[Path]:
    """Write records as a trail delivers them: one .json.gz per region and hour."""
    files: dict[Path, list[dict[str, Any]]] = {}
    for record in records:
        moment = parse_time(record["eventTime"])
        region = record["awsRegion"]
        folder = (
            root
            / "AWSLogs"
            / ACCOUNT
            / "CloudTrail"
            / region
            / f"{moment:%Y}"
            / f"{moment:%m}"
            / f"{moment:%d}"
        )
        name = f"{ACCOUNT}_CloudTrail_{region}_{moment:%Y%m%dT%H}00Z_4Xc2kAWs.json.gz"
        files.setdefault(folder / name, []).append(record)
    for path, batch in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as stream:
            json.dump({"Records": batch}, stream)
    return sorted(files)


def names(events: Sequence[TrailEvent]) -> list[str]:
    """Event names, for readable assertions."""
    return [event.event_name for event in events]


def utc(text: str) -> datetime:
    """A UTC time from ISO text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
