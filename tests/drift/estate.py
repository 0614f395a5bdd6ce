"""Snapshots of an in-process moto account, read through the registry.

``read`` turns moto's ``describe_*`` output into a snapshot the same way the
collector does (registry describe call, live filter, canonicalizer, VPC DNS
attributes), so drift tests run on real moto shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.changes import Change
from driftwatch.drift import DriftResult, compute

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _items(ec2: Any, entry: registry.ResourceType) -> list[dict[str, Any]]:
    if entry.paginated:
        pages = ec2.get_paginator(entry.describe).paginate()
        return [item for page in pages for item in page[entry.result_key]]
    return list(getattr(ec2, entry.describe)()[entry.result_key])


def _with_dns(ec2: Any, vpc: dict[str, Any]) -> dict[str, Any]:
    vpc = dict(vpc)
    for attribute, field in (
        ("enableDnsSupport", "EnableDnsSupport"),
        ("enableDnsHostnames", "EnableDnsHostnames"),
    ):
        answer = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=attribute)
        vpc[field] = bool(answer[field]["Value"])
    return vpc


def resources(
    ec2: Any, types: Iterable[str] = registry.TYPE_NAMES
) -> list[snap.Resource]:
    """Every live resource of ``types`` in the client's region, canonical."""
    found: list[snap.Resource] = []
    for name in types:
        entry = registry.resource_type(name)
        for item in _items(ec2, entry):
            if not entry.is_live(item):
                continue
            raw = _with_dns(ec2, item) if name == registry.VPC else item
            properties, observed = entry.canonicalize(raw)
            found.append(
                snap.Resource(
                    ACCOUNT, REGION, name, entry.resource_id(raw), properties, observed
                )
            )
    return found


def read(ec2: Any, *, snapshot_id: str = "moto") -> snap.Snapshot:
    """A complete snapshot of the moto account's region."""
    coverage = [
        snap.Coverage(ACCOUNT, REGION, name, "ok") for name in registry.TYPE_NAMES
    ]
    return snap.build(resources(ec2), coverage, snapshot_id=snapshot_id)


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
