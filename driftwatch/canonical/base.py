"""What every canonical form shares: item types, protocol spellings, sorting."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

Item = dict[str, Any]
ItemKey = tuple[Any, ...]

# AWS accepts protocol names and numbers; these must compare equal.
SG_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
ACL_PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}
PORTED_PROTOCOLS = frozenset({"tcp", "udp", "icmp", "icmpv6"})
ALL_PROTOCOLS = "-1"

SOURCE_FIELDS = ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")
SOURCE_VALUE_FIELD = {
    "IpRanges": "CidrIp",
    "Ipv6Ranges": "CidrIpv6",
    "PrefixListIds": "PrefixListId",
    "UserIdGroupPairs": "GroupId",
}


def without(item: Mapping[str, Any], *fields: str) -> Item:
    """A copy of ``item`` without ``fields`` and without None or empty-string values."""
    return {
        key: value
        for key, value in item.items()
        if key not in fields and value is not None and value != ""
    }


def sort_by(items: Iterable[Any], key: Callable[[Any], ItemKey]) -> list[Any]:
    """Items sorted by a key tuple; None sorts before any value of a field."""
    return sorted(items, key=lambda item: _none_first(key(item)))


def _none_first(key: ItemKey) -> ItemKey:
    return tuple((value is not None, "" if value is None else value) for value in key)


def tag_key(tag: Mapping[str, Any]) -> ItemKey:
    """Tags are a map: keyed by their Key."""
    return (tag["Key"],)


def sorted_tags(item: Mapping[str, Any], field: str = "Tags") -> list[Item]:
    """The item's tags sorted by key (an absent tag list reads as empty)."""
    return sort_by((dict(tag) for tag in item.get(field) or []), tag_key)
