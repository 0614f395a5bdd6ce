"""Exact sets of ports, ICMP type/code pairs and IP addresses.

Every set is a tuple of sorted, disjoint, non-adjacent inclusive integer spans,
so union, intersection and difference are linear merges and two equal sets are
equal tuples (hashable, usable as dictionary keys). Addresses are integers of
their family (IPv4 and IPv6 never mix); prefixes go in through ``ipaddress`` and
come back out as the minimal CIDR list of each span
(``ipaddress.summarize_address_range``).

ICMP type/code pairs share the port machinery: the pair (type, code) is the key
``type * 256 + code``, so "every code of type 3" is one span and "every type"
is the whole key space, exactly like "every port".
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

Span = tuple[int, int]

PORT_MIN = 0
PORT_MAX = 65535
KEY_SPACE: Span = (PORT_MIN, PORT_MAX)
ICMP_CODES = 256
ANY = -1

UNIVERSE_MAX = {4: 2**32 - 1, 6: 2**128 - 1}
FAMILY_NAMES = {4: "ipv4", 6: "ipv6"}
NETWORK_CLASSES: dict[int, Any] = {4: ipaddress.IPv4Network, 6: ipaddress.IPv6Network}
ADDRESS_CLASSES: dict[int, Any] = {4: ipaddress.IPv4Address, 6: ipaddress.IPv6Address}


def _normalise(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sort spans and merge the ones that overlap or touch; drop empty ones."""
    merged: list[list[int]] = []
    for lo, hi in sorted(span for span in spans if span[0] <= span[1]):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


@dataclass(frozen=True, slots=True)
class IntervalSet:
    """A set of integers as sorted, disjoint, non-adjacent inclusive spans."""

    spans: tuple[Span, ...] = ()

    @classmethod
    def of(cls, spans: Iterable[Span]) -> IntervalSet:
        """The set covering ``spans`` (in any order, overlapping or not)."""
        return cls(_normalise(spans))

    @classmethod
    def span(cls, lo: int, hi: int) -> IntervalSet:
        """The integers lo..hi (empty when lo > hi)."""
        return cls(((lo, hi),) if lo <= hi else ())

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __iter__(self) -> Iterator[Span]:
        return iter(self.spans)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        return any(lo <= value <= hi for lo, hi in self.spans)

    def __or__(self, other: IntervalSet) -> IntervalSet:
        if not other.spans or self.spans == other.spans:
            return self
        if not self.spans:
            return other
        return IntervalSet(_normalise(self.spans + other.spans))

    def __and__(self, other: IntervalSet) -> IntervalSet:
        mine, theirs = self.spans, other.spans
        # Fast paths: the operations of an evaluation mostly meet equal sets or
        # one span that holds the other set whole (0.0.0.0/0, every port).
        if mine == theirs or not mine:
            return self
        if not theirs:
            return other
        if (
            len(theirs) == 1
            and theirs[0][0] <= mine[0][0]
            and mine[-1][1] <= theirs[0][1]
        ):
            return self
        if (
            len(mine) == 1
            and mine[0][0] <= theirs[0][0]
            and theirs[-1][1] <= mine[0][1]
        ):
            return other
        result: list[Span] = []
        i = j = 0
        while i < len(mine) and j < len(theirs):
            lo = max(mine[i][0], theirs[j][0])
            hi = min(mine[i][1], theirs[j][1])
            if lo <= hi:
                result.append((lo, hi))
            if mine[i][1] < theirs[j][1]:
                i += 1
            else:
                j += 1
        return IntervalSet(tuple(result))

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        if not self.spans or not other.spans:
            return self
        if self.spans == other.spans:
            return NO_KEYS
        result: list[Span] = []
        theirs = other.spans
        j = 0
        for lo, hi in self.spans:
            start = lo
            while j < len(theirs) and theirs[j][1] < start:
                j += 1
            k = j
            while k < len(theirs) and theirs[k][0] <= hi:
                if theirs[k][0] > start:
                    result.append((start, theirs[k][0] - 1))
                start = max(start, theirs[k][1] + 1)
                k += 1
            if start <= hi:
                result.append((start, hi))
        return IntervalSet(tuple(result))

    def size(self) -> int:
        """How many integers the set holds."""
        return sum(hi - lo + 1 for lo, hi in self.spans)

    def first(self) -> int:
        """The smallest member (the set must not be empty)."""
        return self.spans[0][0]

    def covers(self, lo: int, hi: int) -> bool:
        """True when every integer lo..hi is in the set."""
        return any(a <= lo and hi <= b for a, b in self.spans)

    def as_lists(self) -> list[list[int]]:
        """The spans as ``[[from, to], ...]`` for JSON."""
        return [[lo, hi] for lo, hi in self.spans]


FULL_KEYS = IntervalSet.span(*KEY_SPACE)
NO_KEYS = IntervalSet()


def port_range(from_port: Any, to_port: Any) -> IntervalSet:
    """The ports of a rule; -1 or absent fields mean every port."""
    if from_port is None or to_port is None or int(from_port) == ANY:
        return FULL_KEYS
    lo, hi = sorted((int(from_port), int(to_port)))
    return IntervalSet.span(max(lo, PORT_MIN), min(hi, PORT_MAX))


def icmp_keys(icmp_type: Any, icmp_code: Any) -> IntervalSet:
    """The keys of an ICMP (type, code) match; -1 means any type or any code."""
    kind = ANY if icmp_type is None else int(icmp_type)
    code = ANY if icmp_code is None else int(icmp_code)
    if kind == ANY:
        return FULL_KEYS
    base = kind * ICMP_CODES
    if code == ANY:
        return IntervalSet.span(base, base + ICMP_CODES - 1)
    return IntervalSet.span(base + code, base + code)


def icmp_pairs(keys: IntervalSet) -> list[list[int]]:
    """ICMP keys back to ``[type, code]`` pairs, with -1 for every type or code."""
    if keys.covers(*KEY_SPACE):
        return [[ANY, ANY]]
    pairs: list[list[int]] = []
    for lo, hi in keys:
        for kind in range(lo // ICMP_CODES, hi // ICMP_CODES + 1):
            first = max(lo, kind * ICMP_CODES)
            last = min(hi, kind * ICMP_CODES + ICMP_CODES - 1)
            if last - first == ICMP_CODES - 1:
                pairs.append([kind, ANY])
                continue
            pairs.extend(
                [kind, key - kind * ICMP_CODES] for key in range(first, last + 1)
            )
    return pairs


@dataclass(frozen=True, slots=True)
class AddressSet:
    """A set of IP addresses of one family (4 or 6), kept as integer spans."""

    version: int
    spans: IntervalSet = NO_KEYS

    @classmethod
    def full(cls, version: int) -> AddressSet:
        """Every address of the family: 0.0.0.0/0 or ::/0."""
        return _FULL[version]

    @classmethod
    def empty(cls, version: int) -> AddressSet:
        """No address of the family."""
        return _EMPTY[version]

    @classmethod
    def from_cidrs(cls, version: int, cidrs: Iterable[str]) -> AddressSet:
        """The addresses of the CIDRs of this family; others are ignored."""
        spans = []
        for cidr in cidrs:
            family, lo, hi = _cidr_span(cidr)
            if family == version:
                spans.append((lo, hi))
        return cls(version, IntervalSet.of(spans))

    @classmethod
    def cidr(cls, text: str) -> AddressSet:
        """The addresses of one CIDR (its family decides the set's family)."""
        return cls.from_cidrs(_cidr_span(text)[0], [text])

    def _same(self, other: AddressSet) -> None:
        if other.version != self.version:
            raise ValueError("IPv4 and IPv6 address sets do not mix")

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __or__(self, other: AddressSet) -> AddressSet:
        self._same(other)
        return self._with(self.spans | other.spans, other)

    def __and__(self, other: AddressSet) -> AddressSet:
        self._same(other)
        return self._with(self.spans & other.spans, other)

    def __sub__(self, other: AddressSet) -> AddressSet:
        self._same(other)
        return self._with(self.spans - other.spans, other)

    def _with(self, spans: IntervalSet, other: AddressSet) -> AddressSet:
        # Reuse an operand when the result is one of them: no new object.
        if spans is self.spans:
            return self
        if spans is other.spans:
            return other
        return AddressSet(self.version, spans)

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, str):
            return False
        parsed = ipaddress.ip_address(address)
        return parsed.version == self.version and int(parsed) in self.spans

    @property
    def family(self) -> str:
        """``ipv4`` or ``ipv6``."""
        return FAMILY_NAMES[self.version]

    def is_full(self) -> bool:
        """True for 0.0.0.0/0 or ::/0."""
        spans = self.spans.spans
        return len(spans) == 1 and spans[0] == (0, UNIVERSE_MAX[self.version])

    def size(self) -> int:
        """How many addresses the set holds."""
        return self.spans.size()

    def first(self) -> str:
        """The lowest address, as text (the set must not be empty)."""
        return str(ADDRESS_CLASSES[self.version](self.spans.first()))

    def to_cidrs(self) -> tuple[str, ...]:
        """The minimal CIDR list covering exactly this set, ascending."""
        address = ADDRESS_CLASSES[self.version]
        cidrs: list[str] = []
        for lo, hi in self.spans:
            cidrs.extend(
                str(network)
                for network in ipaddress.summarize_address_range(
                    address(lo), address(hi)
                )
            )
        return tuple(cidrs)


# Sets are immutable, so the two extremes of each family are built once.
_FULL = {v: AddressSet(v, IntervalSet.span(0, top)) for v, top in UNIVERSE_MAX.items()}
_EMPTY = {v: AddressSet(v) for v in UNIVERSE_MAX}


@functools.lru_cache(maxsize=65536)
def _cidr_span(text: str) -> tuple[int, int, int]:
    # The same few CIDRs (0.0.0.0/0, office ranges, VPC blocks) recur in every
    # rule and route of an estate: parse each once.
    network = parse_network(text)
    return network.version, int(network.network_address), int(network[-1])


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A CIDR as a network; host bits are dropped the way AWS stores them."""
    return ipaddress.ip_network(str(text).strip(), strict=False)


def family_of(cidr: str) -> int:
    """4 or 6: the family of a CIDR."""
    return parse_network(cidr).version


def prefix_length(cidr: str) -> int:
    """The prefix length of a CIDR."""
    return parse_network(cidr).prefixlen
