"""A small estate with every tracked type, cheap enough to build per test on moto.

Smaller than the demo estate (no instances): one VPC with a public and a
private subnet, an internet gateway, a NAT gateway, two route tables, a custom
network ACL, two security groups (app only sends 443 out), two interfaces (one
with an Elastic IP), an S3 gateway endpoint, a customer gateway, and a peer
VPC joined by peering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CIDR = "10.0.0.0/16"
PEER_CIDR = "10.1.0.0/16"


@dataclass(frozen=True)
class Small:
    """The ids of the small estate."""

    vpc: str
    public_subnet: str
    private_subnet: str
    igw: str
    nat: str
    nat_allocation: str
    public_rt: str
    private_rt: str
    main_rt: str
    acl: str
    default_acl: str
    web_sg: str
    app_sg: str
    web_eni: str
    app_eni: str
    web_allocation: str
    endpoint: str
    customer_gateway: str
    peer_vpc: str
    peering: str


def _tag(ec2: Any, resource_id: str, name: str) -> None:
    ec2.create_tags(Resources=[resource_id], Tags=[{"Key": "Name", "Value": name}])


def _vpc(ec2: Any, cidr: str, name: str) -> str:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    _tag(ec2, vpc, name)
    return vpc


def _table(ec2: Any, vpc: str, subnet: str, name: str) -> str:
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    _tag(ec2, table, name)
    return table


def _acl(ec2: Any, vpc: str, subnet: str) -> tuple[str, str]:
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    entries = [
        (100, False, "6", "10.0.0.0/16", (443, 443)),
        (110, False, "6", "0.0.0.0/0", (1024, 65535)),
        (100, True, "-1", "0.0.0.0/0", None),
    ]
    for number, egress, protocol, cidr, ports in entries:
        extra = {"PortRange": {"From": ports[0], "To": ports[1]}} if ports else {}
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=number,
            Protocol=protocol,
            RuleAction="allow",
            Egress=egress,
            CidrBlock=cidr,
            **extra,
        )
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )["NetworkAcls"][0]
    association = next(a for a in current["Associations"] if a["SubnetId"] == subnet)
    ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl
    )
    _tag(ec2, acl, "private")
    return acl, current["NetworkAclId"]


def _groups(ec2: Any, vpc: str) -> tuple[str, str]:
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)
    web_id, app_id = web["GroupId"], app["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
            },
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=app_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "UserIdGroupPairs": [{"GroupId": web_id}],
            }
        ],
    )
    everything = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.revoke_security_group_egress(GroupId=app_id, IpPermissions=[everything])
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    ec2.authorize_security_group_egress(
        GroupId=app_id, IpPermissions=[{**https, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    _tag(ec2, web_id, "web")
    return web_id, app_id


def build_small(ec2: Any) -> Small:
    """Build the small estate in the client's region and return its ids."""
    vpc = _vpc(ec2, CIDR, "prod")
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"][
        "SubnetId"
    ]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    nat_allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=nat_allocation)
    nat_id = nat["NatGateway"]["NatGatewayId"]
    public_rt = _table(ec2, vpc, public, "public")
    ec2.create_route(
        RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    private_rt = _table(ec2, vpc, private, "private")
    ec2.create_route(
        RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id
    )
    main_rt = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]["RouteTableId"]
    acl, default_acl = _acl(ec2, vpc, private)
    web_sg, app_sg = _groups(ec2, vpc)
    web_eni = ec2.create_network_interface(
        SubnetId=public, Groups=[web_sg], Description="web"
    )["NetworkInterface"]["NetworkInterfaceId"]
    app_eni = ec2.create_network_interface(SubnetId=private, Groups=[app_sg])[
        "NetworkInterface"
    ]["NetworkInterfaceId"]
    web_allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=web_allocation, NetworkInterfaceId=web_eni)
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.us-east-1.s3",
        RouteTableIds=[private_rt],
    )["VpcEndpoint"]["VpcEndpointId"]
    customer_gateway = ec2.create_customer_gateway(
        BgpAsn=65000, IpAddress="203.0.113.10", Type="ipsec.1"
    )["CustomerGateway"]["CustomerGatewayId"]
    peer_vpc = _vpc(ec2, PEER_CIDR, "shared")
    peering = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc)
    peering_id = peering["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering_id)
    ec2.create_route(
        RouteTableId=private_rt,
        DestinationCidrBlock=PEER_CIDR,
        VpcPeeringConnectionId=peering_id,
    )
    return Small(
        vpc=vpc,
        public_subnet=public,
        private_subnet=private,
        igw=igw,
        nat=nat_id,
        nat_allocation=nat_allocation,
        public_rt=public_rt,
        private_rt=private_rt,
        main_rt=main_rt,
        acl=acl,
        default_acl=default_acl,
        web_sg=web_sg,
        app_sg=app_sg,
        web_eni=web_eni,
        app_eni=app_eni,
        web_allocation=web_allocation,
        endpoint=endpoint,
        customer_gateway=customer_gateway,
        peer_vpc=peer_vpc,
        peering=peering_id,
    )
