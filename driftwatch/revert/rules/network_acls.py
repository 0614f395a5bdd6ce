"""Revert rules of network ACLs: entries in place, associations swapped back.

An entry that exists on both sides but differs is replaced atomically
(``replace_network_acl_entry``), never deleted and re-created, so no window
opens. Every subnet always has exactly one ACL, so a subnet that moved is put
back with ``replace_network_acl_association``; that call needs the subnet's
live association id, looked up at plan time and again at apply time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from driftwatch.registry import NETWORK_ACL, SUBNET
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

# Rule 32767 (and 32768 for IPv6) is the fixed catch-all deny: never changed.
FIRST_FIXED_RULE = 32767

ENTRY_FIELDS = (
    "CidrBlock",
    "Ipv6CidrBlock",
    "Protocol",
    "RuleAction",
    "PortRange",
    "IcmpTypeCode",
)


def describe_entry(entry: Mapping[str, Any]) -> str:
    """A short text for an entry: ``inbound #100 allow 6 22-22 0.0.0.0/0``."""
    direction = "outbound" if entry["Egress"] else "inbound"
    ports = ""
    if entry.get("PortRange"):
        ports = f" {entry['PortRange']['From']}-{entry['PortRange']['To']}"
    cidr = entry.get("CidrBlock") or entry.get("Ipv6CidrBlock")
    return (
        f"{direction} #{entry['RuleNumber']} {entry['RuleAction']} "
        f"protocol {entry['Protocol']}{ports} {cidr}"
    )


def _entry_params(acl_id: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "NetworkAclId": acl_id,
        "RuleNumber": entry["RuleNumber"],
        "Egress": entry["Egress"],
    }
    params.update({name: entry[name] for name in ENTRY_FIELDS if name in entry})
    return params


def entries_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Create, replace or delete the entries that differ from the baseline."""
    outcome: Outcome = []
    for diff in diffs:
        entry = diff.after or diff.before
        if int(entry["RuleNumber"]) >= FIRST_FIXED_RULE:
            continue
        outcome.append(_entry_step(view, diff))
    return outcome


def _entry_step(view: RegionView, diff: PartDiff) -> Draft:
    acl_id = diff.resource_id
    if diff.before is None:
        name, params = "create_network_acl_entry", _entry_params(acl_id, diff.after)
        reason = f"Re-create the baseline entry {describe_entry(diff.after)}"
    elif diff.after is None:
        name = "delete_network_acl_entry"
        params = {
            "NetworkAclId": acl_id,
            "RuleNumber": diff.before["RuleNumber"],
            "Egress": diff.before["Egress"],
        }
        reason = f"Delete the entry {describe_entry(diff.before)}, not in the baseline"
    else:
        name, params = "replace_network_acl_entry", _entry_params(acl_id, diff.after)
        reason = (
            f"Replace the entry {describe_entry(diff.before)} with the baseline's "
            f"{describe_entry(diff.after)} in one call"
        )
    return draft(view, name, params, f"{reason} in {acl_id}.", [check(diff)])


def associations_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Put every subnet back on its baseline ACL (one atomic replace per subnet)."""
    by_subnet: dict[str, list[PartDiff]] = {}
    for diff in diffs:
        subnet_id = (diff.after or diff.before)["SubnetId"]
        by_subnet.setdefault(subnet_id, []).append(diff)
    outcome: Outcome = []
    for subnet_id, subnet_diffs in sorted(by_subnet.items()):
        outcome.extend(_move_subnet(view, subnet_id, subnet_diffs))
    return outcome


def _move_subnet(
    view: RegionView, subnet_id: str, diffs: Sequence[PartDiff]
) -> Outcome:
    baseline_acl = next((d.resource_id for d in diffs if d.after is not None), None)
    current_acl = next((d.resource_id for d in diffs if d.before is not None), None)
    if _goes_with_new_vpc(view, subnet_id):
        return []
    if baseline_acl is None or current_acl is None:
        return manual(
            diffs,
            f"Subnet {subnet_id} was created or deleted since the baseline; "
            "driftwatch does not track subnets: delete or re-create it by hand.",
        )
    return [
        draft(
            view,
            "replace_network_acl_association",
            {"AssociationId": None, "NetworkAclId": baseline_acl},
            f"Move subnet {subnet_id} back from network ACL {current_acl} to its "
            f"baseline ACL {baseline_acl} (one atomic replace).",
            map(check, diffs),
            lookup=lookup(
                "network_acl_association",
                "AssociationId",
                network_acl_id=current_acl,
                subnet_id=subnet_id,
            ),
            references=[baseline_acl, current_acl, subnet_id],
        )
    ]


def _goes_with_new_vpc(view: RegionView, subnet_id: str) -> bool:
    subnet = view.either(SUBNET, subnet_id)
    vpc_id = str(subnet.get("VpcId", ""))
    return view.is_new("AWS::EC2::VPC", vpc_id)


def remove_acl(view: RegionView, acl_id: str, properties: Properties) -> Outcome:
    """Delete an ACL created since the baseline (its subnets were moved back)."""
    return [
        removal(
            view,
            (NETWORK_ACL, acl_id),
            "delete_network_acl",
            {"NetworkAclId": acl_id},
            f"Delete network ACL {acl_id}, created since the baseline, once no "
            "subnet uses it.",
            references=[properties.get("VpcId", "")],
        )
    ]


def default_acl_owner(
    view: RegionView, properties: Properties
) -> tuple[str, str] | None:
    """A VPC's default ACL goes with the VPC and cannot be deleted alone."""
    if not properties.get("IsDefault"):
        return None
    return ("AWS::EC2::VPC", str(properties.get("VpcId", "")))


def _create_acl(view: RegionView, new_id: str, baseline: Properties) -> Draft:
    return draft(
        view,
        "create_network_acl",
        {"VpcId": baseline["VpcId"]},
        f"Create a network ACL to stand for the deleted one; its new id replaces "
        f"{new_id} below.",
        [created(NETWORK_ACL, new_id)],
        references=[baseline.get("VpcId", "")],
        binds={new_id: "NetworkAcl.NetworkAclId"},
    )


def _fresh_acl(baseline: Properties) -> Properties:
    fixed = [
        entry
        for entry in baseline.get("Entries") or []
        if int(entry["RuleNumber"]) >= FIRST_FIXED_RULE
    ]
    return {**baseline, "Entries": fixed, "Associations": [], "Tags": []}


NETWORK_ACL_RULES = RevertRules(
    fields={
        "Entries": entries_rule,
        "Associations": associations_rule,
        "Tags": tags_rule,
    },
    region_fields=frozenset({"Associations"}),
    guard=foreign_owner,
    remove=remove_acl,
    owner=default_acl_owner,
    recreate=Recreate(_create_acl, _fresh_acl),
)
