"""Revert rules of network interfaces: groups, attributes, addresses.

``modify_network_interface_attribute(Groups=...)`` replaces the whole set of
groups, so the groups are one part (a whole-field diff) and one call sets the
baseline set; the precondition holds the whole current set, so a group someone
added after the plan makes the step stale instead of silently dropping it.
Elastic IP associations are reverted from the address side (see
``addresses``); interfaces that an AWS service manages, or that another
account owns, are never changed in place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from driftwatch import canonical
from driftwatch.registry import NAT_GATEWAY, NETWORK_INTERFACE, VPC_ENDPOINT
from driftwatch.revert.parts import PartDiff
from driftwatch.revert.rules.base import (
    Draft,
    Manual,
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
    manual,
    removal,
    tags_rule,
)

ENDPOINT_IN_DESCRIPTION = re.compile(r"\bvpce-[0-9a-f]+\b")


def groups_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Set the baseline groups in one call (the call replaces the whole set)."""
    diff = diffs[0]
    before, after = id_list(diff.before, "GroupId"), id_list(diff.after, "GroupId")
    return [
        draft(
            view,
            "modify_network_interface_attribute",
            {"NetworkInterfaceId": diff.resource_id, "Groups": after},
            f"Set the security groups of {diff.resource_id} back to the baseline "
            f"set {', '.join(after)} (now {', '.join(before) or 'none'}).",
            [check(diff)],
            references=[diff.resource_id, *before, *after],
        )
    ]


def attribute_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Put SourceDestCheck and Description back, one attribute per call."""
    outcome: Outcome = []
    for diff in diffs:
        value = diff.after if diff.after is not None else _unset(diff.field)
        outcome.append(
            draft(
                view,
                "modify_network_interface_attribute",
                {"NetworkInterfaceId": diff.resource_id, diff.field: {"Value": value}},
                f"Set {diff.field} of {diff.resource_id} back to {value!r}.",
                [check(diff)],
                references=[diff.resource_id],
            )
        )
    return outcome


def _unset(field: str) -> object:
    # The canonical form drops an empty description; AWS clears it with "".
    return "" if field == "Description" else True


def association_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Elastic IPs are reverted from the address; an auto-assigned IP cannot be."""
    auto = [d for d in diffs if not _has_elastic_ip(d)]
    return manual(
        auto,
        "An auto-assigned public IPv4 address cannot be added to or removed from "
        "an existing interface; change the subnet's auto-assign setting and "
        "replace the interface (or its instance) by hand.",
    )


def _has_elastic_ip(diff: PartDiff) -> bool:
    values = [diff.before, diff.after]
    associations = [
        (value.get("Association") if diff.field == "PrivateIpAddresses" else value)
        for value in values
        if isinstance(value, dict)
    ]
    return any(isinstance(a, dict) and a.get("AllocationId") for a in associations)


def private_ips_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Assign or unassign secondary private IPs; association-only diffs follow the
    address."""
    outcome: Outcome = []
    for diff in diffs:
        if diff.before is not None and diff.after is not None:
            outcome.extend(association_rule(view, [diff]))
            continue
        item = diff.after or diff.before
        if item.get("Primary"):
            outcome.extend(manual([diff], "The primary private IP cannot change."))
            continue
        outcome.append(_private_ip_step(view, diff, item["PrivateIpAddress"]))
    return outcome


def _private_ip_step(view: RegionView, diff: PartDiff, address: str) -> Draft:
    step = _address_step(
        view, diff, "private_ip_addresses", "PrivateIpAddresses", address
    )
    if diff.after is not None:
        return step
    return replace(step, needs=frozenset({f"unmapped-ip:{diff.resource_id}:{address}"}))


def ipv6_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Assign or unassign IPv6 addresses, as in the baseline."""
    return [
        _address_step(
            view,
            diff,
            "ipv6_addresses",
            "Ipv6Addresses",
            (diff.after or diff.before)["Ipv6Address"],
        )
        for diff in diffs
    ]


def _address_step(
    view: RegionView, diff: PartDiff, noun: str, field: str, address: str
) -> Draft:
    assign = diff.after is not None
    verb = "assign" if assign else "unassign"
    return draft(
        view,
        f"{verb}_{noun}",
        {"NetworkInterfaceId": diff.resource_id, field: [address]},
        f"{verb.capitalize()} {address} {'to' if assign else 'from'} "
        f"{diff.resource_id}, as in the baseline.",
        [check(diff)],
        references=[diff.resource_id],
    )


def attachment_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Attaching and detaching are instance operations: left to people."""
    return manual(
        diffs,
        "The interface's attachment to an instance changed; attach or detach it "
        "by hand (detaching can cut the instance off), as the baseline shows.",
    )


def _guard(view: RegionView, interface_id: str, properties: Properties) -> str | None:
    if canonical.is_requester_managed(properties):
        kind = properties.get("InterfaceType", "interface")
        return (
            f"{interface_id} is managed by an AWS service ({kind}); it changes with "
            "the resource that owns it, so revert that resource instead."
        )
    return foreign_owner(view, interface_id, properties)


def remove_interface(
    view: RegionView, interface_id: str, properties: Properties
) -> Outcome:
    """Delete an interface created since the baseline, unless an instance holds it."""
    attachment = properties.get("Attachment") or {}
    if attachment.get("InstanceId"):
        reason = (
            f"{interface_id} was created since the baseline and is attached to "
            f"instance {attachment['InstanceId']}; detach it or stop that instance "
            "by hand, then delete it."
        )
        return [Manual(NETWORK_INTERFACE, interface_id, reason)]
    guard = _guard(view, interface_id, properties)
    if guard:
        return [Manual(NETWORK_INTERFACE, interface_id, guard)]
    references = [
        interface_id,
        properties.get("SubnetId", ""),
        properties.get("VpcId", ""),
        *id_list(properties.get("Groups"), "GroupId"),
    ]
    return [
        removal(
            view,
            (NETWORK_INTERFACE, interface_id),
            "delete_network_interface",
            {"NetworkInterfaceId": interface_id},
            f"Delete network interface {interface_id}, created since the baseline "
            "and attached to nothing.",
            references=references,
        )
    ]


def interface_owner(view: RegionView, properties: Properties) -> tuple[str, str] | None:
    """The NAT gateway or endpoint whose interface this is (it goes with it)."""
    interface_id = properties.get("NetworkInterfaceId", "")
    for nat_id, nat in view.of_type(NAT_GATEWAY):
        addresses = nat.get("NatGatewayAddresses") or []
        if any(a.get("NetworkInterfaceId") == interface_id for a in addresses):
            return (NAT_GATEWAY, nat_id)
    if canonical.is_requester_managed(properties):
        match = ENDPOINT_IN_DESCRIPTION.search(str(properties.get("Description", "")))
        if match:
            return (VPC_ENDPOINT, match.group(0))
    return None


def _create_interface(view: RegionView, new_id: str, baseline: Properties) -> Draft:
    params = {
        "SubnetId": baseline["SubnetId"],
        "Groups": id_list(baseline.get("Groups"), "GroupId"),
        "PrivateIpAddress": baseline.get("PrivateIpAddress"),
        "Description": baseline.get("Description", ""),
    }
    return draft(
        view,
        "create_network_interface",
        {key: value for key, value in params.items() if value is not None},
        f"Create an interface in {baseline['SubnetId']} with the baseline's "
        f"primary IP to stand for the deleted one; its new id replaces {new_id}.",
        [created(NETWORK_INTERFACE, new_id)],
        references=[baseline["SubnetId"], *params["Groups"]],
        binds={new_id: "NetworkInterface.NetworkInterfaceId"},
    )


def _fresh_interface(baseline: Properties) -> Properties:
    fresh = {
        key: value
        for key, value in baseline.items()
        if key not in ("Association", "Attachment")
    }
    primary = [
        {k: v for k, v in ip.items() if k != "Association"}
        for ip in baseline.get("PrivateIpAddresses") or []
        if ip.get("Primary")
    ]
    return {
        **fresh,
        "PrivateIpAddresses": primary,
        "Ipv6Addresses": [],
        "SourceDestCheck": True,
        "TagSet": [],
    }


NETWORK_INTERFACE_RULES = RevertRules(
    fields={
        "Groups": groups_rule,
        "SourceDestCheck": attribute_rule,
        "Description": attribute_rule,
        "Association": association_rule,
        "PrivateIpAddresses": private_ips_rule,
        "Ipv6Addresses": ipv6_rule,
        "Attachment": attachment_rule,
        "TagSet": tags_rule,
    },
    whole_fields=frozenset({"Groups"}),
    guard=_guard,
    remove=remove_interface,
    owner=interface_owner,
    recreate=Recreate(
        _create_interface,
        _fresh_interface,
        "Re-attaching it to an instance is left to people.",
    ),
)
