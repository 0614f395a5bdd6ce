"""Network interfaces: no status or attachment ids; auto public IPs observed apart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftwatch.canonical.base import (
    Item,
    sort_by,
    sorted_tags,
    without,
)


def _canonical_ip_association(
    association: Mapping[str, Any] | None,
) -> tuple[Item | None, str | None]:
    """(properties part, auto-assigned public IP) of an ENI public IP association."""
    if not association:
        return None, None
    if association.get("AllocationId"):
        return without(association, "AssociationId", "PublicDnsName"), None
    # An auto-assigned public IPv4 changes on every stop/start: its presence is
    # configuration, its value is observed state.
    kept = without(association, "AssociationId", "PublicDnsName", "PublicIp")
    return kept, association.get("PublicIp")


def canonical_network_interface(raw: Mapping[str, Any]) -> tuple[Item, Item]:
    """An ENI without status and attachment ids; auto public IPs go to observed."""
    item = without(
        raw,
        "Status",
        "Attachment",
        "Association",
        "PrivateIpAddresses",
        "Groups",
        "Ipv6Addresses",
        "TagSet",
        "Ipv4Prefixes",
        "Ipv6Prefixes",
    )
    observed: Item = {}
    auto_ips: dict[str, str] = {}
    if raw.get("Attachment"):
        item["Attachment"] = without(
            raw["Attachment"], "AttachTime", "AttachmentId", "Status"
        )
    association, auto_ip = _canonical_ip_association(raw.get("Association"))
    if association is not None:
        item["Association"] = association
    if auto_ip and raw.get("PrivateIpAddress"):
        auto_ips[raw["PrivateIpAddress"]] = auto_ip
    private_ips = []
    for private in raw.get("PrivateIpAddresses") or []:
        entry = without(private, "Association")
        association, auto_ip = _canonical_ip_association(private.get("Association"))
        if association is not None:
            entry["Association"] = association
        if auto_ip:
            auto_ips[private["PrivateIpAddress"]] = auto_ip
        private_ips.append(entry)
    item["PrivateIpAddresses"] = sort_by(
        private_ips, lambda p: (p["PrivateIpAddress"],)
    )
    item["Groups"] = sort_by(
        (dict(g) for g in raw.get("Groups") or []), lambda g: (g["GroupId"],)
    )
    item["Ipv6Addresses"] = sort_by(
        (dict(a) for a in raw.get("Ipv6Addresses") or []), lambda a: (a["Ipv6Address"],)
    )
    for field in ("Ipv4Prefixes", "Ipv6Prefixes"):
        if raw.get(field):
            item[field] = sort_by(
                (dict(p) for p in raw[field]), lambda p: tuple(sorted(p.values()))
            )
    item["TagSet"] = sorted_tags(raw, "TagSet")
    if auto_ips:
        observed["PublicIps"] = dict(sorted(auto_ips.items()))
    return item, observed


def is_requester_managed(properties: Mapping[str, Any]) -> bool:
    """ENIs that AWS services create and delete on their own (ELB, Lambda, NAT...)."""
    interface_type = properties.get("InterfaceType", "interface")
    return bool(properties.get("RequesterManaged")) or interface_type != "interface"
