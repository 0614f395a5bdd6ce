"""Drift of VPCs, gateways, peering, NAT gateways, endpoints and customer gateways."""

from __future__ import annotations

import json
from typing import Any

from driftwatch import registry
from tests.drift.conftest import Network
from tests.drift.estate import drift_of, only


def test_a_vpc_added_removed_and_its_dns_and_cidr_changed(net: Network) -> None:
    holder: dict[str, Any] = {}

    def create() -> None:
        holder["vpc"] = net.ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]

    result = drift_of(net.ec2, create)
    vpc = holder["vpc"]
    added = next(c for c in result.changes if c.resource_type == registry.VPC)
    assert added.summary == f"VPC {vpc} added"
    assert added.severity == "medium"

    dns = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.modify_vpc_attribute(
                VpcId=net.vpc, EnableDnsHostnames={"Value": True}
            ),
        )
    )
    assert dns.part == "EnableDnsHostnames"
    assert dns.summary == f"EnableDnsHostnames of {net.vpc} changed from false to true"
    assert dns.severity == "low"
    assert [(d.before, d.after) for d in dns.details] == [(False, True)]

    cidr = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.associate_vpc_cidr_block(
                VpcId=net.vpc, CidrBlock="10.1.0.0/16"
            ),
        )
    )
    assert cidr.part == 'CidrBlockAssociationSet["10.1.0.0/16"]'
    assert cidr.summary == f"IPv4 CIDR block 10.1.0.0/16 added to {net.vpc}"
    assert cidr.severity == "low"


def test_an_internet_gateway_attached_is_high_and_detached_is_medium(
    net: Network,
) -> None:
    igw = net.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]

    attached = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.attach_internet_gateway(
                InternetGatewayId=igw, VpcId=net.vpc
            ),
        )
    )
    detached = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.detach_internet_gateway(
                InternetGatewayId=igw, VpcId=net.vpc
            ),
        )
    )

    assert attached.part == f'Attachments["{net.vpc}"]'
    assert attached.summary == f"{igw} attached to {net.vpc}"
    assert (attached.severity, attached.opens_internet_path) == ("high", True)
    assert detached.summary == f"{igw} detached from {net.vpc}"
    assert (detached.severity, detached.opens_internet_path) == ("medium", False)


def test_a_new_detached_internet_gateway_is_medium_and_deleting_it_too(
    net: Network,
) -> None:
    holder: dict[str, str] = {}

    def create() -> None:
        answer = net.ec2.create_internet_gateway()
        holder["igw"] = answer["InternetGateway"]["InternetGatewayId"]

    added = only(drift_of(net.ec2, create))
    removed = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.delete_internet_gateway(InternetGatewayId=holder["igw"]),
        )
    )

    assert added.summary == f"internet gateway {holder['igw']} added"
    assert removed.summary == f"internet gateway {holder['igw']} removed"
    assert (added.severity, removed.severity) == ("medium", "medium")


def _peering(net: Network) -> tuple[str, str]:
    peer = net.ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    answer = net.ec2.create_vpc_peering_connection(VpcId=net.vpc, PeerVpcId=peer)
    return answer["VpcPeeringConnection"]["VpcPeeringConnectionId"], peer


def test_a_peering_connection_created_changed_and_deleted(net: Network) -> None:
    holder: dict[str, str] = {}

    def create() -> None:
        holder["pcx"], holder["peer"] = _peering(net)

    result = drift_of(net.ec2, create)
    pcx = holder["pcx"]
    added = next(c for c in result.changes if c.resource_id == pcx)
    assert added.summary == f"VPC peering connection {pcx} added"
    assert added.severity == "medium"
    tagged = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.create_tags(
                Resources=[pcx], Tags=[{"Key": "Name", "Value": "to-shared"}]
            ),
        )
    )
    assert tagged.summary == f"tag Name=to-shared added to {pcx} (to-shared)"

    # A deleted peering stays listed as "deleted": it is gone, not live.
    removed = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx),
        )
    )
    assert (removed.action, removed.resource_id) == ("removed", pcx)
    assert removed.summary == f"VPC peering connection {pcx} (to-shared) removed"


def test_a_nat_gateway_deleted_is_removed(net: Network) -> None:
    allocation = net.ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = net.ec2.create_nat_gateway(SubnetId=net.subnet, AllocationId=allocation)
    nat_id = nat["NatGateway"]["NatGatewayId"]

    result = drift_of(net.ec2, lambda: net.ec2.delete_nat_gateway(NatGatewayId=nat_id))

    removed = next(c for c in result.changes if c.resource_type == registry.NAT_GATEWAY)
    assert removed.summary == f"NAT gateway {nat_id} removed from {net.vpc}"
    assert removed.severity == "medium"
    assert registry.NETWORK_INTERFACE not in {c.resource_type for c in result.changes}


def _endpoint(net: Network, policy: dict[str, Any] | None = None) -> str:
    arguments: dict[str, Any] = {
        "VpcId": net.vpc,
        "ServiceName": "com.amazonaws.us-east-1.s3",
        "VpcEndpointType": "Gateway",
        "RouteTableIds": [net.route_table],
    }
    if policy is not None:
        arguments["PolicyDocument"] = json.dumps(policy)
    return str(net.ec2.create_vpc_endpoint(**arguments)["VpcEndpoint"]["VpcEndpointId"])


READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    ],
}


def test_an_endpoint_policy_is_compared_parsed(net: Network) -> None:
    endpoint = _endpoint(net, READ_ONLY)
    widened = json.loads(json.dumps(READ_ONLY))
    widened["Statement"][0]["Action"] = "s3:*"

    change = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.modify_vpc_endpoint(
                VpcEndpointId=endpoint, PolicyDocument=json.dumps(widened, indent=4)
            ),
        )
    )

    assert change.part == "PolicyDocument"
    assert change.summary == (
        f"policy changed on {endpoint} (com.amazonaws.us-east-1.s3)"
    )
    assert change.severity == "medium"
    assert [(d.path, d.before, d.after) for d in change.details] == [
        ("PolicyDocument.Statement[].Action", "s3:GetObject", "s3:*")
    ]


def test_an_endpoint_policy_only_reformatted_is_no_drift(net: Network) -> None:
    endpoint = _endpoint(net, READ_ONLY)

    result = drift_of(
        net.ec2,
        lambda: net.ec2.modify_vpc_endpoint(
            VpcEndpointId=endpoint,
            PolicyDocument=json.dumps(READ_ONLY, indent=8, sort_keys=False),
        ),
    )

    assert result.changes == ()


def test_an_endpoint_gaining_a_route_table_is_low(net: Network) -> None:
    endpoint = _endpoint(net)
    other = net.ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]

    tables = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.modify_vpc_endpoint(
                VpcEndpointId=endpoint, AddRouteTableIds=[other]
            ),
        )
    )
    assert tables.part == "RouteTableIds"
    assert tables.severity == "low"
    assert [(d.kind, d.after) for d in tables.details] == [("added", other)]


def test_a_deleted_endpoint_is_removed(net: Network) -> None:
    endpoint = _endpoint(net)

    removed = only(
        drift_of(
            net.ec2, lambda: net.ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
        )
    )
    assert removed.summary == (
        f"VPC endpoint {endpoint} (com.amazonaws.us-east-1.s3) removed from {net.vpc}"
    )


def test_a_customer_gateway_created_tagged_and_deleted(net: Network) -> None:
    holder: dict[str, str] = {}

    def create() -> None:
        answer = net.ec2.create_customer_gateway(
            Type="ipsec.1", PublicIp="198.51.100.20", BgpAsn=65010
        )
        holder["cgw"] = answer["CustomerGateway"]["CustomerGatewayId"]

    added = only(drift_of(net.ec2, create))
    cgw = holder["cgw"]
    assert added.summary == f"customer gateway {cgw} added"
    assert added.severity == "medium"

    tagged = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.create_tags(
                Resources=[cgw], Tags=[{"Key": "Name", "Value": "branch"}]
            ),
        )
    )
    assert tagged.summary == f"tag Name=branch added to {cgw} (branch)"
    assert tagged.severity == "info"

    removed = only(
        drift_of(
            net.ec2, lambda: net.ec2.delete_customer_gateway(CustomerGatewayId=cgw)
        )
    )
    assert removed.summary == f"customer gateway {cgw} (branch) removed"
