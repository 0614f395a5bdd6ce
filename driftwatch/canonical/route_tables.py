"""Route tables: routes by destination, associations by subnet, gateway or main."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftwatch.canonical.base import (
    Item,
    ItemKey,
    sort_by,
    sorted_tags,
    without,
)

ROUTE_DESTINATION_FIELDS = (
    "DestinationCidrBlock",
    "DestinationIpv6CidrBlock",
    "DestinationPrefixListId",
)


def route_key(route: Mapping[str, Any]) -> ItemKey:
    """Routes are keyed by destination: IPv4 CIDR, IPv6 CIDR or prefix list."""
    for field in ROUTE_DESTINATION_FIELDS:
        if route.get(field):
            return (field, route[field])
    return ("", "")


def route_association_key(association: Mapping[str, Any]) -> ItemKey:
    """The main association is its own key; others are keyed by subnet or gateway."""
    if association.get("Main"):
        return ("main", "")
    if association.get("SubnetId"):
        return ("subnet", association["SubnetId"])
    return ("gateway", association.get("GatewayId", ""))


def canonical_route_table(raw: Mapping[str, Any]) -> Item:
    """A route table without route states and association ids, in canonical order."""
    item = without(raw, "Routes", "Associations", "PropagatingVgws", "Tags")
    routes = (without(route, "State") for route in raw.get("Routes") or [])
    item["Routes"] = sort_by(routes, route_key)
    associations = (
        without(association, "RouteTableAssociationId", "AssociationState")
        for association in raw.get("Associations") or []
        if _association_live(association)
    )
    item["Associations"] = sort_by(associations, route_association_key)
    item["PropagatingVgws"] = sort_by(
        (dict(vgw) for vgw in raw.get("PropagatingVgws") or []),
        lambda vgw: (vgw["GatewayId"],),
    )
    item["Tags"] = sorted_tags(raw)
    return item


def _association_live(association: Mapping[str, Any]) -> bool:
    state = (association.get("AssociationState") or {}).get("State", "associated")
    return state in ("associated", "associating")
