"""Does an event touch this part of a resource? One refiner per kind of part.

A change names its part as ``Field`` or ``Field<json key>`` (see
``driftwatch.changes``). A refiner reads an event's normalised request and
answers True (the event names this very part), False (it names another part),
or None (the event cannot say: a rule revoked by its ``sgr-`` id, an association
replaced by its ``rtbassoc-`` id).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from driftwatch import canonical as c
from driftwatch.attribution.params import items
from driftwatch.attribution.record import TrailEvent

PartKey = Sequence[Any] | None
Refiner = Callable[[TrailEvent, str, PartKey], bool | None]

# CloudTrail names of the security group rule sources, and the canonical ones.
_SOURCES = (
    ("groups", "UserIdGroupPairs", "groupId"),
    ("ipRanges", "IpRanges", "cidrIp"),
    ("ipv6Ranges", "Ipv6Ranges", "cidrIpv6"),
    ("prefixListIds", "PrefixListIds", "prefixListId"),
)
# ModifySecurityGroupRules states the new rule in the SecurityGroupRuleRequest shape.
_RULE_REQUEST_SOURCES = (
    ("cidrIpv4", "IpRanges"),
    ("cidrIpv6", "Ipv6Ranges"),
    ("prefixListId", "PrefixListIds"),
    ("referencedGroupId", "UserIdGroupPairs"),
)
# The request parameters that set each top-level field, where it is not the
# field's own name in camelCase.
_FIELD_PARAMETERS: Mapping[str, tuple[str, ...]] = {
    "Groups": ("groupSet", "addSecurityGroupId", "removeSecurityGroupId"),
    "PolicyDocument": ("policyDocument", "resetPolicy"),
    "RouteTableIds": ("addRouteTableId", "removeRouteTableId"),
    "SubnetIds": ("addSubnetId", "removeSubnetId"),
}

RuleKey = tuple[str, int | None, int | None, str, str]


def split_part(part: str) -> tuple[str, PartKey]:
    """(field, item key) of a change's ``part``; the key is None for a plain field."""
    field, bracket, rest = part.partition("[")
    if not bracket:
        return part, None
    try:
        key = json.loads(bracket + rest)
    except ValueError:
        return field, None
    return field, key if isinstance(key, list) else None


def camel(name: str) -> str:
    """A boto3 field name as CloudTrail spells the request parameter."""
    return name[:1].lower() + name[1:]


# --- security group rules -----------------------------------------------------


def security_group_rules(event: TrailEvent, field: str, key: PartKey) -> bool | None:
    """The rule is among the ``ipPermissions`` the call authorized or revoked."""
    rules = list(_permission_rules(event.request))
    if key is None or not rules:
        return None
    return any(_same_rule(rule, key) for rule in rules)


def modified_security_group_rules(
    event: TrailEvent, field: str, key: PartKey
) -> bool | None:
    """The rule is the new value that ModifySecurityGroupRules wrote."""
    if key is None:
        return None
    rules = [
        rule
        for entry in items(event.request.get("securityGroupRule"))
        for rule in _rule_request(entry.get("securityGroupRule") or {})
    ]
    # The rule it replaced is named only by its sgr- id: a miss is not a no.
    return True if any(_same_rule(rule, key) for rule in rules) else None


def _permission_rules(request: Mapping[str, Any]) -> Iterator[RuleKey]:
    permissions = items(request.get("ipPermissions"))
    if not permissions and request.get("ipProtocol") is not None:
        # The older flat form: one rule in top-level parameters.
        permissions = [
            {
                **request,
                "ipRanges": [{"cidrIp": request["cidrIp"]}]
                if request.get("cidrIp")
                else [],
            }
        ]
    for permission in permissions:
        protocol, low, high = _protocol_ports(permission)
        for event_field, rule_field, value_field in _SOURCES:
            for source in items(permission.get(event_field)):
                yield (
                    protocol,
                    low,
                    high,
                    rule_field,
                    str(source.get(value_field, "")),
                )


def _rule_request(rule: Mapping[str, Any]) -> Iterator[RuleKey]:
    protocol, low, high = _protocol_ports(rule)
    for event_field, rule_field in _RULE_REQUEST_SOURCES:
        if rule.get(event_field):
            yield (protocol, low, high, rule_field, str(rule[event_field]))


def _protocol_ports(
    permission: Mapping[str, Any],
) -> tuple[str, int | None, int | None]:
    protocol = c.sg_protocol(permission.get("ipProtocol", "-1"))
    if protocol not in c.PORTED_PROTOCOLS:
        return protocol, None, None
    return (
        protocol,
        _int(permission.get("fromPort", -1)),
        _int(permission.get("toPort", -1)),
    )


def _same_rule(rule: RuleKey, key: Sequence[Any]) -> bool:
    if len(key) != 5:
        return False
    protocol, low, high, field, value = key
    if (c.sg_protocol(protocol), low, high, field) != rule[:4]:
        return False
    if field == "UserIdGroupPairs":
        # The change names ``account/sg-...``; the call may name only the group.
        return str(value).rsplit("/", 1)[-1] == rule[4].rsplit("/", 1)[-1]
    return str(value) == rule[4]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- keyed items of other types -------------------------------------------------


def network_acl_entry(event: TrailEvent, field: str, key: PartKey) -> bool | None:
    """The entry is the (direction, number) the call created, replaced or deleted."""
    if key is None or len(key) != 2:
        return None
    egress = str(event.request.get("egress", "false")).lower() == "true"
    number = _int(event.request.get("ruleNumber"))
    return (egress, number) == (bool(key[0]), _int(key[1]))


def route_destination(event: TrailEvent, field: str, key: PartKey) -> bool | None:
    """The route is the destination the call created, replaced or deleted."""
    if key is None or len(key) != 2 or not key[0]:
        return None
    return bool(event.request.get(camel(str(key[0]))) == key[1])


def route_table_association(event: TrailEvent, field: str, key: PartKey) -> bool | None:
    """The association is the subnet or gateway the call associated."""
    if key is None or len(key) != 2:
        return None
    kind, target = key
    if kind == "subnet":
        return bool(event.request.get("subnetId") == target)
    if kind == "gateway":
        return bool(event.request.get("gatewayId") == target)
    return False


def tag_keys(event: TrailEvent, field: str, key: PartKey) -> bool | None:
    """The tag is among those the call set or deleted (DeleteTags without keys: all)."""
    if key is None or not key:
        return None
    tags = items(event.request.get("tagSet"))
    if not tags:
        return event.event_name == "DeleteTags"
    return any(tag.get("key") == key[0] for tag in tags)


def gateway_attachment(event: TrailEvent, field: str, key: PartKey) -> bool | None:
    """The attachment is to the VPC the call attached or detached."""
    if key is None or not key:
        return None
    return bool(event.request.get("vpcId") == key[0])


def propagating_gateway(event: TrailEvent, field: str, key: PartKey) -> bool | None:
    """The propagation is from the virtual private gateway the call named."""
    if key is None or not key:
        return None
    return bool(event.request.get("gatewayId") == key[0])


def cidr_block(event: TrailEvent, field: str, key: PartKey) -> bool | None:
    """The CIDR is the one the call associated (an Amazon-provided IPv6 is unknown)."""
    if key is None or not key or not event.request.get("cidrBlock"):
        return None
    return bool(event.request.get("cidrBlock") == key[0])


def field_parameter(event: TrailEvent, field: str, key: PartKey) -> bool | None:
    """The call set the parameter for this field (a Modify*Attribute sets one)."""
    names = _FIELD_PARAMETERS.get(field, (camel(field),))
    return any(event.request.get(name) is not None for name in names)
