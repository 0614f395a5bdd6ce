"""Network ACLs: entries by direction and rule number, associations by subnet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftwatch.canonical.base import (
    ACL_PROTOCOL_NUMBERS,
    ALL_PROTOCOLS,
    Item,
    ItemKey,
    sort_by,
    sorted_tags,
    without,
)


def acl_protocol(protocol: Any) -> str:
    """The canonical network ACL protocol: a number as a string, -1 for all."""
    text = str(protocol).lower()
    if text == "all":
        return ALL_PROTOCOLS
    return ACL_PROTOCOL_NUMBERS.get(text, text)


def acl_entry_key(entry: Mapping[str, Any]) -> ItemKey:
    """ACL entries are keyed by direction and rule number."""
    return (bool(entry["Egress"]), int(entry["RuleNumber"]))


def canonical_acl_entry(entry: Mapping[str, Any]) -> Item:
    """An ACL entry with its protocol as a number and only the fields it uses."""
    protocol = acl_protocol(entry["Protocol"])
    item = without(entry, "PortRange", "IcmpTypeCode")
    item["Protocol"] = protocol
    item["RuleNumber"] = int(entry["RuleNumber"])
    item["Egress"] = bool(entry["Egress"])
    if protocol in ("6", "17") and entry.get("PortRange"):
        item["PortRange"] = {
            "From": int(entry["PortRange"]["From"]),
            "To": int(entry["PortRange"]["To"]),
        }
    if protocol in ("1", "58") and entry.get("IcmpTypeCode"):
        item["IcmpTypeCode"] = {
            "Code": int(entry["IcmpTypeCode"].get("Code", -1)),
            "Type": int(entry["IcmpTypeCode"].get("Type", -1)),
        }
    return item


def acl_association_key(association: Mapping[str, Any]) -> ItemKey:
    """ACL associations are keyed by subnet."""
    return (association["SubnetId"],)


def canonical_network_acl(raw: Mapping[str, Any]) -> Item:
    """A network ACL with entries by (egress, number) and associations by subnet."""
    item = without(raw, "Entries", "Associations", "Tags")
    item["Entries"] = sort_by(
        map(canonical_acl_entry, raw.get("Entries") or []), acl_entry_key
    )
    associations = (
        without(association, "NetworkAclAssociationId")
        for association in raw.get("Associations") or []
    )
    item["Associations"] = sort_by(associations, acl_association_key)
    item["Tags"] = sorted_tags(raw)
    return item
