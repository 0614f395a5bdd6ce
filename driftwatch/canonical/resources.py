"""VPCs, subnets, gateways, peering, NAT, endpoints, EIPs and prefix lists."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from driftwatch.canonical.base import (
    Item,
    ItemKey,
    sort_by,
    sorted_tags,
    without,
)


def cidr_association_key(field: str) -> Callable[[Mapping[str, Any]], ItemKey]:
    """Key of a CIDR association set entry by its CIDR field."""
    return lambda association: (association.get(field, ""),)


def _cidr_associations(
    raw: Mapping[str, Any], field: str, cidr_field: str
) -> list[Item]:
    associations = (
        without(a, "AssociationId", "CidrBlockState", "Ipv6CidrBlockState")
        for a in raw.get(field) or []
        if _cidr_association_live(a)
    )
    return sort_by(associations, cidr_association_key(cidr_field))


def _cidr_association_live(association: Mapping[str, Any]) -> bool:
    state = association.get("CidrBlockState") or association.get("Ipv6CidrBlockState")
    return (state or {}).get("State", "associated") in ("associated", "associating")


def canonical_vpc(raw: Mapping[str, Any]) -> Item:
    """A VPC without state and association ids (the collector adds DNS attributes)."""
    item = without(
        raw, "State", "CidrBlockAssociationSet", "Ipv6CidrBlockAssociationSet", "Tags"
    )
    item["CidrBlockAssociationSet"] = _cidr_associations(
        raw, "CidrBlockAssociationSet", "CidrBlock"
    )
    item["Ipv6CidrBlockAssociationSet"] = _cidr_associations(
        raw, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock"
    )
    item["Tags"] = sorted_tags(raw)
    return item


def canonical_subnet(raw: Mapping[str, Any]) -> Item:
    """A subnet without its free address count and state."""
    item = without(
        raw, "State", "AvailableIpAddressCount", "Ipv6CidrBlockAssociationSet", "Tags"
    )
    item["Ipv6CidrBlockAssociationSet"] = _cidr_associations(
        raw, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock"
    )
    item["Tags"] = sorted_tags(raw)
    return item


def attachment_key(attachment: Mapping[str, Any]) -> ItemKey:
    """Gateway attachments are keyed by VPC."""
    return (attachment["VpcId"],)


def canonical_gateway(raw: Mapping[str, Any]) -> Item:
    """An internet or egress-only gateway; attachment states are dropped."""
    item = without(raw, "Attachments", "Tags")
    attachments = (
        without(a, "State")
        for a in raw.get("Attachments") or []
        if a.get("State", "attached") not in ("detaching", "detached")
    )
    item["Attachments"] = sort_by(attachments, attachment_key)
    item["Tags"] = sorted_tags(raw)
    return item


def canonical_peering(raw: Mapping[str, Any]) -> Item:
    """A peering connection without status and expiry."""
    item = without(raw, "Status", "ExpirationTime", "Tags")
    for side in ("AccepterVpcInfo", "RequesterVpcInfo"):
        info = raw.get(side)
        if not info:
            continue
        info = without(info)
        for field, cidr in (
            ("CidrBlockSet", "CidrBlock"),
            ("Ipv6CidrBlockSet", "Ipv6CidrBlock"),
        ):
            if field in info:
                info[field] = sort_by(info[field], cidr_association_key(cidr))
        item[side] = info
    item["Tags"] = sorted_tags(raw)
    return item


def nat_address_key(address: Mapping[str, Any]) -> ItemKey:
    """NAT gateway addresses are keyed by allocation, else private IP."""
    return (address.get("AllocationId", ""), address.get("PrivateIp", ""))


def canonical_nat_gateway(raw: Mapping[str, Any]) -> Item:
    """A NAT gateway without times, state and address association ids."""
    item = without(
        raw,
        "CreateTime",
        "DeleteTime",
        "State",
        "FailureCode",
        "FailureMessage",
        "ProvisionedBandwidth",
        "NatGatewayAddresses",
        "Tags",
    )
    addresses = (
        without(a, "AssociationId", "Status", "FailureMessage")
        for a in raw.get("NatGatewayAddresses") or []
    )
    item["NatGatewayAddresses"] = sort_by(addresses, nat_address_key)
    item["Tags"] = sorted_tags(raw)
    return item


def canonical_policy(document: str | None) -> str | None:
    """A policy JSON string with sorted keys: equal policies compare equal as text."""
    if not document:
        return document
    try:
        parsed = json.loads(document)
    except ValueError:
        return document
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"))


def canonical_vpc_endpoint(raw: Mapping[str, Any]) -> Item:
    """A VPC endpoint without state, DNS entries and ENI ids; policy normalised."""
    item = without(
        raw,
        "State",
        "CreationTimestamp",
        "DnsEntries",
        "NetworkInterfaceIds",
        "LastError",
        "StateMessage",
        "RouteTableIds",
        "SubnetIds",
        "Groups",
        "Tags",
        "PolicyDocument",
    )
    if raw.get("PolicyDocument"):
        item["PolicyDocument"] = canonical_policy(raw["PolicyDocument"])
    item["RouteTableIds"] = sorted(raw.get("RouteTableIds") or [])
    item["SubnetIds"] = sorted(raw.get("SubnetIds") or [])
    item["Groups"] = sort_by(
        (dict(g) for g in raw.get("Groups") or []), lambda g: (g["GroupId"],)
    )
    item["Tags"] = sorted_tags(raw)
    return item


def canonical_customer_gateway(raw: Mapping[str, Any]) -> Item:
    """A customer gateway without state."""
    item = without(raw, "State", "Tags")
    item["Tags"] = sorted_tags(raw)
    return item


def canonical_address(raw: Mapping[str, Any]) -> Item:
    """An Elastic IP without its association id."""
    item = without(raw, "AssociationId", "Tags")
    item["Tags"] = sorted_tags(raw)
    return item


def prefix_entry_key(entry: Mapping[str, Any]) -> ItemKey:
    """Prefix list entries are keyed by CIDR."""
    return (entry["Cidr"],)


def canonical_prefix_list(raw: Mapping[str, Any]) -> Item:
    """A managed prefix list with its entries; version and state are dropped."""
    item = without(raw, "State", "StateMessage", "Version", "Entries", "Tags")
    entries = (without(entry) for entry in raw.get("Entries") or [])
    item["Entries"] = sort_by(entries, prefix_entry_key)
    item["Tags"] = sorted_tags(raw)
    return item
