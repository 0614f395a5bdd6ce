"""The unauthorized changes of the demo's incident, made through the EC2 API.

Five changes of the kind the incident playbook describes, made to an estate
built by ``driftwatch.demo.estate.build_estate``. Alone, most of them open
nothing; together they put the private app instance on the internet, which is
what an exact reachability analysis has to see:

1. SSH (tcp/22) opened to 0.0.0.0/0 on the web security group;
2. the private route table's default route moved from the NAT gateway to the
   internet gateway;
3. a new Elastic IP put on the private app instance;
4. the private subnets' network ACL opened to all traffic from and to anywhere
   (rule 90, before the hardened rules);
5. a rogue security group allowing every TCP port from anywhere, created and
   attached to the app instance next to its own group.

Meant for emulators only (the demo and its tests), never for a real account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from driftwatch.demo.estate import Estate

ROGUE_GROUP_NAME = "maintenance-temp"
OPEN_ACL_RULE_NUMBER = 90
WORLD_IPV4 = "0.0.0.0/0"


@dataclass(frozen=True)
class Incident:
    """The ids of what the incident created, for the narrative and the checks."""

    region: str
    rogue_security_group_id: str
    rogue_allocation_id: str
    rogue_public_ip: str
    exposed_network_interface_id: str

    def narrative(self, estate: Estate) -> list[str]:
        """The five changes in a line each, for the demo to print."""
        return [
            f"tcp/22 opened to 0.0.0.0/0 on {estate.web_security_group_id}",
            f"default route of {estate.private_route_table_id} moved to "
            f"{estate.internet_gateway_id}",
            f"Elastic IP {self.rogue_public_ip} put on private interface "
            f"{self.exposed_network_interface_id}",
            f"network ACL {estate.network_acl_id} opened to all traffic "
            f"(rule {OPEN_ACL_RULE_NUMBER})",
            f"rogue security group {self.rogue_security_group_id} "
            "(all TCP from anywhere) attached to the app instance",
        ]


def make_incident(ec2: Any, estate: Estate) -> Incident:
    """Make the five unauthorized changes to ``estate``; return what they created."""
    app = estate.app_tiers[0]
    _open_ssh(ec2, estate.web_security_group_id)
    ec2.replace_route(
        RouteTableId=estate.private_route_table_id,
        DestinationCidrBlock=WORLD_IPV4,
        GatewayId=estate.internet_gateway_id,
    )
    allocation = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(
        AllocationId=allocation["AllocationId"],
        NetworkInterfaceId=app.app_network_interface_id,
    )
    _open_network_acl(ec2, estate.network_acl_id)
    rogue_group_id = _rogue_group(ec2, estate)
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=app.app_network_interface_id,
        Groups=[estate.app_security_group_id, rogue_group_id],
    )
    return Incident(
        region=estate.region,
        rogue_security_group_id=rogue_group_id,
        rogue_allocation_id=allocation["AllocationId"],
        rogue_public_ip=allocation["PublicIp"],
        exposed_network_interface_id=app.app_network_interface_id,
    )


def _open_ssh(ec2: Any, group_id: str) -> None:
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": WORLD_IPV4, "Description": "debug"}],
            }
        ],
    )


def _open_network_acl(ec2: Any, network_acl_id: str) -> None:
    for egress in (False, True):
        ec2.create_network_acl_entry(
            NetworkAclId=network_acl_id,
            RuleNumber=OPEN_ACL_RULE_NUMBER,
            Protocol="-1",
            RuleAction="allow",
            Egress=egress,
            CidrBlock=WORLD_IPV4,
        )


def _rogue_group(ec2: Any, estate: Estate) -> str:
    group_id: str = ec2.create_security_group(
        GroupName=ROGUE_GROUP_NAME,
        Description="temporary maintenance access",
        VpcId=estate.vpc_id,
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 0,
                "ToPort": 65535,
                "IpRanges": [{"CidrIp": WORLD_IPV4}],
            }
        ],
    )
    return group_id
