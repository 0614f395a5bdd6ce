"""Actors from CloudTrail userIdentity elements, records, and parameter shapes."""

from __future__ import annotations

import pytest

from driftwatch.attribution.params import normalize, values_at
from driftwatch.attribution.record import actor, trail_event, trail_event_from_json
from driftwatch.errors import InputError
from tests.attribution.trail import fixture_records

ACCOUNT = "123456789012"


def identities() -> dict[str, dict]:
    """The userIdentity of the first fixture record of each made-up actor."""
    found: dict[str, dict] = {}
    for record in fixture_records():
        identity = record["userIdentity"]
        key = identity.get("userName") or identity.get("arn") or identity["type"]
        found.setdefault(key, identity)
    return found


def test_an_iam_user_is_named_with_arn_and_access_key() -> None:
    alice = actor(identities()["alice"])

    assert alice.kind == "iam_user"
    assert alice.identity_type == "IAMUser"
    assert alice.name == "alice"
    assert alice.arn == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert alice.access_key_id == "AKIAIOSFODNN7EXAMPLE"
    assert alice.display == "alice (IAM user)"


def test_an_assumed_role_names_role_session_and_issuer() -> None:
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy-pipeline/gha-run-4821"
    ci = actor(identities()[arn])

    assert ci.kind == "assumed_role"
    assert ci.role_arn == f"arn:aws:iam::{ACCOUNT}:role/deploy-pipeline"
    assert ci.role_name == "deploy-pipeline"
    assert ci.session_name == "gha-run-4821"
    assert ci.issuer_type == "Role"
    assert ci.issuer_arn == f"arn:aws:iam::{ACCOUNT}:role/deploy-pipeline"
    assert ci.access_key_id == "ASIAY34FZKBOKMUTVV7A"
    assert ci.mfa_authenticated is False
    assert ci.sso_user is None


def test_an_identity_center_role_session_is_the_sso_user() -> None:
    role = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/jane.doe@example.com"
    jane = actor(identities()[arn])

    assert jane.kind == "sso_user"
    assert jane.sso_user == "jane.doe@example.com"
    assert jane.permission_set == "AdministratorAccess"
    assert jane.role_name == role
    assert jane.role_arn == (
        f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/{role}"
    )
    assert jane.mfa_authenticated is True
    assert jane.display == "jane.doe@example.com (SSO, AdministratorAccess)"


def test_an_identity_center_user_is_known_by_its_on_behalf_of_user_id() -> None:
    user = actor(identities()["IdentityCenterUser"])

    assert user.kind == "sso_user"
    assert user.identity_type == "IdentityCenterUser"
    assert user.sso_user_id == "544894e8-80c1-707f-60e3-3ba6510dfac1"
    assert user.identity_store_arn == (
        f"arn:aws:identitystore::{ACCOUNT}:identitystore/d-9067642ac7"
    )
    assert user.name == "544894e8-80c1-707f-60e3-3ba6510dfac1"


def test_the_root_user_is_root() -> None:
    root = actor(identities()[f"arn:aws:iam::{ACCOUNT}:root"])

    assert root.kind == "root"
    assert root.name == "root"
    assert root.account_id == ACCOUNT
    assert root.mfa_authenticated is True
    assert root.display == "root (root user)"


def test_an_aws_service_is_named_by_invoked_by() -> None:
    service = actor(identities()["AWSService"])

    assert service.kind == "aws_service"
    assert service.name == "elasticloadbalancing.amazonaws.com"
    assert service.arn is None


def test_a_federated_user_names_its_issuing_iam_user() -> None:
    arn = f"arn:aws:sts::{ACCOUNT}:federated-user/ops-breakglass"
    federated = actor(identities()[arn])

    assert federated.kind == "federated_user"
    assert federated.name == "ops-breakglass"
    assert federated.issuer_type == "IAMUser"
    assert federated.issuer_arn == f"arn:aws:iam::{ACCOUNT}:user/federation-broker"


def test_a_call_through_a_service_says_via_which() -> None:
    via = [
        actor(record["userIdentity"])
        for record in fixture_records()
        if record["userIdentity"].get("invokedBy") == "cloudformation.amazonaws.com"
    ]

    assert len(via) == 1
    assert via[0].kind == "assumed_role"
    assert via[0].display.endswith(" via cloudformation.amazonaws.com")


def test_another_account_and_unknown_types_are_still_named() -> None:
    other = actor(
        {
            "type": "AWSAccount",
            "principalId": "AIDAOTHEREXAMPLE",
            "accountId": "210987654321",
        }
    )
    odd = actor({"type": "Directory", "principalId": "d-123"})
    empty = actor({})

    assert (other.kind, other.name) == ("aws_account", "210987654321")
    assert (odd.kind, odd.identity_type, odd.name) == ("unknown", "Directory", "d-123")
    assert (empty.kind, empty.identity_type, empty.display) == (
        "unknown",
        "Unknown",
        "unknown (Unknown)",
    )


def test_a_record_keeps_time_source_and_error() -> None:
    (refused,) = [r for r in fixture_records() if r.get("errorCode")]

    event = trail_event(refused, "file.json.gz")

    assert event.failed
    assert event.source_ip == "203.0.113.250"
    assert event.event_time.isoformat() == "2026-12-03T19:30:00+00:00"
    assert event.account_id == ACCOUNT
    assert event.response == {}


def test_a_record_without_its_required_fields_is_bad_input() -> None:
    with pytest.raises(InputError, match="lacks 'eventTime'"):
        trail_event({"eventID": "x", "eventName": "CreateRoute"}, "f.json")
    with pytest.raises(InputError, match="is not JSON"):
        trail_event_from_json("{not json", "lookup_events")


def test_both_parameter_shapes_normalise_to_one() -> None:
    query_shape = {
        "ipPermissions": {
            "items": [{"ipRanges": {"items": [{"cidrIp": "1.2.3.4/32"}]}, "groups": {}}]
        }
    }
    sdk_shape = {
        "DeleteVpcEndpointsRequest": {
            "VpcEndpointId": [
                {"tag": 1, "content": "vpce-1"},
                {"tag": 2, "content": "vpce-2"},
            ]
        }
    }
    xml_item = {
        "CreateNatGatewayResponse": {
            "xmlns": "x",
            "natGateway": {
                "natGatewayAddressSet": {"item": {"allocationId": "eipalloc-1"}}
            },
        }
    }

    assert normalize(query_shape) == {
        "ipPermissions": [{"ipRanges": [{"cidrIp": "1.2.3.4/32"}], "groups": {}}]
    }
    assert values_at(normalize(sdk_shape), "vpcEndpointId") == ["vpce-1", "vpce-2"]
    assert values_at(
        normalize(xml_item), "natGateway.natGatewayAddressSet.allocationId"
    ) == ["eipalloc-1"]
