"""Exposure at scale: 2,500 and 10,000 interfaces against the time to read them.

Generates a realistic estate per size (fixed seed): VPCs of 50 interfaces over
four regions, each with public and private subnets and route tables (default
route to the internet gateway or a NAT, carve-outs to a transit gateway and a
peering), a custom network ACL with ordered denies and ephemeral replies, a
dozen security groups (world-open web, office prefix list, group references,
ICMP, all-traffic from a partner range, UDP), a third of the interfaces public
(auto-assigned or Elastic IPs, some IPv6). Writes each snapshot to a temporary
file, then times, best of ``--repeat`` runs:

- reference: ``snapshot.load`` of the file (reading and validating it, with
  the cyclic garbage collector paused as driftwatch always reads);
- exposure: ``reach.exposures`` of the loaded snapshot (graph, every check,
  witnesses, latent entries);
- gc on: the same with CPython's cyclic collector left running (exposure
  pauses it, see ``driftwatch.reach.exposure``), to show what the pause buys.

Wall times are what the goals are about; the CPU-time ratio beside them is
the same comparison without the noise of other processes on the machine.

Goals: exposure at most 8x the reading time at 10,000 interfaces, and
time(10k) / time(2.5k) at most 5 (linear plus a quarter).

Run: ``PYTHONPATH=. python benchmarks/exposure.py``
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.reach import exposure as exposure_module
from driftwatch.reach import exposures

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1")
ACCOUNT = "210987654321"
PER_VPC = 50
Item = dict[str, Any]


class Generator:
    """A seeded estate: raw describe-shaped items, canonicalized like a read."""

    def __init__(self, interfaces: int, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.items: list[tuple[str, str, Item]] = []
        self.serial = 0
        for index in range(interfaces // PER_VPC):
            self.vpc(index, REGIONS[index % len(REGIONS)])

    def id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial:017x}"

    def add(self, region: str, resource_type: str, item: Item) -> None:
        self.items.append((region, resource_type, item))

    def vpc(self, index: int, region: str) -> None:
        vpc_id, block = self.id("vpc"), f"10.{index % 250}.0.0/16"
        ipv6 = f"2600:1f18:{index:x}:100::/56"
        self.add(
            region,
            registry.VPC,
            {
                "VpcId": vpc_id,
                "CidrBlock": block,
                "CidrBlockAssociationSet": [{"CidrBlock": block}],
                "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": ipv6}],
            },
        )
        public = self.random.random() < 0.8
        gateway = self.id("igw")
        self.add(
            region,
            registry.INTERNET_GATEWAY,
            {
                "InternetGatewayId": gateway,
                "Attachments": [{"VpcId": vpc_id, "State": "available"}]
                if public
                else [],
            },
        )
        office = self.id("pl")
        self.add(
            region,
            registry.PREFIX_LIST,
            {
                "PrefixListId": office,
                "AddressFamily": "IPv4",
                "Entries": [{"Cidr": "198.51.100.0/24"}, {"Cidr": "203.0.113.0/26"}],
            },
        )
        subnets = [self.id("subnet") for _ in range(4)]
        for number, subnet in enumerate(subnets):
            self.add(
                region,
                registry.SUBNET,
                {
                    "SubnetId": subnet,
                    "VpcId": vpc_id,
                    "CidrBlock": f"10.{index % 250}.{number}.0/24",
                },
            )
        self.routes(region, vpc_id, block, ipv6, gateway, subnets)
        self.acls(region, vpc_id, subnets)
        groups = self.groups(region, vpc_id, office)
        for number in range(PER_VPC):
            self.interface(region, vpc_id, subnets, groups, index, number)

    def routes(
        self,
        region: str,
        vpc_id: str,
        block: str,
        ipv6: str,
        gateway: str,
        subnets: list[str],
    ) -> None:
        local = [
            {"DestinationCidrBlock": block, "GatewayId": "local"},
            {"DestinationIpv6CidrBlock": ipv6, "GatewayId": "local"},
        ]
        public = [
            *local,
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": gateway},
            {"DestinationIpv6CidrBlock": "::/0", "GatewayId": gateway},
            {"DestinationCidrBlock": "172.16.0.0/12", "TransitGatewayId": "tgw-1"},
            {"DestinationCidrBlock": "52.94.0.0/16", "VpcPeeringConnectionId": "pcx-1"},
        ]
        private = [
            *local,
            {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"},
        ]
        for routes, associated, main in (
            (public, subnets[:2], False),
            (private, subnets[2:], False),
            (local, [], True),
        ):
            table = self.id("rtb")
            associations = [{"SubnetId": s, "RouteTableId": table} for s in associated]
            if main:
                associations.append({"Main": True, "RouteTableId": table})
            self.add(
                region,
                registry.ROUTE_TABLE,
                {
                    "RouteTableId": table,
                    "VpcId": vpc_id,
                    "Routes": routes,
                    "Associations": associations,
                },
            )

    def acls(self, region: str, vpc_id: str, subnets: list[str]) -> None:
        def entry(
            number: int,
            egress: bool,
            action: str,
            cidr: str,
            protocol: str = "-1",
            ports: tuple[int, int] | None = None,
        ) -> Item:
            found: Item = {
                "RuleNumber": number,
                "Egress": egress,
                "RuleAction": action,
                "Protocol": protocol,
                "CidrBlock": cidr,
            }
            if ports:
                found["PortRange"] = {"From": ports[0], "To": ports[1]}
            return found

        custom = [
            entry(90, False, "deny", "192.0.2.0/24"),
            entry(100, False, "deny", "0.0.0.0/0", "6", (3389, 3389)),
            entry(110, False, "allow", "0.0.0.0/0", "6", (0, 65535)),
            entry(120, False, "allow", "0.0.0.0/0", "17", (53, 53)),
            entry(130, False, "allow", "0.0.0.0/0", "1"),
            entry(100, True, "allow", "0.0.0.0/0", "6", (1024, 65535)),
            entry(110, True, "allow", "0.0.0.0/0", "17", (32768, 60999)),
            entry(120, True, "allow", "0.0.0.0/0", "1"),
        ]
        allow = [
            entry(100, False, "allow", "0.0.0.0/0"),
            entry(100, True, "allow", "0.0.0.0/0"),
        ]
        star = [
            entry(32767, False, "deny", "0.0.0.0/0"),
            entry(32767, True, "deny", "0.0.0.0/0"),
        ]
        for entries, associated, default in (
            (allow, subnets[2:], True),
            (custom, subnets[:2], False),
        ):
            acl = self.id("acl")
            self.add(
                region,
                registry.NETWORK_ACL,
                {
                    "NetworkAclId": acl,
                    "VpcId": vpc_id,
                    "IsDefault": default,
                    "Entries": entries + star,
                    "Associations": [
                        {"SubnetId": s, "NetworkAclId": acl} for s in associated
                    ],
                },
            )

    def groups(self, region: str, vpc_id: str, office: str) -> list[str]:
        def rule(protocol: str, low: int, high: int, **source: Any) -> Item:
            return {"IpProtocol": protocol, "FromPort": low, "ToPort": high, **source}

        world = {
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
        }
        ids = [self.id("sg") for _ in range(12)]
        catalogue = [
            [rule("tcp", 443, 443, **world), rule("tcp", 80, 80, **world)],
            [rule("tcp", 22, 22, PrefixListIds=[{"PrefixListId": office}])],
            [rule("tcp", 8080, 8080, UserIdGroupPairs=[{"GroupId": ids[0]}])],
            [rule("tcp", 5432, 5432, UserIdGroupPairs=[{"GroupId": ids[2]}])],
            [rule("icmp", 8, -1, **world), rule("icmp", 3, 4, **world)],
            [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}],
            [
                rule("udp", 53, 53, **world),
                rule("tcp", 53, 53, IpRanges=[{"CidrIp": "10.0.0.0/8"}]),
            ],
            [rule("tcp", 22, 22, **world)],
            [rule("tcp", 3389, 3389, IpRanges=[{"CidrIp": "0.0.0.0/0"}])],
            [rule("tcp", 9000, 9100, IpRanges=[{"CidrIp": "100.64.0.0/10"}])],
            [rule("tcp", 6379, 6379, UserIdGroupPairs=[{"GroupId": ids[2]}])],
            [{"IpProtocol": "50", "IpRanges": [{"CidrIp": "198.51.100.7/32"}]}],
        ]
        for group, permissions in zip(ids, catalogue, strict=True):
            self.add(
                region,
                registry.SECURITY_GROUP,
                {
                    "GroupId": group,
                    "VpcId": vpc_id,
                    "GroupName": group,
                    "IpPermissions": permissions,
                    "IpPermissionsEgress": [rule("-1", -1, -1, **world)],
                },
            )
        return ids

    def interface(
        self,
        region: str,
        vpc_id: str,
        subnets: list[str],
        groups: list[str],
        index: int,
        number: int,
    ) -> None:
        public = number % 3 == 0
        subnet = subnets[number % 2] if public else subnets[2 + number % 2]
        private_ip = f"10.{index % 250}.{number % 4}.{10 + number}"
        chosen = self.random.sample(groups, self.random.randint(1, 3))
        eni = self.id("eni")
        item: Item = {
            "NetworkInterfaceId": eni,
            "SubnetId": subnet,
            "VpcId": vpc_id,
            "PrivateIpAddress": private_ip,
            "InterfaceType": "interface",
            "Groups": [{"GroupId": g} for g in chosen],
            "PrivateIpAddresses": [{"PrivateIpAddress": private_ip, "Primary": True}],
        }
        if public:
            address = f"54.{index % 250}.{number}.{self.random.randint(1, 254)}"
            association: Item = {"PublicIp": address, "IpOwnerId": "amazon"}
            if number % 2:
                allocation = self.id("eipalloc")
                association["AllocationId"] = allocation
                self.add(
                    region,
                    registry.EIP,
                    {
                        "AllocationId": allocation,
                        "PublicIp": address,
                        "NetworkInterfaceId": eni,
                        "PrivateIpAddress": private_ip,
                    },
                )
            item["Association"] = item["PrivateIpAddresses"][0]["Association"] = (
                association
            )
            if number % 4 == 0:
                item["Ipv6Addresses"] = [
                    {"Ipv6Address": f"2600:1f18:{index:x}:100::{number + 1:x}"}
                ]
        self.add(region, registry.NETWORK_INTERFACE, item)

    def snapshot(self) -> snap.Snapshot:
        resources = []
        for region, resource_type, item in self.items:
            entry = registry.resource_type(resource_type)
            properties, observed = entry.canonicalize(item)
            resources.append(
                snap.Resource(
                    ACCOUNT,
                    region,
                    resource_type,
                    entry.resource_id(item),
                    properties,
                    observed,
                )
            )
        coverage = [
            snap.Coverage(ACCOUNT, region, name, "ok")
            for region in REGIONS
            for name in registry.TYPE_NAMES
        ]
        return snap.build(resources, coverage, snapshot_id=f"bench-{len(resources)}")


class Timing:
    """Best wall and CPU seconds of repeated runs, and the last result."""

    def __init__(self, repeat: int, work: Callable[[], Any]) -> None:
        walls, cpus, self.result = [], [], None
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            self.result = work()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        self.wall, self.cpu = min(walls), min(cpus)


def measure(interfaces: int, repeat: int, folder: Path) -> dict[str, Timing]:
    """Timings of reading, exposure and exposure with the collector on."""
    path = folder / f"estate-{interfaces}.json"
    snap.write(path, Generator(interfaces).snapshot())
    gc.collect()
    read = Timing(repeat, lambda: snap.load(path))
    loaded = read.result
    evaluate = Timing(repeat, lambda: exposures(loaded))
    # The same run with CPython's cyclic collector left on, for comparison.
    with mock.patch.object(exposure_module, "collector_paused", contextlib.nullcontext):
        collecting = Timing(repeat, lambda: exposures(loaded))
    return {"read": read, "exposure": evaluate, "collecting": collecting}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs=2, default=(2500, 10000))
    arguments = parser.parse_args()
    small, large = arguments.sizes
    print(
        f"{'interfaces':>10} {'read (s)':>9} {'exposure (s)':>12} {'ratio':>6} "
        f"{'gc on (s)':>9} {'ratio':>6} {'cpu ratio':>9} {'exposures':>9} "
        f"{'latent':>7}"
    )
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (small, large):
            found = results[size] = measure(size, arguments.repeat, Path(folder))
            read, run, collecting = (
                found["read"],
                found["exposure"],
                found["collecting"],
            )
            report = run.result
            print(
                f"{report.interfaces_evaluated:>10} {read.wall:>9.3f} "
                f"{run.wall:>12.3f} {run.wall / read.wall:>5.2f}x "
                f"{collecting.wall:>9.3f} {collecting.wall / read.wall:>5.2f}x "
                f"{run.cpu / read.cpu:>8.2f}x "
                f"{len(report.exposures):>9} {len(report.latent):>7}"
            )
    growth = results[large]["exposure"].wall / results[small]["exposure"].wall
    ratio = results[large]["exposure"].wall / results[large]["read"].wall
    print(f"exposure / read at {large}: {ratio:.2f}x wall (goal <= 8)")
    print(
        f"growth {small} -> {large} interfaces: {growth:.2f}x (goal <= 5, linear = 4)"
    )
    print(
        f"load average while running: {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
