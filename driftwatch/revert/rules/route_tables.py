"""Revert rules of route tables: routes in place, associations moved back.

A route whose target changed is replaced (``replace_route``), not deleted and
re-created. Associations are keyed by subnet, by gateway (edge associations)
or as the VPC's main association; an association that moved between two
tables is swapped back atomically with ``replace_route_table_association``,
which needs the live association id (looked up at plan and at apply time).
A route to an internet gateway needs that gateway attached first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from driftwatch.canonical import ROUTE_DESTINATION_FIELDS
from driftwatch.registry import ROUTE_TABLE, SUBNET, VPC
from driftwatch.revert.parts import PartDiff
from driftwatch.revert.rules.base import (
    Draft,
    Outcome,
    Properties,
    Recreate,
    RegionView,
    RevertRules,
    check,
    created,
    draft,
    foreign_owner,
    lookup,
    manual,
    removal,
    tags_rule,
)

# Route target fields as describe_route_tables shows them. InstanceId comes with
# NetworkInterfaceId for instance routes; the interface is the precise target.
TARGET_FIELDS = (
    "NetworkInterfaceId",
    "GatewayId",
    "NatGatewayId",
    "VpcPeeringConnectionId",
    "TransitGatewayId",
    "EgressOnlyInternetGatewayId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "CoreNetworkArn",
    "InstanceId",
)


def _destination(route: Mapping[str, Any]) -> tuple[str, str]:
    for field in ROUTE_DESTINATION_FIELDS:
        if route.get(field):
            return field, str(route[field])
    return "", ""


def _target(route: Mapping[str, Any]) -> tuple[str, str]:
    for field in TARGET_FIELDS:
        if route.get(field):
            value = str(route[field])
            # Gateway Load Balancer endpoints show up as GatewayId "vpce-...".
            if field == "GatewayId" and value.startswith("vpce-"):
                return "VpcEndpointId", value
            return field, value
    return "", ""


def managed_elsewhere(route: Mapping[str, Any]) -> bool:
    """Routes no route call owns: local, propagated, gateway endpoint routes."""
    if route.get("GatewayId") == "local" or route.get("Origin") == "CreateRouteTable":
        return True
    if route.get("Origin") == "EnableVgwRoutePropagation":
        return True
    gateway = str(route.get("GatewayId", ""))
    return gateway.startswith("vpce-") and bool(route.get("DestinationPrefixListId"))


def describe_route(route: Mapping[str, Any]) -> str:
    """A short text for a route: ``0.0.0.0/0 -> igw-...``."""
    _, destination = _destination(route)
    _, target = _target(route)
    return f"{destination} -> {target or 'no target'}"


def routes_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Create, replace or delete the routes that differ from the baseline."""
    return [
        _route_step(view, diff)
        for diff in diffs
        if not managed_elsewhere(diff.after or diff.before)
    ]


def _route_step(view: RegionView, diff: PartDiff) -> Draft:
    table_id = diff.resource_id
    route = diff.after or diff.before
    destination_field, destination = _destination(route)
    params: dict[str, Any] = {"RouteTableId": table_id, destination_field: destination}
    needs: list[str] = []
    references = [table_id]
    if diff.after is not None:
        target_field, target = _target(diff.after)
        params[target_field] = target
        references.append(target)
        if target.startswith("igw-"):
            needs.append(f"attached:{target}")
    if diff.before is None:
        name = "create_route"
        reason = f"Re-create the baseline route {describe_route(diff.after)}"
    elif diff.after is None:
        name = "delete_route"
        reason = f"Delete the route {describe_route(diff.before)}, not in the baseline"
        references.append(_target(diff.before)[1])
    else:
        name = "replace_route"
        reason = (
            f"Point {destination} back from {_target(diff.before)[1]} to the "
            f"baseline target {_target(diff.after)[1]} in one call"
        )
        references.append(_target(diff.before)[1])
    return draft(
        view,
        name,
        params,
        f"{reason} in {table_id}.",
        [check(diff)],
        references=references,
        needs=needs,
    )


def propagation_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Turn virtual private gateway route propagation back on or off."""
    outcome: Outcome = []
    for diff in diffs:
        gateway = (diff.after or diff.before)["GatewayId"]
        enable = diff.after is not None
        outcome.append(
            draft(
                view,
                f"{'enable' if enable else 'disable'}_vgw_route_propagation",
                {"RouteTableId": diff.resource_id, "GatewayId": gateway},
                f"{'Turn back on' if enable else 'Turn off'} route propagation from "
                f"{gateway} in {diff.resource_id}, as in the baseline.",
                [check(diff)],
                references=[diff.resource_id, gateway],
            )
        )
    return outcome


# --- associations (one rule across the region's tables) -----------------------------


def associations_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Move every subnet, gateway and main association back to its baseline table."""
    groups: dict[tuple[str, str], list[PartDiff]] = {}
    for diff in diffs:
        groups.setdefault(_association_key(view, diff), []).append(diff)
    outcome: Outcome = []
    for key, group in sorted(groups.items()):
        outcome.extend(_restore_association(view, key, group))
    return outcome


def _association_key(view: RegionView, diff: PartDiff) -> tuple[str, str]:
    association = diff.after or diff.before
    if association.get("Main"):
        vpc_id = view.either(ROUTE_TABLE, diff.resource_id).get("VpcId", "")
        return ("main", str(vpc_id))
    if association.get("SubnetId"):
        return ("subnet", str(association["SubnetId"]))
    return ("gateway", str(association.get("GatewayId", "")))


def _restore_association(
    view: RegionView, key: tuple[str, str], diffs: Sequence[PartDiff]
) -> Outcome:
    kind, value = key
    baseline_table = next((d.resource_id for d in diffs if d.after is not None), None)
    current_table = next((d.resource_id for d in diffs if d.before is not None), None)
    if _goes_with_new_vpc(view, kind, value):
        return []
    if kind == "subnet" and _subnet_changed(view, value):
        return manual(
            diffs,
            f"Subnet {value} was created or deleted since the baseline; driftwatch "
            "does not track subnets: delete or re-create it by hand.",
        )
    where = "the VPC's main association" if kind == "main" else f"{kind} {value}"
    checks = list(map(check, diffs))
    if baseline_table and current_table:
        return [
            draft(
                view,
                "replace_route_table_association",
                {"AssociationId": None, "RouteTableId": baseline_table},
                f"Move {where} back from route table {current_table} to its "
                f"baseline table {baseline_table} (one atomic replace).",
                checks,
                lookup=_association_lookup(current_table, kind, value),
                references=[baseline_table, current_table, value],
            )
        ]
    if baseline_table:
        field = "SubnetId" if kind == "subnet" else "GatewayId"
        return [
            draft(
                view,
                "associate_route_table",
                {"RouteTableId": baseline_table, field: value},
                f"Associate {where} with route table {baseline_table} again, as in "
                "the baseline (it fell back to the main table).",
                checks,
                references=[baseline_table, value],
            )
        ]
    if current_table and kind != "main":
        return [
            draft(
                view,
                "disassociate_route_table",
                {"AssociationId": None},
                f"Disassociate {where} from route table {current_table}: in the "
                "baseline it used the VPC's main table.",
                checks,
                lookup=_association_lookup(current_table, kind, value),
                references=[current_table, value],
            )
        ]
    return manual(diffs, f"The main route table of {value} cannot be set by hand.")


def _association_lookup(table_id: str, kind: str, value: str) -> Any:
    key = {"main": "main", "subnet": "subnet_id", "gateway": "gateway_id"}[kind]
    return lookup(
        "route_table_association",
        "AssociationId",
        route_table_id=table_id,
        **{key: value if kind != "main" else "true"},
    )


def _goes_with_new_vpc(view: RegionView, kind: str, value: str) -> bool:
    if kind == "main":
        return view.is_new(VPC, value)
    if kind == "subnet":
        vpc_id = str(view.either(SUBNET, value).get("VpcId", ""))
        return view.is_new(VPC, vpc_id)
    return False


def _subnet_changed(view: RegionView, subnet_id: str) -> bool:
    if not view.known_type(SUBNET):
        return False
    return (view.baseline_of(SUBNET, subnet_id) is None) != (
        view.current_of(SUBNET, subnet_id) is None
    )


# --- whole tables ------------------------------------------------------------------


def remove_table(view: RegionView, table_id: str, properties: Properties) -> Outcome:
    """Delete a route table created since the baseline, once nothing uses it."""
    return [
        removal(
            view,
            (ROUTE_TABLE, table_id),
            "delete_route_table",
            {"RouteTableId": table_id},
            f"Delete route table {table_id}, created since the baseline, once its "
            "associations are moved back.",
            references=[properties.get("VpcId", "")],
        )
    ]


def main_table_owner(
    view: RegionView, properties: Properties
) -> tuple[str, str] | None:
    """A new VPC's main route table goes with the VPC."""
    associations = properties.get("Associations") or []
    if not any(association.get("Main") for association in associations):
        return None
    vpc_id = str(properties.get("VpcId", ""))
    return (VPC, vpc_id) if view.is_new(VPC, vpc_id) else None


def _create_table(view: RegionView, new_id: str, baseline: Properties) -> Draft:
    return draft(
        view,
        "create_route_table",
        {"VpcId": baseline["VpcId"]},
        f"Create a route table to stand for the deleted one; its new id replaces "
        f"{new_id} below.",
        [created(ROUTE_TABLE, new_id)],
        references=[baseline.get("VpcId", "")],
        binds={new_id: "RouteTable.RouteTableId"},
    )


def _fresh_table(baseline: Properties) -> Properties:
    local = [r for r in baseline.get("Routes") or [] if managed_elsewhere(r)]
    return {
        **baseline,
        "Routes": local,
        "Associations": [],
        "PropagatingVgws": [],
        "Tags": [],
    }


ROUTE_TABLE_RULES = RevertRules(
    fields={
        "Routes": routes_rule,
        "Associations": associations_rule,
        "PropagatingVgws": propagation_rule,
        "Tags": tags_rule,
    },
    region_fields=frozenset({"Associations"}),
    guard=foreign_owner,
    remove=remove_table,
    owner=main_table_owner,
    recreate=Recreate(_create_table, _fresh_table),
)
