"""What the internet can reach in a snapshot: ``exposures(snapshot)``.

Every network interface of every region whose reachability types were read is
evaluated over the estate graph, per address family: the interface-level gates
first (a NAT gateway's interface, a public address, ``DenyAllIgwTraffic``, an
attached internet gateway, a route table and an ACL), then the exact checks of
``driftwatch.reach.evaluate``. Results are cached per (route table, ACL,
security groups, gateways, family), which is what makes ten thousand
interfaces cheap: they share far fewer combinations than that.

A region where one of ``REQUIRED_TYPES`` was not read is not evaluated: it is
reported as unknown, never as "nothing exposed". A security group rule that
admits the whole address space on an interface the internet cannot reach is
reported apart as ``latent``, with the reason the path is closed.

Source universe: an internet gateway is taken to deliver any source address,
so a rule for 10.0.0.0/8 on a public interface, with no more specific route
carving that range out, is reported (with low severity when the range is narrow).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from driftwatch import registry
from driftwatch.drift.model import Unknown
from driftwatch.reach import rules as r
from driftwatch.reach.evaluate import (
    EPHEMERAL_PORTS,
    ClassResult,
    Replies,
    blocked_only,
    evaluate_class,
    protocol_classes,
    route_sources,
)
from driftwatch.reach.graph import EstateGraph, PublicAddress
from driftwatch.reach.intervals import AddressSet, Span
from driftwatch.reach.latent import FAMILY_LABEL, latent_of
from driftwatch.reach.linkers import build
from driftwatch.reach.model import Exposure, ExposureReport, Surface
from driftwatch.reach.witness import exposures as witnessed
from driftwatch.snapshot import Snapshot

logger = logging.getLogger(__name__)

# Without these a region's interfaces cannot be judged either way.
REQUIRED_TYPES = (
    registry.NETWORK_INTERFACE,
    registry.SECURITY_GROUP,
    registry.NETWORK_ACL,
    registry.ROUTE_TABLE,
    registry.INTERNET_GATEWAY,
)


def exposures(
    snapshot: Snapshot, *, ephemeral: Span = EPHEMERAL_PORTS
) -> ExposureReport:
    """Every exposed and latent path of every interface in the snapshot."""
    graph = build(snapshot)
    unknown, skipped = _coverage_unknowns(snapshot)
    evaluator = _Evaluator(graph, ephemeral)
    surfaces: list[Surface] = []
    evaluated = 0
    for interface in graph.interfaces():
        attributes = graph.node(interface)
        if (attributes["account_id"], attributes["region"]) in skipped:
            continue
        evaluated += 1
        surfaces.extend(evaluator.surfaces(interface))
    found = [exposure for surface in surfaces for exposure in _exposed(graph, surface)]
    latent = [entry for surface in surfaces for entry in latent_of(graph, surface)]
    unknown.extend(_unresolved(graph, skipped))
    report = ExposureReport(
        snapshot_id=snapshot.snapshot_id,
        taken_at=snapshot.taken_at,
        exposures=tuple(sorted(found, key=lambda e: e.sort_key())),
        latent=tuple(latent),
        unknown=tuple(unknown),
        notes=tuple(_notes(graph)),
        interfaces_evaluated=evaluated,
        surfaces=tuple(surfaces),
        graph=graph,
    )
    logger.info(
        "exposure: %d interfaces evaluated, %d exposures, %d latent, %d unknown",
        evaluated,
        len(report.exposures),
        len(report.latent),
        len(report.unknown),
    )
    return report


@dataclass(frozen=True)
class _Context:
    """What an interface's evaluation depends on, as a cache key."""

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


class _Evaluator:
    """Evaluates interfaces, sharing the work of identical contexts."""

    def __init__(self, graph: EstateGraph, ephemeral: Span) -> None:
        self.graph = graph
        self.ephemeral = ephemeral
        self.cache: dict[_Context, tuple[AddressSet, tuple[ClassResult, ...]]] = {}

    def placement(self, interface: str) -> _Placement:
        """The graph neighbourhood that decides an interface's reachability."""
        graph = self.graph
        subnet = graph.subnet_of(interface)
        vpc = graph.vpc_of(interface)
        table = graph.route_table_of(subnet) if subnet else None
        return _Placement(
            subnet=subnet,
            vpc=vpc,
            route_table=table,
            network_acl=graph.network_acl_of(subnet) if subnet else None,
            security_groups=tuple(graph.security_groups(interface)),
            attached=frozenset(
                graph.node(gateway)["resource_id"]
                for gateway in (graph.internet_gateways(vpc) if vpc else ())
            ),
            # Only routes to a gateway attached to the table's VPC are active.
            gateways=graph.active_internet_gateways(table) if table else frozenset(),
        )

    def surfaces(self, interface: str) -> Iterator[Surface]:
        """The surfaces of an interface in each family worth reporting."""
        graph = self.graph
        where = self.placement(interface)
        attributes = graph.node(interface)
        addresses = attributes["public_addresses"]
        for version in r.VERSIONS:
            public = tuple(a for a in addresses if a.version == version)
            gate = _interface_gate(attributes, version, public) or self._path_gate(
                where
            )
            context = _Context(
                version,
                gate,
                where.route_table,
                where.network_acl,
                where.security_groups,
                where.gateways,
            )
            sources, results = self._evaluate(context)
            if not any(result.world_open or result.exposed for result in results):
                continue
            yield Surface(
                interface=interface,
                account_id=attributes["account_id"],
                region=attributes["region"],
                network_interface_id=attributes["resource_id"],
                vpc_id=graph.resource_id(where.vpc),
                subnet_id=graph.resource_id(where.subnet),
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

    def _path_gate(self, where: _Placement) -> str | None:
        if not where.attached:
            return _no_gateway(self.graph, where.vpc)
        if where.route_table is None:
            return "its subnet has no route table in the snapshot"
        if where.network_acl is None:
            return "its subnet has no network ACL in the snapshot"
        return None

    def _evaluate(
        self, context: _Context
    ) -> tuple[AddressSet, tuple[ClassResult, ...]]:
        cached = self.cache.get(context)
        if cached is not None:
            return cached
        graph = self.graph
        group_rules = [
            rule
            for group in context.security_groups
            for rule in graph.node(group).get("inbound_rules", ())
        ]
        acl_rules = (
            graph.node(context.network_acl).get("acl_rules", ())
            if context.network_acl
            else ()
        )
        classes = protocol_classes(group_rules, acl_rules)
        version = context.version
        if context.gate or context.route_table is None:
            sources = AddressSet.empty(version)
            results = tuple(blocked_only(p, version, group_rules) for p in classes)
        else:
            routes = graph.node(context.route_table).get("routes", ())
            sources = route_sources(routes, context.gateways, version)
            results = tuple(
                evaluate_class(
                    p,
                    version,
                    group_rules=group_rules,
                    acl_rules=acl_rules,
                    sources=sources,
                    ephemeral=self.ephemeral,
                )
                for p in classes
            )
        self.cache[context] = (sources, results)
        return sources, results


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
    vpc_id = graph.node(vpc)["resource_id"]
    egress_only = [
        graph.node(g)["resource_id"] for g in graph.egress_only_gateways(vpc)
    ]
    if egress_only:
        return (
            f"no internet gateway is attached to {vpc_id} (only the egress-only "
            f"gateway {', '.join(egress_only)}, which lets no connection in)"
        )
    return f"no internet gateway is attached to {vpc_id}"


def _exposed(graph: EstateGraph, surface: Surface) -> list[Exposure]:
    if surface.gate:
        return []
    classes = [(result.protocol, result.exposed) for result in surface.classes]
    return witnessed(graph, surface, classes, replies_of(surface))


def replies_of(surface: Surface) -> dict[int, Replies]:
    """The reply-port cells of a surface's tcp and udp classes."""
    return {
        result.protocol: result.replies for result in surface.classes if result.replies
    }


def _coverage_unknowns(
    snapshot: Snapshot,
) -> tuple[list[Unknown], set[tuple[str, str]]]:
    known = snapshot.known_scopes()
    rows = {row.scope: row for row in snapshot.coverage}
    scopes = {(row.account_id, row.region) for row in snapshot.coverage} | {
        (res.account_id, res.region) for res in snapshot.resources
    }
    unknown: list[Unknown] = []
    skipped: set[tuple[str, str]] = set()
    for account, region in sorted(scopes):
        for resource_type in REQUIRED_TYPES:
            if (account, region, resource_type) in known:
                continue
            row = rows.get((account, region, resource_type))
            status = f"{row.status}: {row.detail}" if row else "not in the snapshot"
            unknown.append(
                Unknown(
                    account,
                    region,
                    resource_type,
                    f"{resource_type} was not read ({status}); interfaces in "
                    f"{region} were not evaluated",
                )
            )
            skipped.add((account, region))
    return unknown, skipped


def _unresolved(graph: EstateGraph, skipped: set[tuple[str, str]]) -> list[Unknown]:
    found = {}
    for item in graph.unresolved:
        account, region, _, resource_id = item.resource
        if (account, region) in skipped:
            continue
        found[(account, region, item.prefix_list_id, resource_id)] = Unknown(
            account,
            region,
            registry.PREFIX_LIST,
            f"prefix list {item.prefix_list_id}, named by {resource_id}, is not in "
            "the snapshot: the sources or routes it stands for are unknown",
        )
    return [found[key] for key in sorted(found)]


def _notes(graph: EstateGraph) -> list[str]:
    notes = []
    for node, kind in graph.graph.nodes(data="kind"):
        if kind != "internet-gateway" or not graph.gateway_route_tables(node):
            continue
        # LIMITATION: ingress routing (a route table associated with the
        # gateway) can send inbound traffic through an appliance first; the
        # path is judged as if it went straight to the interface.
        notes.append(
            f"{graph.node(node)['resource_id']} has a gateway route table (ingress "
            "routing): exposure is judged as if traffic went straight to the "
            "interface, not through the appliance it may be sent to"
        )
    return sorted(notes)
