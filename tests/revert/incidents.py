"""Unauthorized changes to the small estate, as an intruder or a hurried admin does.

Each incident takes the EC2 client, the estate's ids and a seeded ``Random``
and makes one change through the API, returning a line that says what it did.
An incident that does not fit the state it finds (the thing it would change
is already gone) raises ``ClientError`` and is skipped by the caller.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from tests.revert.network import Small

Incident = Callable[[Any, Small, random.Random], str]

PORTS = (22, 23, 3389, 5432, 6379, 9200, 27017)
SOURCES = ("0.0.0.0/0", "::/0", "198.51.100.0/24", "203.0.113.7/32")


def _source(cidr: str) -> dict[str, Any]:
    if ":" in cidr:
        return {"Ipv6Ranges": [{"CidrIpv6": cidr}]}
    return {"IpRanges": [{"CidrIp": cidr}]}


def open_ingress(ec2: Any, net: Small, rng: random.Random) -> str:
    """A port opened to the world (or a stranger) on a security group."""
    group = rng.choice([net.web_sg, net.app_sg])
    port, cidr = rng.choice(PORTS), rng.choice(SOURCES)
    permission = {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        **_source(cidr),
    }
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[permission])
    return f"authorize ingress tcp {port} from {cidr} on {group}"


def open_all_egress(ec2: Any, net: Small, rng: random.Random) -> str:
    """Everything allowed out of the app group."""
    ec2.authorize_security_group_egress(
        GroupId=net.app_sg,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    return "authorize all egress on app"


def cross_group_rule(ec2: Any, net: Small, rng: random.Random) -> str:
    """The web group admits anything from the app group."""
    ec2.authorize_security_group_ingress(
        GroupId=net.web_sg,
        IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": net.app_sg}]}
        ],
    )
    return "authorize all from app on web"


def revoke_baseline_rule(ec2: Any, net: Small, rng: random.Random) -> str:
    """One baseline rule taken away (only that source)."""
    group, permission = rng.choice(
        [
            (
                net.web_sg,
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
                },
            ),
            (
                net.app_sg,
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "UserIdGroupPairs": [{"GroupId": net.web_sg}],
                },
            ),
        ]
    )
    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[permission])
    return f"revoke baseline rule on {group}"


def widen_https(ec2: Any, net: Small, rng: random.Random) -> str:
    """The baseline's world 443 rule replaced by a world-open 0-65535 one."""
    ec2.revoke_security_group_ingress(
        GroupId=net.web_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=net.web_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 0,
                "ToPort": 65535,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    return "replace web 443 by 0-65535 from the world"


def redescribe_rule(ec2: Any, net: Small, rng: random.Random) -> str:
    """A rule's description rewritten."""
    ec2.update_security_group_rule_descriptions_ingress(
        GroupId=net.web_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "x"}],
            }
        ],
    )
    return "re-describe web 443"


def acl_allow_all(ec2: Any, net: Small, rng: random.Random) -> str:
    """An allow-everything entry in front of the ACL's rules."""
    number, egress = rng.randint(1, 99), rng.random() < 0.3
    ec2.create_network_acl_entry(
        NetworkAclId=net.acl,
        RuleNumber=number,
        Protocol="-1",
        RuleAction="allow",
        Egress=egress,
        CidrBlock="0.0.0.0/0",
    )
    return f"acl entry {number} egress={egress} allow all"


def acl_replace(ec2: Any, net: Small, rng: random.Random) -> str:
    """The ACL's 443 entry widened in place."""
    ec2.replace_network_acl_entry(
        NetworkAclId=net.acl,
        RuleNumber=100,
        Protocol="-1",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
    )
    return "acl entry 100 replaced by allow all"


def acl_delete(ec2: Any, net: Small, rng: random.Random) -> str:
    """An ACL entry deleted."""
    number, egress = rng.choice([(110, False), (100, True)])
    ec2.delete_network_acl_entry(NetworkAclId=net.acl, RuleNumber=number, Egress=egress)
    return f"acl entry {number} egress={egress} deleted"


def route_to_igw(ec2: Any, net: Small, rng: random.Random) -> str:
    """The private default route pointed at the internet gateway."""
    ec2.replace_route(
        RouteTableId=net.private_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw
    )
    return "private 0.0.0.0/0 -> igw"


def route_added(ec2: Any, net: Small, rng: random.Random) -> str:
    """A new route to the gateway or to an interface."""
    table = rng.choice([net.private_rt, net.main_rt])
    cidr = rng.choice(["192.0.2.0/24", "198.51.100.0/24"])
    target = rng.choice([{"GatewayId": net.igw}, {"NetworkInterfaceId": net.app_eni}])
    ec2.create_route(RouteTableId=table, DestinationCidrBlock=cidr, **target)
    return f"route {cidr} -> {target} in {table}"


def route_deleted(ec2: Any, net: Small, rng: random.Random) -> str:
    """A baseline route deleted."""
    table, cidr = rng.choice(
        [(net.private_rt, "10.1.0.0/16"), (net.public_rt, "0.0.0.0/0")]
    )
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock=cidr)
    return f"route {cidr} deleted from {table}"


def _association(ec2: Any, table: str, subnet: str | None) -> str:
    found = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
    for association in found["Associations"]:
        if (subnet is None and association.get("Main")) or (
            subnet is not None and association.get("SubnetId") == subnet
        ):
            return str(association["RouteTableAssociationId"])
    raise LookupError(f"no association of {subnet} in {table}")


def subnet_to_public_table(ec2: Any, net: Small, rng: random.Random) -> str:
    """The private subnet moved onto the public route table."""
    association = _association(ec2, net.private_rt, net.private_subnet)
    ec2.replace_route_table_association(
        AssociationId=association, RouteTableId=net.public_rt
    )
    return "private subnet -> public route table"


def subnet_to_main(ec2: Any, net: Small, rng: random.Random) -> str:
    """A subnet's explicit association removed (it falls back to the main table)."""
    table, subnet = rng.choice(
        [(net.public_rt, net.public_subnet), (net.private_rt, net.private_subnet)]
    )
    ec2.disassociate_route_table(AssociationId=_association(ec2, table, subnet))
    return f"{subnet} disassociated from {table}"


def main_table_changed(ec2: Any, net: Small, rng: random.Random) -> str:
    """The public table made the VPC's main table."""
    association = _association(ec2, net.main_rt, None)
    ec2.replace_route_table_association(
        AssociationId=association, RouteTableId=net.public_rt
    )
    return "main association -> public table"


def acl_association_moved(ec2: Any, net: Small, rng: random.Random) -> str:
    """The private subnet put back on the wide-open default ACL."""
    acl = ec2.describe_network_acls(NetworkAclIds=[net.acl])["NetworkAcls"][0]
    association = next(
        a for a in acl["Associations"] if a["SubnetId"] == net.private_subnet
    )
    ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"],
        NetworkAclId=net.default_acl,
    )
    return "private subnet -> default ACL"


def igw_detached(ec2: Any, net: Small, rng: random.Random) -> str:
    """The internet gateway detached from the VPC."""
    ec2.detach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    return "igw detached"


def igw_new_on_peer(ec2: Any, net: Small, rng: random.Random) -> str:
    """A new internet gateway attached to the peer VPC, with a default route."""
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=net.peer_vpc)
    peer_main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [net.peer_vpc]}]
    )["RouteTables"][0]["RouteTableId"]
    ec2.create_route(
        RouteTableId=peer_main, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway
    )
    return f"new igw {gateway} on the peer VPC"


def _association_of(ec2: Any, allocation: str) -> str:
    address = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]
    return str(address["AssociationId"])


def eip_disassociated(ec2: Any, net: Small, rng: random.Random) -> str:
    """The web address taken off its interface."""
    ec2.disassociate_address(AssociationId=_association_of(ec2, net.web_allocation))
    return "web eip disassociated"


def eip_moved(ec2: Any, net: Small, rng: random.Random) -> str:
    """The web address moved onto the app interface."""
    ec2.associate_address(
        AllocationId=net.web_allocation,
        NetworkInterfaceId=net.app_eni,
        AllowReassociation=True,
    )
    return "web eip -> app eni"


def eip_new_on_app(ec2: Any, net: Small, rng: random.Random) -> str:
    """A new address allocated and put on the app interface."""
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=net.app_eni)
    return f"new eip {allocation} on app eni"


def eni_groups(ec2: Any, net: Small, rng: random.Random) -> str:
    """The app interface's groups replaced."""
    groups = rng.choice([[net.web_sg], [net.app_sg, net.web_sg]])
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=net.app_eni, Groups=groups
    )
    return f"app eni groups -> {groups}"


def eni_attributes(ec2: Any, net: Small, rng: random.Random) -> str:
    """Source/destination check off, or a description rewritten."""
    if rng.random() < 0.5:
        ec2.modify_network_interface_attribute(
            NetworkInterfaceId=net.app_eni, SourceDestCheck={"Value": False}
        )
        return "app eni source/dest check off"
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=net.web_eni, Description={"Value": "hacked"}
    )
    return "web eni description changed"


def dns_flipped(ec2: Any, net: Small, rng: random.Random) -> str:
    """DNS hostnames off, and sometimes DNS support off too."""
    ec2.modify_vpc_attribute(VpcId=net.vpc, EnableDnsHostnames={"Value": False})
    if rng.random() < 0.5:
        ec2.modify_vpc_attribute(VpcId=net.vpc, EnableDnsSupport={"Value": False})
        return "dns hostnames and support off"
    return "dns hostnames off"


def endpoint_changed(ec2: Any, net: Small, rng: random.Random) -> str:
    """The S3 endpoint's route tables or policy changed."""
    if rng.random() < 0.5:
        ec2.modify_vpc_endpoint(
            VpcEndpointId=net.endpoint,
            AddRouteTableIds=[net.public_rt],
            RemoveRouteTableIds=[net.private_rt],
        )
        return "endpoint route tables swapped"
    policy = {
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}
        ]
    }
    ec2.modify_vpc_endpoint(
        VpcEndpointId=net.endpoint, PolicyDocument=json.dumps(policy)
    )
    return "endpoint policy changed"


def tags_changed(ec2: Any, net: Small, rng: random.Random) -> str:
    """A Name tag changed, deleted, or an extra tag added."""
    resource = rng.choice([net.vpc, net.web_sg, net.public_rt, net.acl])
    choice = rng.randrange(3)
    if choice == 0:
        ec2.create_tags(Resources=[resource], Tags=[{"Key": "Name", "Value": "pwned"}])
    elif choice == 1:
        ec2.delete_tags(Resources=[resource], Tags=[{"Key": "Name"}])
    else:
        ec2.create_tags(Resources=[resource], Tags=[{"Key": "owner", "Value": "eve"}])
    return f"tags of {resource} ({choice})"


def new_group_on_web(ec2: Any, net: Small, rng: random.Random) -> str:
    """A new world-open group added to the web interface."""
    group = ec2.create_security_group(
        GroupName=f"tmp-{rng.randrange(10**6)}", Description="debug", VpcId=net.vpc
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 0,
                "ToPort": 65535,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=net.web_eni, Groups=[net.web_sg, group]
    )
    return f"new group {group} on web eni"


def new_table_for_private(ec2: Any, net: Small, rng: random.Random) -> str:
    """A new route table with a route to the gateway takes the private subnet."""
    table = ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(
        RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw
    )
    association = _association(ec2, net.private_rt, net.private_subnet)
    ec2.replace_route_table_association(AssociationId=association, RouteTableId=table)
    return f"new table {table} for the private subnet"


def new_acl_for_public(ec2: Any, net: Small, rng: random.Random) -> str:
    """A new ACL takes the public subnet."""
    acl = ec2.create_network_acl(VpcId=net.vpc)["NetworkAcl"]["NetworkAclId"]
    current = ec2.describe_network_acls(NetworkAclIds=[net.default_acl])["NetworkAcls"][
        0
    ]
    association = next(
        a for a in current["Associations"] if a["SubnetId"] == net.public_subnet
    )
    ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl
    )
    return f"new acl {acl} for the public subnet"


def new_interface(ec2: Any, net: Small, rng: random.Random) -> str:
    """A stray interface in the private subnet."""
    interface = ec2.create_network_interface(
        SubnetId=net.private_subnet, Groups=[net.app_sg]
    )["NetworkInterface"]["NetworkInterfaceId"]
    return f"new interface {interface}"


def new_peering(ec2: Any, net: Small, rng: random.Random) -> str:
    """A second peering, with a route over it."""
    other = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    peering = ec2.create_vpc_peering_connection(VpcId=net.vpc, PeerVpcId=other)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering)
    ec2.create_route(
        RouteTableId=net.public_rt,
        DestinationCidrBlock="10.9.0.0/16",
        VpcPeeringConnectionId=peering,
    )
    return f"new vpc {other} and peering {peering}"


def new_customer_gateway(ec2: Any, net: Small, rng: random.Random) -> str:
    """A customer gateway nobody asked for."""
    gateway = ec2.create_customer_gateway(
        BgpAsn=65001, IpAddress=f"198.51.100.{rng.randint(1, 254)}", Type="ipsec.1"
    )["CustomerGateway"]["CustomerGatewayId"]
    return f"new customer gateway {gateway}"


def new_endpoint(ec2: Any, net: Small, rng: random.Random) -> str:
    """A DynamoDB gateway endpoint on the public table."""
    endpoint = ec2.create_vpc_endpoint(
        VpcId=net.vpc,
        ServiceName="com.amazonaws.us-east-1.dynamodb",
        VpcEndpointType="Gateway",
        RouteTableIds=[net.public_rt],
    )["VpcEndpoint"]["VpcEndpointId"]
    return f"new endpoint {endpoint}"


def new_nat(ec2: Any, net: Small, rng: random.Random) -> str:
    """A second NAT gateway with its own address, used by the main table."""
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=net.public_subnet, AllocationId=allocation)[
        "NatGateway"
    ]["NatGatewayId"]
    ec2.create_route(
        RouteTableId=net.main_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat
    )
    return f"new nat {nat} ({allocation})"


def peering_options(ec2: Any, net: Small, rng: random.Random) -> str:
    """Remote DNS resolution turned on over the peering."""
    ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=net.peering,
        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True},
    )
    return "peering dns resolution on"


def deleted_customer_gateway(ec2: Any, net: Small, rng: random.Random) -> str:
    """The baseline customer gateway deleted (its id cannot come back)."""
    ec2.delete_customer_gateway(CustomerGatewayId=net.customer_gateway)
    return "customer gateway deleted"


RULES: tuple[Incident, ...] = (
    open_ingress,
    open_all_egress,
    cross_group_rule,
    revoke_baseline_rule,
    widen_https,
    redescribe_rule,
    acl_allow_all,
    acl_replace,
    acl_delete,
    acl_association_moved,
    eni_groups,
    eni_attributes,
    tags_changed,
    new_group_on_web,
    new_acl_for_public,
)
ROUTING: tuple[Incident, ...] = (
    route_to_igw,
    route_added,
    route_deleted,
    subnet_to_public_table,
    subnet_to_main,
    main_table_changed,
    igw_detached,
    igw_new_on_peer,
    eip_disassociated,
    eip_moved,
    eip_new_on_app,
    dns_flipped,
    endpoint_changed,
    new_table_for_private,
)
NEW_RESOURCES: tuple[Incident, ...] = (
    new_interface,
    new_peering,
    new_customer_gateway,
    new_endpoint,
    new_nat,
    peering_options,
    deleted_customer_gateway,
)
ALL: tuple[Incident, ...] = RULES + ROUTING + NEW_RESOURCES
# After these, a moto leftover or a manual item stays: the next case needs a
# fresh estate, so they are drawn less often.
FRESH_ESTATE_AFTER = frozenset(
    {eip_moved, new_peering, new_nat, deleted_customer_gateway}
)
# Incidents after which a revert leaves the estate exactly at its baseline.
REVERTIBLE_ALONE: tuple[Incident, ...] = tuple(
    i for i in ALL if i not in FRESH_ESTATE_AFTER
)
