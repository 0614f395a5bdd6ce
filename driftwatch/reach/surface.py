"""Evaluating interfaces into surfaces, sharing every piece of work that repeats.

An interface's surface in one family depends on its placement (route table,
ACL, attached gateways) and its security groups. The pieces are cached apart,
because they repeat on different axes: the network path (route and ACL both
ways) per (ACL, routed sources, protocol), each group's region per (group,
protocol), whole results per context. A family with nothing to report (no
public path and no world-open rule) is skipped before any region is built.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from driftwatch.reach import rules as r
from driftwatch.reach.evaluate import (
    ClassResult,
    NetworkPath,
    group_region,
    network_path,
    protocol_classes,
    route_sources,
)
from driftwatch.reach.graph import EstateGraph, PublicAddress
from driftwatch.reach.intervals import AddressSet, IntervalSet, Span
from driftwatch.reach.latent import FAMILY_LABEL
from driftwatch.reach.model import Surface
from driftwatch.reach.region import Region

Results = tuple[AddressSet, tuple[ClassResult, ...]]


@dataclass(frozen=True)
class _Context:
    """What an interface's evaluation in one family depends on, as a cache key."""

    version: int
    gate: str | None
    route_table: str | None
    network_acl: str | None
    security_groups: tuple[str, ...]
    gateways: frozenset[str]


@dataclass(frozen=True)
class _Placement:
    """Where an interface sits: subnet, VPC, route table, ACL, groups, gateways."""

    subnet: str | None
    vpc: str | None
    route_table: str | None
    network_acl: str | None
    security_groups: tuple[str, ...]
    attached: frozenset[str]
    gateways: frozenset[str]


class SurfaceEvaluator:
    """Turns interfaces of one graph into surfaces, with shared caches."""

    def __init__(self, graph: EstateGraph, ephemeral: Span) -> None:
        self.graph = graph
        self.ephemeral = ephemeral
        self.results: dict[_Context, Results] = {}
        self.routes: dict[tuple[str, frozenset[str], int], AddressSet] = {}
        self.paths: dict[tuple[str | None, AddressSet, int, int], NetworkPath] = {}
        self.group_regions: dict[tuple[str, int, int], Region] = {}
        self.world_keys: dict[tuple[str, int, int], IntervalSet] = {}
        self.world_rules: dict[tuple[str, int], tuple[r.SecurityGroupRule, ...]] = {}
        self.placements: dict[tuple[str | None, str | None], _Placement] = {}

    def surfaces(self, interface: str) -> Iterator[Surface]:
        """The surfaces of an interface in each family worth reporting."""
        attributes = self.graph.node(interface)
        where = self._placement(interface)
        addresses = attributes["public_addresses"]
        for version in r.VERSIONS:
            public = tuple(a for a in addresses if a.version == version)
            gate = _interface_gate(attributes, version, public) or self._path_gate(
                where
            )
            if gate and not self._opens_world(where.security_groups, version):
                continue
            context = _Context(
                version,
                gate,
                where.route_table,
                where.network_acl,
                where.security_groups,
                where.gateways,
            )
            sources, results = self._evaluate(context)
            if not any(result.world_keys or result.exposed for result in results):
                continue
            yield Surface(
                interface=interface,
                account_id=attributes["account_id"],
                region=attributes["region"],
                network_interface_id=attributes["resource_id"],
                vpc_id=self.graph.resource_id(where.vpc),
                subnet_id=self.graph.resource_id(where.subnet),
                version=version,
                addresses=addresses,
                gate=gate,
                route_sources=sources,
                internet_gateways=tuple(sorted(where.gateways)),
                attached_gateways=tuple(sorted(where.attached)),
                route_table=where.route_table,
                network_acl=where.network_acl,
                security_groups=where.security_groups,
                classes=results,
            )

    def _placement(self, interface: str) -> _Placement:
        graph = self.graph
        subnet = graph.subnet_of(interface)
        vpc = graph.vpc_of(interface)
        key = (subnet, vpc)
        if key not in self.placements:
            table = graph.route_table_of(subnet) if subnet else None
            self.placements[key] = _Placement(
                subnet=subnet,
                vpc=vpc,
                route_table=table,
                network_acl=graph.network_acl_of(subnet) if subnet else None,
                security_groups=(),
                attached=frozenset(
                    graph.resource_id(gateway)
                    for gateway in (graph.internet_gateways(vpc) if vpc else ())
                ),
                # Only routes to a gateway attached to the table's VPC are active.
                gateways=(
                    graph.active_internet_gateways(table) if table else frozenset()
                ),
            )
        groups = tuple(graph.security_groups(interface))
        return dataclasses.replace(self.placements[key], security_groups=groups)

    def _path_gate(self, where: _Placement) -> str | None:
        if not where.attached:
            return _no_gateway(self.graph, where.vpc)
        if where.route_table is None:
            return "its subnet has no route table in the snapshot"
        if where.network_acl is None:
            return "its subnet has no network ACL in the snapshot"
        return None

    def _opens_world(self, groups: tuple[str, ...], version: int) -> bool:
        return any(self._group_opens_world(group, version) for group in groups)

    def _group_opens_world(self, group: str, version: int) -> bool:
        return bool(self._world_rules(group, version))

    def _world_rules(self, group: str, version: int) -> tuple[r.SecurityGroupRule, ...]:
        key = (group, version)
        if key not in self.world_rules:
            rules = self.graph.node(group).get("inbound_rules", ())
            self.world_rules[key] = tuple(
                rule for rule in rules if rule.world_open(version)
            )
        return self.world_rules[key]

    def _evaluate(self, context: _Context) -> Results:
        cached = self.results.get(context)
        if cached is None:
            cached = self._blocked(context) if context.gate else self._open(context)
            self.results[context] = cached
        return cached

    def _open(self, context: _Context) -> Results:
        group_rules = [
            rule
            for group in context.security_groups
            for rule in self.graph.node(group).get("inbound_rules", ())
        ]
        sources = self._route_sources(context)
        results = tuple(
            self._class(context, protocol, sources)
            for protocol in protocol_classes(group_rules, self._acl_rules(context))
        )
        return sources, results

    def _blocked(self, context: _Context) -> Results:
        # Nothing gets in: only the world-open rules matter, for latent entries.
        # Their protocols (with tcp, udp, icmp, icmpv6 and REST) are the classes;
        # a gated surface is never asked about any other.
        version = context.version
        world_rules = [
            rule
            for group in context.security_groups
            for rule in self._world_rules(group, version)
        ]
        empty = Region.empty(version)
        results = []
        for protocol in protocol_classes(world_rules, ()):
            keys = IntervalSet()
            for rule in world_rules:
                if rule.matches(protocol):
                    keys = keys | rule.keys_for(protocol)
            results.append(ClassResult(protocol, keys, empty, empty, ()))
        return AddressSet.empty(version), tuple(results)

    def _class(
        self, context: _Context, protocol: int, sources: AddressSet
    ) -> ClassResult:
        version = context.version
        world = IntervalSet()
        for group in context.security_groups:
            world = world | self._world_keys(group, protocol, version)
        path = self._path(context, protocol, sources)
        exposed = Region.empty(version)
        if path.open:
            for group in context.security_groups:
                exposed = exposed | self._group_region(group, protocol, version)
            exposed = exposed & path.open
        return ClassResult(protocol, world, path.inbound, exposed, path.replies)

    def _acl_rules(self, context: _Context) -> tuple[r.NetworkAclRule, ...]:
        if context.network_acl is None:
            return ()
        return tuple(self.graph.node(context.network_acl).get("acl_rules", ()))

    def _route_sources(self, context: _Context) -> AddressSet:
        if context.gate or context.route_table is None:
            return AddressSet.empty(context.version)
        key = (context.route_table, context.gateways, context.version)
        if key not in self.routes:
            routes = self.graph.node(context.route_table).get("routes", ())
            self.routes[key] = route_sources(routes, context.gateways, context.version)
        return self.routes[key]

    def _path(
        self, context: _Context, protocol: int, sources: AddressSet
    ) -> NetworkPath:
        key = (context.network_acl, sources, protocol, context.version)
        if key not in self.paths:
            self.paths[key] = network_path(
                self._acl_rules(context),
                protocol,
                context.version,
                sources,
                self.ephemeral,
            )
        return self.paths[key]

    def _group_region(self, group: str, protocol: int, version: int) -> Region:
        key = (group, protocol, version)
        if key not in self.group_regions:
            rules = self.graph.node(group).get("inbound_rules", ())
            self.group_regions[key] = group_region(rules, protocol, version)
        return self.group_regions[key]

    def _world_keys(self, group: str, protocol: int, version: int) -> IntervalSet:
        key = (group, protocol, version)
        if key not in self.world_keys:
            rules = self.graph.node(group).get("inbound_rules", ())
            self.world_keys[key] = group_region(
                rules, protocol, version, world_only=True
            ).keys()
        return self.world_keys[key]


def _interface_gate(
    attributes: dict[str, Any], version: int, public: tuple[PublicAddress, ...]
) -> str | None:
    if attributes.get("nat_gateway"):
        return "it is a NAT gateway's interface: its Elastic IP lets nothing in"
    if not public:
        return f"it has no public {FAMILY_LABEL[version]} address"
    if attributes.get("deny_all_igw_traffic"):
        return "DenyAllIgwTraffic is set on it"
    return None


def _no_gateway(graph: EstateGraph, vpc: str | None) -> str:
    if vpc is None:
        return "its VPC is not known"
    vpc_id = graph.resource_id(vpc)
    egress_only = [graph.resource_id(g) for g in graph.egress_only_gateways(vpc)]
    if egress_only:
        return (
            f"no internet gateway is attached to {vpc_id} (only the egress-only "
            f"gateway {', '.join(egress_only)}, which lets no connection in)"
        )
    return f"no internet gateway is attached to {vpc_id}"
