"""The exposure delta: exact opened/closed regions, linked to the drift behind them."""

from __future__ import annotations

from driftwatch import drift, registry
from driftwatch.changes import Change, change_id, part_name
from driftwatch.reach import delta, exposures
from tests.reach.estate_builder import WORLD, Public, acl_entry, sg_rule

ACCOUNT, REGION = "111111111111", "us-east-1"
HTTPS = sg_rule("tcp", 443, cidr="0.0.0.0/0")
SSH = sg_rule("tcp", 22, cidr="0.0.0.0/0")


def change(resource_type: str, resource_id: str, part: str) -> Change:
    key = (ACCOUNT, REGION, resource_type, resource_id)
    return Change(
        change_id=change_id(key, "modified", part, ()),
        account_id=ACCOUNT,
        region=REGION,
        resource_type=resource_type,
        resource_id=resource_id,
        action="modified",
        part=part,
        severity="high",
        summary="test",
        details=(),
    )


def rows(found: tuple) -> list[tuple]:
    return [(e.protocol, e.shape.ports(), list(e.sources), e.change_ids) for e in found]


def test_a_new_rule_opens_only_its_port_and_links_to_its_change() -> None:
    baseline = Public([HTTPS])
    current = Public([HTTPS, SSH])
    group = current.group
    added = change(
        registry.SECURITY_GROUP,
        group,
        part_name("IpPermissions", ("tcp", 22, 22, "IpRanges", "0.0.0.0/0")),
    )
    tag = change(registry.SECURITY_GROUP, group, part_name("Tags", ("env",)))
    other_port = change(
        registry.SECURITY_GROUP,
        group,
        part_name("IpPermissions", ("tcp", 80, 80, "IpRanges", "0.0.0.0/0")),
    )
    elsewhere = change(registry.NETWORK_INTERFACE, "eni-elsewhere", "Groups")

    result = delta(
        exposures(baseline.snapshot()),
        exposures(current.snapshot()),
        [added, tag, other_port, elsewhere],
    )

    assert rows(result.opened) == [("tcp", [[22, 22]], WORLD, (added.change_id,))]
    assert result.closed == ()


def test_removing_the_default_route_closes_everything_and_names_the_route() -> None:
    baseline = Public([HTTPS, SSH])
    current = Public([HTTPS, SSH])
    routes = current.estate.find(registry.ROUTE_TABLE, current.table)["Routes"]
    routes[:] = [r for r in routes if r.get("DestinationCidrBlock") != "0.0.0.0/0"]
    route = change(
        registry.ROUTE_TABLE,
        current.table,
        part_name("Routes", ("DestinationCidrBlock", "0.0.0.0/0")),
    )
    unrelated_route = change(
        registry.ROUTE_TABLE,
        current.table,
        part_name("Routes", ("DestinationCidrBlock", "10.0.0.0/16")),
    )

    result = delta(
        exposures(baseline.snapshot()),
        exposures(current.snapshot()),
        [route, unrelated_route],
    )

    assert result.opened == ()
    assert rows(result.closed) == [
        ("tcp", [[22, 22], [443, 443]], WORLD, (route.change_id,))
    ]


def test_an_acl_deny_closes_its_port_and_links_to_the_entry() -> None:
    baseline = Public([HTTPS, SSH])
    current = Public([HTTPS, SSH])
    current.acl_entries(
        [
            acl_entry(90, "deny", "0.0.0.0/0", protocol="6", ports=(22, 22)),
            acl_entry(100, "allow", "0.0.0.0/0"),
            acl_entry(100, "allow", "0.0.0.0/0", egress=True),
        ]
    )
    deny = change(registry.NETWORK_ACL, current.acl, part_name("Entries", (False, 90)))

    result = delta(
        exposures(baseline.snapshot()), exposures(current.snapshot()), [deny]
    )

    assert result.opened == ()
    assert rows(result.closed) == [("tcp", [[22, 22]], WORLD, (deny.change_id,))]


def test_unchanged_exposure_is_neither_opened_nor_closed() -> None:
    report = exposures(Public([HTTPS]).snapshot())

    result = delta(report, exposures(Public([HTTPS]).snapshot()), [])

    assert (result.opened, result.closed) == ((), ())


def test_drift_engine_changes_link_to_the_opened_exposure() -> None:
    baseline = Public([HTTPS]).snapshot()
    current = Public([HTTPS, SSH]).snapshot()
    changes = drift.compute(baseline, current).changes

    result = delta(exposures(baseline), exposures(current), changes)

    rule_changes = [c for c in changes if c.part.startswith("IpPermissions")]
    assert [c.part for c in rule_changes] == [
        'IpPermissions["tcp",22,22,"IpRanges","0.0.0.0/0"]'
    ]
    assert rows(result.opened) == [
        ("tcp", [[22, 22]], WORLD, (rule_changes[0].change_id,))
    ]


def test_a_widened_range_opens_only_the_difference() -> None:
    baseline = Public([sg_rule("tcp", 22, cidr="198.51.100.0/24")])
    current = Public([sg_rule("tcp", 22, cidr="198.51.100.0/23")])

    result = delta(exposures(baseline.snapshot()), exposures(current.snapshot()), [])

    assert rows(result.opened) == [("tcp", [[22, 22]], ["198.51.101.0/24"], ())]
    assert result.closed == ()
