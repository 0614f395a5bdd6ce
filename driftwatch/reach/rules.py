"""Security group rules, network ACL entries and routes as exact match sets.

Canonical properties are parsed once into frozen rule objects whose fields are
interval and address sets, so that evaluation never looks at a string such as
``0.0.0.0/0``. Each rule object knows the part name the drift engine gives it
(``IpPermissions[...]``, ``Entries[...]``, ``Routes[...]``), which is how an
exposure's witness path and a change point at the same thing.

Protocols are numbers (``-1`` for all). Evaluation works per protocol class: tcp,
udp, icmp, icmpv6, each other number that some rule names, and ``REST``, every
number no rule names (only ``-1`` rules can match those, so one evaluation
speaks for all of them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from driftwatch import canonical
from driftwatch.changes import part_name
from driftwatch.reach.intervals import (
    FULL_KEYS,
    KEY_SPACE,
    AddressSet,
    IntervalSet,
    Span,
    icmp_keys,
    parse_network,
    port_range,
)

ALL = -1
REST = -1
TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
PORTED = frozenset({TCP, UDP, ICMP, ICMPV6})
ICMP_FAMILY = frozenset({ICMP, ICMPV6})
PROTOCOL_NAMES = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6"}
PROTOCOL_NUMBERS = {name: number for number, name in PROTOCOL_NAMES.items()}
UNPORTED_SPACE: Span = (0, 0)
UNPORTED_KEYS = IntervalSet.span(*UNPORTED_SPACE)
VERSIONS = (4, 6)

# A prefix list id to its CIDRs, or None when the list is not in the snapshot.
PrefixResolver = Callable[[str], tuple[str, ...] | None]


def protocol_number(value: Any) -> int:
    """A protocol name or number (``tcp``, ``6``, ``-1``, ``all``) as a number."""
    text = str(value).lower()
    if text in ("-1", "all"):
        return ALL
    if text in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[text]
    return int(text)


def protocol_label(protocol: int) -> str:
    """The contract's name of a protocol class: tcp, udp, icmp, icmpv6, all, or N."""
    if protocol == ALL:
        return "all"
    return PROTOCOL_NAMES.get(protocol, str(protocol))


def key_space(protocol: int) -> Span:
    """Ports or ICMP keys for ported protocols; one key for every other protocol."""
    return KEY_SPACE if protocol in PORTED else UNPORTED_SPACE


def all_keys(protocol: int) -> IntervalSet:
    """Every key of a protocol class."""
    return FULL_KEYS if protocol in PORTED else UNPORTED_KEYS


def _keys_in_class(protocol: int, keys: IntervalSet, class_: int) -> IntervalSet:
    # A rule for -1, or for a protocol without ports, covers the whole class.
    if protocol == class_ and class_ in PORTED:
        return keys
    return all_keys(class_)


def _matches(protocol: int, class_: int) -> bool:
    return protocol == ALL or (class_ != REST and protocol == class_)


def _rule_keys(protocol: int, from_value: Any, to_value: Any) -> IntervalSet:
    if protocol in ICMP_FAMILY:
        return icmp_keys(from_value, to_value)
    if protocol in PORTED:
        return port_range(from_value, to_value)
    return FULL_KEYS


def _address_sets(cidrs: Iterable[str]) -> tuple[AddressSet, AddressSet]:
    listed = tuple(cidrs)
    return AddressSet.from_cidrs(4, listed), AddressSet.from_cidrs(6, listed)


# --- security groups -----------------------------------------------------------


@dataclass(frozen=True)
class SecurityGroupRule:
    """One inbound permission with one source, as exact sets."""

    group_id: str
    protocol: int
    keys: IntervalSet
    sources4: AddressSet
    sources6: AddressSet
    source_kind: str
    source_value: str
    key: tuple[Any, ...]
    label: str
    world_families: frozenset[int] = frozenset()

    @functools.cached_property
    def part(self) -> str:
        """The drift engine's name of this rule: ``IpPermissions[...]``."""
        return part_name("IpPermissions", self.key)

    def sources(self, version: int) -> AddressSet:
        """The internet addresses this rule admits in one family."""
        return self.sources4 if version == 4 else self.sources6

    def matches(self, class_: int) -> bool:
        """True when the rule applies to the protocol class."""
        return _matches(self.protocol, class_)

    def keys_for(self, class_: int) -> IntervalSet:
        """The keys the rule opens in a protocol class it matches."""
        return _keys_in_class(self.protocol, self.keys, class_)

    def world_open(self, version: int) -> bool:
        """True when the rule admits every address of the family."""
        return version in self.world_families


def security_group_rules(
    group_id: str, permissions: Iterable[Mapping[str, Any]], resolve: PrefixResolver
) -> tuple[tuple[SecurityGroupRule, ...], tuple[str, ...]]:
    """Inbound rules of a group, and the prefix lists it names that are unknown."""
    rules: list[SecurityGroupRule] = []
    unknown: list[str] = []
    for permission in permissions:
        field, value = canonical.rule_source(permission)
        cidrs, missing = _source_cidrs(field, value, resolve)
        if missing:
            unknown.append(value)
        protocol = protocol_number(permission["IpProtocol"])
        sources4, sources6 = _address_sets(cidrs)
        rules.append(
            SecurityGroupRule(
                group_id=group_id,
                protocol=protocol,
                keys=_rule_keys(
                    protocol, permission.get("FromPort"), permission.get("ToPort")
                ),
                sources4=sources4,
                sources6=sources6,
                source_kind=field,
                source_value=value,
                key=canonical.rule_key(permission),
                label=_rule_label(protocol, permission, value),
                world_families=frozenset(
                    version
                    for version, found in ((4, sources4), (6, sources6))
                    if found.is_full()
                ),
            )
        )
    return tuple(rules), tuple(unknown)


def _source_cidrs(
    field: str, value: str, resolve: PrefixResolver
) -> tuple[tuple[str, ...], bool]:
    # A rule naming another security group admits addresses of that group's
    # members, which are private: never an internet source.
    if field in ("IpRanges", "Ipv6Ranges"):
        return (value,), False
    if field == "PrefixListIds":
        entries = resolve(value)
        return (entries or ()), entries is None
    return (), False


def _rule_label(protocol: int, permission: Mapping[str, Any], source: str) -> str:
    name = protocol_label(protocol)
    low, high = permission.get("FromPort"), permission.get("ToPort")
    if protocol in ICMP_FAMILY:
        name = f"{name} type {low} code {high}"
    elif protocol in PORTED:
        name = f"{name} {low}-{high}" if low != high else f"{name} {low}"
    return f"{name} from {source}"


# --- network ACLs --------------------------------------------------------------


@dataclass(frozen=True)
class NetworkAclRule:
    """One network ACL entry as exact sets."""

    network_acl_id: str
    number: int
    egress: bool
    allow: bool
    protocol: int
    keys: IntervalSet
    addresses: AddressSet

    @functools.cached_property
    def part(self) -> str:
        """The drift engine's name of this entry: ``Entries[egress,number]``."""
        return part_name("Entries", (self.egress, self.number))

    def matches(self, class_: int, version: int) -> bool:
        """True when the entry applies to the protocol class and family."""
        return self.addresses.version == version and _matches(self.protocol, class_)

    def keys_for(self, class_: int) -> IntervalSet:
        """The keys the entry matches in a protocol class it applies to."""
        return _keys_in_class(self.protocol, self.keys, class_)


def network_acl_rules(
    network_acl_id: str, entries: Iterable[Mapping[str, Any]]
) -> tuple[NetworkAclRule, ...]:
    """The entries of an ACL, in evaluation order (ascending rule number)."""
    rules = [_acl_rule(network_acl_id, entry) for entry in entries]
    return tuple(
        sorted(
            (rule for rule in rules if rule is not None),
            key=lambda rule: (rule.egress, rule.number),
        )
    )


def _acl_rule(network_acl_id: str, entry: Mapping[str, Any]) -> NetworkAclRule | None:
    cidr = entry.get("CidrBlock") or entry.get("Ipv6CidrBlock")
    if not cidr:
        return None
    protocol = protocol_number(entry["Protocol"])
    if protocol in ICMP_FAMILY:
        code = entry.get("IcmpTypeCode") or {}
        keys = icmp_keys(code.get("Type"), code.get("Code"))
    elif protocol in PORTED:
        ports = entry.get("PortRange") or {}
        keys = port_range(ports.get("From"), ports.get("To"))
    else:
        keys = FULL_KEYS
    return NetworkAclRule(
        network_acl_id=network_acl_id,
        number=int(entry["RuleNumber"]),
        egress=bool(entry["Egress"]),
        allow=str(entry.get("RuleAction", "deny")).lower() == "allow",
        protocol=protocol,
        keys=keys,
        addresses=AddressSet.cidr(cidr),
    )


# --- routes --------------------------------------------------------------------

# Where a route sends traffic, in the order the fields are looked at.
ROUTE_TARGET_FIELDS = (
    "GatewayId",
    "EgressOnlyInternetGatewayId",
    "NatGatewayId",
    "VpcPeeringConnectionId",
    "TransitGatewayId",
    "NetworkInterfaceId",
    "InstanceId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "CoreNetworkArn",
)

# AWS route priority at equal prefix length: static CIDR routes, then prefix
# list routes, then routes propagated from a virtual private gateway.
RANK_STATIC, RANK_PREFIX_LIST, RANK_PROPAGATED = 0, 1, 2


@dataclass(frozen=True)
class Route:
    """One route: its destination networks, target and priority rank."""

    route_table_id: str
    destination: str
    networks: tuple[tuple[int, AddressSet], ...]
    target: str
    rank: int
    field: str

    @functools.cached_property
    def part(self) -> str:
        """The drift engine's name of this route: ``Routes[field,destination]``."""
        return part_name("Routes", (self.field, self.destination))


def routes(
    route_table_id: str, items: Iterable[Mapping[str, Any]], resolve: PrefixResolver
) -> tuple[tuple[Route, ...], tuple[str, ...]]:
    """The routes of a table, and the prefix lists they name that are unknown."""
    parsed: list[Route] = []
    unknown: list[str] = []
    for item in items:
        field, destination = canonical.route_key(item)
        if not field:
            continue
        cidrs: tuple[str, ...] = (destination,)
        if field == "DestinationPrefixListId":
            entries = resolve(destination)
            if entries is None:
                unknown.append(destination)
            cidrs = entries or ()
        parsed.append(
            Route(
                route_table_id=route_table_id,
                destination=destination,
                networks=tuple(
                    (parse_network(cidr).prefixlen, AddressSet.cidr(cidr))
                    for cidr in cidrs
                ),
                target=route_target(item),
                rank=_route_rank(field, item),
                field=field,
            )
        )
    return tuple(parsed), tuple(unknown)


def route_target(route: Mapping[str, Any]) -> str:
    """The id the route sends traffic to (``local`` for the VPC's own route)."""
    for field in ROUTE_TARGET_FIELDS:
        if route.get(field):
            return str(route[field])
    return ""


def _route_rank(field: str, route: Mapping[str, Any]) -> int:
    if route.get("Origin") == "EnableVgwRoutePropagation":
        return RANK_PROPAGATED
    if field == "DestinationPrefixListId":
        return RANK_PREFIX_LIST
    return RANK_STATIC


def ordered_routes(
    routes: Iterable[Route], gateways: frozenset[str], version: int
) -> list[tuple[AddressSet, Route]]:
    """Route networks of a family in the order longest-prefix match tries them."""
    items = [
        (length, route.rank, route.target not in gateways, network, route)
        for route in routes
        for length, network in route.networks
        if network.version == version
    ]
    # LIMITATION: AWS picks one of several equally long prefix-list routes to
    # different targets at random; preferring the internet gateway over-reports.
    items.sort(key=lambda item: (-item[0], item[1], item[2]))
    return [(network, route) for _, _, _, network, route in items]
