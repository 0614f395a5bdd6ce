"""Revert rules of security groups: one rule, one source, one call.

The canonical form splits permissions so that each carries a single source;
a revoke therefore names exactly the offending source and never the rest of
the permission it was authorized in. Authorizations of a group and direction
provide a token that its revocations need, so the baseline's rules go back
before anything is taken away (``driftwatch.revert.order``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from driftwatch import canonical
from driftwatch.changes import part_name
from driftwatch.registry import SECURITY_GROUP
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
    removal,
    tags_rule,
    without_empty,
)

DIRECTIONS = {"IpPermissions": "ingress", "IpPermissionsEgress": "egress"}

# A new group gets this egress rule from AWS; re-creation takes it into account.
DEFAULT_EGRESS = {
    "IpProtocol": "-1",
    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
    "Ipv6Ranges": [],
    "PrefixListIds": [],
    "UserIdGroupPairs": [],
}


def describe_rule(rule: Mapping[str, Any], direction: str = "ingress") -> str:
    """A short text for a one-source rule: ``tcp 22 from 0.0.0.0/0``."""
    protocol = canonical.sg_protocol(rule["IpProtocol"])
    name = "all traffic" if protocol == canonical.ALL_PROTOCOLS else protocol
    ports = ""
    if "FromPort" in rule:
        low, high = rule["FromPort"], rule.get("ToPort")
        ports = f" {low}" if low == high else f" {low}-{high}"
    _, source = canonical.rule_source(rule)
    word = "to" if direction == "egress" else "from"
    return f"{name}{ports} {word} {source}"


def _rule_references(rule: Mapping[str, Any]) -> list[str]:
    pairs = [pair.get("GroupId", "") for pair in rule.get("UserIdGroupPairs") or []]
    lists = [entry.get("PrefixListId", "") for entry in rule.get("PrefixListIds") or []]
    return pairs + lists


def rules_rule(view: RegionView, diffs: Sequence[PartDiff]) -> Outcome:
    """Authorize, revoke or re-describe single-source rules, one call per rule."""
    outcome: Outcome = []
    for diff in diffs:
        direction = DIRECTIONS[diff.field]
        if diff.before is None:
            outcome.append(_authorize(view, diff, direction))
        elif diff.after is None:
            outcome.append(_revoke(view, diff, direction))
        else:
            outcome.append(_describe(view, diff, direction))
    return outcome


def _authorize(view: RegionView, diff: PartDiff, direction: str) -> Draft:
    rule = diff.after
    return _rule_step(
        view,
        diff,
        f"authorize_security_group_{direction}",
        f"Re-authorize the baseline {direction} rule "
        f"{describe_rule(rule, direction)} on {diff.resource_id}.",
        provides=[f"authorized:{diff.resource_id}:{direction}"],
    )


def _revoke(view: RegionView, diff: PartDiff, direction: str) -> Draft:
    rule = diff.before
    return _rule_step(
        view,
        diff,
        f"revoke_security_group_{direction}",
        f"Revoke the {direction} rule {describe_rule(rule, direction)} on "
        f"{diff.resource_id}, which the baseline does not have (only this source).",
        needs=[f"authorized:{diff.resource_id}:{direction}"],
    )


def _rule_step(
    view: RegionView,
    diff: PartDiff,
    name: str,
    reason: str,
    *,
    provides: list[str] | None = None,
    needs: list[str] | None = None,
) -> Draft:
    rule = diff.after if diff.after is not None else diff.before
    return draft(
        view,
        name,
        {"GroupId": diff.resource_id, "IpPermissions": [without_empty(rule)]},
        reason,
        [check(diff)],
        references=[diff.resource_id, *_rule_references(rule)],
        provides=provides or [],
        needs=needs or [],
    )


def _describe(view: RegionView, diff: PartDiff, direction: str) -> Draft:
    group_id = diff.resource_id
    return draft(
        view,
        f"update_security_group_rule_descriptions_{direction}",
        {"GroupId": group_id, "IpPermissions": [without_empty(diff.after)]},
        f"Put back the baseline description of the {direction} rule "
        f"{describe_rule(diff.after, direction)} on {group_id}.",
        [check(diff)],
        references=[group_id],
    )


def remove_group(view: RegionView, group_id: str, properties: Properties) -> Outcome:
    """Delete a group created since the baseline, after revoking its references to
    other groups (two new groups that name each other could not be deleted)."""
    outcome: Outcome = []
    for field, direction in DIRECTIONS.items():
        for rule in properties.get(field) or []:
            if not rule.get("UserIdGroupPairs"):
                continue
            part = _part_of(field, rule)
            diff = PartDiff(SECURITY_GROUP, group_id, field, part, rule, None)
            outcome.append(_revoke(view, diff, direction))
    outcome.append(
        removal(
            view,
            (SECURITY_GROUP, group_id),
            "delete_security_group",
            {"GroupId": group_id},
            f"Delete security group {group_id} ({properties.get('GroupName')}), "
            "created since the baseline, now that nothing uses it.",
            references=[properties.get("VpcId", "")],
        )
    )
    return outcome


def _part_of(field: str, rule: Mapping[str, Any]) -> str:
    return part_name(field, canonical.rule_key(rule))


def default_group_owner(
    view: RegionView, properties: Properties
) -> tuple[str, str] | None:
    """A VPC's default group goes with the VPC and cannot be deleted alone."""
    if properties.get("GroupName") != "default":
        return None
    return ("AWS::EC2::VPC", str(properties.get("VpcId", "")))


def _create_group(view: RegionView, new_id: str, baseline: Properties) -> Draft:
    return draft(
        view,
        "create_security_group",
        {
            "GroupName": baseline["GroupName"],
            "Description": baseline.get("Description") or baseline["GroupName"],
            "VpcId": baseline["VpcId"],
        },
        f"Create a security group to stand for the deleted one "
        f"({baseline['GroupName']}); its new id replaces {new_id} below.",
        [created(SECURITY_GROUP, new_id)],
        references=[baseline.get("VpcId", "")],
        binds={new_id: "GroupId"},
    )


def _fresh_group(baseline: Properties) -> Properties:
    return {
        **baseline,
        "IpPermissions": [],
        "IpPermissionsEgress": [DEFAULT_EGRESS],
        "Tags": [],
    }


SECURITY_GROUP_RULES = RevertRules(
    fields={
        "IpPermissions": rules_rule,
        "IpPermissionsEgress": rules_rule,
        "Tags": tags_rule,
    },
    guard=foreign_owner,
    remove=remove_group,
    owner=default_group_owner,
    recreate=Recreate(
        _create_group,
        _fresh_group,
        # LIMITATION: in a VPC with IPv6, AWS also gives a new group an
        # all-traffic ::/0 egress rule, which these calls do not revoke.
        "In a VPC with IPv6, AWS also adds an all-traffic ::/0 egress rule to a "
        "new group: revoke it by hand if the baseline does not have it.",
    ),
)
