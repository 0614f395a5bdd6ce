"""Exposure opened and closed since a baseline, and the drift that caused it.

The delta is exact: per interface, family and protocol class, what the current
surface reaches minus what the baseline's reached is opened, and the converse
is closed, so a group that adds port 22 beside an existing 443 opens tcp 22,
not "the exposure changed". A protocol that one side names and the other does
not is compared with that other side's REST class, which is how it behaved
there.

Each opened or closed exposure is linked to the changes whose resource bears on
its path and whose part can matter to it: a security group rule, ACL entry or
route that overlaps the exposure's protocol, ports and sources; any other
reachability field (associations, attachments, an interface's groups or
addresses); or a whole resource added or removed. Tags and descriptions never
link.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from driftwatch import registry
from driftwatch.changes import Change
from driftwatch.reach import rules as r
from driftwatch.reach.exposure import replies_of
from driftwatch.reach.graph import EstateGraph
from driftwatch.reach.model import Delta, Exposure, ExposureReport, Surface
from driftwatch.reach.region import Region
from driftwatch.reach.witness import exposures as witnessed

SurfaceKey = tuple[str, str, str, int]

# The fields of each type that can change what the internet reaches.
REACHABILITY_FIELDS = {
    registry.SECURITY_GROUP: frozenset({"IpPermissions"}),
    registry.NETWORK_ACL: frozenset({"Entries", "Associations", "IsDefault"}),
    registry.ROUTE_TABLE: frozenset({"Routes", "Associations"}),
    registry.INTERNET_GATEWAY: frozenset({"Attachments"}),
    registry.NETWORK_INTERFACE: frozenset(
        {
            "Association",
            "DenyAllIgwTraffic",
            "Groups",
            "InterfaceType",
            "Ipv6Addresses",
            "Ipv6Prefixes",
            "PrivateIpAddresses",
            "SubnetId",
            "VpcId",
        }
    ),
    registry.EIP: frozenset(
        {"NetworkInterfaceId", "PrivateIpAddress", "PublicIp", "InstanceId"}
    ),
    registry.SUBNET: frozenset({"VpcId", "CidrBlock", "Ipv6CidrBlockAssociationSet"}),
}


def delta(
    baseline: ExposureReport, current: ExposureReport, changes: Iterable[Change] = ()
) -> Delta:
    """Exposures opened and closed between two reports, linked to ``changes``."""
    listed = tuple(changes)
    before = {_key(surface): surface for surface in baseline.surfaces}
    after = {_key(surface): surface for surface in current.surfaces}
    opened: list[Exposure] = []
    closed: list[Exposure] = []
    for key in sorted(before.keys() | after.keys()):
        now, then = after.get(key), before.get(key)
        if now is not None and current.graph is not None:
            opened.extend(_difference(current.graph, now, then))
        if then is not None and baseline.graph is not None:
            closed.extend(_difference(baseline.graph, then, now))
    graphs = [g for g in (current.graph, baseline.graph) if g is not None]
    return Delta(
        opened=tuple(_linked(e, listed, graphs) for e in _ordered(opened)),
        closed=tuple(_linked(e, listed, graphs) for e in _ordered(closed)),
    )


def _key(surface: Surface) -> SurfaceKey:
    return (
        surface.account_id,
        surface.region,
        surface.network_interface_id,
        surface.version,
    )


def _ordered(found: list[Exposure]) -> list[Exposure]:
    return sorted(found, key=lambda exposure: exposure.sort_key())


def _difference(
    graph: EstateGraph, surface: Surface, other: Surface | None
) -> list[Exposure]:
    """What ``surface`` exposes that ``other`` did not, as exposures."""
    if surface.gate:
        return []
    protocols = set(surface.protocols)
    if other is not None:
        protocols |= set(other.protocols)
    ordered = [*sorted(p for p in protocols if p != r.REST), r.REST]
    classes: list[tuple[int, Region]] = []
    for protocol in ordered:
        mine = surface.result(protocol).exposed
        theirs = (
            other.result(protocol).exposed
            if other is not None and not other.gate
            else Region.empty(surface.version)
        )
        classes.append((protocol, mine - theirs))
    if not any(region for _, region in classes):
        return []
    return witnessed(graph, surface, classes, replies_of(surface))


# --- linking changes -----------------------------------------------------------


def _linked(
    exposure: Exposure, changes: Sequence[Change], graphs: Sequence[EstateGraph]
) -> Exposure:
    ids = tuple(
        sorted(
            {
                change.change_id
                for change in changes
                if change.resource_key in exposure.resources
                and _bears_on(change, exposure, graphs)
            }
        )
    )
    return replace(exposure, change_ids=ids)


def _bears_on(
    change: Change, exposure: Exposure, graphs: Sequence[EstateGraph]
) -> bool:
    if not change.part:
        return True
    field, _, key_text = change.part.partition("[")
    relevant = REACHABILITY_FIELDS.get(change.resource_type)
    if relevant is not None and field not in relevant:
        return False
    check = PART_CHECKS.get((change.resource_type, field))
    if check is None or not key_text:
        return True
    return check(change, json.loads("[" + key_text), exposure, graphs)


def _protocol_of(exposure: Exposure) -> int:
    return r.REST if exposure.shape.protocol == r.ALL else exposure.shape.protocol


def _resolver(change: Change, graphs: Sequence[EstateGraph]) -> r.PrefixResolver:
    def resolve(prefix_list_id: str) -> tuple[str, ...] | None:
        for graph in graphs:
            entries = graph.prefix_list_entries(
                change.account_id, change.region, prefix_list_id
            )
            if entries is not None:
                return entries
        return None

    return resolve


def _rule_overlaps(
    change: Change, key: list[object], exposure: Exposure, graphs: Sequence[EstateGraph]
) -> bool:
    protocol, from_port, to_port, source_field, source = key
    value_field = {
        "IpRanges": "CidrIp",
        "Ipv6Ranges": "CidrIpv6",
        "PrefixListIds": "PrefixListId",
        "UserIdGroupPairs": "GroupId",
    }.get(str(source_field), "CidrIp")
    permission = {
        "IpProtocol": protocol,
        "FromPort": from_port,
        "ToPort": to_port,
        str(source_field): [{value_field: str(source).rpartition("/")[2]}]
        if source_field == "UserIdGroupPairs"
        else [{value_field: source}],
    }
    parsed, unknown = r.security_group_rules(
        change.resource_id, [permission], _resolver(change, graphs)
    )
    if unknown:
        return True
    rule = parsed[0]
    klass = _protocol_of(exposure)
    if not rule.matches(klass):
        return False
    shape = exposure.shape
    version = shape.sources.version
    keys_overlap = not shape.keys or bool(rule.keys_for(klass) & shape.keys)
    return keys_overlap and bool(rule.sources(version) & shape.sources)


def _route_overlaps(
    change: Change, key: list[object], exposure: Exposure, graphs: Sequence[EstateGraph]
) -> bool:
    field, destination = str(key[0]), str(key[1])
    route_item = {field: destination, "GatewayId": "unknown"}
    parsed, unknown = r.routes(
        change.resource_id, [route_item], _resolver(change, graphs)
    )
    if unknown or not parsed:
        return True
    version = exposure.shape.sources.version
    return any(
        network.version == version and bool(network & exposure.shape.sources)
        for _, network in parsed[0].networks
    )


def _entry_overlaps(
    change: Change, key: list[object], exposure: Exposure, graphs: Sequence[EstateGraph]
) -> bool:
    egress, number = bool(key[0]), int(str(key[1]))
    entries = [
        rule
        for graph in graphs
        for rule in graph.acl_rules(
            change.account_id, change.region, change.resource_id
        )
        if rule.egress == egress and rule.number == number
    ]
    if not entries:
        return True
    klass = _protocol_of(exposure)
    shape = exposure.shape
    return any(
        rule.matches(klass, shape.sources.version)
        and bool(rule.addresses & shape.sources)
        and (egress or not shape.keys or bool(rule.keys_for(klass) & shape.keys))
        for rule in entries
    )


PartCheck = Callable[[Change, list[object], Exposure, Sequence[EstateGraph]], bool]

# Keyed items whose overlap with an exposure decides whether a change bears on it.
PART_CHECKS: dict[tuple[str, str], PartCheck] = {
    (registry.SECURITY_GROUP, "IpPermissions"): _rule_overlaps,
    (registry.ROUTE_TABLE, "Routes"): _route_overlaps,
    (registry.NETWORK_ACL, "Entries"): _entry_overlaps,
}
