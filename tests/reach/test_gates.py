"""Interface-level gates: gateways, public addresses, DenyAllIgwTraffic, NAT,
peering, address families, latent exposure and unread coverage."""

from __future__ import annotations

from driftwatch import registry
from driftwatch.reach import exposures
from tests.reach.estate_builder import (
    WORLD,
    WORLD6,
    Estate,
    Public,
    found,
    latent,
    sg_rule,
)

DUAL = [sg_rule("tcp", 22, cidr="0.0.0.0/0"), sg_rule("tcp", 443, cidr="::/0")]


def test_each_family_has_its_own_rules_routes_and_address() -> None:
    report = exposures(Public(DUAL, ipv6=True).snapshot())

    assert found(report) == [
        ("ipv4", "tcp", [[22, 22]], None, WORLD),
        ("ipv6", "tcp", [[443, 443]], None, WORLD6),
    ]
    assert [e.address for e in report.exposures] == ["54.1.2.3", "2600:1f18:1:100::10"]


def test_no_ipv6_route_to_the_gateway_means_no_ipv6_exposure() -> None:
    host = Public(DUAL, ipv6=True)
    routes = host.estate.find(registry.ROUTE_TABLE, host.table)["Routes"]
    routes[:] = [r for r in routes if r.get("DestinationIpv6CidrBlock") != "::/0"]

    assert found(exposures(host.snapshot())) == [
        ("ipv4", "tcp", [[22, 22]], None, WORLD)
    ]


def test_egress_only_gateway_lets_nothing_in() -> None:
    host = Public(DUAL, ipv6=True)
    egress_only = host.estate.egress_only_gateway(host.vpc)
    for route in host.estate.find(registry.ROUTE_TABLE, host.table)["Routes"]:
        if route.get("DestinationIpv6CidrBlock") == "::/0":
            del route["GatewayId"]
            route["EgressOnlyInternetGatewayId"] = egress_only

    report = exposures(host.snapshot())

    assert found(report) == [("ipv4", "tcp", [[22, 22]], None, WORLD)]
    assert latent(report) == [
        (
            host.interface,
            "ipv6",
            "tcp",
            [[443, 443]],
            f"route table {host.table} has no active IPv6 route to {host.igw}",
        )
    ]


def test_vpc_with_only_an_egress_only_gateway_is_not_reachable() -> None:
    host = Public(DUAL, ipv6=True)
    host.estate.find(registry.INTERNET_GATEWAY, host.igw)["Attachments"] = []
    egress_only = host.estate.egress_only_gateway(host.vpc)

    report = exposures(host.snapshot())

    assert found(report) == []
    assert latent(report)[1][4] == (
        f"no internet gateway is attached to {host.vpc} (only the egress-only "
        f"gateway {egress_only}, which lets no connection in)"
    )


def test_deny_all_igw_traffic_closes_both_families() -> None:
    host = Public(DUAL, ipv6=True)
    host.estate.find(registry.NETWORK_INTERFACE, host.interface)[
        "DenyAllIgwTraffic"
    ] = True

    report = exposures(host.snapshot())

    assert found(report) == []
    assert {entry[4] for entry in latent(report)} == {"DenyAllIgwTraffic is set on it"}


def test_nat_gateway_elastic_ip_lets_nothing_in() -> None:
    host = Public([sg_rule("-1", cidr="0.0.0.0/0")])
    _, nat_interface = host.estate.nat_gateway(host.subnet, "3.3.3.3")
    # Even with a world-open group on it, a NAT gateway's address takes no connection.
    host.estate.find(registry.NETWORK_INTERFACE, nat_interface)["Groups"] = [
        {"GroupId": host.group, "GroupName": host.group}
    ]

    report = exposures(host.snapshot())

    assert found(report, nat_interface) == []
    assert (
        nat_interface,
        "ipv4",
        "all",
        None,
        "it is a NAT gateway's interface: its Elastic IP lets nothing in",
    ) in latent(report)


def test_auto_assigned_address_is_taken_from_observed() -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")], public_ip="54.9.8.7")
    snapshot = host.snapshot()
    interface = snapshot.by_key()[
        ("111111111111", "us-east-1", registry.NETWORK_INTERFACE, host.interface)
    ]

    report = exposures(snapshot)

    assert "PublicIp" not in interface.properties["Association"]
    assert interface.observed["PublicIps"] == {"10.0.1.10": "54.9.8.7"}
    assert [e.address for e in report.exposures] == ["54.9.8.7"]


def test_elastic_ip_is_a_public_address_with_its_allocation_on_the_path() -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")], public_ip=None)
    eip_host = host.estate.interface(
        host.subnet, [host.group], private_ip="10.0.1.20", elastic_ip="3.4.5.6"
    )

    report = exposures(host.snapshot())

    assert found(report, eip_host) == [("ipv4", "tcp", [[22, 22]], None, WORLD)]
    address = report.exposures[0].path[-1].to_document()
    assert address["kind"] == "public-address"
    assert address["id"] == "3.4.5.6"
    assert address["allocation_id"].startswith("eipalloc-")


def test_world_open_group_on_a_private_interface_is_latent_not_exposed() -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")], public_ip=None)

    report = exposures(host.snapshot())

    assert report.exposures == ()
    assert latent(report) == [
        (host.interface, "ipv4", "tcp", [[22, 22]], "it has no public IPv4 address")
    ]


def test_peering_is_not_transitive_to_the_peers_gateway() -> None:
    estate = Estate()
    hub = estate.vpc("10.1.0.0/16")
    hub_gateway = estate.internet_gateway(hub)
    spoke = estate.vpc("10.0.0.0/16")
    peering = estate.peering(spoke, hub)
    spoke_table = estate.main_route_table(spoke)
    estate.route(spoke_table, "0.0.0.0/0", peering)
    subnet = estate.subnet(spoke, "10.0.1.0/24")
    group = estate.security_group(spoke, [sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    interface = estate.interface(subnet, [group], elastic_ip="3.4.5.6")
    estate.route(estate.main_route_table(hub), "0.0.0.0/0", hub_gateway)

    report = exposures(estate.snapshot())

    assert found(report) == []
    assert latent(report) == [
        (
            interface,
            "ipv4",
            "tcp",
            [[22, 22]],
            f"no internet gateway is attached to {spoke}",
        )
    ]


def test_spoke_route_to_the_peers_gateway_is_a_blackhole() -> None:
    estate = Estate()
    hub = estate.vpc("10.1.0.0/16")
    hub_gateway = estate.internet_gateway(hub)
    spoke = estate.vpc("10.0.0.0/16")
    estate.peering(spoke, hub)
    own_gateway = estate.internet_gateway(spoke)
    estate.route(estate.main_route_table(spoke), "0.0.0.0/0", hub_gateway)
    subnet = estate.subnet(spoke, "10.0.1.0/24")
    group = estate.security_group(spoke, [sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    estate.interface(subnet, [group], elastic_ip="3.4.5.6")

    report = exposures(estate.snapshot())

    assert found(report) == []
    assert own_gateway in latent(report)[0][4]


def test_unread_type_leaves_the_region_unknown_not_empty() -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    host.estate.coverage_status[registry.NETWORK_ACL] = "denied"

    report = exposures(host.snapshot())

    assert report.exposures == ()
    assert report.interfaces_evaluated == 0
    assert [(row.region, row.resource_type) for row in report.unknown] == [
        ("us-east-1", registry.NETWORK_ACL)
    ]
    assert "denied" in report.unknown[0].reason


def test_an_unread_type_reachability_does_not_need_is_not_unknown() -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    host.estate.coverage_status[registry.CUSTOMER_GATEWAY] = "denied"

    report = exposures(host.snapshot())

    assert found(report) == [("ipv4", "tcp", [[22, 22]], None, WORLD)]
    assert report.unknown == ()


def test_what_exposure_does_not_model_is_said_in_the_notes() -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    ingress = host.estate.route_table(host.vpc)
    host.estate.find(registry.ROUTE_TABLE, ingress)["Associations"] = [
        {"RouteTableId": ingress, "GatewayId": host.igw}
    ]
    for route in host.estate.find(registry.ROUTE_TABLE, host.table)["Routes"]:
        if route.get("DestinationCidrBlock") == "0.0.0.0/0":
            route["IgwFirewall"] = {
                "FirewallArn": "arn:aws:network-firewall:x",
                "Status": "active",
            }
    carrier = host.estate.interface(host.subnet, [host.group], private_ip="10.0.1.30")
    host.estate.find(registry.NETWORK_INTERFACE, carrier)["Association"] = {
        "CarrierIp": "155.146.1.2"
    }

    report = exposures(host.snapshot())

    assert report.notes == (
        f"{carrier} has a carrier or customer-owned IP (Wavelength, Outposts), "
        "which exposure does not model: it is not counted as a public address",
        f"{host.table} has 1 route(s) inspected by an internet gateway firewall, "
        "which exposure treats as letting everything through",
        f"{ingress} is a gateway route table (ingress routing): exposure is judged "
        "as if traffic went straight to the interface, not through the appliance "
        "it may be sent to",
    )
    assert found(report, carrier) == []
