"""Snapshots of an in-process moto account, taken by the real collector.

``drift_of`` snapshots the account, applies a change through EC2 and
snapshots it again, so drift tests run on moto's own shapes end to end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from driftwatch import collect, registry
from driftwatch import snapshot as snap
from driftwatch.aws import AwsTarget
from driftwatch.changes import Change
from driftwatch.drift import DriftResult, compute

ACCOUNT = "123456789012"
REGION = "us-east-1"


def read(ec2: Any, *, snapshot_id: str = "moto") -> snap.Snapshot:
    """A snapshot of the moto account's region, taken by the real collector."""
    del ec2  # the collector makes its own clients, all on the same moto
    taken = collect.collect(AwsTarget(), [REGION])
    return dataclasses.replace(taken, snapshot_id=snapshot_id)


def drift_of(ec2: Any, mutate: Callable[[], object]) -> DriftResult:
    """The drift that ``mutate`` causes on the moto account."""
    before = read(ec2, snapshot_id="before")
    mutate()
    return compute(before, read(ec2, snapshot_id="after"))


def only(result: DriftResult) -> Change:
    """The single change of a result (fails with the list when there are more)."""
    assert len(result.changes) == 1, [c.summary for c in result.changes]
    return result.changes[0]


def world(port: int, protocol: str = "tcp", cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    """An IpPermission for one port from one CIDR."""
    field, value = ("Ipv6Ranges", "CidrIpv6") if ":" in cidr else ("IpRanges", "CidrIp")
    return {
        "IpProtocol": protocol,
        "FromPort": port,
        "ToPort": port,
        field: [{value: cidr}],
    }


OPEN_SSH = {
    "IpProtocol": "tcp",
    "FromPort": 22,
    "ToPort": 22,
    "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}],
}


def group(group_id: str, *permissions: dict[str, object]) -> snap.Resource:
    """A security group "app" in vpc-1 with these permissions."""
    properties = {
        "GroupId": group_id,
        "GroupName": "app",
        "VpcId": "vpc-1",
        "IpPermissions": list(permissions),
        "Tags": [{"Key": "Owner", "Value": "ops"}],
    }
    return snap.Resource(ACCOUNT, REGION, registry.SECURITY_GROUP, group_id, properties)


def synthetic(
    *resources: snap.Resource, status: dict[str, str] | None = None
) -> snap.Snapshot:
    """A snapshot of these resources; ``status`` overrides coverage per type."""
    status = status or {}
    coverage = [
        snap.Coverage(ACCOUNT, REGION, name, status.get(name, "ok"), "AccessDenied")
        for name in registry.TYPE_NAMES
    ]
    return snap.build(resources, coverage, snapshot_id="s")
