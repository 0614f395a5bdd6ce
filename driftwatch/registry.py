"""What driftwatch knows about each resource type, in one table.

One ``ResourceType`` per type: the ``describe_*`` call that lists it, where the
items are in the response, the id field, which records are still live, how an
item becomes canonical, and which of its lists are sets keyed by identity (the
drift engine compares those item by item, the canonical form sorts them).

``RESOURCE_TYPES`` is ordered for collection: prefix lists come last because
only the lists that rules or routes reference (and the account's own) are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from driftwatch import canonical as c

Canonicalizer = Callable[[Mapping[str, Any]], tuple[c.Item, c.Item]]
KeyFunction = Callable[[Mapping[str, Any]], c.ItemKey]

VPC = "AWS::EC2::VPC"
NETWORK_ACL = "AWS::EC2::NetworkAcl"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
ROUTE_TABLE = "AWS::EC2::RouteTable"
NETWORK_INTERFACE = "AWS::EC2::NetworkInterface"
INTERNET_GATEWAY = "AWS::EC2::InternetGateway"
VPC_PEERING_CONNECTION = "AWS::EC2::VPCPeeringConnection"
NAT_GATEWAY = "AWS::EC2::NatGateway"
VPC_ENDPOINT = "AWS::EC2::VPCEndpoint"
CUSTOMER_GATEWAY = "AWS::EC2::CustomerGateway"
EIP = "AWS::EC2::EIP"
SUBNET = "AWS::EC2::Subnet"
PREFIX_LIST = "AWS::EC2::PrefixList"
EGRESS_ONLY_INTERNET_GATEWAY = "AWS::EC2::EgressOnlyInternetGateway"


@dataclass(frozen=True)
class ResourceType:
    """Everything type-specific that collection, canonical form and drift need."""

    name: str
    label: str
    describe: str
    result_key: str
    id_field: str
    paginated: bool
    canonicalize: Canonicalizer
    tracked: bool = True
    dead_states: frozenset[str] = frozenset()
    state_path: tuple[str, ...] = ("State",)
    keyed_lists: Mapping[str, KeyFunction] = field(default_factory=dict)

    def is_live(self, raw: Mapping[str, Any]) -> bool:
        """False for records AWS still lists in a final state (deleted, rejected...)."""
        value: Any = raw
        for step in self.state_path:
            if not isinstance(value, Mapping):
                return True
            value = value.get(step)
        return str(value or "").lower() not in self.dead_states

    def resource_id(self, raw: Mapping[str, Any]) -> str:
        """The id of a raw item (an EIP without allocation id is known by its IP)."""
        value = raw.get(self.id_field) or raw.get("PublicIp")
        return str(value)


def _plain(function: Callable[[Mapping[str, Any]], c.Item]) -> Canonicalizer:
    return lambda raw: (function(raw), {})


def _values(field_name: str) -> KeyFunction:
    return lambda item: (item[field_name],)


TAGS: Mapping[str, KeyFunction] = {"Tags": c.tag_key}

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType(
        VPC,
        "VPC",
        "describe_vpcs",
        "Vpcs",
        "VpcId",
        True,
        _plain(c.canonical_vpc),
        keyed_lists={
            "CidrBlockAssociationSet": _values("CidrBlock"),
            "Ipv6CidrBlockAssociationSet": _values("Ipv6CidrBlock"),
            **TAGS,
        },
    ),
    ResourceType(
        SUBNET,
        "subnet",
        "describe_subnets",
        "Subnets",
        "SubnetId",
        True,
        _plain(c.canonical_subnet),
        tracked=False,
        keyed_lists={"Ipv6CidrBlockAssociationSet": _values("Ipv6CidrBlock"), **TAGS},
    ),
    ResourceType(
        NETWORK_ACL,
        "network ACL",
        "describe_network_acls",
        "NetworkAcls",
        "NetworkAclId",
        True,
        _plain(c.canonical_network_acl),
        keyed_lists={
            "Entries": c.acl_entry_key,
            "Associations": c.acl_association_key,
            **TAGS,
        },
    ),
    ResourceType(
        SECURITY_GROUP,
        "security group",
        "describe_security_groups",
        "SecurityGroups",
        "GroupId",
        True,
        _plain(c.canonical_security_group),
        keyed_lists={
            "IpPermissions": c.rule_key,
            "IpPermissionsEgress": c.rule_key,
            **TAGS,
        },
    ),
    ResourceType(
        ROUTE_TABLE,
        "route table",
        "describe_route_tables",
        "RouteTables",
        "RouteTableId",
        True,
        _plain(c.canonical_route_table),
        keyed_lists={
            "Routes": c.route_key,
            "Associations": c.route_association_key,
            "PropagatingVgws": _values("GatewayId"),
            **TAGS,
        },
    ),
    ResourceType(
        NETWORK_INTERFACE,
        "network interface",
        "describe_network_interfaces",
        "NetworkInterfaces",
        "NetworkInterfaceId",
        True,
        c.canonical_network_interface,
        keyed_lists={
            "Groups": _values("GroupId"),
            "PrivateIpAddresses": _values("PrivateIpAddress"),
            "Ipv6Addresses": _values("Ipv6Address"),
            "TagSet": c.tag_key,
        },
    ),
    ResourceType(
        INTERNET_GATEWAY,
        "internet gateway",
        "describe_internet_gateways",
        "InternetGateways",
        "InternetGatewayId",
        True,
        _plain(c.canonical_gateway),
        keyed_lists={"Attachments": c.attachment_key, **TAGS},
    ),
    ResourceType(
        EGRESS_ONLY_INTERNET_GATEWAY,
        "egress-only internet gateway",
        "describe_egress_only_internet_gateways",
        "EgressOnlyInternetGateways",
        "EgressOnlyInternetGatewayId",
        True,
        _plain(c.canonical_gateway),
        tracked=False,
        keyed_lists={"Attachments": c.attachment_key, **TAGS},
    ),
    ResourceType(
        VPC_PEERING_CONNECTION,
        "VPC peering connection",
        "describe_vpc_peering_connections",
        "VpcPeeringConnections",
        "VpcPeeringConnectionId",
        True,
        _plain(c.canonical_peering),
        dead_states=frozenset({"deleted", "deleting", "rejected", "expired", "failed"}),
        state_path=("Status", "Code"),
        keyed_lists=TAGS,
    ),
    ResourceType(
        NAT_GATEWAY,
        "NAT gateway",
        "describe_nat_gateways",
        "NatGateways",
        "NatGatewayId",
        True,
        _plain(c.canonical_nat_gateway),
        dead_states=frozenset({"deleted", "deleting", "failed"}),
        keyed_lists={"NatGatewayAddresses": c.nat_address_key, **TAGS},
    ),
    ResourceType(
        VPC_ENDPOINT,
        "VPC endpoint",
        "describe_vpc_endpoints",
        "VpcEndpoints",
        "VpcEndpointId",
        True,
        _plain(c.canonical_vpc_endpoint),
        dead_states=frozenset({"deleted", "deleting", "failed", "rejected", "expired"}),
        keyed_lists={"Groups": _values("GroupId"), **TAGS},
    ),
    ResourceType(
        CUSTOMER_GATEWAY,
        "customer gateway",
        "describe_customer_gateways",
        "CustomerGateways",
        "CustomerGatewayId",
        False,
        _plain(c.canonical_customer_gateway),
        dead_states=frozenset({"deleted", "deleting"}),
        keyed_lists=TAGS,
    ),
    ResourceType(
        EIP,
        "Elastic IP",
        "describe_addresses",
        "Addresses",
        "AllocationId",
        False,
        _plain(c.canonical_address),
        keyed_lists=TAGS,
    ),
    ResourceType(
        PREFIX_LIST,
        "managed prefix list",
        "describe_managed_prefix_lists",
        "PrefixLists",
        "PrefixListId",
        True,
        _plain(c.canonical_prefix_list),
        tracked=False,
        # A list whose deletion failed still exists (and is still referenced);
        # one whose creation failed never did.
        dead_states=frozenset(
            {"delete-complete", "delete-in-progress", "create-failed"}
        ),
        keyed_lists={"Entries": c.prefix_entry_key, **TAGS},
    ),
)

BY_NAME: Mapping[str, ResourceType] = {rt.name: rt for rt in RESOURCE_TYPES}
TRACKED_TYPES: tuple[str, ...] = tuple(rt.name for rt in RESOURCE_TYPES if rt.tracked)
TYPE_NAMES: tuple[str, ...] = tuple(rt.name for rt in RESOURCE_TYPES)


def resource_type(name: str) -> ResourceType:
    """The registry entry of a type name such as ``AWS::EC2::SecurityGroup``."""
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(TYPE_NAMES)
        raise KeyError(
            f"unknown resource type {name!r}; known types: {known}"
        ) from None
