"""Small estates written as snapshot documents, for the reachability tests.

``Estate`` builds raw ``describe_*``-shaped items the way AWS returns them (a
VPC comes with its main route table and default network ACL), runs them
through the registry's canonicalizers, and hands back a ``Snapshot``: the same
shape the collector stores.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from driftwatch import registry
from driftwatch.snapshot import Coverage, Resource, Snapshot, build

ACCOUNT = "111111111111"
REGION = "us-east-1"
Item = dict[str, Any]


def sg_rule(
    protocol: str | int,
    from_port: int | None = None,
    to_port: int | None = None,
    *,
    cidr: str | None = None,
    group: str | None = None,
    prefix_list: str | None = None,
) -> Item:
    """An inbound IpPermission with one source."""
    permission: Item = {"IpProtocol": str(protocol)}
    if from_port is not None:
        permission["FromPort"] = from_port
        permission["ToPort"] = from_port if to_port is None else to_port
    if cidr and ":" in cidr:
        permission["Ipv6Ranges"] = [{"CidrIpv6": cidr}]
    elif cidr:
        permission["IpRanges"] = [{"CidrIp": cidr}]
    if group:
        permission["UserIdGroupPairs"] = [{"GroupId": group, "UserId": ACCOUNT}]
    if prefix_list:
        permission["PrefixListIds"] = [{"PrefixListId": prefix_list}]
    return permission


def acl_entry(
    number: int,
    action: str,
    cidr: str,
    *,
    egress: bool = False,
    protocol: str | int = "-1",
    ports: tuple[int, int] | None = None,
    icmp: tuple[int, int] | None = None,
) -> Item:
    """A network ACL entry."""
    entry: Item = {
        "RuleNumber": number,
        "RuleAction": action,
        "Egress": egress,
        "Protocol": str(protocol),
    }
    entry["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
    if ports is not None:
        entry["PortRange"] = {"From": ports[0], "To": ports[1]}
    if icmp is not None:
        entry["IcmpTypeCode"] = {"Type": icmp[0], "Code": icmp[1]}
    return entry


def allow_all(cidr: str = "0.0.0.0/0", number: int = 100) -> list[Item]:
    """Inbound and outbound entries allowing everything from/to ``cidr``."""
    return [
        acl_entry(number, "allow", cidr),
        acl_entry(number, "allow", cidr, egress=True),
    ]


class Estate:
    """A builder of one account's estate in one region."""

    def __init__(self, account: str = ACCOUNT, region: str = REGION) -> None:
        self.account = account
        self.region = region
        self.items: list[tuple[str, Item]] = []
        self.coverage_status: dict[str, str] = {}
        self._ids = itertools.count(1)

    def _id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):08x}"

    def _add(self, resource_type: str, item: Item) -> Item:
        self.items.append((resource_type, item))
        return item

    def find(self, resource_type: str, resource_id: str) -> Item:
        """The raw item of a resource, to change it in place."""
        id_field = registry.resource_type(resource_type).id_field
        for kind, item in self.items:
            if kind == resource_type and item.get(id_field) == resource_id:
                return item
        raise KeyError(resource_id)

    # --- resources --------------------------------------------------------------

    def vpc(self, cidr: str = "10.0.0.0/16", ipv6: str | None = None) -> str:
        """A VPC with its main route table (local routes) and default ACL."""
        vpc_id = self._id("vpc")
        item: Item = {
            "VpcId": vpc_id,
            "CidrBlock": cidr,
            "CidrBlockAssociationSet": [{"CidrBlock": cidr}],
            "OwnerId": self.account,
            "IsDefault": False,
        }
        if ipv6:
            item["Ipv6CidrBlockAssociationSet"] = [{"Ipv6CidrBlock": ipv6}]
        self._add(registry.VPC, item)
        local = [{"DestinationCidrBlock": cidr, "GatewayId": "local"}]
        if ipv6:
            local.append({"DestinationIpv6CidrBlock": ipv6, "GatewayId": "local"})
        self.route_table(vpc_id, routes=local, main=True)
        entries = allow_all()
        if ipv6:
            entries += allow_all("::/0", 101)
        self.network_acl(vpc_id, entries=entries, default=True)
        return vpc_id

    def main_route_table(self, vpc_id: str) -> str:
        """The id of a VPC's main route table."""
        for kind, item in self.items:
            if (
                kind == registry.ROUTE_TABLE
                and item["VpcId"] == vpc_id
                and any(a.get("Main") for a in item["Associations"])
            ):
                return str(item["RouteTableId"])
        raise KeyError(vpc_id)

    def default_acl(self, vpc_id: str) -> str:
        """The id of a VPC's default network ACL."""
        for kind, item in self.items:
            if (
                kind == registry.NETWORK_ACL
                and item["VpcId"] == vpc_id
                and item["IsDefault"]
            ):
                return str(item["NetworkAclId"])
        raise KeyError(vpc_id)

    def subnet(self, vpc_id: str, cidr: str, ipv6: str | None = None) -> str:
        """A subnet of a VPC."""
        subnet_id = self._id("subnet")
        item: Item = {
            "SubnetId": subnet_id,
            "VpcId": vpc_id,
            "CidrBlock": cidr,
            "AvailabilityZone": f"{self.region}a",
        }
        if ipv6:
            item["Ipv6CidrBlockAssociationSet"] = [{"Ipv6CidrBlock": ipv6}]
        self._add(registry.SUBNET, item)
        return subnet_id

    def internet_gateway(self, vpc_id: str | None = None) -> str:
        """An internet gateway, attached to ``vpc_id`` if given."""
        gateway_id = self._id("igw")
        attachments = [{"VpcId": vpc_id, "State": "available"}] if vpc_id else []
        self._add(
            registry.INTERNET_GATEWAY,
            {"InternetGatewayId": gateway_id, "Attachments": attachments},
        )
        return gateway_id

    def egress_only_gateway(self, vpc_id: str) -> str:
        """An egress-only internet gateway attached to a VPC."""
        gateway_id = self._id("eigw")
        self._add(
            registry.EGRESS_ONLY_INTERNET_GATEWAY,
            {
                "EgressOnlyInternetGatewayId": gateway_id,
                "Attachments": [{"VpcId": vpc_id, "State": "attached"}],
            },
        )
        return gateway_id

    def route_table(
        self,
        vpc_id: str,
        *,
        subnets: Sequence[str] = (),
        routes: Iterable[Item] = (),
        main: bool = False,
    ) -> str:
        """A route table with routes and subnet (or main) associations."""
        table_id = self._id("rtb")
        associations: list[Item] = [
            {"RouteTableId": table_id, "SubnetId": subnet, "Main": False}
            for subnet in subnets
        ]
        if main:
            associations.append({"RouteTableId": table_id, "Main": True})
        self._add(
            registry.ROUTE_TABLE,
            {
                "RouteTableId": table_id,
                "VpcId": vpc_id,
                "Routes": [dict(route) for route in routes],
                "Associations": associations,
            },
        )
        return table_id

    def route(self, table_id: str, destination: str, target: str) -> None:
        """Add a route: destination CIDR (either family) or prefix list, to a target."""
        if destination.startswith("pl-"):
            route: Item = {"DestinationPrefixListId": destination}
        elif ":" in destination:
            route = {"DestinationIpv6CidrBlock": destination}
        else:
            route = {"DestinationCidrBlock": destination}
        field = {
            "eigw": "EgressOnlyInternetGatewayId",
            "nat": "NatGatewayId",
            "pcx": "VpcPeeringConnectionId",
            "eni": "NetworkInterfaceId",
            "tgw": "TransitGatewayId",
        }.get(target.split("-", maxsplit=1)[0], "GatewayId")
        route[field] = target
        self.find(registry.ROUTE_TABLE, table_id)["Routes"].append(route)

    def network_acl(
        self,
        vpc_id: str,
        *,
        subnets: Sequence[str] = (),
        entries: Iterable[Item] = (),
        default: bool = False,
    ) -> str:
        """A network ACL; AWS adds the '*' (32767) deny entries itself."""
        acl_id = self._id("acl")
        listed = list(entries)
        for egress in (False, True):
            listed.append(acl_entry(32767, "deny", "0.0.0.0/0", egress=egress))
        for subnet in subnets:
            self._move_acl_association(subnet)
        self._add(
            registry.NETWORK_ACL,
            {
                "NetworkAclId": acl_id,
                "VpcId": vpc_id,
                "IsDefault": default,
                "Entries": listed,
                "Associations": [
                    {"NetworkAclId": acl_id, "SubnetId": subnet} for subnet in subnets
                ],
            },
        )
        return acl_id

    def _move_acl_association(self, subnet: str) -> None:
        for kind, item in self.items:
            if kind == registry.NETWORK_ACL:
                item["Associations"] = [
                    a for a in item["Associations"] if a["SubnetId"] != subnet
                ]

    def security_group(self, vpc_id: str, rules: Iterable[Item] = ()) -> str:
        """A security group with inbound rules (and the default allow-all out)."""
        group_id = self._id("sg")
        self._add(
            registry.SECURITY_GROUP,
            {
                "GroupId": group_id,
                "GroupName": group_id,
                "VpcId": vpc_id,
                "OwnerId": self.account,
                "Description": "test",
                "IpPermissions": list(rules),
                "IpPermissionsEgress": [sg_rule("-1", cidr="0.0.0.0/0")],
            },
        )
        return group_id

    def prefix_list(self, cidrs: Sequence[str], family: str = "IPv4") -> str:
        """A customer-managed prefix list."""
        list_id = self._id("pl")
        self._add(
            registry.PREFIX_LIST,
            {
                "PrefixListId": list_id,
                "PrefixListName": list_id,
                "AddressFamily": family,
                "MaxEntries": 10,
                "OwnerId": self.account,
                "Entries": [{"Cidr": cidr} for cidr in cidrs],
            },
        )
        return list_id

    def interface(
        self,
        subnet_id: str,
        groups: Sequence[str],
        *,
        private_ip: str = "10.0.1.10",
        public_ip: str | None = None,
        elastic_ip: str | None = None,
        ipv6: Sequence[str] = (),
        deny_all_igw_traffic: bool = False,
        interface_type: str = "interface",
        instance: str | None = None,
    ) -> str:
        """A network interface; ``public_ip`` auto-assigned, ``elastic_ip`` an EIP."""
        interface_id = self._id("eni")
        vpc_id = self.find(registry.SUBNET, subnet_id)["VpcId"]
        private: Item = {"PrivateIpAddress": private_ip, "Primary": True}
        item: Item = {
            "NetworkInterfaceId": interface_id,
            "SubnetId": subnet_id,
            "VpcId": vpc_id,
            "PrivateIpAddress": private_ip,
            "InterfaceType": interface_type,
            "Groups": [{"GroupId": group, "GroupName": group} for group in groups],
            "Ipv6Addresses": [{"Ipv6Address": address} for address in ipv6],
            "PrivateIpAddresses": [private],
            "Status": "in-use",
        }
        if deny_all_igw_traffic:
            item["DenyAllIgwTraffic"] = True
        if instance:
            item["Attachment"] = {"InstanceId": instance, "DeviceIndex": 0}
        if public_ip:
            association = {"PublicIp": public_ip, "IpOwnerId": "amazon"}
            item["Association"] = private["Association"] = association
        if elastic_ip:
            allocation = self._id("eipalloc")
            association = {
                "PublicIp": elastic_ip,
                "AllocationId": allocation,
                "IpOwnerId": self.account,
            }
            item["Association"] = private["Association"] = association
            self._add(
                registry.EIP,
                {
                    "AllocationId": allocation,
                    "PublicIp": elastic_ip,
                    "Domain": "vpc",
                    "NetworkInterfaceId": interface_id,
                    "PrivateIpAddress": private_ip,
                },
            )
        self._add(registry.NETWORK_INTERFACE, item)
        return interface_id

    def nat_gateway(self, subnet_id: str, elastic_ip: str) -> tuple[str, str]:
        """A NAT gateway with an Elastic IP; returns (nat id, its interface id)."""
        nat_id = self._id("nat")
        interface_id = self.interface(
            subnet_id,
            (),
            private_ip="10.0.0.200",
            elastic_ip=elastic_ip,
            interface_type="natGateway",
        )
        vpc_id = self.find(registry.SUBNET, subnet_id)["VpcId"]
        self._add(
            registry.NAT_GATEWAY,
            {
                "NatGatewayId": nat_id,
                "SubnetId": subnet_id,
                "VpcId": vpc_id,
                "State": "available",
                "NatGatewayAddresses": [
                    {
                        "NetworkInterfaceId": interface_id,
                        "PublicIp": elastic_ip,
                        "PrivateIp": "10.0.0.200",
                    }
                ],
            },
        )
        return nat_id, interface_id

    def peering(self, requester: str, accepter: str) -> str:
        """An active VPC peering connection."""
        peering_id = self._id("pcx")
        self._add(
            registry.VPC_PEERING_CONNECTION,
            {
                "VpcPeeringConnectionId": peering_id,
                "RequesterVpcInfo": {"VpcId": requester, "OwnerId": self.account},
                "AccepterVpcInfo": {"VpcId": accepter, "OwnerId": self.account},
                "Status": {"Code": "active"},
            },
        )
        return peering_id

    # --- the snapshot -----------------------------------------------------------

    def resources(self) -> list[Resource]:
        """Every item in canonical form."""
        found = []
        for resource_type, item in self.items:
            entry = registry.resource_type(resource_type)
            properties, observed = entry.canonicalize(item)
            found.append(
                Resource(
                    self.account,
                    self.region,
                    resource_type,
                    entry.resource_id(item),
                    properties,
                    observed,
                )
            )
        return found

    def coverage(self) -> list[Coverage]:
        """One row per type; ``coverage_status`` overrides ``ok``."""
        return [
            Coverage(
                self.account,
                self.region,
                name,
                self.coverage_status.get(name, "ok"),
                None if name not in self.coverage_status else "test",
            )
            for name in registry.TYPE_NAMES
        ]

    def snapshot(self, snapshot_id: str = "snap-test") -> Snapshot:
        """The estate as a snapshot (round-tripped through the file format)."""
        from driftwatch import snapshot as snap

        built = build(self.resources(), self.coverage(), snapshot_id=snapshot_id)
        return snap.loads(snap.dumps(built))


# --- a public web host, and what to compare reports with -------------------------


def world_except(*cidrs: str) -> list[str]:
    """0.0.0.0/0 or ::/0 minus ``cidrs``, as sorted CIDRs (computed by ipaddress)."""
    import ipaddress

    family = ipaddress.ip_network(cidrs[0]).version
    remaining = [ipaddress.ip_network("0.0.0.0/0" if family == 4 else "::/0")]
    for cidr in cidrs:
        carve = ipaddress.ip_network(cidr)
        remaining = [
            piece
            for network in remaining
            for piece in (
                network.address_exclude(carve)
                if carve.subnet_of(network)  # type: ignore[arg-type]
                else [network]
            )
        ]
    return [str(network) for network in ipaddress.collapse_addresses(remaining)]


# Every IPv4 source except the VPC's own range, which the local route keeps.
WORLD = world_except("10.0.0.0/16")
WORLD6 = world_except("2600:1f18:1:100::/56")


class Public:
    """A VPC with an attached internet gateway, a default route to it, and one
    interface with a public IPv4 (and IPv6 when asked) in a subnet using the
    main route table and the default ACL."""

    def __init__(
        self,
        rules: Iterable[Item] = (),
        *,
        ipv6: bool = False,
        public_ip: str | None = "54.1.2.3",
    ) -> None:
        self.estate = Estate()
        self.vpc = self.estate.vpc(ipv6="2600:1f18:1:100::/56" if ipv6 else None)
        self.igw = self.estate.internet_gateway(self.vpc)
        self.table = self.estate.main_route_table(self.vpc)
        self.acl = self.estate.default_acl(self.vpc)
        self.estate.route(self.table, "0.0.0.0/0", self.igw)
        if ipv6:
            self.estate.route(self.table, "::/0", self.igw)
        self.subnet = self.estate.subnet(self.vpc, "10.0.1.0/24")
        self.group = self.estate.security_group(self.vpc, rules)
        self.interface = self.estate.interface(
            self.subnet,
            [self.group],
            public_ip=public_ip,
            ipv6=["2600:1f18:1:100::10"] if ipv6 else (),
        )

    def acl_entries(self, entries: Iterable[Item]) -> None:
        """Replace the default ACL's entries (the '*' denies are added back)."""
        listed = list(entries)
        for egress in (False, True):
            listed.append(acl_entry(32767, "deny", "0.0.0.0/0", egress=egress))
        self.estate.find(registry.NETWORK_ACL, self.acl)["Entries"] = listed

    def snapshot(self) -> Snapshot:
        """The estate as a snapshot."""
        return self.estate.snapshot()


def found(report: Any, interface: str | None = None) -> list[tuple[Any, ...]]:
    """(family, protocol, ports, icmp, sources) of each exposure, in report order."""
    return [
        (
            exposure.address_family,
            exposure.protocol,
            exposure.shape.ports(),
            exposure.shape.icmp(),
            list(exposure.sources),
        )
        for exposure in report.exposures
        if interface is None or exposure.network_interface_id == interface
    ]


def latent(report: Any) -> list[tuple[Any, ...]]:
    """(interface, family, protocol, ports, reason) of each latent exposure."""
    return [
        (
            entry.network_interface_id,
            entry.shape.sources.family,
            entry.to_document()["protocol"],
            entry.shape.ports(),
            entry.reason,
        )
        for entry in report.latent
    ]
