"""What the internet can reach in a snapshot: ``exposures(snapshot)``.

Every network interface of every region whose reachability types were read is
evaluated over the estate graph, per address family: the interface-level gates
first (a NAT gateway's interface, a public address, ``DenyAllIgwTraffic``, an
attached internet gateway, a route table and an ACL), then the exact checks of
``driftwatch.reach.evaluate``, by ``driftwatch.reach.surface``, which shares the
work that repeats across interfaces.

A region where one of ``REQUIRED_TYPES`` was not read is not evaluated: it is
reported as unknown, never as "nothing exposed". A security group rule that
admits the whole address space on an interface the internet cannot reach is
reported apart as ``latent``, with the reason the path is closed.

Source universe: an internet gateway is taken to deliver any source address,
so a rule for 10.0.0.0/8 on a public interface, with no more specific route
carving that range out, is reported (with low severity when the range is narrow).

What is not modelled is marked ``LIMITATION`` where it lives and, when the
estate has it, said in the report's ``notes``: ingress routing through an
appliance, internet gateway firewalls, carrier and customer-owned addresses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from driftwatch import registry
from driftwatch.drift.model import Unknown
from driftwatch.reach.evaluate import (
    EPHEMERAL_PORTS,
    Replies,
)
from driftwatch.reach.graph import EstateGraph
from driftwatch.reach.intervals import Span
from driftwatch.reach.latent import LatentMemo, latent_of
from driftwatch.reach.linkers import build
from driftwatch.reach.model import Exposure, ExposureReport, Surface
from driftwatch.reach.surface import SurfaceEvaluator
from driftwatch.reach.witness import exposures as witnessed
from driftwatch.snapshot import Snapshot, collector_paused

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
    # The evaluation builds a few hundred thousand small immutable objects and
    # no reference cycles: collections would rescan the whole heap (the loaded
    # snapshot included) many times over and double the time of a large estate.
    with collector_paused():
        return _exposures(snapshot, ephemeral)


def _exposures(snapshot: Snapshot, ephemeral: Span) -> ExposureReport:
    graph = build(snapshot)
    unknown, skipped = _coverage_unknowns(snapshot)
    evaluator = SurfaceEvaluator(graph, ephemeral)
    surfaces: list[Surface] = []
    evaluated = 0
    for interface in graph.interfaces():
        attributes = graph.node(interface)
        if (attributes["account_id"], attributes["region"]) in skipped:
            continue
        evaluated += 1
        surfaces.extend(evaluator.surfaces(interface))
    found = [exposure for surface in surfaces for exposure in _exposed(graph, surface)]
    memo: LatentMemo = {}
    latent = [e for surface in surfaces for e in latent_of(graph, surface, memo)]
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
    notes: list[str] = []
    for attributes in graph.graph.nodes.values():
        resource = attributes.get("resource")
        if resource is None:
            continue
        for note in NOTES.get(resource.resource_type, ()):
            found = note(resource.properties)
            if found:
                notes.append(f"{resource.resource_id} {found}")
    return sorted(notes)


def _ingress_routing(properties: Mapping[str, Any]) -> str | None:
    # LIMITATION: ingress routing (a route table associated with a gateway) can
    # send inbound traffic through an appliance first; the path is judged as if
    # it went straight to the interface.
    if any(a.get("GatewayId") for a in properties.get("Associations") or []):
        return (
            "is a gateway route table (ingress routing): exposure is judged as "
            "if traffic went straight to the interface, not through the "
            "appliance it may be sent to"
        )
    return None


def _inspected_routes(properties: Mapping[str, Any]) -> str | None:
    inspected = [
        route for route in properties.get("Routes") or [] if route.get("IgwFirewall")
    ]
    if inspected:
        return (
            f"has {len(inspected)} route(s) inspected by an internet gateway "
            "firewall, which exposure treats as letting everything through"
        )
    return None


def _unmodelled_addresses(properties: Mapping[str, Any]) -> str | None:
    associations = [properties.get("Association") or {}] + [
        private.get("Association") or {}
        for private in properties.get("PrivateIpAddresses") or []
    ]
    if any(a.get("CarrierIp") or a.get("CustomerOwnedIp") for a in associations):
        return (
            "has a carrier or customer-owned IP (Wavelength, Outposts), which "
            "exposure does not model: it is not counted as a public address"
        )
    return None


# What each type may carry that exposure does not model, said in the report.
NOTES: Mapping[str, tuple[Callable[[Mapping[str, Any]], str | None], ...]] = {
    registry.ROUTE_TABLE: (_ingress_routing, _inspected_routes),
    registry.NETWORK_INTERFACE: (_unmodelled_addresses,),
}
