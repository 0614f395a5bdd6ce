"""A realistic, hardened network estate, built through the EC2 API of an emulator.

``build_estate`` creates in the region of the EC2 client it is given one or
more of every resource type driftwatch reads, wired the way a careful team
would wire a three-tier service:

- VPC ``<name>`` (10.0.0.0/16, DNS support and hostnames on, an Amazon IPv6
  block) with one public subnet and one private subnet per app tier copy;
- an internet gateway and an egress-only gateway; a NAT gateway with its
  Elastic IP in the public subnet;
- a public route table (0.0.0.0/0 and ::/0 to the internet gateway) and a
  private one (0.0.0.0/0 to the NAT, ::/0 to the egress-only gateway, the peer
  VPC over the peering), both explicitly associated;
- a custom network ACL on the private subnets;
- security groups: web (443 from the world, 22 from the office prefix list),
  app (8080 from web only), db (5432 from app only, no egress);
- one web instance with an Elastic IP; per copy, a private app and db instance;
- an S3 gateway endpoint on the private route table, a customer gateway, the
  customer-managed prefix list ``<name>-office``;
- a second VPC ``<name>-shared`` joined by an accepted peering connection.

Everything carries a ``Name`` tag. It only calls EC2, so it works on
in-process moto and on a moto server alike; it is meant for emulators only
(the demo, the tests, the benchmarks), never for a real account. The network
layer is built in ``network``, what runs in it in ``workloads``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from driftwatch.demo import network as net
from driftwatch.demo import workloads as work
from driftwatch.demo.workloads import OFFICE_CIDRS, AppTier
from driftwatch.errors import UsageError

__all__ = ["OFFICE_CIDRS", "AppTier", "Estate", "build_estate"]

logger = logging.getLogger(__name__)

MAX_COPIES = 200


@dataclass(frozen=True)
class Estate:
    """The ids of everything ``build_estate`` created, for scripting incidents."""

    region: str
    name: str
    vpc_id: str
    public_subnet_id: str
    internet_gateway_id: str
    egress_only_internet_gateway_id: str
    nat_gateway_id: str
    nat_allocation_id: str
    public_route_table_id: str
    private_route_table_id: str
    network_acl_id: str
    web_security_group_id: str
    app_security_group_id: str
    db_security_group_id: str
    web_instance_id: str
    web_network_interface_id: str
    web_allocation_id: str
    web_public_ip: str
    app_tiers: tuple[AppTier, ...]
    vpc_endpoint_id: str
    customer_gateway_id: str
    prefix_list_id: str
    peer_vpc_id: str
    peer_route_table_id: str
    peering_connection_id: str

    @property
    def private_subnet_ids(self) -> tuple[str, ...]:
        """The private subnets, one per app tier copy."""
        return tuple(tier.subnet_id for tier in self.app_tiers)


def build_estate(ec2: Any, *, name: str = "prod", copies: int = 1) -> Estate:
    """Create the hardened estate in the EC2 client's region and return its ids.

    Args:
        ec2: a boto3 EC2 client pointed at an emulator.
        name: prefix of every Name tag.
        copies: how many private app tiers (subnet, app and db instance).

    Raises:
        UsageError: ``copies`` is not between 1 and 200.
    """
    if not 1 <= copies <= MAX_COPIES:
        raise UsageError(f"copies must be between 1 and {MAX_COPIES}, not {copies}.")

    network = net.build_network(ec2, name, copies)
    gateways = net.build_gateways(ec2, name, network)
    peering_id = net.build_peering(ec2, name, network)
    tables = net.build_routing(ec2, name, network, gateways, peering_id)
    acl_id = net.build_network_acl(ec2, name, network)

    prefix_list_id = work.build_prefix_list(ec2, name)
    groups = work.build_security_groups(ec2, name, network.vpc_id, prefix_list_id)
    web = work.build_web_instance(ec2, name, network.public_subnet_id, groups.web)
    tiers = tuple(
        work.build_app_tier(ec2, f"{name}-{index}", subnet_id, groups)
        for index, subnet_id in enumerate(network.private_subnet_ids, start=1)
    )
    endpoint_id = work.build_s3_endpoint(ec2, name, network.vpc_id, tables.private)
    customer_gateway_id = work.build_customer_gateway(ec2, name)

    region = ec2.meta.region_name
    logger.info("built estate %s in %s with %d app tier(s)", name, region, copies)
    return Estate(
        region=region,
        name=name,
        vpc_id=network.vpc_id,
        public_subnet_id=network.public_subnet_id,
        internet_gateway_id=gateways.internet_gateway_id,
        egress_only_internet_gateway_id=gateways.egress_only_internet_gateway_id,
        nat_gateway_id=gateways.nat_gateway_id,
        nat_allocation_id=gateways.nat_allocation_id,
        public_route_table_id=tables.public,
        private_route_table_id=tables.private,
        network_acl_id=acl_id,
        web_security_group_id=groups.web,
        app_security_group_id=groups.app,
        db_security_group_id=groups.db,
        web_instance_id=web.instance_id,
        web_network_interface_id=web.network_interface_id,
        web_allocation_id=web.allocation_id,
        web_public_ip=web.public_ip,
        app_tiers=tiers,
        vpc_endpoint_id=endpoint_id,
        customer_gateway_id=customer_gateway_id,
        prefix_list_id=prefix_list_id,
        peer_vpc_id=network.peer_vpc_id,
        peer_route_table_id=tables.peer,
        peering_connection_id=peering_id,
    )
