"""Evaluating interfaces into surfaces, sharing every piece of work that repeats.

An interface's surface in one family depends on its placement (route table,
ACL, attached gateways) and its security groups. The pieces are cached apart,
because they repeat on different axes: the network path (route and ACL both
ways) per (ACL, routed sources, protocol), each group's region per (group,
protocol), whole results per context. A family with nothing to report (no
public path and no world-open rule) is skipped before any region is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

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
# A network path: (ACL node, route table node, its gateways, protocol class,
# family). Strings and a frozenset hash fast; address sets would not.
PathKey = tuple[str | None, str | None, frozenset[str], int, int]


class _Context(NamedTuple):
    """What an interface's evaluation in one family depends on, as a cache key
    (a named tuple: built and hashed for every interface, so it must be cheap)."""

    version: int
    gate: str | None
    route_table: str | None
    network_acl: str | None
    security_groups: tuple[str, ...]
    gateways: frozenset[str]


@dataclass(frozen=True)
class _Placement:
    """Where an interface's subnet sits: VPC, route table, ACL, gateways, and
    the reason nothing gets in from there, if there is one."""

    subnet: str | None
    vpc: str | None
    route_table: str | None
    network_acl: str | None
    gateways: frozenset[str]
    subnet_id: str
    vpc_id: str
    gateway_ids: tuple[str, ...]
    attached_ids: tuple[str, ...]
    gate: str | None


class SurfaceEvaluator:
    """Turns interfaces of one graph into surfaces, with shared caches."""

    def __init__(self, graph: EstateGraph, ephemeral: Span) -> None:
        self.graph = graph
        self.ephemeral = ephemeral
        self.results: dict[_Context, Results] = {}
        self.routes: dict[tuple[str, frozenset[str], int], AddressSet] = {}
        self.paths: dict[PathKey, NetworkPath] = {}
        self.shares: dict[tuple[str, PathKey], Region] = {}
        self.group_regions: dict[tuple[str, int, int], Region] = {}
        self.world_keys: dict[tuple[str, int, int], IntervalSet] = {}
        self.placements: dict[tuple[str | None, str | None], _Placement] = {}
        # Contexts whose surfaces have something to report (exposed or latent).
        self.reportable: set[_Context] = set()

    def surfaces(self, interface: str) -> Iterator[Surface]:
        """The surfaces of an interface in each family worth reporting."""
        attributes = self.graph.node(interface)
        where = self._placement(interface)
        groups = tuple(self.graph.security_groups(interface))
        addresses = attributes["public_addresses"]
        for version in r.VERSIONS:
            public = tuple(a for a in addresses if a.version == version)
            gate = _interface_gate(attributes, version, public) or where.gate
            if gate:
                # Nothing gets in, so only the groups with world-open rules
                # matter (for latent entries): interfaces share them far more
                # often than whole placements and group sets.
                world = tuple(g for g in groups if self.graph.world_rules(g, version))
                if not world:
                    continue
                context = _Context(version, gate, None, None, world, frozenset())
            else:
                context = _Context(
                    version,
                    gate,
                    where.route_table,
                    where.network_acl,
                    groups,
                    where.gateways,
                )
            sources, results = self._evaluate(context)
            if context not in self.reportable:
                continue
            yield Surface(
                interface=interface,
                account_id=attributes["account_id"],
                region=attributes["region"],
                network_interface_id=attributes["resource_id"],
                vpc_id=where.vpc_id,
                subnet_id=where.subnet_id,
                version=version,
                addresses=addresses,
                gate=gate,
                route_sources=sources,
                internet_gateways=where.gateway_ids,
                attached_gateways=where.attached_ids,
                route_table=where.route_table,
                network_acl=where.network_acl,
                security_groups=groups,
                classes=results,
            )

    def _placement(self, interface: str) -> _Placement:
        graph = self.graph
        subnet = graph.subnet_of(interface)
        vpc = graph.vpc_of(interface)
        key = (subnet, vpc)
        if key not in self.placements:
            table = graph.route_table_of(subnet) if subnet else None
            acl = graph.network_acl_of(subnet) if subnet else None
            attached = tuple(
                sorted(
                    graph.resource_id(gateway)
                    for gateway in (graph.internet_gateways(vpc) if vpc else ())
                )
            )
            # Only routes to a gateway attached to the table's VPC are active.
            gateways = graph.active_internet_gateways(table) if table else frozenset()
            self.placements[key] = _Placement(
                subnet=subnet,
                vpc=vpc,
                route_table=table,
                network_acl=acl,
                gateways=gateways,
                subnet_id=graph.resource_id(subnet),
                vpc_id=graph.resource_id(vpc),
                gateway_ids=tuple(sorted(gateways)),
                attached_ids=attached,
                gate=self._path_gate(vpc, attached, table, acl),
            )
        return self.placements[key]

    def _path_gate(
        self,
        vpc: str | None,
        attached: tuple[str, ...],
        table: str | None,
        acl: str | None,
    ) -> str | None:
        if not attached:
            return _no_gateway(self.graph, vpc)
        if table is None:
            return "its subnet has no route table in the snapshot"
        if acl is None:
            return "its subnet has no network ACL in the snapshot"
        return None

    def _evaluate(self, context: _Context) -> Results:
        cached = self.results.get(context)
        if cached is None:
            cached = self._blocked(context) if context.gate else self._open(context)
            self.results[context] = cached
            if any(result.world_keys or result.exposed for result in cached[1]):
                self.reportable.add(context)
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
            for rule in self.graph.world_rules(group, version)
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
        key = (
            context.network_acl,
            context.route_table,
            context.gateways,
            protocol,
            version,
        )
        path = self._path(key, context, sources)
        exposed = Region.empty(version)
        for group in context.security_groups:
            # Intersection distributes over the union of groups, and each
            # group's share of one path is the same for every interface.
            exposed = exposed | self._through(group, key, path)
        return ClassResult(protocol, world, path.inbound, exposed, path.replies)

    def _through(self, group: str, key: PathKey, path: NetworkPath) -> Region:
        """What one group admits of a network path."""
        through = (group, key)
        if through not in self.shares:
            region = self._group_region(group, key[3], key[4])
            self.shares[through] = region & path.open if path.open else path.open
        return self.shares[through]

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
        self, key: PathKey, context: _Context, sources: AddressSet
    ) -> NetworkPath:
        if key not in self.paths:
            self.paths[key] = network_path(
                self._acl_rules(context), key[3], key[4], sources, self.ephemeral
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
