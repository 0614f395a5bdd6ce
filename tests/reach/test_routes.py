"""Route semantics: main-table fallback, longest prefix match, narrow and carved
routes, prefix-list destinations, blackholes and detached gateways."""

from __future__ import annotations

from driftwatch import registry
from driftwatch.reach import exposures
from tests.reach.estate_builder import (
    WORLD,
    Public,
    found,
    latent,
    sg_rule,
    world_except,
)

SSH = [sg_rule("tcp", 22, cidr="0.0.0.0/0")]


def test_subnet_without_association_uses_its_own_vpcs_main_table() -> None:
    host = Public(SSH)
    other = host.estate.vpc("10.9.0.0/16")
    other_gateway = host.estate.internet_gateway(other)
    host.estate.route(host.estate.main_route_table(other), "0.0.0.0/0", other_gateway)
    # The host's own main table loses its default route: the other VPC's main
    # table, which has one, must not stand in for it.
    host.estate.find(registry.ROUTE_TABLE, host.table)["Routes"] = [
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}
    ]

    report = exposures(host.snapshot())

    assert found(report) == []
    assert latent(report) == [
        (
            host.interface,
            "ipv4",
            "tcp",
            [[22, 22]],
            f"route table {host.table} has no active IPv4 route to {host.igw}",
        )
    ]


def test_main_table_route_exposes_a_subnet_with_no_association() -> None:
    report = exposures(Public(SSH).snapshot())

    assert found(report) == [("ipv4", "tcp", [[22, 22]], None, WORLD)]


def test_explicit_association_wins_over_the_main_table() -> None:
    host = Public(SSH)
    host.estate.route_table(
        host.vpc,
        subnets=[host.subnet],
        routes=[{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}],
    )

    assert found(exposures(host.snapshot())) == []


def test_longest_prefix_match_carves_out_a_more_specific_route_elsewhere() -> None:
    host = Public(SSH)
    peer = host.estate.vpc("10.9.0.0/16")
    peering = host.estate.peering(host.vpc, peer)
    host.estate.route(host.table, "198.51.100.0/24", peering)
    host.estate.route(host.table, "52.0.0.0/8", "tgw-00000001")

    report = exposures(host.snapshot())

    expected = world_except("10.0.0.0/16", "198.51.100.0/24", "52.0.0.0/8")
    assert found(report) == [("ipv4", "tcp", [[22, 22]], None, expected)]


def test_a_more_specific_route_back_to_the_gateway_inside_a_carve_out() -> None:
    host = Public(SSH)
    host.estate.route(host.table, "198.51.100.0/24", "tgw-00000001")
    host.estate.route(host.table, "198.51.100.128/25", host.igw)

    report = exposures(host.snapshot())

    expected = world_except("10.0.0.0/16", "198.51.100.0/25")
    assert found(report) == [("ipv4", "tcp", [[22, 22]], None, expected)]


def test_narrow_route_exposes_only_its_range() -> None:
    host = Public(SSH)
    routes = host.estate.find(registry.ROUTE_TABLE, host.table)["Routes"]
    routes[:] = [r for r in routes if r.get("DestinationCidrBlock") != "0.0.0.0/0"]
    host.estate.route(host.table, "203.0.113.0/24", host.igw)

    report = exposures(host.snapshot())

    assert found(report) == [("ipv4", "tcp", [[22, 22]], None, ["203.0.113.0/24"])]


def test_prefix_list_route_destination_means_its_entries() -> None:
    host = Public(SSH)
    routes = host.estate.find(registry.ROUTE_TABLE, host.table)["Routes"]
    routes[:] = [r for r in routes if r.get("DestinationCidrBlock") != "0.0.0.0/0"]
    office = host.estate.prefix_list(["198.51.100.0/24", "203.0.113.0/25"])
    host.estate.route(host.table, office, host.igw)

    report = exposures(host.snapshot())

    assert found(report) == [
        ("ipv4", "tcp", [[22, 22]], None, ["198.51.100.0/24", "203.0.113.0/25"])
    ]
    route_step = next(step for step in report.exposures[0].path if step.kind == "route")
    assert route_step.to_document()["destination"] == office


def test_static_route_beats_a_prefix_list_route_of_equal_length() -> None:
    host = Public(SSH)
    office = host.estate.prefix_list(["203.0.113.0/24"])
    host.estate.route(host.table, office, host.igw)
    host.estate.route(host.table, "203.0.113.0/24", "tgw-00000001")

    report = exposures(host.snapshot())

    expected = world_except("10.0.0.0/16", "203.0.113.0/24")
    assert found(report) == [("ipv4", "tcp", [[22, 22]], None, expected)]


def test_route_to_a_detached_gateway_is_a_blackhole() -> None:
    host = Public(SSH)
    detached = host.estate.internet_gateway()
    routes = host.estate.find(registry.ROUTE_TABLE, host.table)["Routes"]
    for route in routes:
        if route.get("DestinationCidrBlock") == "0.0.0.0/0":
            route["GatewayId"] = detached

    report = exposures(host.snapshot())

    assert found(report) == []
    assert latent(report)[0][4] == (
        f"route table {host.table} has no active IPv4 route to {host.igw}"
    )


def test_gateway_detached_from_the_vpc_leaves_nothing_exposed() -> None:
    host = Public(SSH)
    host.estate.find(registry.INTERNET_GATEWAY, host.igw)["Attachments"] = []

    report = exposures(host.snapshot())

    assert found(report) == []
    assert latent(report)[0][4] == f"no internet gateway is attached to {host.vpc}"


def test_route_to_a_gateway_attached_to_another_vpc_is_a_blackhole() -> None:
    host = Public(SSH)
    other = host.estate.vpc("10.9.0.0/16")
    foreign = host.estate.internet_gateway(other)
    for route in host.estate.find(registry.ROUTE_TABLE, host.table)["Routes"]:
        if route.get("DestinationCidrBlock") == "0.0.0.0/0":
            route["GatewayId"] = foreign

    assert found(exposures(host.snapshot())) == []
