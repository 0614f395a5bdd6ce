"""Describers of the parts that decide reachability: rules, entries, routes, addresses.

Each describer reads one changed part and answers its kind of drift (a row of
``severity.KINDS``) and one sentence for a responder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftwatch import canonical, registry
from driftwatch.drift import severity
from driftwatch.drift.part import PartChange, Verdict

ACL_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "-1": "all"}
ROUTE_TARGET_FIELDS = (
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "EgressOnlyInternetGatewayId",
    "NetworkInterfaceId",
    "InstanceId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "CoreNetworkArn",
)
WORLD_SOURCES = ("0.0.0.0/0", "::/0")


def ports_text(protocol: str, from_port: Any, to_port: Any) -> str:
    """``tcp/22``, ``udp/1000-2000``, ``all traffic``, ``icmp type 8``..."""
    if protocol == "all":
        return "all traffic"
    if protocol not in ("tcp", "udp", "icmp", "icmpv6"):
        return f"protocol {protocol}"
    if protocol.startswith("icmp"):
        return protocol if from_port in (None, -1) else f"{protocol} type {from_port}"
    if from_port in (None, -1) or (from_port == 0 and to_port == 65535):
        return f"{protocol}/all ports"
    if from_port == to_port:
        return f"{protocol}/{from_port}"
    return f"{protocol}/{from_port}-{to_port}"


# --- security group rules --------------------------------------------------------


def _sg_protocol(rule: Mapping[str, Any]) -> str:
    protocol = canonical.sg_protocol(rule["IpProtocol"])
    return "all" if protocol == canonical.ALL_PROTOCOLS else protocol


def _rule_text(rule: Mapping[str, Any]) -> str:
    protocol = _sg_protocol(rule)
    return ports_text(protocol, rule.get("FromPort"), rule.get("ToPort"))


def _source_text(rule: Mapping[str, Any]) -> str:
    field, value = canonical.rule_source(rule)
    if field == "PrefixListIds":
        return f"prefix list {value}"
    if field == "UserIdGroupPairs":
        return f"security group {value}"
    return value


def _reaches_internet(part: PartChange, rule: Mapping[str, Any]) -> bool:
    """A CIDR source that is public, or a prefix list with a public entry."""
    field, value = canonical.rule_source(rule)
    if field in ("IpRanges", "Ipv6Ranges"):
        return severity.is_internet(value)
    if field != "PrefixListIds":
        return False
    prefix_list = part.lookup.current_properties(
        part.resource_key, registry.PREFIX_LIST, value
    )
    entries = (prefix_list or {}).get("Entries") or []
    return any(severity.is_internet(entry.get("Cidr")) for entry in entries)


def _rule_is_admin(rule: Mapping[str, Any]) -> bool:
    return severity.covers_admin_port(
        _sg_protocol(rule), rule.get("FromPort"), rule.get("ToPort")
    )


def ingress_rule(part: PartChange) -> Verdict:
    """An inbound security group rule (one source) added, removed or re-described."""
    rule = part.value
    text, source = _rule_text(rule), _source_text(rule)
    if part.action == "removed":
        return Verdict("rule-removed", f"{text} from {source} closed on {part.label}")
    if part.action == "changed":
        return Verdict(
            "rule-description",
            f"description of inbound {text} from {source} changed on {part.label}",
        )
    summary = f"{text} opened to {source} on {part.label}"
    if not _reaches_internet(part, rule):
        return Verdict("ingress-rule", summary)
    if _rule_is_admin(rule):
        return Verdict("ingress-internet-admin", summary)
    return Verdict("ingress-internet", summary)


def egress_rule(part: PartChange) -> Verdict:
    """An outbound security group rule (one destination) added or removed."""
    rule = part.value
    text, destination = _rule_text(rule), _source_text(rule)
    if part.action == "removed":
        return Verdict(
            "rule-removed",
            f"outbound {text} to {destination} closed on {part.label}",
        )
    if part.action == "changed":
        return Verdict(
            "rule-description",
            f"description of outbound {text} to {destination} changed on {part.label}",
        )
    summary = f"outbound {text} to {destination} opened on {part.label}"
    kind = "egress-internet" if _reaches_internet(part, rule) else "egress-rule"
    return Verdict(kind, summary)


# --- network ACL entries -----------------------------------------------------------


def _acl_protocol(entry: Mapping[str, Any]) -> str:
    protocol = canonical.acl_protocol(entry["Protocol"])
    return ACL_PROTOCOL_NAMES.get(protocol, protocol)


def _acl_ports(entry: Mapping[str, Any]) -> tuple[Any, Any]:
    if "IcmpTypeCode" in entry:
        return entry["IcmpTypeCode"].get("Type"), entry["IcmpTypeCode"].get("Code")
    port_range = entry.get("PortRange") or {}
    return port_range.get("From"), port_range.get("To")


def _acl_cidr(entry: Mapping[str, Any]) -> str:
    return str(entry.get("CidrBlock") or entry.get("Ipv6CidrBlock") or "")


def acl_entry_text(entry: Mapping[str, Any]) -> str:
    """``allow tcp/22 from 0.0.0.0/0``: what an ACL entry does."""
    direction = "to" if entry.get("Egress") else "from"
    text = ports_text(_acl_protocol(entry), *_acl_ports(entry))
    return f"{entry.get('RuleAction', '?')} {text} {direction} {_acl_cidr(entry)}"


def _acl_opens(entry: Mapping[str, Any]) -> str | None:
    """The kind for an inbound allow from the internet, else None."""
    if entry.get("Egress") or entry.get("RuleAction") != "allow":
        return None
    if not severity.is_internet(_acl_cidr(entry)):
        return None
    protocol = _acl_protocol(entry)
    if severity.covers_admin_port(protocol, *_acl_ports(entry)):
        return "acl-inbound-internet-admin"
    return "acl-inbound-internet"


def acl_entry(part: PartChange) -> Verdict:
    """A network ACL entry (direction, rule number) added, removed or rewritten."""
    entry = part.value
    direction = "outbound" if entry.get("Egress") else "inbound"
    rule = f"{direction} ACL rule {entry.get('RuleNumber')}"
    if part.action == "removed":
        return Verdict(
            "acl-entry",
            f"{rule} removed from {part.label} (was {acl_entry_text(entry)})",
        )
    if part.action == "added":
        summary = f"{rule} added to {part.label}: {acl_entry_text(entry)}"
    else:
        summary = (
            f"{rule} in {part.label} now reads {acl_entry_text(part.after)} "
            f"(was {acl_entry_text(part.before)})"
        )
    return Verdict(_acl_opens(entry) or "acl-entry", summary)


# --- routes ------------------------------------------------------------------------


def route_target(route: Mapping[str, Any]) -> str:
    """Where a route sends traffic: the gateway, NAT, peering... id."""
    for field in ROUTE_TARGET_FIELDS:
        if route.get(field):
            return str(route[field])
    return "nowhere"


def route_destination(route: Mapping[str, Any]) -> str:
    """The destination of a route: a CIDR or a prefix list id."""
    return str(canonical.route_key(route)[1])


def _to_internet_gateway(route: Mapping[str, Any]) -> bool:
    return str(route.get("GatewayId", "")).startswith("igw-")


def is_managed_route(part: PartChange) -> bool:
    """A route AWS adds and removes itself: local, or a gateway endpoint's."""
    if part.action == "changed":
        return False
    gateway = str(part.value.get("GatewayId", ""))
    endpoint_route = (
        gateway.startswith("vpce-") and "DestinationPrefixListId" in part.value
    )
    return gateway == "local" or endpoint_route


def route(part: PartChange) -> Verdict:
    """A route (by destination) added, removed or pointed elsewhere."""
    value = part.value
    destination, target = route_destination(value), route_target(value)
    if part.action == "removed":
        return Verdict(
            "route", f"route {destination} removed from {part.label} (was {target})"
        )
    if part.action == "added":
        summary = f"route {destination} added to {part.label}, to {target}"
    else:
        summary = (
            f"route {destination} in {part.label} now goes to {target} "
            f"(was {route_target(part.before)})"
        )
    kind = "route-to-internet-gateway" if _to_internet_gateway(value) else "route"
    return Verdict(kind, summary)


def route_table_association(part: PartChange) -> Verdict:
    """A subnet, gateway or main association of a route table."""
    association = part.value
    if association.get("Main"):
        vpc = part.resource_after.get("VpcId") or part.resource_before.get("VpcId")
        now = f"{part.label} is now the main route table of {vpc}"
        gone = f"{part.label} is no longer the main route table of {vpc}"
    else:
        where = association.get("SubnetId") or association.get("GatewayId") or "?"
        now = f"{where} now uses route table {part.label}"
        gone = f"{where} no longer uses route table {part.label}"
    if part.action == "removed":
        return Verdict("association", gone)
    routes = part.resource_after.get("Routes") or []
    if any(_to_internet_gateway(r) for r in routes):
        return Verdict(
            "association-to-public-route-table",
            f"{now}, which routes to an internet gateway",
        )
    return Verdict("association", now)


def acl_association(part: PartChange) -> Verdict:
    """A subnet moved to or away from a network ACL."""
    subnet = part.value.get("SubnetId", "?")
    if part.action == "removed":
        return Verdict(
            "association", f"{subnet} no longer uses network ACL {part.label}"
        )
    return Verdict("association", f"{subnet} now uses network ACL {part.label}")


def propagating_gateway(part: PartChange) -> Verdict:
    """Route propagation from a virtual private gateway switched on or off."""
    gateway = part.value.get("GatewayId", "?")
    state = "disabled" if part.action == "removed" else "enabled"
    return Verdict("route", f"route propagation from {gateway} {state} on {part.label}")


# --- gateways and addresses ----------------------------------------------------------


def internet_gateway_attachment(part: PartChange) -> Verdict:
    """An internet gateway attached to or detached from a VPC."""
    vpc = part.value.get("VpcId", "?")
    if part.action == "removed":
        return Verdict("gateway-detached", f"{part.label} detached from {vpc}")
    return Verdict("gateway-attached", f"{part.label} attached to {vpc}")


def egress_only_gateway_attachment(part: PartChange) -> Verdict:
    """An egress-only gateway attached or detached: lets nothing in."""
    vpc = part.value.get("VpcId", "?")
    if part.action == "removed":
        return Verdict("gateway-detached", f"{part.label} detached from {vpc}")
    return Verdict("association", f"{part.label} attached to {vpc}")


def _requester_managed(part: PartChange, interface_id: str) -> bool:
    interface = part.lookup.current_properties(
        part.resource_key, registry.NETWORK_INTERFACE, interface_id
    )
    key = (*part.resource_key[:2], registry.NETWORK_INTERFACE, interface_id)
    return interface is not None and part.lookup.service_managed(key, interface)


def elastic_ip_placement(part: PartChange) -> Verdict:
    """An Elastic IP placed on, moved between or taken off network interfaces."""
    public_ip = part.resource_after.get("PublicIp") or part.resource_before.get(
        "PublicIp"
    )
    address = f"Elastic IP {public_ip} ({part.resource_key[3]})"
    before = _placement(part.before)
    after = _placement(part.after)
    if part.after is None:
        return Verdict("public-address-removed", f"{address} removed from {before}")
    # A NAT gateway's Elastic IP sits on its own requester-managed ENI and lets
    # nothing in: not an exposure.
    interface = part.after.get("NetworkInterfaceId", "")
    kind = (
        "association"
        if _requester_managed(part, interface)
        else "public-address-on-interface"
    )
    if part.before is None:
        return Verdict(kind, f"{address} placed on {after}")
    return Verdict(kind, f"{address} moved from {before} to {after}")


def _placement(association: Mapping[str, Any] | None) -> str:
    """``eni-1 (10.0.1.5)``: where an Elastic IP sits."""
    if not association:
        return "nothing"
    where = association.get("NetworkInterfaceId") or association.get("InstanceId")
    private = association.get("PrivateIpAddress")
    return f"{where} ({private})" if private else str(where)


def _public_address_text(association: Mapping[str, Any]) -> str:
    if association.get("AllocationId"):
        public_ip = association.get("PublicIp", "?")
        return f"Elastic IP {public_ip} ({association['AllocationId']})"
    return "an auto-assigned public IPv4 address"


def interface_public_address(part: PartChange) -> Verdict:
    """The public address association of an interface (its primary private IP)."""
    if part.action == "removed":
        text = _public_address_text(part.before)
        return Verdict("public-address-removed", f"{text} removed from {part.label}")
    text = _public_address_text(part.after)
    return Verdict("public-address-on-interface", f"{text} now on {part.label}")


def interface_private_address(part: PartChange) -> Verdict:
    """A private IP of an interface, with the public address it may carry."""
    private = part.value.get("PrivateIpAddress", "?")
    before = (part.before or {}).get("Association")
    after = (part.after or {}).get("Association")
    if after and after != before:
        text = _public_address_text(after)
        return Verdict(
            "public-address-on-interface", f"{text} now on {private} of {part.label}"
        )
    if before and not after:
        text = _public_address_text(before)
        return Verdict(
            "public-address-removed", f"{text} removed from {private} of {part.label}"
        )
    if part.action == "changed":
        return Verdict("setting", f"private IP {private} of {part.label} changed")
    verb = "removed from" if part.action == "removed" else "added to"
    return Verdict("setting", f"private IP {private} {verb} {part.label}")


def interface_ipv6_address(part: PartChange) -> Verdict:
    """An IPv6 address on an interface: reachable from the internet if routed."""
    address = part.value.get("Ipv6Address", "?")
    if part.action == "removed":
        return Verdict(
            "public-address-removed",
            f"IPv6 address {address} removed from {part.label}",
        )
    return Verdict(
        "public-address-on-interface", f"IPv6 address {address} added to {part.label}"
    )


def interface_group(part: PartChange) -> Verdict:
    """A security group attached to or detached from an interface."""
    group = part.value.get("GroupId", "?")
    name = part.value.get("GroupName")
    text = f"security group {group} ({name})" if name else f"security group {group}"
    verb = "detached from" if part.action == "removed" else "attached to"
    return Verdict("security-group-attachment", f"{text} {verb} {part.label}")
