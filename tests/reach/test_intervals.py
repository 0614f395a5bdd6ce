"""Interval, prefix and region algebra agrees with brute force on small universes."""

from __future__ import annotations

import ipaddress
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from driftwatch.reach.intervals import (
    FULL_KEYS,
    AddressSet,
    IntervalSet,
    icmp_keys,
    icmp_pairs,
    port_range,
)
from driftwatch.reach.region import Region

SMALL = 63
FAST = settings(max_examples=150, deadline=None)

spans = st.lists(
    st.tuples(st.integers(0, SMALL), st.integers(0, SMALL)).map(sorted).map(tuple),
    max_size=6,
)


def members(interval_set: IntervalSet) -> set[int]:
    return {n for lo, hi in interval_set for n in range(lo, hi + 1)}


def model(raw: list[tuple[int, ...]]) -> set[int]:
    return {n for lo, hi in raw for n in range(lo, hi + 1)}


@FAST
@given(spans, spans)
def test_set_operations_agree_with_python_sets(a: list, b: list) -> None:
    left, right = IntervalSet.of(a), IntervalSet.of(b)

    assert members(left | right) == model(a) | model(b)
    assert members(left & right) == model(a) & model(b)
    assert members(left - right) == model(a) - model(b)
    assert (left | right).size() == len(model(a) | model(b))


@FAST
@given(spans)
def test_normal_form_is_sorted_disjoint_and_not_adjacent(a: list) -> None:
    result = IntervalSet.of(a).spans

    assert all(lo <= hi for lo, hi in result)
    assert all(first[1] + 1 < second[0] for first, second in itertools.pairwise(result))


@FAST
@given(spans, spans)
def test_equal_sets_have_equal_forms(a: list, b: list) -> None:
    left, right = IntervalSet.of(a), IntervalSet.of(b)

    assert (left == right) == (model(a) == model(b))


address_spans = st.lists(
    st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
    .map(sorted)
    .map(tuple),
    max_size=4,
)


@FAST
@given(address_spans)
def test_cidrs_round_trip_and_are_minimal(raw: list) -> None:
    addresses = AddressSet(4, IntervalSet.of(raw))

    cidrs = addresses.to_cidrs()

    assert AddressSet.from_cidrs(4, cidrs) == addresses
    networks = [ipaddress.ip_network(cidr) for cidr in cidrs]
    assert [str(n) for n in ipaddress.collapse_addresses(networks)] == list(cidrs)
    assert sum(n.num_addresses for n in networks) == addresses.size()


@FAST
@given(st.integers(0, 128), st.integers(0, 2**128 - 1))
def test_an_ipv6_prefix_round_trips(length: int, value: int) -> None:
    network = ipaddress.IPv6Network((value, length), strict=False)

    addresses = AddressSet.cidr(str(network))

    assert addresses.to_cidrs() == (str(network),)
    assert addresses.size() == network.num_addresses


def test_families_do_not_mix() -> None:
    v4, v6 = AddressSet.full(4), AddressSet.full(6)

    try:
        _ = v4 | v6
    except ValueError as exc:
        assert "do not mix" in str(exc)
    else:
        raise AssertionError("IPv4 | IPv6 must fail")


def test_ports_and_icmp_keys() -> None:
    assert port_range(-1, -1) == FULL_KEYS
    assert port_range(22, 22).spans == ((22, 22),)
    assert icmp_pairs(icmp_keys(-1, -1)) == [[-1, -1]]
    assert icmp_pairs(icmp_keys(3, -1)) == [[3, -1]]
    assert icmp_pairs(icmp_keys(3, 4) | icmp_keys(8, -1)) == [[3, 4], [8, -1]]


@FAST
@given(st.lists(st.tuples(st.integers(-1, 255), st.integers(-1, 255)), max_size=4))
def test_icmp_pairs_round_trip(pairs: list) -> None:
    keys = IntervalSet()
    for kind, code in pairs:
        keys = keys | icmp_keys(kind, code)

    back = IntervalSet()
    for kind, code in icmp_pairs(keys):
        back = back | icmp_keys(kind, code)

    assert back == keys


# --- regions: (key, address) pairs on keys 0..7 and addresses 0..15 ----------

rectangles = st.lists(
    st.tuples(
        st.tuples(st.integers(0, 7), st.integers(0, 7)).map(sorted).map(tuple),
        st.tuples(st.integers(0, 15), st.integers(0, 15)).map(sorted).map(tuple),
    ),
    max_size=4,
)


def region_of(raw: list) -> Region:
    region = Region.empty(4)
    for keys, addresses in raw:
        region = region | Region.rect(
            IntervalSet.span(*keys), AddressSet(4, IntervalSet.span(*addresses))
        )
    return region


def pairs_of(raw: list) -> set[tuple[int, int]]:
    return {
        (k, a)
        for (k_lo, k_hi), (a_lo, a_hi) in raw
        for k in range(k_lo, k_hi + 1)
        for a in range(a_lo, a_hi + 1)
    }


def region_pairs(region: Region) -> set[tuple[int, int]]:
    return {
        (k, a)
        for lo, hi, addresses in region
        for k in range(lo, hi + 1)
        for a in members(addresses.spans)
    }


@FAST
@given(rectangles, rectangles)
def test_region_operations_agree_with_sets_of_pairs(a: list, b: list) -> None:
    left, right = region_of(a), region_of(b)

    assert region_pairs(left) == pairs_of(a)
    assert region_pairs(left | right) == pairs_of(a) | pairs_of(b)
    assert region_pairs(left & right) == pairs_of(a) & pairs_of(b)
    assert region_pairs(left - right) == pairs_of(a) - pairs_of(b)


@FAST
@given(rectangles)
def test_covering_and_groups_describe_the_region_exactly(a: list) -> None:
    region = region_of(a)
    pairs = pairs_of(a)

    covering = region.covering((0, 7))
    expected = {x for x in range(16) if all((k, x) in pairs for k in range(8))}
    assert members(covering.spans) == expected
    rebuilt = set()
    for keys, addresses in region.groups():
        rebuilt |= {(k, x) for k in members(keys) for x in members(addresses.spans)}
    assert rebuilt == pairs
    assert len({addresses for _, addresses in region.groups()}) == len(region.groups())
