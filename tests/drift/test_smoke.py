"""First end-to-end check of diff: a world-open SSH rule between two files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from driftwatch import snapshot as snap
from tests.conftest import Cli
from tests.drift import estate


def test_world_open_ssh_rule_is_the_one_critical_change(
    ec2: Any, cli: Cli, tmp_path: Path
) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="w", VpcId=vpc)
    snap.write(tmp_path / "a.json", estate.read(ec2, snapshot_id="a"))
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
    snap.write(tmp_path / "b.json", estate.read(ec2, snapshot_id="b"))

    result = cli(
        "diff",
        "--baseline",
        str(tmp_path / "a.json"),
        "--current",
        str(tmp_path / "b.json"),
        "--format",
        "json",
    )

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["summary"] == {
        "added": 0,
        "removed": 0,
        "modified": 1,
        "unknown": 0,
    }
    [change] = document["changes"]
    assert change["severity"] == "critical"
    assert (
        change["summary"] == f"tcp/22 opened to 0.0.0.0/0 on {group['GroupId']} (web)"
    )
