"""``diff --cloudtrail-dir`` (and ``--attribute``): who made each change."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from driftwatch import snapshot as snap
from tests.attribution.trail import fixture_records, write_trail
from tests.conftest import Cli
from tests.drift import estate


@pytest.fixture
def drifted(ec2: Any, tmp_path: Path) -> tuple[Path, Path, str]:
    """Baseline and current files a world-open SSH rule apart, and the group id."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="w", VpcId=vpc)
    baseline = estate.read(ec2, snapshot_id="baseline")
    snap.write(
        tmp_path / "a.json",
        dataclasses.replace(baseline, taken_at="2026-12-03T18:15:00Z"),
    )
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    current = estate.read(ec2, snapshot_id="current")
    snap.write(
        tmp_path / "b.json",
        dataclasses.replace(current, taken_at="2026-12-04T08:00:00Z"),
    )
    return tmp_path / "a.json", tmp_path / "b.json", group["GroupId"]


def trail_for(group_id: str, root: Path) -> Path:
    """The fixture trail with the SSH calls re-aimed at moto's security group."""
    records = copy.deepcopy(fixture_records())
    for record in records:
        if record["eventName"] == "AuthorizeSecurityGroupIngress":
            record["requestParameters"]["groupId"] = group_id
    write_trail(root, records)
    return root


def test_the_diff_json_carries_who_made_each_change(
    drifted: tuple[Path, Path, str], cli: Cli, tmp_path: Path
) -> None:
    baseline, current, group_id = drifted
    trail = trail_for(group_id, tmp_path / "trail")

    result = cli(
        "diff",
        "--baseline",
        str(baseline),
        "--current",
        str(current),
        "--format",
        "json",
        "--cloudtrail-dir",
        str(trail),
    )

    assert result.exit_code == 1
    [change] = json.loads(result.stdout)["changes"]
    found = change["attribution"]
    assert found["status"] == "attributed"
    assert found["confidence"] == "exact"
    assert found["actor"]["name"] == "alice"
    assert found["actor"]["arn"] == "arn:aws:iam::123456789012:user/alice"
    assert found["event"]["event_name"] == "AuthorizeSecurityGroupIngress"
    assert found["event"]["event_time"] == "2026-12-03T19:02:11Z"
    assert found["event"]["source_ip"] == "198.51.100.23"


def test_markdown_and_table_show_a_who_column(
    drifted: tuple[Path, Path, str], cli: Cli, tmp_path: Path
) -> None:
    baseline, current, group_id = drifted
    trail = trail_for(group_id, tmp_path / "trail")
    args = [
        "diff",
        "--baseline",
        str(baseline),
        "--current",
        str(current),
        "--cloudtrail-dir",
        str(trail),
    ]

    markdown = cli(*args, "--format", "markdown")
    table = cli(*args, "--format", "table")

    assert (
        "| severity | account | region | resource | change | id | who |"
        in markdown.stdout
    )
    who = (
        "alice (IAM user), AuthorizeSecurityGroupIngress at 2026-12-03T19:02:11Z "
        "from 198.51.100.23"
    )
    assert who in markdown.stdout
    assert "who" in table.stdout and "alice (IAM user)" in table.stdout


def test_without_attribute_the_diff_has_no_attribution(
    drifted: tuple[Path, Path, str], cli: Cli
) -> None:
    baseline, current, _ = drifted

    result = cli(
        "diff",
        "--baseline",
        str(baseline),
        "--current",
        str(current),
        "--format",
        "json",
    )

    [change] = json.loads(result.stdout)["changes"]
    assert "attribution" not in change


def test_a_cloudtrail_dir_without_logs_is_one_sentence_and_exit_2(
    drifted: tuple[Path, Path, str], cli: Cli, tmp_path: Path
) -> None:
    baseline, current, _ = drifted
    (tmp_path / "empty").mkdir()

    result = cli(
        "diff",
        "--baseline",
        str(baseline),
        "--current",
        str(current),
        "--cloudtrail-dir",
        str(tmp_path / "empty"),
    )

    assert result.exit_code == 2
    last = result.stderr.splitlines()[-1]
    assert last.startswith("driftwatch: No CloudTrail log files (*.json.gz) under ")
