"""Latent exposure: world-open security group rules the internet cannot use.

A rule that admits the whole address space is latent on the keys where the
interface exposes nothing: the rule would be an exposure the moment the path
opened (a public address, a gateway, a route or an ACL entry). Each latent
entry says why the path is closed, at its first key: the interface-level gate,
else the route table, else the ACL inbound, else the ACL outbound.
"""

from __future__ import annotations

from driftwatch.reach.evaluate import acl_rule_for
from driftwatch.reach.graph import EstateGraph
from driftwatch.reach.intervals import AddressSet, IntervalSet
from driftwatch.reach.model import Latent, Surface
from driftwatch.reach.region import Region
from driftwatch.reach.witness import shapes

FAMILY_LABEL = {4: "IPv4", 6: "IPv6"}


def latent_of(graph: EstateGraph, surface: Surface) -> list[Latent]:
    """World-open rules of a surface that the internet cannot use, and why."""
    everyone = AddressSet.full(surface.version)
    classes = []
    for result in surface.classes:
        open_keys = result.world_open.keys() - result.exposed.keys()
        classes.append((result.protocol, Region.rect(open_keys, everyone)))
    found = []
    for shape in shapes(classes, None):
        protocol, key = shape.probe()
        found.append(
            Latent(
                **surface.identity(),
                shape=shape,
                reason=_closed_because(graph, surface, protocol, key),
                rules=_world_rules(graph, surface, protocol, shape.keys),
            )
        )
    return found


def _closed_because(
    graph: EstateGraph, surface: Surface, protocol: int, key: int
) -> str:
    if surface.gate:
        return surface.gate
    table_id = graph.resource_id(surface.route_table)
    acl_id = graph.resource_id(surface.network_acl)
    if not surface.route_sources:
        gateways = ", ".join(surface.attached_gateways)
        return (
            f"route table {table_id} has no active {FAMILY_LABEL[surface.version]} "
            f"route to {gateways}"
        )
    result = surface.result(protocol)
    admitted = result.acl_inbound.at(key) & surface.route_sources
    if not admitted:
        acl_rules = graph.node(str(surface.network_acl)).get("acl_rules", ())
        rule = acl_rule_for(
            acl_rules, False, protocol, key, surface.route_sources.first()
        )
        number = rule.number if rule is not None else "default"
        return f"network ACL {acl_id} denies the request (rule {number})"
    return f"network ACL {acl_id} denies the reply to the client's ephemeral ports"


def _world_rules(
    graph: EstateGraph, surface: Surface, protocol: int, keys: IntervalSet
) -> tuple[str, ...]:
    labels = []
    for group in surface.security_groups:
        for rule in graph.node(group).get("inbound_rules", ()):
            if not (rule.matches(protocol) and rule.world_open(surface.version)):
                continue
            if keys and not rule.keys_for(protocol) & keys:
                continue
            labels.append(f"{rule.group_id}: {rule.label}")
    return tuple(labels)
