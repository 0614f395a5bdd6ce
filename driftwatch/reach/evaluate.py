"""The exact checks of one inbound internet path, per protocol class and family.

For an interface with a public address in a VPC with an attached internet
gateway, a (source, key) pair of a protocol class gets through when:

- the longest-prefix route for the source in the subnet's route table is an
  active route to that gateway (ties: static CIDR routes, then prefix-list
  routes, then propagated routes; ``route_sources``);
- the subnet's network ACL lets the request in: entries by ascending number,
  first match wins, default deny, each family its own entries (``acl_region``);
- the same ACL lets the reply out (ACLs are stateless, ``replies``);
- some inbound rule of some security group on the interface allows it
  (``group_region``; groups are stateful, so their outbound rules do not matter).

Replies. TCP and UDP replies go to the client's ephemeral port; a source counts
when the outbound rules allow the reply to at least one port of the ephemeral
range (1024-65535 unless the caller says otherwise), and the ports that work
are kept beside it (``reply_ports``), so a partial range (a Linux-only
32768-60999, say) is reported rather than hidden. ICMP requests that expect a
reply (echo, timestamp, information, address mask; ICMPv6 echo) need the reply
type allowed out; other ICMP messages need only get in. Every other protocol
needs the outbound entries to allow that protocol back to the source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from driftwatch.reach import rules as r
from driftwatch.reach.intervals import ICMP_CODES, AddressSet, IntervalSet, Span
from driftwatch.reach.region import Region

EPHEMERAL_PORTS: Span = (1024, 65535)

# ICMP request types whose reply must pass the outbound ACL, and the reply type.
ICMP_REPLIES = {
    r.ICMP: {8: 0, 13: 14, 15: 16, 17: 18},
    r.ICMPV6: {128: 129},
}

Replies = tuple[tuple[AddressSet, IntervalSet], ...]


class ClassResult(NamedTuple):
    """What each check lets through for one protocol class of one family:
    the keys some world-open group rule opens, the ACL's inbound region, the
    exposed region and the tcp/udp reply cells. (A named tuple, immutable like
    the rest: tens of thousands are built per estate.)"""

    protocol: int
    world_keys: IntervalSet
    acl_inbound: Region
    exposed: Region
    replies: Replies


def protocol_classes(
    group_rules: Iterable[r.SecurityGroupRule], acl_rules: Iterable[r.NetworkAclRule]
) -> tuple[int, ...]:
    """tcp, udp, icmp, icmpv6, every other number a rule names, then REST."""
    named = {rule.protocol for rule in group_rules} | {
        rule.protocol for rule in acl_rules
    }
    named = (named | r.PORTED) - {r.ALL}
    return (*sorted(named), r.REST)


def route_sources(
    routes: Iterable[r.Route], gateways: frozenset[str], version: int
) -> AddressSet:
    """Sources whose longest-prefix route is an active route to an internet gateway."""
    # LIMITATION: inspection on the way (an internet gateway firewall named by
    # a route's IgwFirewall, Network Firewall or Gateway Load Balancer endpoints
    # as targets) is taken as transparent, never as blocking; reports note it.
    claimed = AddressSet.empty(version)
    reachable = AddressSet.empty(version)
    for network, route in r.ordered_routes(routes, gateways, version):
        fresh = network - claimed
        if fresh and route.target in gateways:
            reachable = reachable | fresh
        claimed = claimed | network
    return reachable


@dataclass(frozen=True)
class Packet:
    """One concrete packet: protocol class, key (port or ICMP), source, family."""

    protocol: int
    key: int
    source: int
    version: int

    def with_key(self, key: int) -> Packet:
        """The same packet to another key (the reply's ephemeral port, say)."""
        return Packet(self.protocol, key, self.source, self.version)


def route_for(
    ordered: Sequence[tuple[AddressSet, r.Route]], packet: Packet
) -> r.Route | None:
    """The route longest-prefix match picks (from ``ordered_routes``) for the
    reply to a packet's source."""
    for network, route in ordered:
        if packet.source in network.spans:
            return route
    return None


def acl_region(
    acl_rules: Sequence[r.NetworkAclRule], egress: bool, protocol: int, version: int
) -> Region:
    """What one direction of an ACL allows: first match wins, default deny."""
    undecided = Region.rect(r.all_keys(protocol), AddressSet.full(version))
    allowed = Region.empty(version)
    for rule in acl_rules:
        if rule.egress != egress or not rule.matches(protocol, version):
            continue
        matched = Region.rect(rule.keys_for(protocol), rule.addresses)
        if rule.allow:
            allowed = allowed | (undecided & matched)
        undecided = undecided - matched
        if not undecided:
            break
    return allowed


def acl_rule_for(
    acl_rules: Sequence[r.NetworkAclRule], egress: bool, packet: Packet
) -> r.NetworkAclRule | None:
    """The entry that decides one packet (first match by rule number)."""
    for rule in acl_rules:
        if (
            rule.egress == egress
            and rule.matches(packet.protocol, packet.version)
            and packet.source in rule.addresses.spans
            and packet.key in rule.keys_for(packet.protocol)
        ):
            return rule
    return None


def group_region(
    group_rules: Iterable[r.SecurityGroupRule],
    protocol: int,
    version: int,
    *,
    world_only: bool = False,
) -> Region:
    """What the union of an interface's security groups admits from the internet."""
    region = Region.empty(version)
    for rule in group_rules:
        if not rule.matches(protocol):
            continue
        if world_only and not rule.world_open(version):
            continue
        region = region | Region.rect(rule.keys_for(protocol), rule.sources(version))
    return region


def group_rule_for(
    group_rules: Iterable[r.SecurityGroupRule], packet: Packet
) -> r.SecurityGroupRule | None:
    """A security group rule that admits one packet."""
    for rule in group_rules:
        if (
            rule.matches(packet.protocol)
            and packet.key in rule.keys_for(packet.protocol)
            and packet.source in rule.sources(packet.version).spans
        ):
            return rule
    return None


def reply_classes(outbound: Region, ephemeral: Span) -> Replies:
    """Sources grouped by the ephemeral ports the ACL lets their replies reach."""
    # LIMITATION: a client can pick a source port below the ephemeral range
    # (root on its own machine can); replies allowed only to such ports are
    # not counted as completing a connection.
    window = Region.rect(
        IntervalSet.span(*ephemeral), AddressSet.full(outbound.version)
    )
    cells: list[tuple[AddressSet, IntervalSet]] = [
        (AddressSet.full(outbound.version), IntervalSet())
    ]
    for lo, hi, addresses in outbound & window:
        refined: list[tuple[AddressSet, IntervalSet]] = []
        for cell, ports in cells:
            inside, outside = cell & addresses, cell - addresses
            if inside:
                refined.append((inside, ports | IntervalSet.span(lo, hi)))
            if outside:
                refined.append((outside, ports))
        cells = refined
    return tuple((cell, ports) for cell, ports in cells if ports)


def reply_filter(protocol: int, outbound: Region, version: int) -> Region:
    """The (key, source) pairs whose reply, if one is due, the ACL lets out."""
    everyone = AddressSet.full(version)
    if protocol not in r.ICMP_FAMILY:
        return Region.rect(r.all_keys(protocol), outbound.at(0))
    allowed = Region.rect(r.all_keys(protocol), everyone)
    for request, reply in ICMP_REPLIES[protocol].items():
        base = request * ICMP_CODES
        block = IntervalSet.span(base, base + ICMP_CODES - 1)
        refused = everyone - outbound.at(reply * ICMP_CODES)
        allowed = allowed - Region.rect(block, refused)
    return allowed


@dataclass(frozen=True)
class NetworkPath:
    """What the route table and the ACL let through one protocol class, before
    any security group: the ACL's inbound region, the (key, source) pairs whose
    request gets in and whose reply gets out, and the tcp/udp reply cells."""

    inbound: Region
    open: Region
    replies: Replies


def network_path(
    acl_rules: Sequence[r.NetworkAclRule],
    protocol: int,
    version: int,
    sources: AddressSet,
    ephemeral: Span,
) -> NetworkPath:
    """The route and both directions of the ACL for one protocol class."""
    inbound = acl_region(acl_rules, False, protocol, version)
    outbound = acl_region(acl_rules, True, protocol, version)
    admitted = inbound.restrict(sources)
    if protocol not in (r.TCP, r.UDP):
        return NetworkPath(
            inbound, admitted & reply_filter(protocol, outbound, version), ()
        )
    # LIMITATION: a UDP service that never answers (syslog, say) can be reached
    # by one-way datagrams even when its replies are blocked; it is reported
    # only when a reply can get out, like every connection.
    replies = reply_classes(outbound, ephemeral)
    answered = AddressSet.empty(version)
    for cell, _ in replies:
        answered = answered | cell
    return NetworkPath(inbound, admitted.restrict(answered), replies)
