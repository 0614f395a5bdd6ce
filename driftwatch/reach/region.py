"""Exact two-dimensional sets: (port or ICMP key, source address) pairs.

Which sources can reach a port is not a product of a port set and a source set
in general (SSH from the office, HTTPS from anywhere), so a ``Region`` is a
piecewise map from key spans to address sets: sorted disjoint key segments,
each with the non-empty set of addresses that reach every key in it. Adjacent
segments with equal address sets are merged, which makes the form canonical:
equal regions are equal tuples.

Set operations overlay the segment boundaries of both operands and combine the
address sets per elementary span, so their cost grows with the number of rule
boundaries, never with the number of ports or addresses.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from driftwatch.reach.intervals import AddressSet, IntervalSet, Span

Segment = tuple[int, int, AddressSet]
Combine = Callable[[AddressSet, AddressSet], AddressSet]


def _merge(pieces: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for lo, hi, addresses in pieces:
        if not addresses:
            continue
        if merged and merged[-1][1] + 1 == lo and merged[-1][2] == addresses:
            merged[-1] = (merged[-1][0], hi, addresses)
        else:
            merged.append((lo, hi, addresses))
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class Region:
    """A set of (key, address) pairs of one address family."""

    version: int
    segments: tuple[Segment, ...] = ()

    @classmethod
    def empty(cls, version: int) -> Region:
        """No pair at all."""
        return _EMPTY[version]

    @classmethod
    def rect(cls, keys: IntervalSet, addresses: AddressSet) -> Region:
        """Every key of ``keys`` from every address of ``addresses``."""
        if not addresses:
            return _EMPTY[addresses.version]
        return cls(
            addresses.version,
            tuple((lo, hi, addresses) for lo, hi in keys),
        )

    def __bool__(self) -> bool:
        return bool(self.segments)

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.segments)

    def __or__(self, other: Region) -> Region:
        if not other.segments or other.segments == self.segments:
            return self
        if not self.segments:
            return other
        return self._overlay(other, _union)

    def __and__(self, other: Region) -> Region:
        if not self.segments or other.segments == self.segments:
            return self
        if not other.segments:
            return other
        return self._overlay(other, _intersection)

    def __sub__(self, other: Region) -> Region:
        if not self.segments or not other.segments:
            return self
        if other.segments == self.segments:
            return _EMPTY[self.version]
        return self._overlay(other, _difference)

    def _overlay(self, other: Region, combine: Combine) -> Region:
        if other.version != self.version:
            raise ValueError("IPv4 and IPv6 regions do not mix")
        cuts = sorted(
            {lo for lo, _, _ in self.segments}
            | {hi + 1 for _, hi, _ in self.segments}
            | {lo for lo, _, _ in other.segments}
            | {hi + 1 for _, hi, _ in other.segments}
        )
        nothing = AddressSet.empty(self.version)
        mine, theirs = _Cursor(self.segments, nothing), _Cursor(other.segments, nothing)
        pieces = [
            (lo, nxt - 1, combine(mine.at(lo), theirs.at(lo)))
            for lo, nxt in itertools.pairwise(cuts)
        ]
        return Region(self.version, _merge(pieces))

    def restrict(self, addresses: AddressSet) -> Region:
        """The pairs whose address is in ``addresses``."""
        if addresses.is_full():
            return self
        pieces = [(lo, hi, found & addresses) for lo, hi, found in self.segments]
        return Region(self.version, _merge(pieces))

    def at(self, key: int) -> AddressSet:
        """The addresses that reach ``key``."""
        for lo, hi, addresses in self.segments:
            if lo <= key <= hi:
                return addresses
        return AddressSet.empty(self.version)

    def keys(self) -> IntervalSet:
        """The keys some address reaches."""
        return IntervalSet.of((lo, hi) for lo, hi, _ in self.segments)

    def addresses(self) -> AddressSet:
        """The addresses that reach some key."""
        result = AddressSet.empty(self.version)
        for _, _, addresses in self.segments:
            result = result | addresses
        return result

    def covering(self, span: Span) -> AddressSet:
        """The addresses that reach every key of ``span``."""
        lo, hi = span
        result = AddressSet.full(self.version)
        expected = lo
        for first, last, addresses in self.segments:
            if last < lo or first > hi:
                continue
            if first > expected:
                return AddressSet.empty(self.version)
            result = result & addresses
            expected = last + 1
        if expected <= hi:
            return AddressSet.empty(self.version)
        return result

    def groups(self) -> list[tuple[IntervalSet, AddressSet]]:
        """(keys, addresses) rectangles, one per distinct address set, ascending."""
        keys_of: dict[AddressSet, list[Span]] = {}
        for lo, hi, addresses in self.segments:
            keys_of.setdefault(addresses, []).append((lo, hi))
        return [(IntervalSet.of(spans), found) for found, spans in keys_of.items()]


def _union(a: AddressSet, b: AddressSet) -> AddressSet:
    return a | b


def _intersection(a: AddressSet, b: AddressSet) -> AddressSet:
    return a & b


def _difference(a: AddressSet, b: AddressSet) -> AddressSet:
    return a - b


class _Cursor:
    """Walks a region's segments for ascending keys."""

    def __init__(self, segments: tuple[Segment, ...], nothing: AddressSet) -> None:
        self.segments = segments
        self.nothing = nothing
        self.index = 0

    def at(self, key: int) -> AddressSet:
        while self.index < len(self.segments) and self.segments[self.index][1] < key:
            self.index += 1
        if self.index < len(self.segments) and self.segments[self.index][0] <= key:
            return self.segments[self.index][2]
        return self.nothing


_EMPTY = {4: Region(4), 6: Region(6)}
