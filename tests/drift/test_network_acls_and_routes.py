"""Network ACL and route table drift on moto: entries, routes, associations."""

from __future__ import annotations

from typing import Any

from tests.drift.conftest import Network
from tests.drift.estate import drift_of, only


def _acl(net: Network) -> str:
    acl = net.ec2.create_network_acl(
        VpcId=net.vpc,
        TagSpecifications=[
            {"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "edge"}]}
        ],
    )
    return str(acl["NetworkAcl"]["NetworkAclId"])


def _entry(acl: str, **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "NetworkAclId": acl,
        "RuleNumber": 100,
        "Protocol": "6",
        "RuleAction": "allow",
        "Egress": False,
        "CidrBlock": "0.0.0.0/0",
        "PortRange": {"From": 443, "To": 443},
    }
    entry.update(overrides)
    return entry


# (entry fields, severity, what the entry does): one ACL each, one read.
INBOUND_CASES = [
    ({}, "high", "allow tcp/443 from 0.0.0.0/0"),
    (
        {"PortRange": {"From": 3389, "To": 3389}},
        "critical",
        "allow tcp/3389 from 0.0.0.0/0",
    ),
    ({"Protocol": "-1"}, "critical", "allow all traffic from 0.0.0.0/0"),
    ({"RuleAction": "deny"}, "medium", "deny tcp/443 from 0.0.0.0/0"),
    ({"CidrBlock": "10.0.0.0/8"}, "medium", "allow tcp/443 from 10.0.0.0/8"),
]


def test_an_inbound_acl_entry_added_is_rated_by_action_source_and_port(
    net: Network,
) -> None:
    acls = [_acl(net) for _ in INBOUND_CASES]

    def add_entries() -> None:
        for acl, (overrides, _, _) in zip(acls, INBOUND_CASES, strict=True):
            net.ec2.create_network_acl_entry(**_entry(acl, **overrides))

    result = drift_of(net.ec2, add_entries)

    by_acl = {c.resource_id: c for c in result.changes}
    assert len(result.changes) == len(acls)
    for acl, (_, severity, text) in zip(acls, INBOUND_CASES, strict=True):
        change = by_acl[acl]
        assert change.part == "Entries[false,100]"
        assert change.summary == f"inbound ACL rule 100 added to {acl} (edge): {text}"
        assert change.severity == severity, text


def test_an_outbound_acl_entry_is_medium(net: Network) -> None:
    acl = _acl(net)

    change = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.create_network_acl_entry(**_entry(acl, Egress=True)),
        )
    )

    assert change.part == "Entries[true,100]"
    assert change.summary == (
        f"outbound ACL rule 100 added to {acl} (edge): allow tcp/443 to 0.0.0.0/0"
    )
    assert change.severity == "medium"


def test_a_deny_rewritten_to_allow_from_the_world_is_critical(net: Network) -> None:
    acl = _acl(net)
    net.ec2.create_network_acl_entry(
        **_entry(acl, RuleAction="deny", PortRange={"From": 22, "To": 22})
    )

    change = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.replace_network_acl_entry(
                **_entry(acl, PortRange={"From": 22, "To": 22})
            ),
        )
    )

    assert change.summary == (
        f"inbound ACL rule 100 in {acl} (edge) now reads allow tcp/22 from 0.0.0.0/0 "
        "(was deny tcp/22 from 0.0.0.0/0)"
    )
    assert change.severity == "critical"
    assert change.opens_internet_path
    [detail] = change.details
    assert (detail.path, detail.kind, detail.before, detail.after) == (
        "Entries[false,100].RuleAction",
        "changed",
        "deny",
        "allow",
    )


def test_a_removed_acl_entry_is_medium(net: Network) -> None:
    acl = _acl(net)
    net.ec2.create_network_acl_entry(**_entry(acl))

    change = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.delete_network_acl_entry(
                NetworkAclId=acl, RuleNumber=100, Egress=False
            ),
        )
    )

    assert change.summary == (
        f"inbound ACL rule 100 removed from {acl} (edge) (was allow tcp/443 from "
        "0.0.0.0/0)"
    )
    assert change.severity == "medium"


def test_moving_a_subnet_to_another_acl_changes_both_acls(net: Network) -> None:
    acl = _acl(net)
    default = net.ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [net.subnet]}]
    )["NetworkAcls"][0]
    association = next(
        a["NetworkAclAssociationId"]
        for a in default["Associations"]
        if a["SubnetId"] == net.subnet
    )

    result = drift_of(
        net.ec2,
        lambda: net.ec2.replace_network_acl_association(
            AssociationId=association, NetworkAclId=acl
        ),
    )

    by_acl = {c.resource_id: c for c in result.changes}
    assert set(by_acl) == {acl, default["NetworkAclId"]}
    assert by_acl[acl].summary == f"{net.subnet} now uses network ACL {acl} (edge)"
    assert by_acl[default["NetworkAclId"]].summary == (
        f"{net.subnet} no longer uses network ACL {default['NetworkAclId']}"
    )
    assert {c.severity for c in result.changes} == {"medium"}
    assert by_acl[acl].part == f'Associations["{net.subnet}"]'


def _gateway(net: Network) -> str:
    igw = net.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    net.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=net.vpc)
    return str(igw)


def test_a_default_route_to_an_internet_gateway_is_high(net: Network) -> None:
    igw = _gateway(net)

    change = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.create_route(
                RouteTableId=net.route_table,
                DestinationCidrBlock="0.0.0.0/0",
                GatewayId=igw,
            ),
        )
    )

    assert change.part == 'Routes["DestinationCidrBlock","0.0.0.0/0"]'
    assert change.summary == (
        f"route 0.0.0.0/0 added to {net.route_table} (private), to {igw}"
    )
    assert change.severity == "high"
    assert change.opens_internet_path


def test_a_route_repointed_from_nat_to_internet_gateway_says_both(net: Network) -> None:
    igw = _gateway(net)
    allocation = net.ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = net.ec2.create_nat_gateway(SubnetId=net.subnet, AllocationId=allocation)
    nat_id = nat["NatGateway"]["NatGatewayId"]
    net.ec2.create_route(
        RouteTableId=net.route_table,
        DestinationCidrBlock="0.0.0.0/0",
        NatGatewayId=nat_id,
    )

    change = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.replace_route(
                RouteTableId=net.route_table,
                DestinationCidrBlock="0.0.0.0/0",
                GatewayId=igw,
            ),
        )
    )

    assert change.summary == (
        f"route 0.0.0.0/0 in {net.route_table} (private) now goes to {igw} "
        f"(was {nat_id})"
    )
    assert change.severity == "high"
    assert {(d.path, d.kind) for d in change.details} == {
        ('Routes["DestinationCidrBlock","0.0.0.0/0"].GatewayId', "added"),
        ('Routes["DestinationCidrBlock","0.0.0.0/0"].NatGatewayId', "removed"),
    }


def test_a_removed_route_and_a_peering_route_are_medium(net: Network) -> None:
    peer = net.ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    peering = net.ec2.create_vpc_peering_connection(VpcId=net.vpc, PeerVpcId=peer)
    pcx = peering["VpcPeeringConnection"]["VpcPeeringConnectionId"]

    added = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.create_route(
                RouteTableId=net.route_table,
                DestinationCidrBlock="10.9.0.0/16",
                VpcPeeringConnectionId=pcx,
            ),
        )
    )
    removed = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.delete_route(
                RouteTableId=net.route_table, DestinationCidrBlock="10.9.0.0/16"
            ),
        )
    )

    assert added.summary == (
        f"route 10.9.0.0/16 added to {net.route_table} (private), to {pcx}"
    )
    assert removed.summary == (
        f"route 10.9.0.0/16 removed from {net.route_table} (private) (was {pcx})"
    )
    assert (added.severity, removed.severity) == ("medium", "medium")


def test_a_subnet_moved_to_a_public_route_table_is_high(net: Network) -> None:
    igw = _gateway(net)
    net.ec2.create_route(
        RouteTableId=net.route_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )

    change = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.associate_route_table(
                RouteTableId=net.route_table, SubnetId=net.subnet
            ),
        )
    )

    assert change.part == f'Associations["subnet","{net.subnet}"]'
    assert change.summary == (
        f"{net.subnet} now uses route table {net.route_table} (private), which "
        "routes to an internet gateway"
    )
    assert change.severity == "high"


def test_a_subnet_association_to_a_private_table_and_back_is_medium(
    net: Network,
) -> None:
    association: dict[str, str] = {}

    def associate() -> None:
        answer = net.ec2.associate_route_table(
            RouteTableId=net.route_table, SubnetId=net.subnet
        )
        association["id"] = answer["AssociationId"]

    added = only(drift_of(net.ec2, associate))
    removed = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.disassociate_route_table(AssociationId=association["id"]),
        )
    )

    assert (
        added.summary
        == f"{net.subnet} now uses route table {net.route_table} (private)"
    )
    assert removed.summary == (
        f"{net.subnet} no longer uses route table {net.route_table} (private)"
    )
    assert (added.severity, removed.severity) == ("medium", "medium")


def test_a_new_main_route_table_is_reported_on_both_tables(net: Network) -> None:
    main = net.ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [net.vpc]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]
    association = next(a for a in main["Associations"] if a.get("Main"))

    result = drift_of(
        net.ec2,
        lambda: net.ec2.replace_route_table_association(
            AssociationId=association["RouteTableAssociationId"],
            RouteTableId=net.route_table,
        ),
    )

    summaries = sorted(c.summary for c in result.changes)
    assert summaries == sorted(
        [
            f"{net.route_table} (private) is now the main route table of {net.vpc}",
            f"{main['RouteTableId']} is no longer the main route table of {net.vpc}",
        ]
    )
    assert {c.part for c in result.changes} == {'Associations["main",""]'}
