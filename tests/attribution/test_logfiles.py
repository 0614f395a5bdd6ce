"""CloudTrail log files on disk: layout, day folders, unreadable files."""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

import pytest

from driftwatch import registry as r
from driftwatch.attribution import LogFileSource, attribute_changes
from driftwatch.attribution.logfiles import folder_day, log_files
from driftwatch.changes import part_name
from driftwatch.errors import InputError
from tests.attribution.trail import (
    ACCOUNT,
    ACL,
    BASELINE_AT,
    CURRENT_AT,
    NAT,
    SG_WEB,
    fixture_records,
    make_change,
    utc,
    write_trail,
)


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    """The fixture records delivered as a trail does, plus what a bucket also holds."""
    root = tmp_path / "bucket"
    write_trail(root, fixture_records())
    digest = (
        root
        / "AWSLogs"
        / ACCOUNT
        / "CloudTrail-Digest"
        / "us-east-1"
        / "2026"
        / "12"
        / "03"
    )
    digest.mkdir(parents=True)
    (
        digest / f"{ACCOUNT}_CloudTrail-Digest_us-east-1_x_20261203T190000Z.json.gz"
    ).write_bytes(
        gzip.compress(json.dumps({"awsAccountId": ACCOUNT, "logFiles": []}).encode())
    )
    return root


def test_the_files_are_laid_out_as_a_trail_delivers_them(trail: Path) -> None:
    files = log_files(trail, BASELINE_AT, CURRENT_AT)

    relative = [str(path.relative_to(trail)) for path in files]
    assert (
        f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/12/03/{ACCOUNT}_CloudTrail_us-east-1_20261203T1900Z_4Xc2kAWs.json.gz"
        in relative
    )
    assert all("CloudTrail-Digest" not in path for path in relative)
    assert folder_day(files[0]) is not None


def test_changes_are_attributed_from_log_files(trail: Path) -> None:
    rule = part_name("IpPermissions", ("tcp", 3389, 3389, "IpRanges", "0.0.0.0/0"))
    changes = [
        make_change(r.SECURITY_GROUP, SG_WEB, part=rule),
        make_change(r.NETWORK_ACL, ACL, part=part_name("Entries", (False, 90))),
        make_change(r.NAT_GATEWAY, NAT, action="added"),
    ]

    found = attribute_changes(
        changes, since=BASELINE_AT, until=CURRENT_AT, source=LogFileSource(trail)
    )

    assert [a.event.event_name for a in found if a.event] == [
        "AuthorizeSecurityGroupIngress",
        "CreateNetworkAclEntry",
        "CreateNatGateway",
    ]
    assert [a.actor.kind for a in found if a.actor] == [
        "assumed_role",
        "sso_user",
        "assumed_role",
    ]
    assert all(a.event and a.event.origin.endswith(".json.gz") for a in found)
    assert found[0].other_events == ()  # mallory's refused attempt is not kept


def test_day_folders_outside_the_window_are_not_opened(
    trail: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = (
        trail / "AWSLogs" / ACCOUNT / "CloudTrail" / "us-east-1" / "2026" / "11" / "20"
    )
    old.mkdir(parents=True)
    (old / "truncated.json.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    source = LogFileSource(trail)

    with caplog.at_level(logging.WARNING):
        source.events(
            ACCOUNT,
            "us-east-1",
            resource_names=(),
            event_names=(),
            since=BASELINE_AT,
            until=CURRENT_AT,
        )

    assert source.unreadable == []
    assert "truncated" not in caplog.text


def test_an_unreadable_file_in_the_window_is_skipped_with_a_warning(
    trail: Path, caplog: pytest.LogCaptureFixture
) -> None:
    day = (
        trail / "AWSLogs" / ACCOUNT / "CloudTrail" / "us-east-1" / "2026" / "12" / "03"
    )
    broken = day / "truncated.json.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00broken")
    source = LogFileSource(trail)

    with caplog.at_level(logging.WARNING):
        events = source.events(
            ACCOUNT,
            "us-east-1",
            resource_names=(),
            event_names=(),
            since=BASELINE_AT,
            until=CURRENT_AT,
        )

    assert source.unreadable == [broken]
    assert f"CloudTrail log file {broken} is unreadable" in caplog.text
    assert len(events) == 36  # every us-east-1 fixture record, refused and old ones too


def test_events_of_another_account_are_left_out(tmp_path: Path) -> None:
    (record,) = [r for r in fixture_records() if r["eventName"] == "CreateNatGateway"]
    write_trail(tmp_path, [{**record, "recipientAccountId": "210987654321"}])
    change = make_change(r.NAT_GATEWAY, NAT, action="added")

    (found,) = attribute_changes(
        [change], since=BASELINE_AT, source=LogFileSource(tmp_path)
    )

    assert found.status == "not_found"


def test_a_directory_without_log_files_is_bad_input(tmp_path: Path) -> None:
    change = make_change(r.NAT_GATEWAY, NAT, action="added")

    with pytest.raises(InputError, match="No CloudTrail log files"):
        attribute_changes([change], since=BASELINE_AT, source=LogFileSource(tmp_path))
    with pytest.raises(InputError, match="is not a directory"):
        attribute_changes(
            [change], since=BASELINE_AT, source=LogFileSource(tmp_path / "nope")
        )


def test_a_plain_json_log_file_is_read_too(tmp_path: Path) -> None:
    (record,) = [r for r in fixture_records() if r["eventName"] == "CreateNatGateway"]
    (tmp_path / "export.json").write_text(json.dumps({"Records": [record]}))
    change = make_change(r.NAT_GATEWAY, NAT, action="added")

    (found,) = attribute_changes(
        [change], since=utc("2026-12-03T00:00:00"), source=LogFileSource(tmp_path)
    )

    assert found.event is not None and found.event.event_name == "CreateNatGateway"
