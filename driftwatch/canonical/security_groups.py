"""Security groups: permissions split one source per rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from driftwatch.canonical.base import (
    ALL_PROTOCOLS,
    PORTED_PROTOCOLS,
    SG_PROTOCOL_NAMES,
    SOURCE_FIELDS,
    SOURCE_VALUE_FIELD,
    Item,
    ItemKey,
    sort_by,
    sorted_tags,
    without,
)


def sg_protocol(protocol: Any) -> str:
    """Canonical security group protocol: a name where AWS has one, else a number."""
    text = str(protocol).lower()
    if text in ("all", "-1"):
        return ALL_PROTOCOLS
    return SG_PROTOCOL_NAMES.get(text, text)


def split_permissions(permissions: Iterable[Mapping[str, Any]]) -> list[Item]:
    """One IpPermission per source, canonical protocol and ports, sorted by rule key."""
    rules: list[Item] = []
    for permission in permissions:
        base = _permission_base(permission)
        for field in SOURCE_FIELDS:
            for source in permission.get(field) or []:
                rule = dict(base)
                rule[field] = [_canonical_source(field, source)]
                rules.append(rule)
    return _dedupe(sort_by(rules, rule_key))


def _permission_base(permission: Mapping[str, Any]) -> Item:
    protocol = sg_protocol(permission["IpProtocol"])
    base: Item = {"IpProtocol": protocol}
    # Any protocol other than tcp/udp/icmp/icmpv6 covers every port, whatever
    # the port fields say, so they are not part of its identity.
    if protocol in PORTED_PROTOCOLS:
        base["FromPort"] = int(permission.get("FromPort", -1))
        base["ToPort"] = int(permission.get("ToPort", -1))
    for field in SOURCE_FIELDS:
        base[field] = []
    return base


def _canonical_source(field: str, source: Mapping[str, Any]) -> Item:
    if field == "UserIdGroupPairs":
        # GroupName is only informative for default-VPC pairs; PeeringStatus moves.
        return without(source, "GroupName", "PeeringStatus")
    return without(source)


def _dedupe(rules: list[Item]) -> list[Item]:
    unique: list[Item] = []
    for rule in rules:
        if not unique or rule_key(unique[-1]) != rule_key(rule):
            unique.append(rule)
    return unique


def rule_source(rule: Mapping[str, Any]) -> tuple[str, str]:
    """The (source field, source value) of a one-source permission."""
    for field in SOURCE_FIELDS:
        sources = rule.get(field) or []
        if sources:
            source = sources[0]
            value = str(source.get(SOURCE_VALUE_FIELD[field], ""))
            if field == "UserIdGroupPairs" and source.get("UserId"):
                value = f"{source['UserId']}/{value}"
            return field, value
    return "", ""


def rule_key(rule: Mapping[str, Any]) -> ItemKey:
    """Identity of a one-source rule: (protocol, from, to, source kind, source)."""
    field, value = rule_source(rule)
    return (
        sg_protocol(rule["IpProtocol"]),
        rule.get("FromPort"),
        rule.get("ToPort"),
        field,
        value,
    )


def canonical_security_group(raw: Mapping[str, Any]) -> Item:
    """A security group with one-source permissions in canonical order."""
    item = without(raw, "IpPermissions", "IpPermissionsEgress", "Tags")
    item["IpPermissions"] = split_permissions(raw.get("IpPermissions") or [])
    item["IpPermissionsEgress"] = split_permissions(
        raw.get("IpPermissionsEgress") or []
    )
    item["Tags"] = sorted_tags(raw)
    return item
