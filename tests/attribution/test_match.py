"""Matching CloudTrail events to changes: each event kind, the window, failures."""

from __future__ import annotations

import pytest

from driftwatch import registry as r
from driftwatch.attribution.match import attribute, attribute_change, in_window
from driftwatch.changes import part_name
from tests.attribution.trail import (
    ACL,
    BASELINE_AT,
    CGW,
    CURRENT_AT,
    EIP,
    EIP_NEW,
    EIP_OTHER,
    ENI,
    ENI_NEW,
    IGW,
    NAT,
    PCX,
    PCX_NEW,
    RTB,
    RTB_OLD,
    SG_DB,
    SG_NEW,
    SG_OLD,
    SG_WEB,
    SUBNET,
    VPC,
    VPCE,
    fixture_events,
    make_change,
    names,
    utc,
)

EVENTS = fixture_events()


def sg_rule(
    field: str, protocol: str, low: int | None, high: int | None, kind: str, value: str
) -> str:
    return part_name(field, (protocol, low, high, kind, value))


# (change, expected event name, expected actor display, expected confidence)
CASES = [
    (
        make_change(
            r.SECURITY_GROUP,
            SG_WEB,
            part=sg_rule("IpPermissions", "tcp", 22, 22, "IpRanges", "0.0.0.0/0"),
        ),
        "AuthorizeSecurityGroupIngress",
        "alice (IAM user)",
        "exact",
    ),
    (
        make_change(
            r.SECURITY_GROUP,
            SG_DB,
            part=sg_rule(
                "IpPermissionsEgress",
                "tcp",
                5432,
                5432,
                "UserIdGroupPairs",
                f"123456789012/{SG_WEB}",
            ),
        ),
        "AuthorizeSecurityGroupEgress",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(
            r.SECURITY_GROUP,
            SG_DB,
            part=sg_rule(
                "IpPermissionsEgress", "-1", None, None, "IpRanges", "0.0.0.0/0"
            ),
            kind="removed",
        ),
        "RevokeSecurityGroupEgress",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(
            r.SECURITY_GROUP,
            SG_DB,
            part=sg_rule("IpPermissions", "tcp", 443, 443, "IpRanges", "10.0.0.0/8"),
        ),
        "ModifySecurityGroupRules",
        "jane.doe@example.com (SSO, AdministratorAccess)",
        "exact",
    ),
    (
        make_change(r.SECURITY_GROUP, SG_NEW, action="added"),
        "CreateSecurityGroup",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(r.SECURITY_GROUP, SG_OLD, action="removed"),
        "DeleteSecurityGroup",
        "alice (IAM user)",
        "exact",
    ),
    (
        make_change(
            r.ROUTE_TABLE,
            RTB,
            part=part_name("Routes", ("DestinationCidrBlock", "0.0.0.0/0")),
        ),
        "CreateRoute",
        "root (root user)",
        "exact",
    ),
    (
        make_change(
            r.ROUTE_TABLE,
            RTB,
            part=part_name("Routes", ("DestinationCidrBlock", "10.1.0.0/16")),
            kind="changed",
        ),
        "ReplaceRoute",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(
            r.ROUTE_TABLE,
            RTB,
            part=part_name("Routes", ("DestinationIpv6CidrBlock", "::/0")),
            kind="removed",
        ),
        "DeleteRoute",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(
            r.ROUTE_TABLE, RTB, part=part_name("Associations", ("subnet", SUBNET))
        ),
        "AssociateRouteTable",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(r.ROUTE_TABLE, RTB, part=part_name("Associations", ("main", ""))),
        "ReplaceRouteTableAssociation",
        "alice (IAM user)",
        "resource",
    ),
    (
        make_change(
            r.ROUTE_TABLE,
            RTB_OLD,
            part=part_name("Associations", ("subnet", "subnet-0c0c0c0c0c0c0c0c0")),
            kind="removed",
        ),
        "DisassociateRouteTable",
        "alice (IAM user)",
        "candidate",
    ),
    (
        make_change(r.NETWORK_ACL, ACL, part=part_name("Entries", (False, 90))),
        "CreateNetworkAclEntry",
        "544894e8-80c1-707f-60e3-3ba6510dfac1 (SSO)",
        "exact",
    ),
    (
        make_change(
            r.NETWORK_ACL, ACL, part=part_name("Entries", (True, 100)), kind="changed"
        ),
        "ReplaceNetworkAclEntry",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(
            r.NETWORK_ACL, ACL, part=part_name("Entries", (False, 120)), kind="removed"
        ),
        "DeleteNetworkAclEntry",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(r.NETWORK_ACL, ACL, part=part_name("Associations", (SUBNET,))),
        "ReplaceNetworkAclAssociation",
        "gha-run-4821 (role deploy-pipeline)",
        "resource",
    ),
    (
        make_change(r.EIP, EIP, part="NetworkInterfaceId", kind="changed"),
        "AssociateAddress",
        "ops-breakglass (federated user)",
        "resource",
    ),
    (
        make_change(r.NETWORK_INTERFACE, ENI, part="Association", kind="changed"),
        "AssociateAddress",
        "ops-breakglass (federated user)",
        "resource",
    ),
    (
        make_change(r.EIP, EIP_OTHER, part="NetworkInterfaceId", kind="removed"),
        "DisassociateAddress",
        "ops-breakglass (federated user)",
        "candidate",
    ),
    (
        make_change(r.EIP, EIP_NEW, action="added"),
        "AllocateAddress",
        "ops-breakglass (federated user)",
        "exact",
    ),
    (
        make_change(r.NETWORK_INTERFACE, ENI_NEW, action="added"),
        "CreateNetworkInterface",
        "elasticloadbalancing.amazonaws.com (AWS service)",
        "exact",
    ),
    (
        make_change(r.NETWORK_INTERFACE, ENI, part=part_name("Groups", (SG_NEW,))),
        "ModifyNetworkInterfaceAttribute",
        "jane.doe@example.com (SSO, AdministratorAccess)",
        "exact",
    ),
    (
        make_change(r.VPC, VPC, part="EnableDnsHostnames", kind="changed"),
        "ModifyVpcAttribute",
        "root (root user)",
        "exact",
    ),
    (
        make_change(r.INTERNET_GATEWAY, IGW, part=part_name("Attachments", (VPC,))),
        "AttachInternetGateway",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(
            r.INTERNET_GATEWAY,
            IGW,
            part=part_name("Attachments", ("vpc-0aaaabbbbccccdddd",)),
            kind="removed",
        ),
        "DetachInternetGateway",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(r.VPC_PEERING_CONNECTION, PCX_NEW, action="added"),
        "CreateVpcPeeringConnection",
        "alice (IAM user)",
        "exact",
    ),
    (
        make_change(r.VPC_PEERING_CONNECTION, PCX, action="added"),
        "AcceptVpcPeeringConnection",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(r.NAT_GATEWAY, NAT, action="added"),
        "CreateNatGateway",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(r.VPC_ENDPOINT, VPCE, action="added"),
        "CreateVpcEndpoint",
        "gha-run-4821 (role deploy-pipeline)",
        "exact",
    ),
    (
        make_change(r.VPC_ENDPOINT, VPCE, part="PolicyDocument", kind="changed"),
        "ModifyVpcEndpoint",
        "jane.doe@example.com (SSO, AdministratorAccess)",
        "exact",
    ),
    (
        make_change(r.CUSTOMER_GATEWAY, CGW, action="added"),
        "CreateCustomerGateway",
        "alice (IAM user)",
        "exact",
    ),
    (
        make_change(r.SECURITY_GROUP, SG_WEB, part=part_name("Tags", ("owner",))),
        "CreateTags",
        "gha-run-4821 (role deploy-pipeline) via cloudformation.amazonaws.com",
        "exact",
    ),
    (
        make_change(
            r.ROUTE_TABLE, RTB, part=part_name("Tags", ("owner",)), kind="changed"
        ),
        "CreateTags",
        "gha-run-4821 (role deploy-pipeline) via cloudformation.amazonaws.com",
        "exact",
    ),
    (
        make_change(
            r.SECURITY_GROUP,
            SG_WEB,
            part=part_name("Tags", ("reviewed",)),
            kind="removed",
        ),
        "DeleteTags",
        "alice (IAM user)",
        "exact",
    ),
    (
        make_change(
            r.SECURITY_GROUP,
            SG_WEB,
            part=sg_rule("IpPermissions", "tcp", 8080, 8080, "IpRanges", "0.0.0.0/0"),
            region="eu-west-1",
        ),
        "AuthorizeSecurityGroupIngress",
        "alice (IAM user)",
        "exact",
    ),
]


@pytest.mark.parametrize(
    ("change", "event_name", "actor", "level"),
    CASES,
    ids=[
        f"{case[1]}-{case[0].resource_id}-{case[0].part or case[0].action}"
        for case in CASES
    ],
)
def test_each_event_kind_is_tied_to_its_change(
    change, event_name, actor, level
) -> None:
    (found,) = attribute([change], EVENTS, BASELINE_AT, CURRENT_AT)

    assert found.status == "attributed"
    assert found.event is not None
    assert found.event.event_name == event_name
    assert found.actor is not None
    assert found.actor.display == actor
    assert found.confidence == level


def test_an_event_of_another_region_explains_nothing_here() -> None:
    part = sg_rule("IpPermissions", "tcp", 8080, 8080, "IpRanges", "0.0.0.0/0")
    change = make_change(r.SECURITY_GROUP, SG_WEB, part=part, region="us-east-1")

    (found,) = attribute([change], EVENTS, BASELINE_AT, CURRENT_AT)

    assert found.status == "not_found"
    assert found.event is None
    assert found.reason == (
        "no successful CloudTrail call that explains this change between "
        "2026-12-03T18:15:00Z and 2026-12-04T08:00:00Z"
    )


def test_events_older_than_the_baseline_are_ignored() -> None:
    part = sg_rule("IpPermissions", "tcp", 22, 22, "IpRanges", "0.0.0.0/0")
    change = make_change(r.SECURITY_GROUP, SG_WEB, part=part)

    (found,) = attribute([change], EVENTS, BASELINE_AT, CURRENT_AT)
    (earlier,) = attribute([change], EVENTS, utc("2026-12-01T00:00:00"), CURRENT_AT)

    # Bob's call of 2026-12-02 names the same rule but predates the baseline.
    assert found.actor is not None and found.actor.name == "alice"
    assert all(event.actor.name != "bob" for event in found.other_events)
    # With an older baseline it counts, and the latest call still wins.
    assert earlier.actor is not None and earlier.actor.name == "alice"
    assert [event.actor.name for event in earlier.other_events] == ["bob"]


def test_only_events_older_than_the_baseline_leave_the_change_unattributed() -> None:
    part = sg_rule("IpPermissions", "tcp", 22, 22, "IpRanges", "0.0.0.0/0")
    change = make_change(r.SECURITY_GROUP, SG_WEB, part=part)
    old = [event for event in EVENTS if event.actor.name == "bob"]

    (found,) = attribute([change], old, BASELINE_AT, CURRENT_AT)

    assert len(old) == 1
    assert found.status == "not_found"


def test_failed_calls_are_not_the_cause() -> None:
    part = sg_rule("IpPermissions", "tcp", 3389, 3389, "IpRanges", "0.0.0.0/0")
    change = make_change(r.SECURITY_GROUP, SG_WEB, part=part)
    refused = [event for event in EVENTS if event.error_code]

    (found,) = attribute([change], EVENTS, BASELINE_AT, CURRENT_AT)

    # Mallory's refused attempt is later than the real call but changed nothing.
    assert [event.actor.name for event in refused] == ["mallory"]
    assert refused[0].error_code == "Client.UnauthorizedOperation"
    assert found.actor is not None and found.actor.session_name == "gha-run-4821"
    assert found.other_events == ()
    assert attribute_change(change, refused, BASELINE_AT).status == "not_found"


def test_a_rule_revoked_by_its_rule_id_is_known_only_at_resource_level() -> None:
    part = sg_rule("IpPermissions", "tcp", 80, 80, "IpRanges", "0.0.0.0/0")
    change = make_change(r.SECURITY_GROUP, SG_DB, part=part, kind="removed")

    (found,) = attribute([change], EVENTS, BASELINE_AT, CURRENT_AT)

    # Both calls could have removed it; the latest is preferred, the other kept.
    assert found.confidence == "resource"
    assert found.event is not None
    assert found.event.event_name == "ModifySecurityGroupRules"
    assert names(found.other_events) == ["RevokeSecurityGroupIngress"]


def test_an_event_for_another_rule_of_the_same_group_does_not_match() -> None:
    part = sg_rule("IpPermissions", "udp", 53, 53, "IpRanges", "0.0.0.0/0")
    change = make_change(r.SECURITY_GROUP, SG_WEB, part=part)

    (found,) = attribute([change], EVENTS, BASELINE_AT, CURRENT_AT)

    assert found.status == "not_found"


def test_a_call_after_the_current_snapshot_is_outside_the_window() -> None:
    (event,) = [e for e in EVENTS if e.event_name == "DeleteTags"]

    assert in_window(event, BASELINE_AT, utc("2026-12-03T22:00:00"))
    assert not in_window(event, BASELINE_AT, utc("2026-12-03T21:00:00"))
    assert in_window(event, BASELINE_AT, None)


def test_the_attribution_document_carries_the_actor_and_event_fields() -> None:
    part = sg_rule("IpPermissions", "tcp", 22, 22, "IpRanges", "0.0.0.0/0")
    change = make_change(r.SECURITY_GROUP, SG_WEB, part=part)

    (found,) = attribute([change], EVENTS, BASELINE_AT, CURRENT_AT)
    document = found.to_document()

    assert document["status"] == "attributed"
    assert document["confidence"] == "exact"
    assert document["actor"]["type"] == "iam_user"
    assert document["actor"]["arn"] == "arn:aws:iam::123456789012:user/alice"
    assert document["actor"]["access_key_id"] == "AKIAIOSFODNN7EXAMPLE"
    assert document["event"] == {
        "event_id": found.event.event_id if found.event else None,
        "event_name": "AuthorizeSecurityGroupIngress",
        "event_time": "2026-12-03T19:02:11Z",
        "event_source": "ec2.amazonaws.com",
        "region": "us-east-1",
        "account_id": "123456789012",
        "source_ip": "198.51.100.23",
        "user_agent": "AWS Internal",
        "origin": "fixture",
    }
