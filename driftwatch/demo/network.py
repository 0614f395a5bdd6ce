"""The network layer of the demo estate: VPCs, subnets, gateways, routes, ACL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WORLD_IPV4 = "0.0.0.0/0"
WORLD_IPV6 = "::/0"
VPC_CIDR = "10.0.0.0/16"
PEER_VPC_CIDR = "10.1.0.0/16"
PUBLIC_SUBNET_CIDR = "10.0.0.0/24"
PEER_SUBNET_CIDR = "10.1.0.0/24"


@dataclass(frozen=True)
class Network:
    """The two VPCs and their subnets."""

    vpc_id: str
    public_subnet_id: str
    private_subnet_ids: tuple[str, ...]
    peer_vpc_id: str


@dataclass(frozen=True)
class Gateways:
    """The ways out of the main VPC."""

    internet_gateway_id: str
    egress_only_internet_gateway_id: str
    nat_gateway_id: str
    nat_allocation_id: str


@dataclass(frozen=True)
class RouteTables:
    """The explicit route tables of the main VPC and the peer's main table."""

    public: str
    private: str
    peer: str


def name_tag(resource_type: str, name: str) -> list[dict[str, Any]]:
    """The TagSpecifications that give a new resource its Name tag."""
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": name}]}]


def tag_name(ec2: Any, resource_id: str, name: str) -> None:
    """Give an existing resource (one AWS created for us) its Name tag."""
    ec2.create_tags(Resources=[resource_id], Tags=[{"Key": "Name", "Value": name}])


def build_network(ec2: Any, name: str, copies: int) -> Network:
    """The main VPC with a public and ``copies`` private subnets, and the peer VPC."""
    vpc_id = _vpc(ec2, name, VPC_CIDR, ipv6=True)
    zones = _zones(ec2)
    public = _subnet(ec2, f"{name}-public", vpc_id, PUBLIC_SUBNET_CIDR, zones[0])
    private = tuple(
        _subnet(
            ec2,
            f"{name}-private-{index}",
            vpc_id,
            f"10.0.{16 + index}.0/24",
            zones[index % len(zones)],
        )
        for index in range(1, copies + 1)
    )
    peer_vpc_id = _vpc(ec2, f"{name}-shared", PEER_VPC_CIDR, ipv6=False)
    _subnet(ec2, f"{name}-shared-services", peer_vpc_id, PEER_SUBNET_CIDR, zones[0])
    return Network(vpc_id, public, private, peer_vpc_id)


def _vpc(ec2: Any, name: str, cidr: str, *, ipv6: bool) -> str:
    vpc_id: str = ec2.create_vpc(
        CidrBlock=cidr,
        AmazonProvidedIpv6CidrBlock=ipv6,
        TagSpecifications=name_tag("vpc", name),
    )["Vpc"]["VpcId"]
    # modify_vpc_attribute takes one attribute per call; support comes first
    # because hostnames cannot be on without it.
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    if ipv6:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    return vpc_id


def _zones(ec2: Any) -> list[str]:
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    return sorted(zone["ZoneName"] for zone in zones)[:2]


def _subnet(ec2: Any, name: str, vpc_id: str, cidr: str, zone: str) -> str:
    subnet_id: str = ec2.create_subnet(
        VpcId=vpc_id,
        CidrBlock=cidr,
        AvailabilityZone=zone,
        TagSpecifications=name_tag("subnet", name),
    )["Subnet"]["SubnetId"]
    return subnet_id


def build_gateways(ec2: Any, name: str, network: Network) -> Gateways:
    """An internet gateway, an egress-only gateway, a NAT gateway with its EIP."""
    igw_id = ec2.create_internet_gateway(
        TagSpecifications=name_tag("internet-gateway", f"{name}-igw")
    )["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=network.vpc_id)
    eigw_id = ec2.create_egress_only_internet_gateway(
        VpcId=network.vpc_id,
        TagSpecifications=name_tag("egress-only-internet-gateway", f"{name}-eigw"),
    )["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    allocation_id = elastic_ip(ec2, f"{name}-nat-eip")
    nat_id = ec2.create_nat_gateway(
        SubnetId=network.public_subnet_id,
        AllocationId=allocation_id,
        TagSpecifications=name_tag("natgateway", f"{name}-nat"),
    )["NatGateway"]["NatGatewayId"]
    return Gateways(igw_id, eigw_id, nat_id, allocation_id)


def elastic_ip(ec2: Any, name: str) -> str:
    """A new VPC Elastic IP; its allocation id."""
    allocation_id: str = ec2.allocate_address(
        Domain="vpc", TagSpecifications=name_tag("elastic-ip", name)
    )["AllocationId"]
    return allocation_id


def build_peering(ec2: Any, name: str, network: Network) -> str:
    """An accepted peering connection between the main and the peer VPC."""
    peering_id: str = ec2.create_vpc_peering_connection(
        VpcId=network.vpc_id,
        PeerVpcId=network.peer_vpc_id,
        TagSpecifications=name_tag("vpc-peering-connection", f"{name}-to-shared"),
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering_id)
    return peering_id


def build_routing(
    ec2: Any, name: str, network: Network, gateways: Gateways, peering_id: str
) -> RouteTables:
    """Public and private route tables, explicitly associated; the peer's way back."""
    public = _route_table(ec2, f"{name}-public", network.vpc_id)
    _routes(
        ec2,
        public,
        ("DestinationCidrBlock", WORLD_IPV4, "GatewayId", gateways.internet_gateway_id),
        (
            "DestinationIpv6CidrBlock",
            WORLD_IPV6,
            "GatewayId",
            gateways.internet_gateway_id,
        ),
    )
    ec2.associate_route_table(RouteTableId=public, SubnetId=network.public_subnet_id)

    private = _route_table(ec2, f"{name}-private", network.vpc_id)
    _routes(
        ec2,
        private,
        ("DestinationCidrBlock", WORLD_IPV4, "NatGatewayId", gateways.nat_gateway_id),
        (
            "DestinationIpv6CidrBlock",
            WORLD_IPV6,
            "EgressOnlyInternetGatewayId",
            gateways.egress_only_internet_gateway_id,
        ),
        ("DestinationCidrBlock", PEER_VPC_CIDR, "VpcPeeringConnectionId", peering_id),
    )
    for subnet_id in network.private_subnet_ids:
        ec2.associate_route_table(RouteTableId=private, SubnetId=subnet_id)

    peer = _main_route_table(ec2, network.peer_vpc_id)
    tag_name(ec2, peer, f"{name}-shared-main")
    _routes(
        ec2,
        peer,
        ("DestinationCidrBlock", VPC_CIDR, "VpcPeeringConnectionId", peering_id),
    )
    return RouteTables(public, private, peer)


def _routes(ec2: Any, route_table_id: str, *routes: tuple[str, str, str, str]) -> None:
    """Create routes given as (destination field, destination, target field, target)."""
    for destination_field, destination, target_field, target in routes:
        ec2.create_route(
            RouteTableId=route_table_id,
            **{destination_field: destination, target_field: target},
        )


def _route_table(ec2: Any, name: str, vpc_id: str) -> str:
    route_table_id: str = ec2.create_route_table(
        VpcId=vpc_id, TagSpecifications=name_tag("route-table", name)
    )["RouteTable"]["RouteTableId"]
    return route_table_id


def _main_route_table(ec2: Any, vpc_id: str) -> str:
    tables = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"]
    route_table_id: str = tables[0]["RouteTableId"]
    return route_table_id


# (rule number, egress, protocol, CIDR, port range or None)
PRIVATE_ACL_ENTRIES = (
    (100, False, "-1", VPC_CIDR, None),
    # Stateless: replies to the private tier's own outbound connections
    # (through the NAT) come back in on the ephemeral ports.
    (110, False, "6", WORLD_IPV4, (1024, 65535)),
    (120, False, "6", PEER_VPC_CIDR, (5432, 5432)),
    (100, True, "-1", WORLD_IPV4, None),
)


def build_network_acl(ec2: Any, name: str, network: Network) -> str:
    """A custom network ACL for the private subnets, which move onto it."""
    acl_id: str = ec2.create_network_acl(
        VpcId=network.vpc_id,
        TagSpecifications=name_tag("network-acl", f"{name}-private"),
    )["NetworkAcl"]["NetworkAclId"]
    for number, egress, protocol, cidr, ports in PRIVATE_ACL_ENTRIES:
        extra = {"PortRange": {"From": ports[0], "To": ports[1]}} if ports else {}
        ec2.create_network_acl_entry(
            NetworkAclId=acl_id,
            RuleNumber=number,
            Protocol=protocol,
            RuleAction="allow",
            Egress=egress,
            CidrBlock=cidr,
            **extra,
        )
    for subnet_id in network.private_subnet_ids:
        _move_subnet_to_acl(ec2, subnet_id, acl_id)
    return acl_id


def _move_subnet_to_acl(ec2: Any, subnet_id: str, acl_id: str) -> None:
    # A subnet is always associated with some ACL (the default one at first):
    # moving it means replacing that association.
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["NetworkAcls"]
    association_id = next(
        association["NetworkAclAssociationId"]
        for acl in current
        for association in acl["Associations"]
        if association["SubnetId"] == subnet_id
    )
    ec2.replace_network_acl_association(
        AssociationId=association_id, NetworkAclId=acl_id
    )
