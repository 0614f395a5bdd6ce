"""Revert rules of VPCs and VPC endpoints.

``modify_vpc_attribute`` takes one attribute per call and has no DryRun. The
DNS attributes depend on each other: hostnames need support, so turning DNS on
sets support before hostnames, and turning it off sets hostnames before
support (tokens ``dns-support-on`` and ``dns-hostnames-off``).

Endpoint route tables, subnets and groups are changed with add/remove lists of
``modify_vpc_endpoint``, so only the difference is sent; the policy is set
back whole (or reset to the default when the baseline had none).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from driftwatch.registry import SUBNET, VPC, VPC_ENDPOINT
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
    id_list,
    lookup,
    manual,
    removal,
    tags_rule,
)

DNS_ATTRIBUTES = ("EnableDnsSupport", "EnableDnsHostnames")


def dns_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """One modify_vpc_attribute per DNS attribute, ordered by the DNS dependency."""
    outcome: Outcome = []
    for diff in diffs:
        value = bool(diff.after)
        provides, needs = _dns_order(diff.field, value, diff.resource_id)
        outcome.append(
            draft(
                view,
                "modify_vpc_attribute",
                {"VpcId": diff.resource_id, diff.field: {"Value": value}},
                f"Turn {diff.field} of {diff.resource_id} "
                f"{'on' if value else 'off'} again, as in the baseline.",
                [check(diff)],
                references=[diff.resource_id],
                provides=provides,
                needs=needs,
            )
        )
    return outcome


def _dns_order(field: str, value: bool, vpc_id: str) -> tuple[list[str], list[str]]:
    if field == "EnableDnsSupport":
        if value:
            return [f"dns-support-on:{vpc_id}"], []
        return [], [f"dns-hostnames-off:{vpc_id}"]
    if value:
        return [], [f"dns-support-on:{vpc_id}"]
    return [f"dns-hostnames-off:{vpc_id}"], []


def dhcp_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Associate the baseline DHCP options set again."""
    diff = diffs[0]
    options = diff.after or "default"
    return [
        draft(
            view,
            "associate_dhcp_options",
            {"DhcpOptionsId": options, "VpcId": diff.resource_id},
            f"Associate DHCP options {options} with {diff.resource_id} again.",
            [check(diff)],
            references=[diff.resource_id],
        )
    ]


def cidr_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Associate a baseline IPv4 CIDR again; disassociate one no subnet uses."""
    outcome: Outcome = []
    for diff in diffs:
        cidr = (diff.after or diff.before)["CidrBlock"]
        vpc_id = diff.resource_id
        if diff.before is None:
            outcome.append(
                draft(
                    view,
                    "associate_vpc_cidr_block",
                    {"VpcId": vpc_id, "CidrBlock": cidr},
                    f"Associate the baseline CIDR {cidr} with {vpc_id} again.",
                    [check(diff)],
                    references=[vpc_id],
                )
            )
            continue
        users = _subnets_in(view, vpc_id, cidr)
        if users:
            outcome.extend(
                manual(
                    [diff],
                    f"CIDR {cidr} of {vpc_id} is not in the baseline but subnets "
                    f"{', '.join(users)} use it; move or delete them first.",
                )
            )
            continue
        outcome.append(_disassociate_cidr(view, diff, vpc_id, cidr))
    return outcome


def _disassociate_cidr(
    view: RegionView, diff: PartDiff, vpc_id: str, cidr: str
) -> Draft:
    return draft(
        view,
        "disassociate_vpc_cidr_block",
        {"AssociationId": None},
        f"Disassociate CIDR {cidr}, not in the baseline, from {vpc_id}.",
        [check(diff)],
        lookup=lookup(
            "vpc_cidr_association", "AssociationId", vpc_id=vpc_id, cidr_block=cidr
        ),
        references=[vpc_id],
    )


def _subnets_in(view: RegionView, vpc_id: str, cidr: str) -> list[str]:
    network = ipaddress.ip_network(cidr, strict=False)
    return sorted(
        subnet_id
        for subnet_id, subnet in view.of_type(SUBNET)
        if subnet.get("VpcId") == vpc_id
        and subnet.get("CidrBlock")
        and ipaddress.ip_network(subnet["CidrBlock"], strict=False).subnet_of(network)  # type: ignore[arg-type]
    )


def ipv6_cidr_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Amazon-provided IPv6 ranges cannot be chosen: left to people."""
    return manual(
        diffs,
        "The VPC's IPv6 CIDR changed; an Amazon-provided IPv6 range cannot be "
        "requested back by value: change it by hand.",
    )


def remove_vpc(view: RegionView, vpc_id: str, properties: Properties) -> Outcome:
    """Delete a VPC created since the baseline: its subnets, then the VPC."""
    subnets = sorted(
        subnet_id
        for subnet_id, subnet in view.of_type(SUBNET)
        if subnet.get("VpcId") == vpc_id
    )
    outcome: Outcome = [
        removal(
            view,
            (SUBNET, subnet_id),
            "delete_subnet",
            {"SubnetId": subnet_id},
            f"Delete subnet {subnet_id} of {vpc_id}, a VPC created since the baseline.",
            references=[vpc_id],
        )
        for subnet_id in subnets
    ]
    outcome.append(
        removal(
            view,
            (VPC, vpc_id),
            "delete_vpc",
            {"VpcId": vpc_id},
            f"Delete VPC {vpc_id} ({properties.get('CidrBlock')}), created since the "
            "baseline, with its default security group, ACL and main route table.",
        )
    )
    return outcome


def subnet_owner(view: RegionView, properties: Properties) -> tuple[str, str] | None:
    """The subnets of a VPC created since the baseline go with it."""
    vpc_id = str(properties.get("VpcId", ""))
    return (VPC, vpc_id) if view.is_new(VPC, vpc_id) else None


# Subnets are a supporting type: drift does not track them, so they have no
# field rules; they only go with a VPC that is removed.
SUBNET_RULES = RevertRules(fields={}, owner=subnet_owner)

VPC_RULES = RevertRules(
    fields={
        "EnableDnsSupport": dns_rule,
        "EnableDnsHostnames": dns_rule,
        "DhcpOptionsId": dhcp_rule,
        "CidrBlockAssociationSet": cidr_rule,
        "Ipv6CidrBlockAssociationSet": ipv6_cidr_rule,
        "Tags": tags_rule,
    },
    guard=foreign_owner,
    remove=remove_vpc,
)

# --- VPC endpoints ------------------------------------------------------------------

LIST_FIELDS = {
    "RouteTableIds": ("AddRouteTableIds", "RemoveRouteTableIds", "route tables"),
    "SubnetIds": ("AddSubnetIds", "RemoveSubnetIds", "subnets"),
    "Groups": ("AddSecurityGroupIds", "RemoveSecurityGroupIds", "security groups"),
}


def endpoint_lists_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Add what the baseline had and remove what it did not, one call per list."""
    outcome: Outcome = []
    for diff in diffs:
        before, after = _ids(diff.field, diff.before), _ids(diff.field, diff.after)
        add_key, remove_key, what = LIST_FIELDS[diff.field]
        params: dict[str, Any] = {"VpcEndpointId": diff.resource_id}
        if sorted(set(after) - set(before)):
            params[add_key] = sorted(set(after) - set(before))
        if sorted(set(before) - set(after)):
            params[remove_key] = sorted(set(before) - set(after))
        outcome.append(
            draft(
                view,
                "modify_vpc_endpoint",
                params,
                f"Set the {what} of endpoint {diff.resource_id} back to the "
                f"baseline: {', '.join(after) or 'none'}.",
                [check(diff)],
                references=[diff.resource_id, *before, *after],
            )
        )
    return outcome


def _ids(field: str, value: Any) -> list[str]:
    if field == "Groups":
        return id_list(value, "GroupId")
    return sorted(value or [])


def endpoint_settings_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Set the policy (or reset it) and private DNS back to the baseline."""
    outcome: Outcome = []
    for diff in diffs:
        params: dict[str, Any] = {"VpcEndpointId": diff.resource_id}
        if diff.field == "PolicyDocument":
            if diff.after:
                params["PolicyDocument"] = diff.after
            else:
                params["ResetPolicy"] = True
            what = "policy"
        else:
            params["PrivateDnsEnabled"] = bool(diff.after)
            what = "private DNS setting"
        outcome.append(
            draft(
                view,
                "modify_vpc_endpoint",
                params,
                f"Set the {what} of endpoint {diff.resource_id} back to the baseline.",
                [check(diff)],
                references=[diff.resource_id],
            )
        )
    return outcome


def remove_endpoint(
    view: RegionView, endpoint_id: str, properties: Properties
) -> Outcome:
    """Delete an endpoint created since the baseline."""
    return [
        removal(
            view,
            (VPC_ENDPOINT, endpoint_id),
            "delete_vpc_endpoints",
            {"VpcEndpointIds": [endpoint_id]},
            f"Delete VPC endpoint {endpoint_id} ({properties.get('ServiceName')}), "
            "created since the baseline.",
            references=[properties.get("VpcId", "")],
        )
    ]


def _create_endpoint(view: RegionView, new_id: str, baseline: Properties) -> Draft:
    params: dict[str, Any] = {
        "VpcId": baseline["VpcId"],
        "ServiceName": baseline["ServiceName"],
        "VpcEndpointType": baseline.get("VpcEndpointType", "Gateway"),
    }
    optional = {
        "RouteTableIds": baseline.get("RouteTableIds"),
        "SubnetIds": baseline.get("SubnetIds"),
        "SecurityGroupIds": id_list(baseline.get("Groups"), "GroupId"),
        "PolicyDocument": baseline.get("PolicyDocument"),
    }
    params.update({key: value for key, value in optional.items() if value})
    return draft(
        view,
        "create_vpc_endpoint",
        params,
        f"Create the {params['ServiceName']} endpoint again; its new id replaces "
        f"{new_id} below.",
        [created(VPC_ENDPOINT, new_id)],
        references=[baseline["VpcId"], *(optional["RouteTableIds"] or [])],
        binds={new_id: "VpcEndpoint.VpcEndpointId"},
    )


VPC_ENDPOINT_RULES = RevertRules(
    fields={
        "RouteTableIds": endpoint_lists_rule,
        "SubnetIds": endpoint_lists_rule,
        "Groups": endpoint_lists_rule,
        "PolicyDocument": endpoint_settings_rule,
        "PrivateDnsEnabled": endpoint_settings_rule,
        "Tags": tags_rule,
    },
    whole_fields=frozenset({"Groups"}),
    guard=foreign_owner,
    remove=remove_endpoint,
    recreate=Recreate(_create_endpoint, lambda baseline: {**baseline, "Tags": []}),
)
