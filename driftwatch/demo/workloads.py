"""What runs in the demo estate: security groups, instances, endpoints, VPN side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from driftwatch.demo.network import (
    WORLD_IPV4,
    WORLD_IPV6,
    elastic_ip,
    name_tag,
    tag_name,
)

OFFICE_CIDRS = ("198.51.100.0/24", "203.0.113.0/24")
CUSTOMER_GATEWAY_IP = "192.0.2.10"
# Emulators accept any image id; this is moto's own example AMI.
IMAGE_ID = "ami-12c6146b"
INSTANCE_TYPE = "t3.micro"


@dataclass(frozen=True)
class SecurityGroups:
    """The three tiers' security groups."""

    web: str
    app: str
    db: str


@dataclass(frozen=True)
class WebInstance:
    """The one public instance and its Elastic IP."""

    instance_id: str
    network_interface_id: str
    allocation_id: str
    public_ip: str


@dataclass(frozen=True)
class AppTier:
    """One copy of the private tier: its subnet and its app and db instances."""

    subnet_id: str
    app_instance_id: str
    app_network_interface_id: str
    db_instance_id: str
    db_network_interface_id: str


def build_prefix_list(ec2: Any, name: str) -> str:
    """The customer-managed prefix list of the office ranges."""
    prefix_list_id: str = ec2.create_managed_prefix_list(
        PrefixListName=f"{name}-office",
        AddressFamily="IPv4",
        MaxEntries=10,
        Entries=[
            {"Cidr": cidr, "Description": f"office range {index}"}
            for index, cidr in enumerate(OFFICE_CIDRS, start=1)
        ],
        TagSpecifications=name_tag("prefix-list", f"{name}-office"),
    )["PrefixList"]["PrefixListId"]
    return prefix_list_id


def build_security_groups(
    ec2: Any, name: str, vpc_id: str, prefix_list_id: str
) -> SecurityGroups:
    """web: 443 from the world, 22 from the office; app: 8080 from web; db: 5432."""
    web = _security_group(ec2, f"{name}-web", vpc_id, "HTTPS from the internet")
    app = _security_group(ec2, f"{name}-app", vpc_id, "app tier, from web only")
    db = _security_group(ec2, f"{name}-db", vpc_id, "database, from app only")
    _allow_in(ec2, web, tcp(443, cidrs=[WORLD_IPV4], cidrs6=[WORLD_IPV6]))
    _allow_in(ec2, web, tcp(22, prefix_lists=[prefix_list_id]))
    _allow_in(ec2, app, tcp(8080, groups=[web]))
    _allow_in(ec2, db, tcp(5432, groups=[app]))
    for group in (web, app, db):
        _revoke_default_egress(ec2, group)
    _allow_out(ec2, web, tcp(8080, groups=[app]))
    _allow_out(ec2, app, tcp(5432, groups=[db]))
    _allow_out(ec2, app, tcp(443, cidrs=[WORLD_IPV4]))
    return SecurityGroups(web, app, db)


def _security_group(ec2: Any, name: str, vpc_id: str, description: str) -> str:
    group_id: str = ec2.create_security_group(
        GroupName=name,
        Description=description,
        VpcId=vpc_id,
        TagSpecifications=name_tag("security-group", name),
    )["GroupId"]
    return group_id


def tcp(
    port: int,
    *,
    cidrs: list[str] | None = None,
    cidrs6: list[str] | None = None,
    groups: list[str] | None = None,
    prefix_lists: list[str] | None = None,
) -> dict[str, Any]:
    """One IpPermission for a tcp port from the given sources."""
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [{"CidrIp": cidr} for cidr in cidrs or []],
        "Ipv6Ranges": [{"CidrIpv6": cidr} for cidr in cidrs6 or []],
        "UserIdGroupPairs": [{"GroupId": group} for group in groups or []],
        "PrefixListIds": [{"PrefixListId": pl} for pl in prefix_lists or []],
    }


def _allow_in(ec2: Any, group_id: str, permission: dict[str, Any]) -> None:
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[permission])


def _allow_out(ec2: Any, group_id: str, permission: dict[str, Any]) -> None:
    ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[permission])


def _revoke_default_egress(ec2: Any, group_id: str) -> None:
    # A new group allows all egress, to ::/0 as well when the VPC has IPv6:
    # revoke exactly what it was created with.
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(
            GroupId=group_id, IpPermissions=group["IpPermissionsEgress"]
        )


def _instance(ec2: Any, name: str, subnet_id: str, group_id: str) -> tuple[str, str]:
    instance = ec2.run_instances(
        ImageId=IMAGE_ID,
        InstanceType=INSTANCE_TYPE,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {
                "DeviceIndex": 0,
                "SubnetId": subnet_id,
                "Groups": [group_id],
                "AssociatePublicIpAddress": False,
            }
        ],
        TagSpecifications=name_tag("instance", name),
    )["Instances"][0]
    interface_id: str = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    tag_name(ec2, interface_id, f"{name}-eni")
    return instance["InstanceId"], interface_id


def build_web_instance(
    ec2: Any, name: str, subnet_id: str, group_id: str
) -> WebInstance:
    """The public web instance, reachable through an Elastic IP."""
    instance_id, interface_id = _instance(ec2, f"{name}-web", subnet_id, group_id)
    allocation_id = elastic_ip(ec2, f"{name}-web-eip")
    ec2.associate_address(AllocationId=allocation_id, NetworkInterfaceId=interface_id)
    address = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
    return WebInstance(instance_id, interface_id, allocation_id, address["PublicIp"])


def build_app_tier(
    ec2: Any, name: str, subnet_id: str, groups: SecurityGroups
) -> AppTier:
    """A private app and db instance in one private subnet."""
    app_instance, app_interface = _instance(ec2, f"{name}-app", subnet_id, groups.app)
    db_instance, db_interface = _instance(ec2, f"{name}-db", subnet_id, groups.db)
    return AppTier(subnet_id, app_instance, app_interface, db_instance, db_interface)


def build_s3_endpoint(ec2: Any, name: str, vpc_id: str, route_table_id: str) -> str:
    """An S3 gateway endpoint; AWS adds its prefix-list route to the table."""
    region = ec2.meta.region_name
    endpoint_id: str = ec2.create_vpc_endpoint(
        VpcEndpointType="Gateway",
        VpcId=vpc_id,
        ServiceName=f"com.amazonaws.{region}.s3",
        RouteTableIds=[route_table_id],
        TagSpecifications=name_tag("vpc-endpoint", f"{name}-s3"),
    )["VpcEndpoint"]["VpcEndpointId"]
    return endpoint_id


def build_customer_gateway(ec2: Any, name: str) -> str:
    """The office's side of a site-to-site VPN."""
    gateway_id: str = ec2.create_customer_gateway(
        BgpAsn=65010,
        IpAddress=CUSTOMER_GATEWAY_IP,
        Type="ipsec.1",
        TagSpecifications=name_tag("customer-gateway", f"{name}-office-vpn"),
    )["CustomerGateway"]["CustomerGatewayId"]
    return gateway_id
