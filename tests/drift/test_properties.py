"""Invariants of the drift engine, on generated snapshots (hypothesis)."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.changes import Change
from driftwatch.drift import compute

ACCOUNT, REGION = "123456789012", "eu-west-1"
CIDRS = ("0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/24", "52.94.76.10/32")
FLIP = {"added": "removed", "removed": "added", "changed": "changed"}
ACTION_FLIP = {"added": "removed", "removed": "added", "modified": "modified"}
CHECKS = settings(max_examples=80, deadline=None)

tags = st.lists(
    st.fixed_dictionaries(
        {
            "Key": st.sampled_from(["Name", "Owner", "Env"]),
            "Value": st.text("abc", max_size=3),
        }
    ),
    unique_by=lambda tag: tag["Key"],
    max_size=3,
)


@st.composite
def permissions(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Permissions, some with several sources, in no particular order."""
    found = []
    for _ in range(draw(st.integers(0, 4))):
        port = draw(st.sampled_from([22, 80, 443, 5432]))
        cidrs = draw(
            st.lists(st.sampled_from(CIDRS), min_size=1, max_size=3, unique=True)
        )
        found.append(
            {
                "IpProtocol": draw(st.sampled_from(["tcp", "6", "udp"])),
                "FromPort": port,
                "ToPort": port,
                "IpRanges": [{"CidrIp": cidr} for cidr in cidrs],
            }
        )
    return found


def security_group(group_id: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "GroupId": st.just(group_id),
            "GroupName": st.sampled_from(["app", "db"]),
            "VpcId": st.just("vpc-1"),
            "IpPermissions": permissions(),
            "IpPermissionsEgress": permissions(),
            "Tags": tags,
        }
    )


routes = st.lists(
    st.fixed_dictionaries(
        {
            "DestinationCidrBlock": st.sampled_from(CIDRS),
            "GatewayId": st.sampled_from(["igw-1", "vgw-1", "local"]),
        }
    ),
    unique_by=lambda route: route["DestinationCidrBlock"],
    max_size=4,
)


def route_table(table_id: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "RouteTableId": st.just(table_id),
            "VpcId": st.just("vpc-1"),
            "Routes": routes,
            "Associations": st.lists(
                st.fixed_dictionaries(
                    {"SubnetId": st.sampled_from(["subnet-1", "subnet-2"])}
                ),
                unique_by=lambda a: a["SubnetId"],
                max_size=2,
            ),
            "Tags": tags,
        }
    )


entries = st.lists(
    st.fixed_dictionaries(
        {
            "RuleNumber": st.sampled_from([100, 110, 200]),
            "Egress": st.booleans(),
            "Protocol": st.sampled_from(["6", "-1"]),
            "RuleAction": st.sampled_from(["allow", "deny"]),
            "CidrBlock": st.sampled_from(CIDRS),
        }
    ),
    unique_by=lambda entry: (entry["Egress"], entry["RuleNumber"]),
    max_size=4,
)


def network_acl(acl_id: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"NetworkAclId": st.just(acl_id), "VpcId": st.just("vpc-1"), "Entries": entries}
    )


POOL = (
    [(registry.SECURITY_GROUP, f"sg-{n}", security_group) for n in range(3)]
    + [(registry.ROUTE_TABLE, f"rtb-{n}", route_table) for n in range(2)]
    + [(registry.NETWORK_ACL, f"acl-{n}", network_acl) for n in range(2)]
)


@st.composite
def snapshots(draw: st.DrawFn) -> snap.Snapshot:
    """A snapshot holding some of the resources of the pool, raw as AWS gives them."""
    resources = []
    for resource_type, resource_id, strategy in POOL:
        if draw(st.booleans()):
            properties = draw(strategy(resource_id))
            resources.append(
                snap.Resource(ACCOUNT, REGION, resource_type, resource_id, properties)
            )
    coverage = [
        snap.Coverage(ACCOUNT, REGION, name, "ok") for name in registry.TYPE_NAMES
    ]
    return snap.build(resources, coverage, snapshot_id="generated")


def _shuffled(value: Any, rng: random.Random) -> Any:
    """Every list shuffled, all the way down (they are all sets in these types)."""
    if isinstance(value, dict):
        return {key: _shuffled(item, rng) for key, item in reversed(value.items())}
    if isinstance(value, list):
        items = [_shuffled(item, rng) for item in value]
        rng.shuffle(items)
        return items
    return value


def _reordered(snapshot: snap.Snapshot, seed: int) -> snap.Snapshot:
    rng = random.Random(seed)
    resources = [
        snap.Resource(*r.key, properties=_shuffled(dict(r.properties), rng))
        for r in snapshot.resources
    ]
    rng.shuffle(resources)
    return snap.Snapshot(
        snapshot.snapshot_id,
        snapshot.taken_at,
        snapshot.accounts,
        snapshot.regions,
        snapshot.coverage,
        tuple(resources),
    )


@CHECKS
@given(snapshots())
def test_a_snapshot_has_no_drift_against_itself(snapshot: snap.Snapshot) -> None:
    assert compute(snapshot, snapshot).changes == ()


@CHECKS
@given(snapshots(), st.integers(0, 2**32))
def test_reordering_lists_and_reserialising_gives_no_drift(
    snapshot: snap.Snapshot, seed: int
) -> None:
    reordered = _reordered(snapshot, seed)
    reread = snap.loads(snap.dumps(reordered))

    assert compute(snapshot, reordered).changes == ()
    assert compute(reordered, snapshot).changes == ()
    assert compute(snapshot, reread).changes == ()


def _mirror_key(change: Change) -> tuple[Any, ...]:
    return (change.resource_key, change.part)


def _details(change: Change, flip: bool) -> set[tuple[str, str, str, str]]:
    found = set()
    for detail in change.details:
        before, after = (
            (detail.after, detail.before) if flip else (detail.before, detail.after)
        )
        kind = FLIP[detail.kind] if flip else detail.kind
        found.add((detail.path, kind, repr(before), repr(after)))
    return found


@CHECKS
@given(snapshots(), snapshots())
def test_the_change_set_of_a_to_b_mirrors_b_to_a(
    first: snap.Snapshot, second: snap.Snapshot
) -> None:
    forward = {_mirror_key(c): c for c in compute(first, second).changes}
    backward = {_mirror_key(c): c for c in compute(second, first).changes}

    assert forward.keys() == backward.keys()
    for key, change in forward.items():
        mirrored = backward[key]
        assert mirrored.action == ACTION_FLIP[change.action]
        assert _details(change, flip=False) == _details(mirrored, flip=True)


@CHECKS
@given(snapshots(), snapshots())
def test_change_ids_are_stable_and_unique(
    first: snap.Snapshot, second: snap.Snapshot
) -> None:
    once = compute(first, second).changes
    again = compute(snap.loads(snap.dumps(first)), _reordered(second, 7)).changes

    assert [c.change_id for c in once] == [c.change_id for c in again]
    assert len({c.change_id for c in once}) == len(once)
    assert list(once) == sorted(once, key=lambda c: (*c.resource_key, c.part))
