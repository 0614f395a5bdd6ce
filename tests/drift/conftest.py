"""A small network on in-process moto for the drift tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class Network:
    """Ids of the network every drift test starts from."""

    ec2: Any
    vpc: str
    subnet: str
    group: str
    route_table: str


@pytest.fixture
def net(ec2: Any) -> Network:
    """A VPC with a subnet, a security group "app" and a route table "private"."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]
    group = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)
    table = ec2.create_route_table(
        VpcId=vpc,
        TagSpecifications=[
            {
                "ResourceType": "route-table",
                "Tags": [{"Key": "Name", "Value": "private"}],
            }
        ],
    )["RouteTable"]
    return Network(
        ec2, vpc, subnet["SubnetId"], group["GroupId"], table["RouteTableId"]
    )
