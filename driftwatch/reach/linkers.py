"""How each resource type becomes nodes and edges of the estate graph.

``LINKERS`` is the one table of it, in the order the linkers run: prefix lists
first, because routes and rules are parsed against their entries; the rest in
any order, since a resource that something points at before it is linked (or
that the snapshot lacks) becomes a placeholder node with ``known=False``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from driftwatch import registry
from driftwatch.reach import rules as r
from driftwatch.reach.graph import (
    AUTO_ASSIGNED,
    INTERNET,
    KIND,
    ROUTE_TARGET,
    TARGET_PREFIXES,
    EstateGraph,
    PublicAddress,
)
from driftwatch.snapshot import Resource, Snapshot

logger = logging.getLogger(__name__)


def build(snapshot: Snapshot) -> EstateGraph:
    """The reachability graph of a snapshot."""
    graph = EstateGraph(snapshot)
    by_type: dict[str, list[Resource]] = {}
    for resource in snapshot.resources:
        by_type.setdefault(resource.resource_type, []).append(resource)
    for resource_type, linker in LINKERS.items():
        for resource in by_type.get(resource_type, ()):
            linker(graph, resource)
    graph.finish()
    logger.info(
        "reachability graph: %d nodes, %d edges",
        len(graph.graph),
        graph.edge_count,
    )
    return graph


Linker = Callable[[EstateGraph, Resource], None]


def _vpc_node(graph: EstateGraph, resource: Resource, vpc_id: Any) -> str | None:
    if not vpc_id:
        return None
    return graph.near(resource, str(vpc_id), "vpc")


def _link_prefix_list(graph: EstateGraph, resource: Resource) -> None:
    entries = tuple(
        str(entry["Cidr"]) for entry in resource.properties.get("Entries") or []
    )
    graph.add_prefix_list(resource, entries)
    graph.add(resource, entries=entries)


def _link_vpc(graph: EstateGraph, resource: Resource) -> None:
    properties = resource.properties
    cidrs = [a["CidrBlock"] for a in properties.get("CidrBlockAssociationSet") or []]
    cidrs += [
        a["Ipv6CidrBlock"] for a in properties.get("Ipv6CidrBlockAssociationSet") or []
    ]
    if not cidrs and properties.get("CidrBlock"):
        cidrs = [properties["CidrBlock"]]
    graph.add(resource, cidrs=tuple(cidrs))


def _link_subnet(graph: EstateGraph, resource: Resource) -> None:
    vpc = _vpc_node(graph, resource, resource.properties.get("VpcId"))
    node = graph.add(resource, vpc=vpc)
    if vpc:
        graph.link(vpc, node, "contains")


def _link_gateway(graph: EstateGraph, resource: Resource) -> None:
    node = graph.add(resource)
    if resource.resource_type == registry.INTERNET_GATEWAY:
        graph.link(INTERNET, node, "internet")
    for attachment in resource.properties.get("Attachments") or []:
        vpc = _vpc_node(graph, resource, attachment.get("VpcId"))
        if vpc:
            graph.link(node, vpc, "attachment")


def _route_target_node(graph: EstateGraph, resource: Resource, target: str) -> str:
    for prefix, resource_type in TARGET_PREFIXES.items():
        if target.startswith(prefix):
            kind = KIND[resource_type]
            return graph.near(resource, target, kind)
    return graph.near(resource, target, ROUTE_TARGET)


def _link_route_table(graph: EstateGraph, resource: Resource) -> None:
    properties = resource.properties
    vpc = _vpc_node(graph, resource, properties.get("VpcId"))
    parsed, _ = r.routes(
        resource.resource_id, properties.get("Routes") or [], graph.resolver(resource)
    )
    node = graph.add(resource, vpc=vpc, routes=parsed)
    for association in properties.get("Associations") or []:
        if association.get("Main") and vpc:
            graph.link(node, vpc, "main-route-table")
        elif association.get("SubnetId"):
            subnet = graph.near(resource, association["SubnetId"], "subnet")
            graph.link(node, subnet, "association")
        elif association.get("GatewayId"):
            gateway = _route_target_node(graph, resource, association["GatewayId"])
            graph.link(node, gateway, "gateway-route-table")
    for route in parsed:
        if route.target and route.target != "local":
            target = _route_target_node(graph, resource, route.target)
            graph.link(node, target, "route", destination=route.destination)


def _link_network_acl(graph: EstateGraph, resource: Resource) -> None:
    properties = resource.properties
    vpc = _vpc_node(graph, resource, properties.get("VpcId"))
    acl_rules = r.network_acl_rules(
        resource.resource_id, properties.get("Entries") or []
    )
    node = graph.add(resource, vpc=vpc, acl_rules=acl_rules)
    if properties.get("IsDefault") and vpc:
        graph.link(node, vpc, "default-network-acl")
    for association in properties.get("Associations") or []:
        subnet = graph.near(resource, association["SubnetId"], "subnet")
        graph.link(node, subnet, "association")


def _link_security_group(graph: EstateGraph, resource: Resource) -> None:
    properties = resource.properties
    vpc = _vpc_node(graph, resource, properties.get("VpcId"))
    inbound, _ = r.security_group_rules(
        resource.resource_id,
        properties.get("IpPermissions") or [],
        graph.resolver(resource),
    )
    node = graph.add(resource, vpc=vpc, inbound_rules=inbound)
    for rule in inbound:
        if rule.source_kind == "UserIdGroupPairs":
            group_id = rule.source_value.rpartition("/")[2]
            other = graph.near(resource, group_id, "security-group")
            graph.link(other, node, "group-reference", part=rule.part)
        elif rule.source_kind == "PrefixListIds":
            prefix_list = graph.near(resource, rule.source_value, "prefix-list")
            graph.link(prefix_list, node, "prefix-list-reference", part=rule.part)


def _interface_addresses(resource: Resource) -> tuple[PublicAddress, ...]:
    properties = resource.properties
    auto: Mapping[str, str] = resource.observed.get("PublicIps") or {}
    associations = {
        str(private["PrivateIpAddress"]): private["Association"]
        for private in properties.get("PrivateIpAddresses") or []
        if private.get("Association")
    }
    primary = str(properties.get("PrivateIpAddress"))
    if properties.get("Association") and primary not in associations:
        associations[primary] = properties["Association"]
    found: list[PublicAddress] = []
    for private_ip, association in sorted(associations.items()):
        # LIMITATION: a carrier IP is reached through a Wavelength carrier
        # gateway and a customer-owned IP through an Outpost's local gateway,
        # neither of which is modelled; they are not public addresses here and
        # the report notes them.
        if association.get("CarrierIp") or association.get("CustomerOwnedIp"):
            continue
        public = association.get("PublicIp") or auto.get(private_ip) or AUTO_ASSIGNED
        found.append(
            PublicAddress(public, 4, private_ip, association.get("AllocationId"))
        )
    for ipv6 in properties.get("Ipv6Addresses") or []:
        found.append(PublicAddress(str(ipv6["Ipv6Address"]), 6))
    for prefix in properties.get("Ipv6Prefixes") or []:
        found.append(PublicAddress(str(prefix["Ipv6Prefix"]), 6))
    return tuple(found)


def _link_network_interface(graph: EstateGraph, resource: Resource) -> None:
    properties = resource.properties
    vpc = _vpc_node(graph, resource, properties.get("VpcId"))
    node = graph.add(
        resource,
        vpc=vpc,
        public_addresses=_interface_addresses(resource),
        deny_all_igw_traffic=bool(properties.get("DenyAllIgwTraffic")),
        nat_gateway=properties.get("InterfaceType") in ("natGateway", "nat_gateway"),
    )
    if properties.get("SubnetId"):
        subnet = graph.near(resource, properties["SubnetId"], "subnet")
        graph.node(subnet).setdefault("vpc", vpc)
        graph.link(subnet, node, "contains")
    for group in properties.get("Groups") or []:
        security_group = graph.near(resource, group["GroupId"], "security-group")
        graph.link(security_group, node, "attached")


def _link_elastic_ip(graph: EstateGraph, resource: Resource) -> None:
    node = graph.add(resource, public_ip=resource.properties.get("PublicIp"))
    interface = resource.properties.get("NetworkInterfaceId")
    if interface:
        eni = graph.near(resource, interface, "network-interface")
        graph.link(node, eni, "association")


def _link_nat_gateway(graph: EstateGraph, resource: Resource) -> None:
    properties = resource.properties
    vpc = _vpc_node(graph, resource, properties.get("VpcId"))
    node = graph.add(resource, vpc=vpc)
    if properties.get("SubnetId"):
        subnet = graph.near(resource, properties["SubnetId"], "subnet")
        graph.link(subnet, node, "contains")
    for address in properties.get("NatGatewayAddresses") or []:
        if address.get("NetworkInterfaceId"):
            eni = graph.near(
                resource, address["NetworkInterfaceId"], "network-interface"
            )
            graph.node(eni)["nat_gateway"] = True
            graph.link(node, eni, "uses")


def _link_peering(graph: EstateGraph, resource: Resource) -> None:
    node = graph.add(resource)
    sides = []
    for side in ("RequesterVpcInfo", "AccepterVpcInfo"):
        info = resource.properties.get(side) or {}
        if info.get("VpcId"):
            sides.append(
                graph.ensure(
                    str(info.get("OwnerId") or resource.account_id),
                    str(info.get("Region") or resource.region),
                    str(info["VpcId"]),
                    "vpc",
                )
            )
    for vpc in sides:
        graph.link(vpc, node, "peering")


def _link_endpoint(graph: EstateGraph, resource: Resource) -> None:
    properties = resource.properties
    vpc = _vpc_node(graph, resource, properties.get("VpcId"))
    node = graph.add(resource, vpc=vpc)
    if vpc:
        graph.link(vpc, node, "contains")
    for subnet_id in properties.get("SubnetIds") or []:
        subnet = graph.near(resource, subnet_id, "subnet")
        graph.link(subnet, node, "contains")


def _link_plain(graph: EstateGraph, resource: Resource) -> None:
    graph.add(resource)


LINKERS: Mapping[str, Linker] = {
    registry.PREFIX_LIST: _link_prefix_list,
    registry.VPC: _link_vpc,
    registry.SUBNET: _link_subnet,
    registry.INTERNET_GATEWAY: _link_gateway,
    registry.EGRESS_ONLY_INTERNET_GATEWAY: _link_gateway,
    registry.ROUTE_TABLE: _link_route_table,
    registry.NETWORK_ACL: _link_network_acl,
    registry.SECURITY_GROUP: _link_security_group,
    registry.NETWORK_INTERFACE: _link_network_interface,
    registry.EIP: _link_elastic_ip,
    registry.NAT_GATEWAY: _link_nat_gateway,
    registry.VPC_PEERING_CONNECTION: _link_peering,
    registry.VPC_ENDPOINT: _link_endpoint,
    registry.CUSTOMER_GATEWAY: _link_plain,
}
