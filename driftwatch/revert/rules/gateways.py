"""Revert rules of gateways and connections: internet, NAT, peering, customer.

Internet gateway attachments are keyed by VPC. A VPC holds one internet
gateway at a time, so detaching the intruder frees the slot the baseline's
gateway is re-attached to; a re-attached gateway is what routes to it need.
AWS refuses to detach a gateway while the VPC still has mapped public
addresses, so address disassociations in that VPC come first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from driftwatch.registry import (
    CUSTOMER_GATEWAY,
    INTERNET_GATEWAY,
    NAT_GATEWAY,
    VPC_PEERING_CONNECTION,
)
from driftwatch.revert.parts import PartDiff, keyed_items, same
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
    manual,
    removal,
    tags_rule,
)

# --- internet gateways -------------------------------------------------------------


def attachments_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Re-attach the gateway to its baseline VPC, detach it from any other."""
    return [
        _attach(view, diff) if diff.after is not None else _detach(view, diff)
        for diff in diffs
    ]


def _attach(view: RegionView, diff: PartDiff) -> Draft:
    gateway_id, vpc_id = diff.resource_id, diff.after["VpcId"]
    return draft(
        view,
        "attach_internet_gateway",
        {"InternetGatewayId": gateway_id, "VpcId": vpc_id},
        f"Re-attach internet gateway {gateway_id} to {vpc_id}, as in the baseline.",
        [check(diff)],
        references=[gateway_id, vpc_id],
        provides=[f"attached:{gateway_id}"],
        needs=[f"gateway-slot:{vpc_id}"],
    )


def _detach(view: RegionView, diff: PartDiff) -> Draft:
    gateway_id, vpc_id = diff.resource_id, diff.before["VpcId"]
    return draft(
        view,
        "detach_internet_gateway",
        {"InternetGatewayId": gateway_id, "VpcId": vpc_id},
        f"Detach internet gateway {gateway_id} from {vpc_id}: the baseline does "
        "not have it there.",
        [check(diff)],
        references=[gateway_id, vpc_id],
        provides=[f"gateway-slot:{vpc_id}"],
        needs=[f"unmapped:{vpc_id}"],
    )


def remove_internet_gateway(
    view: RegionView, gateway_id: str, properties: Properties
) -> Outcome:
    """Detach a gateway created since the baseline, then delete it."""
    detaches: Outcome = [
        _detach(
            view,
            PartDiff(INTERNET_GATEWAY, gateway_id, "Attachments", part, item, None),
        )
        for part, item in _attachment_parts(properties)
    ]
    delete = removal(
        view,
        (INTERNET_GATEWAY, gateway_id),
        "delete_internet_gateway",
        {"InternetGatewayId": gateway_id},
        f"Delete internet gateway {gateway_id}, created since the baseline.",
    )
    return [*detaches, delete]


def _attachment_parts(properties: Properties) -> list[tuple[str, Any]]:
    items = keyed_items(
        INTERNET_GATEWAY, "Attachments", properties.get("Attachments") or []
    )
    return sorted(items.items())


def _create_internet_gateway(
    view: RegionView, new_id: str, baseline: Properties
) -> Draft:
    return draft(
        view,
        "create_internet_gateway",
        {},
        f"Create an internet gateway to stand for the deleted one; its new id "
        f"replaces {new_id} below (attachment and routes are re-bound to it).",
        [created(INTERNET_GATEWAY, new_id)],
        binds={new_id: "InternetGateway.InternetGatewayId"},
    )


def _fresh_internet_gateway(baseline: Properties) -> Properties:
    return {**baseline, "Attachments": [], "Tags": []}


INTERNET_GATEWAY_RULES = RevertRules(
    fields={"Attachments": attachments_rule, "Tags": tags_rule},
    guard=foreign_owner,
    remove=remove_internet_gateway,
    recreate=Recreate(_create_internet_gateway, _fresh_internet_gateway),
)

# --- NAT gateways -------------------------------------------------------------------


def remove_nat_gateway(
    view: RegionView, nat_id: str, properties: Properties
) -> Outcome:
    """Delete a NAT gateway created since the baseline, once no route uses it."""
    return [
        removal(
            view,
            (NAT_GATEWAY, nat_id),
            "delete_nat_gateway",
            {"NatGatewayId": nat_id},
            f"Delete NAT gateway {nat_id}, created since the baseline (it takes "
            "about a minute; its Elastic IP is freed when it is gone).",
            references=[properties.get("SubnetId", "")],
            provides=[f"nat-deleted:{nat_id}"],
        )
    ]


def _create_nat_gateway(view: RegionView, new_id: str, baseline: Properties) -> Draft:
    params: dict[str, Any] = {
        "SubnetId": baseline["SubnetId"],
        "ConnectivityType": baseline.get("ConnectivityType", "public"),
    }
    allocations = [
        a["AllocationId"]
        for a in baseline.get("NatGatewayAddresses") or []
        if a.get("AllocationId")
    ]
    if allocations:
        params["AllocationId"] = allocations[0]
    return draft(
        view,
        "create_nat_gateway",
        params,
        f"Create a NAT gateway in {baseline['SubnetId']} to stand for the deleted "
        f"one; its new id replaces {new_id} in the routes below.",
        [created(NAT_GATEWAY, new_id)],
        references=[baseline["SubnetId"], *allocations],
        binds={new_id: "NatGateway.NatGatewayId"},
    )


NAT_GATEWAY_RULES = RevertRules(
    fields={"Tags": tags_rule},
    remove=remove_nat_gateway,
    recreate=Recreate(_create_nat_gateway, lambda baseline: {**baseline, "Tags": []}),
)

# --- peering connections ----------------------------------------------------------

SIDES = {
    "RequesterVpcInfo": "RequesterPeeringConnectionOptions",
    "AccepterVpcInfo": "AccepterPeeringConnectionOptions",
}
# The ClassicLink options are retired; only DNS resolution can still be set.
SETTABLE_OPTIONS = ("AllowDnsResolutionFromRemoteVpc",)


def peering_options_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Set the DNS resolution option of this account's side back to the baseline."""
    outcome: Outcome = []
    for diff in diffs:
        before, after = diff.before or {}, diff.after or {}
        others_same = same(
            {k: v for k, v in before.items() if k != "PeeringOptions"},
            {k: v for k, v in after.items() if k != "PeeringOptions"},
        )
        owner = str(before.get("OwnerId") or view.account_id)
        if not others_same or owner != view.account_id:
            outcome.extend(
                manual(
                    [diff],
                    f"The {diff.field} side of {diff.resource_id} changed in a way "
                    f"only its owner (account {owner}) or a new connection can undo.",
                )
            )
            continue
        options = {
            name: (after.get("PeeringOptions") or {}).get(name, False)
            for name in SETTABLE_OPTIONS
        }
        outcome.append(
            draft(
                view,
                "modify_vpc_peering_connection_options",
                {
                    "VpcPeeringConnectionId": diff.resource_id,
                    SIDES[diff.field]: options,
                },
                f"Set the {diff.field.removesuffix('VpcInfo').lower()} options of "
                f"{diff.resource_id} back to the baseline.",
                [check(diff)],
                references=[diff.resource_id],
            )
        )
    return outcome


def remove_peering(
    view: RegionView, peering_id: str, properties: Properties
) -> Outcome:
    """Delete a peering connection created since the baseline."""
    return [
        removal(
            view,
            (VPC_PEERING_CONNECTION, peering_id),
            "delete_vpc_peering_connection",
            {"VpcPeeringConnectionId": peering_id},
            f"Delete VPC peering connection {peering_id}, created since the "
            "baseline, once no route uses it.",
        )
    ]


def _create_peering(view: RegionView, new_id: str, baseline: Properties) -> Draft:
    requester = baseline.get("RequesterVpcInfo") or {}
    accepter = baseline.get("AccepterVpcInfo") or {}
    params = {
        "VpcId": requester.get("VpcId"),
        "PeerVpcId": accepter.get("VpcId"),
        "PeerOwnerId": accepter.get("OwnerId"),
        "PeerRegion": accepter.get("Region"),
    }
    return draft(
        view,
        "create_vpc_peering_connection",
        {key: value for key, value in params.items() if value},
        f"Request a peering connection from {params['VpcId']} to "
        f"{params['PeerVpcId']} again; the peer (account {params['PeerOwnerId']}) "
        f"must accept it. Its new id replaces {new_id} in the routes below.",
        [created(VPC_PEERING_CONNECTION, new_id)],
        binds={new_id: "VpcPeeringConnection.VpcPeeringConnectionId"},
    )


PEERING_RULES = RevertRules(
    fields={
        "RequesterVpcInfo": peering_options_rule,
        "AccepterVpcInfo": peering_options_rule,
        "Tags": tags_rule,
    },
    remove=remove_peering,
    recreate=Recreate(_create_peering, lambda baseline: {**baseline, "Tags": []}),
)

# --- customer gateways ------------------------------------------------------------


def remove_customer_gateway(
    view: RegionView, gateway_id: str, properties: Properties
) -> Outcome:
    """Delete a customer gateway created since the baseline."""
    return [
        removal(
            view,
            (CUSTOMER_GATEWAY, gateway_id),
            "delete_customer_gateway",
            {"CustomerGatewayId": gateway_id},
            f"Delete customer gateway {gateway_id} ({properties.get('IpAddress')}), "
            "created since the baseline (a VPN connection that uses it must go "
            "first).",
        )
    ]


def _create_customer_gateway(
    view: RegionView, new_id: str, baseline: Properties
) -> Draft:
    params: dict[str, Any] = {
        "BgpAsn": int(baseline.get("BgpAsn", 65000)),
        "IpAddress": baseline.get("IpAddress"),
        "Type": baseline.get("Type", "ipsec.1"),
    }
    if baseline.get("DeviceName"):
        params["DeviceName"] = baseline["DeviceName"]
    return draft(
        view,
        "create_customer_gateway",
        params,
        f"Create the customer gateway for {params['IpAddress']} again; its new id "
        f"replaces {new_id} (VPN connections must be re-pointed by hand).",
        [created(CUSTOMER_GATEWAY, new_id)],
        binds={new_id: "CustomerGateway.CustomerGatewayId"},
    )


CUSTOMER_GATEWAY_RULES = RevertRules(
    fields={"Tags": tags_rule},
    remove=remove_customer_gateway,
    recreate=Recreate(
        _create_customer_gateway, lambda baseline: {**baseline, "Tags": []}
    ),
)
