"""From exact regions to reported exposures: rectangles, witness paths, severity.

``shapes`` cuts the regions of an interface's protocol classes into the fewest
rectangles a reader can check: first the sources that reach every port of every
protocol (reported once as protocol ``all``), then per protocol the ports that
share one source set (and, for tcp/udp, one set of reply ports). ``exposures``
gives each rectangle a concrete witness: one packet from its first source to
its first port, and the gateway, route, ACL entries and security group rule
that let exactly that packet through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from driftwatch import registry
from driftwatch.reach import rules as r
from driftwatch.reach.evaluate import (
    ICMP_REPLIES,
    Packet,
    Replies,
    acl_rule_for,
    group_rule_for,
    route_for,
)
from driftwatch.reach.graph import EstateGraph, PublicAddress
from driftwatch.reach.intervals import ICMP_CODES, NO_KEYS, AddressSet, IntervalSet
from driftwatch.reach.model import Exposure, PathStep, Shape, Surface
from driftwatch.reach.region import Region
from driftwatch.snapshot import ResourceKey

# Ports whose exposure to the internet is an incident on its own: remote
# administration, file sharing, databases, caches, container and cluster APIs.
SENSITIVE_PORTS = IntervalSet.of(
    (port, port)
    for port in (
        20, 21, 22, 23, 69, 111, 135, 137, 138, 139, 445, 1433, 1521, 2049, 2375,
        2376, 2379, 3306, 3389, 5432, 5601, 5900, 5984, 6379, 6443, 9042, 9200,
        9300, 10250, 11211, 27017,
    )
)  # fmt: skip
WEB_PORTS = IntervalSet.of([(80, 80), (443, 443)])
# A source set this large is "the internet" for severity: a /8 of IPv4, a /32 of IPv6.
WIDE = {4: 2**24, 6: 2**96}
BROAD_PORT_RANGE = 1024


def shapes(
    classes: Sequence[tuple[int, Region]], replies: Mapping[int, Replies] | None
) -> list[Shape]:
    """The rectangles of an interface's regions, ``all`` first."""
    if not classes:
        return []
    version = classes[0][1].version
    everything = AddressSet.full(version)
    for protocol, region in classes:
        if not region:
            everything = AddressSet.empty(version)
            break
        everything = everything & region.covering(r.key_space(protocol))
    found: list[Shape] = []
    if everything:
        found.append(Shape(r.ALL, NO_KEYS, everything))
    named = tuple(protocol for protocol, _ in classes if protocol != r.REST)
    for protocol, region in classes:
        remainder = region - Region.rect(r.all_keys(protocol), everything)
        found.extend(_class_shapes(protocol, remainder, replies, named))
    return found


def _class_shapes(
    protocol: int,
    region: Region,
    replies: Mapping[int, Replies] | None,
    named: tuple[int, ...],
) -> list[Shape]:
    if protocol == r.REST:
        return [
            Shape(r.ALL, NO_KEYS, sources, excluded=named)
            for _, sources in region.groups()
        ]
    keyed = protocol in r.PORTED
    cells = replies.get(protocol) if replies is not None else None
    if cells is None:
        return [
            Shape(protocol, keys if keyed else NO_KEYS, sources)
            for keys, sources in region.groups()
        ]
    return [
        Shape(protocol, keys, sources, reply_ports=ports)
        for cell, ports in cells
        for keys, sources in region.restrict(cell).groups()
    ]


def severity(shape: Shape) -> str:
    """critical, high, medium, low or info, from source breadth and ports."""
    wide = shape.sources.size() >= WIDE[shape.sources.version]
    if shape.protocol == r.ALL:
        return "critical" if wide else "high"
    if shape.protocol in r.ICMP_FAMILY:
        return "low" if wide else "info"
    if shape.protocol not in (r.TCP, r.UDP):
        return "high" if wide else "medium"
    sensitive = bool(shape.keys & SENSITIVE_PORTS) or (
        shape.keys.size() >= BROAD_PORT_RANGE
    )
    if sensitive:
        return "critical" if wide else "medium"
    if not shape.keys - WEB_PORTS:
        return "low"
    return "high" if wide else "low"


def exposures(
    graph: EstateGraph,
    surface: Surface,
    classes: Sequence[tuple[int, Region]],
    replies: Mapping[int, Replies],
) -> list[Exposure]:
    """Exposures of some regions of a surface, each with its witness path."""
    public = [a for a in surface.addresses if a.version == surface.version]
    resources = contributors(graph, surface)
    return [
        Exposure(
            **surface.identity(),
            address=public[0].address,
            addresses=tuple(a.address for a in public),
            shape=shape,
            severity=severity(shape),
            path=witness(graph, surface, shape, public[0]),
            resources=resources,
        )
        for shape in shapes(classes, replies)
    ]


def witness(
    graph: EstateGraph, surface: Surface, shape: Shape, public: PublicAddress
) -> tuple[PathStep, ...]:
    """The hops one concrete packet of the shape takes, with the ids deciding it."""
    protocol, key = shape.probe()
    packet = Packet(protocol, key, shape.sources.spans.first(), surface.version)
    gateways = frozenset(surface.internet_gateways)
    steps = [PathStep("internet-gateway", surface.internet_gateways[0])]
    ordered = graph.ordered_routes(str(surface.route_table), gateways, packet.version)
    route = route_for(ordered, packet)
    if route is not None:
        steps.append(
            PathStep(
                "route",
                route.route_table_id,
                (
                    ("destination", route.destination),
                    ("target", route.target),
                    ("part", route.part),
                ),
            )
        )
    acl_rules = graph.node(str(surface.network_acl))["acl_rules"]
    reply = _reply_key(shape, protocol)
    probes = [(False, packet)] + (
        [] if reply is None else [(True, packet.with_key(reply))]
    )
    for egress, probe in probes:
        entry = acl_rule_for(acl_rules, egress, probe)
        if entry is not None:
            steps.append(_acl_step(entry))
    group_rules = [
        rule
        for group in surface.security_groups
        for rule in graph.node(group).get("inbound_rules", ())
    ]
    rule = group_rule_for(group_rules, packet)
    if rule is not None:
        steps.append(
            PathStep(
                "security-group-rule",
                rule.group_id,
                (("rule", rule.label), ("part", rule.part)),
            )
        )
    steps.append(PathStep("network-interface", surface.network_interface_id))
    steps.append(_address_step(public))
    return tuple(steps)


def _reply_key(shape: Shape, protocol: int) -> int | None:
    if protocol in (r.TCP, r.UDP):
        return shape.reply_ports.first() if shape.reply_ports else None
    if protocol in r.ICMP_FAMILY:
        request = shape.keys.first() // ICMP_CODES
        reply = ICMP_REPLIES[protocol].get(request)
        return None if reply is None else reply * ICMP_CODES
    return 0


def _acl_step(entry: r.NetworkAclRule) -> PathStep:
    kind = "network-acl-outbound-rule" if entry.egress else "network-acl-inbound-rule"
    return PathStep(
        kind,
        entry.network_acl_id,
        (("rule_number", entry.number), ("part", entry.part)),
    )


def _address_step(public: PublicAddress) -> PathStep:
    detail: tuple[tuple[str, str], ...] = ()
    if public.allocation_id:
        detail = (("allocation_id", public.allocation_id),)
    if public.private_ip:
        detail = (*detail, ("private_ip", public.private_ip))
    return PathStep("public-address", public.address, detail)


def contributors(graph: EstateGraph, surface: Surface) -> frozenset[ResourceKey]:
    """Every resource whose configuration bears on a surface."""
    nodes = [
        surface.interface,
        *(n for n in (surface.route_table, surface.network_acl) if n),
        *surface.security_groups,
        *graph.sources_of(surface.interface, "contains"),
        *graph.sources_of(surface.interface, "association"),
    ]
    keys = {graph.resource_key(node) for node in nodes}
    for gateway in surface.internet_gateways:
        keys.add(
            (surface.account_id, surface.region, registry.INTERNET_GATEWAY, gateway)
        )
    return frozenset(key for key in keys if key is not None)
