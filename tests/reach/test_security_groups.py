"""Security group semantics: union per interface, references, prefix lists,
protocol -1 and other numbers, ICMP type and code."""

from __future__ import annotations

from driftwatch import registry
from driftwatch.reach import exposures
from tests.reach.estate_builder import WORLD, Public, acl_entry, found, latent, sg_rule


def test_groups_of_one_interface_are_united() -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    office = host.estate.security_group(
        host.vpc, [sg_rule("tcp", 443, cidr="198.51.100.0/24")]
    )
    host.estate.find(registry.NETWORK_INTERFACE, host.interface)["Groups"].append(
        {"GroupId": office, "GroupName": office}
    )

    report = exposures(host.snapshot())

    assert found(report) == [
        ("ipv4", "tcp", [[22, 22]], None, WORLD),
        ("ipv4", "tcp", [[443, 443]], None, ["198.51.100.0/24"]),
    ]


def test_overlapping_rules_of_two_groups_merge_exactly() -> None:
    host = Public([sg_rule("tcp", 8000, 8100, cidr="0.0.0.0/0")])
    other = host.estate.security_group(
        host.vpc, [sg_rule("tcp", 8050, 8200, cidr="0.0.0.0/0")]
    )
    host.estate.find(registry.NETWORK_INTERFACE, host.interface)["Groups"].append(
        {"GroupId": other, "GroupName": other}
    )

    assert found(exposures(host.snapshot())) == [
        ("ipv4", "tcp", [[8000, 8200]], None, WORLD)
    ]


def test_another_interface_of_the_same_instance_lends_no_group() -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    host.estate.find(registry.NETWORK_INTERFACE, host.interface)["Attachment"] = {
        "InstanceId": "i-00000001",
        "DeviceIndex": 0,
    }
    rdp = host.estate.security_group(host.vpc, [sg_rule("tcp", 3389, cidr="0.0.0.0/0")])
    second = host.estate.interface(
        host.subnet, [rdp], private_ip="10.0.1.11", instance="i-00000001"
    )

    report = exposures(host.snapshot())

    assert found(report, host.interface) == [("ipv4", "tcp", [[22, 22]], None, WORLD)]
    assert found(report, second) == []
    assert latent(report) == [
        (second, "ipv4", "tcp", [[3389, 3389]], "it has no public IPv4 address")
    ]


def test_group_reference_admits_no_internet_source() -> None:
    host = Public()
    web = host.estate.security_group(host.vpc, [sg_rule("tcp", 443, cidr="0.0.0.0/0")])
    host.estate.find(registry.SECURITY_GROUP, host.group)["IpPermissions"] = [
        sg_rule("tcp", 5432, group=web)
    ]

    report = exposures(host.snapshot())

    assert found(report) == []
    assert latent(report) == []


def test_prefix_list_source_means_its_entries() -> None:
    host = Public()
    office = host.estate.prefix_list(["198.51.100.0/24", "203.0.113.0/28"])
    host.estate.find(registry.SECURITY_GROUP, host.group)["IpPermissions"] = [
        sg_rule("tcp", 22, prefix_list=office)
    ]

    report = exposures(host.snapshot())

    assert found(report) == [
        ("ipv4", "tcp", [[22, 22]], None, ["198.51.100.0/24", "203.0.113.0/28"])
    ]
    rule = next(s for s in report.exposures[0].path if s.kind == "security-group-rule")
    assert rule.to_document()["rule"] == f"tcp 22 from {office}"


def test_unknown_prefix_list_is_unknown_not_empty() -> None:
    host = Public()
    host.estate.find(registry.SECURITY_GROUP, host.group)["IpPermissions"] = [
        sg_rule("tcp", 22, prefix_list="pl-0000dead")
    ]

    report = exposures(host.snapshot())

    assert found(report) == []
    assert [(row.resource_type, row.reason) for row in report.unknown] == [
        (
            registry.PREFIX_LIST,
            f"prefix list pl-0000dead, named by {host.group}, is not in the snapshot: "
            "the sources or routes it stands for are unknown",
        )
    ]


def test_protocol_minus_one_means_every_protocol_and_port() -> None:
    report = exposures(Public([sg_rule("-1", cidr="0.0.0.0/0")]).snapshot())

    assert found(report) == [("ipv4", "all", None, None, WORLD)]
    assert report.exposures[0].severity == "critical"


def test_other_protocol_numbers_mean_every_port_whatever_the_fields_say() -> None:
    report = exposures(Public([sg_rule("47", 22, 22, cidr="0.0.0.0/0")]).snapshot())

    assert found(report) == [("ipv4", "47", None, None, WORLD)]


def test_all_traffic_minus_an_acl_deny_lists_each_protocol_exactly() -> None:
    host = Public([sg_rule("-1", cidr="0.0.0.0/0")])
    host.acl_entries(
        [
            acl_entry(90, "deny", "0.0.0.0/0", protocol="6", ports=(22, 22)),
            acl_entry(100, "allow", "0.0.0.0/0"),
            acl_entry(100, "allow", "0.0.0.0/0", egress=True),
        ]
    )

    report = exposures(host.snapshot())

    assert found(report) == [
        ("ipv4", "all", None, None, WORLD),
        ("ipv4", "icmp", None, [[-1, -1]], WORLD),
        ("ipv4", "tcp", [[0, 21], [23, 65535]], None, WORLD),
        ("ipv4", "udp", [[0, 65535]], None, WORLD),
        ("ipv4", "icmpv6", None, [[-1, -1]], WORLD),
    ]
    rest = report.exposures[0].to_document()
    assert rest["excluded_protocols"] == ["icmp", "tcp", "udp", "icmpv6"]


def test_icmp_port_fields_are_type_and_code() -> None:
    host = Public(
        [
            sg_rule("icmp", 3, 4, cidr="0.0.0.0/0"),
            sg_rule("icmp", 11, -1, cidr="0.0.0.0/0"),
        ]
    )

    assert found(exposures(host.snapshot())) == [
        ("ipv4", "icmp", None, [[3, 4], [11, -1]], WORLD)
    ]


def test_icmp_any_type_is_minus_one() -> None:
    host = Public([sg_rule("icmp", -1, -1, cidr="0.0.0.0/0")])

    assert found(exposures(host.snapshot())) == [
        ("ipv4", "icmp", None, [[-1, -1]], WORLD)
    ]
