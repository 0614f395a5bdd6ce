"""Benchmark: ``driftwatch diff`` on 100,000 resources with 1% changed.

Writes a baseline and a current snapshot file, then times, side by side:

- the reference run: ``json.load`` of both files;
- ``driftwatch diff --baseline A --current B --format json`` end to end from
  the files (in process, the CLI's own code path), with its output checked to
  be exactly the injected change set;
- one whole-document ``DeepDiff(A, B, ignore_order=True)``, on a smaller
  size because it is far too slow at full size (the size is printed), beside
  driftwatch on the same smaller pair.

Usage: ``python benchmarks/diff.py [--resources N] [--deepdiff-resources M]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.cli import main

ACCOUNT, REGION = "123456789012", "eu-west-1"
Key = tuple[tuple[str, str, str, str], str]


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(68):017x}"


def _tags(rng: random.Random, name: str) -> list[dict[str, str]]:
    return [
        {"Key": "Name", "Value": name},
        {"Key": "Env", "Value": rng.choice(["prod", "stage"])},
        {"Key": "CostCenter", "Value": str(rng.randint(100, 999))},
    ]


def security_group(rng: random.Random, group_id: str) -> dict[str, Any]:
    """A group with a few rules from private ranges and peer groups."""
    permissions = [
        {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "IpRanges": [{"CidrIp": f"10.{rng.randint(0, 255)}.0.0/16"}],
        }
        for port in rng.sample([80, 443, 8080, 8443, 9000, 5432, 6379], 4)
    ]
    return {
        "GroupId": group_id,
        "GroupName": f"app-{group_id[-5:]}",
        "Description": "application tier",
        "OwnerId": ACCOUNT,
        "VpcId": "vpc-0123456789abcdef0",
        "IpPermissions": permissions,
        "IpPermissionsEgress": [
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
        "Tags": _tags(rng, group_id),
    }


def route_table(rng: random.Random, table_id: str) -> dict[str, Any]:
    """A private route table: local, default via NAT, two peering routes."""
    return {
        "RouteTableId": table_id,
        "VpcId": "vpc-0123456789abcdef0",
        "OwnerId": ACCOUNT,
        "Routes": [
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
            {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": f"nat-{_hex(rng)}"},
            {"DestinationCidrBlock": "10.8.0.0/16", "VpcPeeringConnectionId": "pcx-1"},
            {"DestinationCidrBlock": "10.9.0.0/16", "VpcPeeringConnectionId": "pcx-2"},
        ],
        "Associations": [{"SubnetId": f"subnet-{_hex(rng)}", "Main": False}],
        "PropagatingVgws": [],
        "Tags": _tags(rng, table_id),
    }


def network_interface(rng: random.Random, eni_id: str) -> dict[str, Any]:
    """A plain instance interface with one private IP."""
    private = f"10.0.{rng.randint(0, 255)}.{rng.randint(4, 250)}"
    return {
        "NetworkInterfaceId": eni_id,
        "InterfaceType": "interface",
        "RequesterManaged": False,
        "AvailabilityZone": "eu-west-1a",
        "MacAddress": "02:00:00:00:00:01",
        "OwnerId": ACCOUNT,
        "PrivateIpAddress": private,
        "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": private}],
        "Groups": [{"GroupId": f"sg-{_hex(rng)}", "GroupName": "app"}],
        "Ipv6Addresses": [],
        "SourceDestCheck": True,
        "SubnetId": f"subnet-{_hex(rng)}",
        "VpcId": "vpc-0123456789abcdef0",
        "TagSet": _tags(rng, eni_id),
    }


def subnet(rng: random.Random, subnet_id: str) -> dict[str, Any]:
    """A private subnet."""
    return {
        "SubnetId": subnet_id,
        "VpcId": "vpc-0123456789abcdef0",
        "CidrBlock": f"10.0.{rng.randint(0, 255)}.0/24",
        "AvailabilityZone": "eu-west-1b",
        "MapPublicIpOnLaunch": False,
        "OwnerId": ACCOUNT,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": _tags(rng, subnet_id),
    }


def network_acl(rng: random.Random, acl_id: str) -> dict[str, Any]:
    """An ACL that denies SSH from the world and allows the rest inside."""
    return {
        "NetworkAclId": acl_id,
        "VpcId": "vpc-0123456789abcdef0",
        "IsDefault": False,
        "OwnerId": ACCOUNT,
        "Entries": [
            {"RuleNumber": 100, "Egress": False, "Protocol": "6", "RuleAction": "deny",
             "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 22}},
            {"RuleNumber": 200, "Egress": False, "Protocol": "-1",
             "RuleAction": "allow", "CidrBlock": "10.0.0.0/8"},
            {"RuleNumber": 100, "Egress": True, "Protocol": "-1",
             "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
        ],
        "Associations": [{"SubnetId": f"subnet-{_hex(rng)}", "NetworkAclId": acl_id}],
        "Tags": _tags(rng, acl_id),
    }  # fmt: skip


def _open_ssh(properties: dict[str, Any]) -> str:
    properties["IpPermissions"].append(
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    )  # fmt: skip
    return 'IpPermissions["tcp",22,22,"IpRanges","0.0.0.0/0"]'


def _route_to_igw(properties: dict[str, Any]) -> str:
    properties["Routes"][1] = {
        "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": "igw-1",
    }
    return 'Routes["DestinationCidrBlock","0.0.0.0/0"]'


def _owner_tag(properties: dict[str, Any]) -> str:
    properties["TagSet"].append({"Key": "Owner", "Value": "mallory"})
    return 'TagSet["Owner"]'


def _public_launch(properties: dict[str, Any]) -> str:
    properties["MapPublicIpOnLaunch"] = True
    return "MapPublicIpOnLaunch"


def _allow_ssh(properties: dict[str, Any]) -> str:
    properties["Entries"][0]["RuleAction"] = "allow"
    return "Entries[false,100]"


Maker = Callable[[random.Random, str], dict[str, Any]]
Mutation = Callable[[dict[str, Any]], str]
# (type, id prefix, share of the estate, generator, the change injected)
MIX: tuple[tuple[str, str, float, Maker, Mutation], ...] = (
    (registry.SECURITY_GROUP, "sg", 0.4, security_group, _open_ssh),
    (registry.ROUTE_TABLE, "rtb", 0.15, route_table, _route_to_igw),
    (registry.NETWORK_INTERFACE, "eni", 0.25, network_interface, _owner_tag),
    (registry.SUBNET, "subnet", 0.1, subnet, _public_launch),
    (registry.NETWORK_ACL, "acl", 0.1, network_acl, _allow_ssh),
)


def _resource(
    resource_type: str, resource_id: str, raw: dict[str, Any]
) -> snap.Resource:
    properties, observed = registry.resource_type(resource_type).canonicalize(raw)
    return snap.Resource(
        ACCOUNT, REGION, resource_type, resource_id, properties, observed
    )


def estate(count: int, seed: int = 1) -> tuple[snap.Snapshot, snap.Snapshot, set[Key]]:
    """Baseline and current snapshots with 1% of resources changed, and the changes."""
    rng = random.Random(seed)
    baseline: list[snap.Resource] = []
    current: list[snap.Resource] = []
    expected: set[Key] = set()
    for resource_type, prefix, share, make, mutate in MIX:
        for _ in range(int(count * share)):
            resource_id = f"{prefix}-{_hex(rng)}"
            raw = make(rng, resource_id)
            resource = _resource(resource_type, resource_id, raw)
            baseline.append(resource)
            roll = rng.random()
            if roll >= 0.01:
                current.append(resource)
            elif roll < 0.001:  # removed out of band
                expected.add((resource.key, ""))
            elif roll < 0.002:  # one added beside it
                current.append(resource)
                new_id = f"{prefix}-{_hex(rng)}"
                added = _resource(resource_type, new_id, make(rng, new_id))
                current.append(added)
                expected.add((added.key, ""))
            else:
                part = mutate(raw)
                current.append(_resource(resource_type, resource_id, raw))
                expected.add((resource.key, part))
    coverage = [snap.Coverage(ACCOUNT, REGION, t, "ok") for t in registry.TYPE_NAMES]
    return (
        snap.build(baseline, coverage, snapshot_id="bench-baseline"),
        snap.build(current, coverage, snapshot_id="bench-current"),
        expected,
    )


def _timed(function: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """The best wall time of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def _load_both(first: Path, second: Path, *, collector: bool = True) -> list[Any]:
    """Both documents, held together as any comparison must hold them."""
    if not collector:
        gc.disable()
    try:
        documents = []
        for path in (first, second):
            with path.open("rb") as stream:
                documents.append(json.load(stream))
        return documents
    finally:
        gc.enable()


def _driftwatch_diff(first: Path, second: Path, report: Path) -> int:
    args = ["diff", "--baseline", str(first), "--current", str(second)]
    args += ["--format", "json", "--output", str(report), "--store", str(report.parent)]
    code = main.main(args, standalone_mode=False)
    return int(code or 0)


def _found(report: Path) -> set[Key]:
    document = json.loads(report.read_text())
    return {
        (
            (c["account_id"], c["region"], c["resource_type"], c["resource_id"]),
            c["part"],
        )
        for c in document["changes"]
    }


def _write_estate(
    count: int, workdir: Path
) -> tuple[Path, Path, set[Key], tuple[int, int]]:
    """Both files on disk; the generated objects are dropped before any timing."""
    baseline, current, expected = estate(count)
    first, second = workdir / f"a-{count}.json", workdir / f"b-{count}.json"
    snap.write(first, baseline)
    snap.write(second, current)
    return first, second, expected, (len(baseline.resources), len(current.resources))


def _measure(count: int, workdir: Path, repeat: int) -> dict[str, Any]:
    first, second, expected, sizes = _write_estate(count, workdir)
    # The generator's objects would slow every collection of the timed runs.
    gc.collect()
    report = workdir / f"report-{count}.json"
    load_time, _ = _timed(lambda: _load_both(first, second), repeat)
    quiet_time, _ = _timed(lambda: _load_both(first, second, collector=False), repeat)
    diff_time, code = _timed(lambda: _driftwatch_diff(first, second, report), repeat)
    found = _found(report)
    return {
        "count": count,
        "resources": sizes,
        "bytes": first.stat().st_size + second.stat().st_size,
        "load": load_time,
        "quiet": quiet_time,
        "diff": diff_time,
        "exit": code,
        "exact": found == expected,
        "expected": len(expected),
        "found": len(found),
        "paths": (first, second),
    }


def _deepdiff_time(first: Path, second: Path) -> float:
    documents = [json.loads(path.read_text()) for path in (first, second)]
    start = time.perf_counter()
    DeepDiff(documents[0], documents[1], ignore_order=True)
    return time.perf_counter() - start


def main_benchmark() -> int:
    """Run both sizes and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--deepdiff-resources", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="driftwatch-bench-") as temporary:
        workdir = Path(temporary)
        full = _measure(options.resources, workdir, options.repeat)
        small = _measure(options.deepdiff_resources, workdir, options.repeat)
        deep = _deepdiff_time(*small["paths"])
    for run in (full, small):
        print(
            f"{run['count']:>7} resources ({run['resources'][0]} -> "
            f"{run['resources'][1]}, {run['bytes'] / 1e6:.1f} MB on disk): "
            f"json.load both {run['load']:.3f} s (gc paused {run['quiet']:.3f} s) | "
            f"driftwatch diff --format json {run['diff']:.3f} s | ratio "
            f"{run['diff'] / run['load']:.2f}x (goal <= 3x; vs gc-paused load "
            f"{run['diff'] / run['quiet']:.2f}x) | exit {run['exit']} | changes "
            f"{run['found']} found, {run['expected']} injected, exact: {run['exact']}"
        )
    print(
        f"{small['count']:>7} resources: DeepDiff(A, B, ignore_order=True) "
        f"{deep:.3f} s | driftwatch {small['diff']:.3f} s | DeepDiff / driftwatch "
        f"{deep / small['diff']:.1f}x | DeepDiff / json.load "
        f"{deep / small['load']:.1f}x"
    )
    exact = full["exact"] and small["exact"]
    return 0 if exact and full["diff"] <= 3 * full["load"] else 1


if __name__ == "__main__":
    sys.exit(main_benchmark())
