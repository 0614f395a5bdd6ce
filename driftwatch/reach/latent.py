"""Latent exposure: world-open security group rules the internet cannot use.

A rule that admits the whole address space is latent on the keys where the
interface exposes nothing: the rule would be an exposure the moment the path
opened (a public address, a gateway, a route or an ACL entry). Each latent
entry says why the path is closed, at its first key: the interface-level gate,
else the route table, else the ACL inbound, else the ACL outbound.
"""

from __future__ import annotations

from typing import Any

from driftwatch.reach import rules as r
from driftwatch.reach.evaluate import Packet, acl_rule_for
from driftwatch.reach.graph import EstateGraph
from driftwatch.reach.intervals import NO_KEYS, AddressSet, IntervalSet
from driftwatch.reach.model import Latent, Shape, Surface

FAMILY_LABEL = {4: "IPv4", 6: "IPv6"}


Entry = tuple[Shape, str, tuple[str, ...]]
LatentMemo = dict[tuple[Any, ...], list[Entry]]


def latent_of(
    graph: EstateGraph, surface: Surface, memo: LatentMemo | None = None
) -> list[Latent]:
    """World-open rules of a surface that the internet cannot use, and why.

    ``memo`` shares the entries of closed interfaces: with no public path, they
    depend only on the reason and the world-open rules, not on the interface.
    """
    if memo is None or not surface.gate:
        entries = _entries(graph, surface)
    else:
        world = tuple(
            group
            for group in surface.security_groups
            if graph.world_rules(group, surface.version)
        )
        key = (surface.gate, surface.version, world)
        if key not in memo:
            memo[key] = _entries(graph, surface)
        entries = memo[key]
    return [
        Latent(**surface.identity(), shape=shape, reason=reason, rules=rules)
        for shape, reason, rules in entries
    ]


def _entries(graph: EstateGraph, surface: Surface) -> list[Entry]:
    found = []
    for shape in _shapes(surface):
        protocol, key = shape.probe()
        reason = _closed_because(graph, surface, protocol, key)
        found.append(
            (shape, reason, _world_rules(graph, surface, protocol, shape.keys))
        )
    return found


def _shapes(surface: Surface) -> list[Shape]:
    """Per protocol, the world-open keys that reach nothing; ``all`` if every key."""
    everyone = AddressSet.full(surface.version)
    latent_keys = [
        (result.protocol, result.world_keys - result.exposed.keys())
        for result in surface.classes
        if result.world_keys
    ]
    if len(latent_keys) == len(surface.classes) and all(
        keys.covers(*r.key_space(protocol)) for protocol, keys in latent_keys
    ):
        return [Shape(r.ALL, NO_KEYS, everyone)]
    named = tuple(p for p in surface.protocols if p != r.REST)
    return [
        Shape(r.ALL, NO_KEYS, everyone, excluded=named)
        if protocol == r.REST
        else Shape(protocol, keys if protocol in r.PORTED else NO_KEYS, everyone)
        for protocol, keys in latent_keys
        if keys
    ]


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
        source = surface.route_sources.spans.first()
        probe = Packet(protocol, key, source, surface.version)
        rule = acl_rule_for(acl_rules, False, probe)
        number = rule.number if rule is not None else "default"
        return f"network ACL {acl_id} denies the request (rule {number})"
    return f"network ACL {acl_id} denies the reply to the client's ephemeral ports"


def _world_rules(
    graph: EstateGraph, surface: Surface, protocol: int, keys: IntervalSet
) -> tuple[str, ...]:
    labels = []
    for group in surface.security_groups:
        for rule in graph.world_rules(group, surface.version):
            if not rule.matches(protocol):
                continue
            if keys and not rule.keys_for(protocol) & keys:
                continue
            labels.append(f"{rule.group_id}: {rule.label}")
    return tuple(labels)
