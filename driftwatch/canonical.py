"""Pure functions that turn raw ``describe_*`` items into canonical properties.

The canonical form keeps boto3's field names and shapes, drops the fields that
change with no one touching configuration (states, attachment and association
ids, timestamps), and sorts every unordered list by the key that says what an
item *is*. Two reads of an unchanged account therefore give equal properties.

Security group permissions are split so that each ``IpPermission`` carries one
source: a rule per (direction, protocol, ports, source) is the unit of drift and
of revert. Facts that are real but volatile (an auto-assigned public IPv4) are
returned apart as ``observed``: reachability reads them, drift ignores them.
"""

from __future__ import annotations

import json
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


# --- security groups -----------------------------------------------------------


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


# --- network ACLs --------------------------------------------------------------


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


# --- route tables --------------------------------------------------------------

ROUTE_DESTINATION_FIELDS = (
    "DestinationCidrBlock",
    "DestinationIpv6CidrBlock",
    "DestinationPrefixListId",
)


def route_key(route: Mapping[str, Any]) -> ItemKey:
    """Routes are keyed by destination: IPv4 CIDR, IPv6 CIDR or prefix list."""
    for field in ROUTE_DESTINATION_FIELDS:
        if route.get(field):
            return (field, route[field])
    return ("", "")


def route_association_key(association: Mapping[str, Any]) -> ItemKey:
    """The main association is its own key; others are keyed by subnet or gateway."""
    if association.get("Main"):
        return ("main", "")
    if association.get("SubnetId"):
        return ("subnet", association["SubnetId"])
    return ("gateway", association.get("GatewayId", ""))


def canonical_route_table(raw: Mapping[str, Any]) -> Item:
    """A route table without route states and association ids, in canonical order."""
    item = without(raw, "Routes", "Associations", "PropagatingVgws", "Tags")
    routes = (without(route, "State") for route in raw.get("Routes") or [])
    item["Routes"] = sort_by(routes, route_key)
    associations = (
        without(association, "RouteTableAssociationId", "AssociationState")
        for association in raw.get("Associations") or []
        if _association_live(association)
    )
    item["Associations"] = sort_by(associations, route_association_key)
    item["PropagatingVgws"] = sort_by(
        (dict(vgw) for vgw in raw.get("PropagatingVgws") or []),
        lambda vgw: (vgw["GatewayId"],),
    )
    item["Tags"] = sorted_tags(raw)
    return item


def _association_live(association: Mapping[str, Any]) -> bool:
    state = (association.get("AssociationState") or {}).get("State", "associated")
    return state in ("associated", "associating")


# --- network interfaces -------------------------------------------------------


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


# --- the rest ------------------------------------------------------------------


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
