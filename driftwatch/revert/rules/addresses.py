"""Revert rules of Elastic IPs: associations put back, new addresses released.

An address's association is four fields of the address (interface, private
IP, instance, interface owner) and is mirrored on the interfaces involved; the
step that restores it links all of those parts. Disassociating needs the live
association id (looked up at plan and at apply time). An address held by a NAT
gateway belongs to the gateway and is not moved here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from driftwatch.changes import part_name
from driftwatch.registry import EIP, NAT_GATEWAY, NETWORK_INTERFACE
from driftwatch.revert.parts import PartDiff
from driftwatch.revert.rules.base import (
    Draft,
    Outcome,
    Properties,
    Recreate,
    RegionView,
    RevertRules,
    Target,
    created,
    draft,
    lookup,
    manual,
    removal,
    tags_rule,
)
from driftwatch.revert.steps import Frozen, PartCheck

ASSOCIATION_FIELDS = (
    "InstanceId",
    "NetworkInterfaceId",
    "NetworkInterfaceOwnerId",
    "PrivateIpAddress",
)


def _sides(
    view: RegionView, diffs: Sequence[PartDiff]
) -> tuple[dict[str, Any], dict[str, Any]]:
    allocation_id = diffs[0].resource_id
    current = {
        f: (view.current_of(EIP, allocation_id) or {}).get(f)
        for f in ASSOCIATION_FIELDS
    }
    baseline = {
        f: (view.baseline_of(EIP, allocation_id) or {}).get(f)
        for f in ASSOCIATION_FIELDS
    }
    for diff in diffs:
        current[diff.field], baseline[diff.field] = diff.before, diff.after
    return current, baseline


def association_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Re-associate the address as in the baseline, or disassociate it."""
    allocation_id = diffs[0].resource_id
    current, baseline = _sides(view, diffs)
    checks = [
        PartCheck(EIP, allocation_id, f, Frozen.of(current[f]), Frozen.of(baseline[f]))
        for f in ASSOCIATION_FIELDS
    ]
    holder = nat_holding(view, allocation_id)
    if holder:
        return manual(
            diffs,
            f"{allocation_id} is held by NAT gateway {holder}; the gateway owns the "
            "association: replace the gateway by hand to move the address.",
        )
    targets = _interface_targets(current) + _interface_targets(baseline)
    unmaps = _unmaps(view, current)
    if baseline["NetworkInterfaceId"] or baseline["InstanceId"]:
        return [
            _associate(
                view, allocation_id, current, baseline, checks=checks, targets=targets
            )
        ]
    return [
        draft(
            view,
            "disassociate_address",
            {"AssociationId": None},
            f"Disassociate Elastic IP {allocation_id} from "
            f"{current['NetworkInterfaceId'] or current['InstanceId']}: the baseline "
            "has it unassociated.",
            checks,
            lookup=lookup(
                "address_association", "AssociationId", allocation_id=allocation_id
            ),
            references=[allocation_id, current["NetworkInterfaceId"]],
            provides=unmaps,
            targets=targets,
        )
    ]


def _associate(
    view: RegionView,
    allocation_id: str,
    current: dict[str, Any],
    baseline: dict[str, Any],
    *,
    checks: list[PartCheck],
    targets: tuple[Target, ...],
) -> Draft:
    moving = bool(current["NetworkInterfaceId"] or current["InstanceId"])
    params: dict[str, Any] = {"AllocationId": allocation_id}
    if baseline["NetworkInterfaceId"]:
        params["NetworkInterfaceId"] = baseline["NetworkInterfaceId"]
        if baseline["PrivateIpAddress"]:
            params["PrivateIpAddress"] = baseline["PrivateIpAddress"]
    else:
        params["InstanceId"] = baseline["InstanceId"]
    # AllowReassociation moves the address in one call when it is held elsewhere.
    # LIMITATION: two addresses swapped between two interfaces: moving the first
    # back unseats the second, whose step then finds it unassociated and is
    # refused as stale; re-plan and apply again to finish.
    params["AllowReassociation"] = moving
    where = baseline["NetworkInterfaceId"] or baseline["InstanceId"]
    return draft(
        view,
        "associate_address",
        params,
        f"Associate Elastic IP {allocation_id} with {where} "
        f"({baseline['PrivateIpAddress']}) again, as in the baseline"
        + (f", moving it from {current['NetworkInterfaceId']}." if moving else "."),
        checks,
        references=[allocation_id, current["NetworkInterfaceId"], where],
        provides=_unmaps(view, current) if moving else [],
        targets=targets,
    )


def _interface_targets(side: dict[str, Any]) -> tuple[Target, ...]:
    interface_id = side.get("NetworkInterfaceId")
    if not interface_id:
        return ()
    address = side.get("PrivateIpAddress") or ""
    return (
        (NETWORK_INTERFACE, interface_id, "Association"),
        (NETWORK_INTERFACE, interface_id, part_name("PrivateIpAddresses", [address])),
    )


def _unmaps(view: RegionView, current: dict[str, Any]) -> list[str]:
    interface_id = current.get("NetworkInterfaceId")
    if not interface_id:
        return []
    vpc_id = view.either(NETWORK_INTERFACE, interface_id).get("VpcId", "")
    tokens = [f"unmapped-ip:{interface_id}:{current.get('PrivateIpAddress')}"]
    return [*tokens, f"unmapped:{vpc_id}"] if vpc_id else tokens


def nat_holding(view: RegionView, allocation_id: str) -> str | None:
    """The NAT gateway that holds an address now, if one does."""
    for nat_id, nat in view.of_type(NAT_GATEWAY):
        addresses = nat.get("NatGatewayAddresses") or []
        if any(a.get("AllocationId") == allocation_id for a in addresses):
            return nat_id
    return None


def remove_address(
    view: RegionView, allocation_id: str, properties: Properties
) -> Outcome:
    """Release an address allocated since the baseline, after disassociating it."""
    outcome: Outcome = []
    needs: list[str] = []
    holder = nat_holding(view, allocation_id)
    if holder:
        needs.append(f"nat-deleted:{holder}")
    elif properties.get("NetworkInterfaceId") or properties.get("InstanceId"):
        diffs = [
            PartDiff(EIP, allocation_id, f, f, properties.get(f), None)
            for f in ASSOCIATION_FIELDS
        ]
        outcome.extend(association_rule(view, diffs))
    outcome.append(
        removal(
            view,
            (EIP, allocation_id),
            "release_address",
            {"AllocationId": allocation_id},
            f"Release Elastic IP {allocation_id} ({properties.get('PublicIp')}), "
            "allocated since the baseline; the address is given back to AWS.",
            needs=needs,
        )
    )
    return outcome


def _create_address(view: RegionView, new_id: str, baseline: Properties) -> Draft:
    return draft(
        view,
        "allocate_address",
        {"Domain": baseline.get("Domain", "vpc"), "Address": baseline["PublicIp"]},
        f"Allocate {baseline['PublicIp']} again (this works only while no other "
        f"account holds it); its new allocation id replaces {new_id} below.",
        [created(EIP, new_id)],
        binds={new_id: "AllocationId"},
    )


def _fresh_address(baseline: Properties) -> Properties:
    fresh = {k: v for k, v in baseline.items() if k not in ASSOCIATION_FIELDS}
    return {**fresh, "Tags": []}


def _guard(view: RegionView, allocation_id: str, properties: Properties) -> str | None:
    if allocation_id.startswith("eipalloc-"):
        return None
    return f"{allocation_id} has no allocation id (an EC2-Classic address)."


ADDRESS_RULES = RevertRules(
    fields={
        **dict.fromkeys(ASSOCIATION_FIELDS, association_rule),
        "Tags": tags_rule,
    },
    guard=_guard,
    remove=remove_address,
    recreate=Recreate(_create_address, _fresh_address),
)
