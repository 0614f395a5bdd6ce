"""Network ACL semantics: rule order, default deny, stateless replies, families."""

from __future__ import annotations

from driftwatch.reach import exposures
from driftwatch.reach.evaluate import EPHEMERAL_PORTS
from tests.reach.estate_builder import (
    WORLD,
    WORLD6,
    Public,
    acl_entry,
    found,
    latent,
    sg_rule,
    world_except,
)

WEB = [sg_rule("tcp", 22, cidr="0.0.0.0/0"), sg_rule("tcp", 443, cidr="0.0.0.0/0")]
REPLIES_OUT = acl_entry(100, "allow", "0.0.0.0/0", egress=True)


def test_first_matching_rule_by_number_wins() -> None:
    host = Public(WEB)
    host.acl_entries(
        [
            acl_entry(100, "deny", "203.0.113.0/24", protocol="6", ports=(22, 22)),
            acl_entry(110, "allow", "0.0.0.0/0"),
            REPLIES_OUT,
        ]
    )

    report = exposures(host.snapshot())

    assert found(report) == [
        (
            "ipv4",
            "tcp",
            [[22, 22]],
            None,
            world_except("10.0.0.0/16", "203.0.113.0/24"),
        ),
        ("ipv4", "tcp", [[443, 443]], None, WORLD),
    ]


def test_a_deny_after_an_allow_of_the_same_traffic_does_nothing() -> None:
    host = Public(WEB)
    host.acl_entries(
        [
            acl_entry(100, "allow", "0.0.0.0/0"),
            acl_entry(110, "deny", "203.0.113.0/24", protocol="6", ports=(22, 22)),
            REPLIES_OUT,
        ]
    )

    report = exposures(host.snapshot())

    assert found(report) == [("ipv4", "tcp", [[22, 22], [443, 443]], None, WORLD)]


def test_traffic_no_rule_allows_is_denied_by_default() -> None:
    host = Public(WEB)
    host.acl_entries(
        [
            acl_entry(100, "allow", "0.0.0.0/0", protocol="tcp", ports=(443, 443)),
            REPLIES_OUT,
        ]
    )

    report = exposures(host.snapshot())

    assert found(report) == [("ipv4", "tcp", [[443, 443]], None, WORLD)]
    assert latent(report) == [
        (
            host.interface,
            "ipv4",
            "tcp",
            [[22, 22]],
            f"network ACL {host.acl} denies the request (rule 32767)",
        )
    ]


def test_replies_need_the_outbound_rules_of_the_same_acl() -> None:
    host = Public(WEB)
    host.acl_entries(
        [
            acl_entry(100, "allow", "0.0.0.0/0"),
            acl_entry(
                100, "allow", "0.0.0.0/0", egress=True, protocol="6", ports=(80, 80)
            ),
        ]
    )

    report = exposures(host.snapshot())

    assert found(report) == []
    assert [entry[4] for entry in latent(report)] == [
        f"network ACL {host.acl} denies the reply to the client's ephemeral ports"
    ]


def test_full_ephemeral_range_out_is_reported_as_complete_replies() -> None:
    host = Public(WEB)
    host.acl_entries(
        [
            acl_entry(100, "allow", "0.0.0.0/0"),
            acl_entry(
                100,
                "allow",
                "0.0.0.0/0",
                egress=True,
                protocol="6",
                ports=(1024, 65535),
            ),
        ]
    )

    exposure = exposures(host.snapshot()).exposures[0]

    assert exposure.shape.reply_ports is not None
    assert exposure.to_document()["reply_ports"] == [list(EPHEMERAL_PORTS)]


def test_partial_ephemeral_coverage_is_exposed_with_the_ports_that_work() -> None:
    host = Public(WEB)
    host.acl_entries(
        [
            acl_entry(100, "allow", "0.0.0.0/0"),
            # Linux clients' range only: Windows clients (49152-65535) partly fail.
            acl_entry(
                100,
                "allow",
                "0.0.0.0/0",
                egress=True,
                protocol="6",
                ports=(32768, 60999),
            ),
        ]
    )

    report = exposures(host.snapshot())

    assert found(report) == [("ipv4", "tcp", [[22, 22], [443, 443]], None, WORLD)]
    assert report.exposures[0].to_document()["reply_ports"] == [[32768, 60999]]


def test_replies_allowed_to_some_clients_only_limit_the_sources() -> None:
    host = Public(WEB)
    host.acl_entries(
        [
            acl_entry(100, "allow", "0.0.0.0/0"),
            acl_entry(100, "allow", "198.51.100.0/24", egress=True),
        ]
    )

    report = exposures(host.snapshot())

    assert found(report) == [
        ("ipv4", "tcp", [[22, 22], [443, 443]], None, ["198.51.100.0/24"])
    ]
    outbound = [
        s for s in report.exposures[0].path if s.kind == "network-acl-outbound-rule"
    ]
    assert outbound[0].to_document()["rule_number"] == 100


def test_ipv4_rules_do_not_apply_to_ipv6_traffic() -> None:
    host = Public(
        [sg_rule("tcp", 22, cidr="0.0.0.0/0"), sg_rule("tcp", 22, cidr="::/0")],
        ipv6=True,
    )
    host.acl_entries(
        [
            acl_entry(90, "deny", "0.0.0.0/0", protocol="6", ports=(22, 22)),
            acl_entry(100, "allow", "0.0.0.0/0"),
            acl_entry(100, "allow", "0.0.0.0/0", egress=True),
            acl_entry(101, "allow", "::/0"),
            acl_entry(101, "allow", "::/0", egress=True),
        ]
    )

    report = exposures(host.snapshot())

    assert found(report) == [("ipv6", "tcp", [[22, 22]], None, WORLD6)]


def test_ipv6_traffic_without_ipv6_acl_rules_is_denied() -> None:
    host = Public(
        [sg_rule("tcp", 22, cidr="0.0.0.0/0"), sg_rule("tcp", 22, cidr="::/0")],
        ipv6=True,
    )
    host.acl_entries([acl_entry(100, "allow", "0.0.0.0/0"), REPLIES_OUT])

    report = exposures(host.snapshot())

    assert found(report) == [("ipv4", "tcp", [[22, 22]], None, WORLD)]
    assert latent(report)[0][1] == "ipv6"


def test_icmp_echo_needs_the_echo_reply_out_other_types_only_get_in() -> None:
    host = Public(
        [
            sg_rule("icmp", 8, -1, cidr="0.0.0.0/0"),
            sg_rule("icmp", 3, 4, cidr="0.0.0.0/0"),
        ]
    )
    host.acl_entries(
        [
            acl_entry(100, "allow", "0.0.0.0/0"),
            acl_entry(
                100, "deny", "0.0.0.0/0", egress=True, protocol="1", icmp=(0, -1)
            ),
            acl_entry(110, "allow", "0.0.0.0/0", egress=True),
        ]
    )

    report = exposures(host.snapshot())

    assert found(report) == [("ipv4", "icmp", None, [[3, 4]], WORLD)]


def test_icmp_echo_with_the_reply_allowed_is_exposed() -> None:
    host = Public([sg_rule("icmp", 8, -1, cidr="0.0.0.0/0")])

    report = exposures(host.snapshot())

    assert found(report) == [("ipv4", "icmp", None, [[8, -1]], WORLD)]
