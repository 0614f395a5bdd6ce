"""The DryRun checks: where EC2 offers them, what moto does with them, and the rest.

moto honours ``DryRun`` for some EC2 calls and performs others as if it were
not set; ``driftwatch.revert.emulators.MOTO_IGNORES_DRY_RUN`` lists the latter
and the first test holds that list to the installed moto, call by call. The
DryRun path of the calls moto ignores is tested with botocore's Stubber, which
answers exactly what EC2 answers (the ``DryRunOperation`` error).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import Stubber

from driftwatch.revert import checks
from driftwatch.revert.apply import Applier, ApplyOptions
from driftwatch.revert.emulators import (
    MOTO_IGNORES_DRY_RUN,
    dry_run_ignored,
    is_loopback,
)
from driftwatch.revert.operations import OPERATIONS, supports_dry_run
from driftwatch.revert.steps import Frozen, PartCheck, Precondition, RevertStep
from driftwatch.snapshot import Snapshot
from tests.faults import Fault, FaultyTarget
from tests.revert import helpers, incidents
from tests.revert.network import Small


def test_moto_honours_dry_run_exactly_where_the_emulator_table_says(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    seen: dict[str, set[str]] = {}
    rng = random.Random(9)
    for incident in incidents.REVERTIBLE_ALONE:
        incident(ec2, small, rng)
        plan = helpers.plan_now(ec2, baseline)
        client = boto3.client("ec2", region_name="us-east-1")
        for step in plan.steps:
            outcome = checks.dry_run(
                client, step, step.params.value, frozenset()
            ).outcome
            seen.setdefault(step.operation, set()).add(outcome)
        _, report, _ = helpers.apply(helpers.plan_now(ec2, baseline), tmp_path)
        assert report.ok

    expected = {
        name: {
            checks.DRY_RUN_NOT_OFFERED
            if not supports_dry_run(name)
            else checks.DRY_RUN_PERFORMED
            if name in MOTO_IGNORES_DRY_RUN
            else checks.DRY_RUN_PASSED
        }
        for name in seen
    }
    assert seen == expected
    assert len(seen) >= 20, sorted(seen)


def test_every_plan_operation_is_known_to_botocore() -> None:
    for name in OPERATIONS:
        assert isinstance(supports_dry_run(name), bool)
    assert not supports_dry_run("modify_vpc_attribute")
    assert supports_dry_run("revoke_security_group_ingress")


def _route_step() -> RevertStep:
    params = {
        "RouteTableId": "rtb-1",
        "DestinationCidrBlock": "0.0.0.0/0",
        "NatGatewayId": "nat-1",
    }
    check = PartCheck(
        "AWS::EC2::RouteTable", "rtb-1", "Routes", Frozen.of(1), Frozen.of(2)
    )
    return RevertStep(
        "123456789012",
        "us-east-1",
        "replace_route",
        Frozen.of(params),
        "r",
        Precondition((check,)),
    )


def _stubbed(code: str) -> tuple[Any, Stubber]:
    client = boto3.client("ec2", region_name="us-east-1")
    stubber = Stubber(client)
    expected = {**_route_step().params.value, "DryRun": True}
    stubber.add_client_error(
        "replace_route", service_error_code=code, expected_params=expected
    )
    stubber.activate()
    return client, stubber


def test_dry_run_operation_error_means_the_check_passed() -> None:
    client, stubber = _stubbed("DryRunOperation")

    found = checks.dry_run(
        client, _route_step(), _route_step().params.value, frozenset()
    )

    assert found.outcome == checks.DRY_RUN_PASSED
    stubber.assert_no_pending_responses()


def test_permission_error_of_a_dry_run_refuses_the_step() -> None:
    client, _ = _stubbed("UnauthorizedOperation")

    found = checks.dry_run(
        client, _route_step(), _route_step().params.value, frozenset()
    )

    assert found.outcome == checks.DRY_RUN_DENIED
    assert "UnauthorizedOperation" in found.detail


def test_other_dry_run_errors_defer_the_check_to_the_step() -> None:
    client, _ = _stubbed("InvalidRoute.NotFound")

    found = checks.dry_run(
        client, _route_step(), _route_step().params.value, frozenset()
    )

    assert found.outcome == checks.DRY_RUN_DEFERRED


def test_calls_without_dry_run_are_not_sent_as_checks() -> None:
    client = boto3.client("ec2", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.activate()
    step = RevertStep(
        "123456789012",
        "us-east-1",
        "modify_vpc_attribute",
        Frozen.of({"VpcId": "vpc-1", "EnableDnsSupport": {"Value": True}}),
        "r",
        Precondition(
            (
                PartCheck(
                    "AWS::EC2::VPC",
                    "vpc-1",
                    "EnableDnsSupport",
                    Frozen.of(False),
                    Frozen.of(True),
                ),
            )
        ),
    )

    found = checks.dry_run(client, step, step.params.value, frozenset())

    assert found.outcome == checks.DRY_RUN_NOT_OFFERED
    stubber.assert_no_pending_responses()


def test_denied_dry_run_refuses_the_plan_before_any_change(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    incidents.open_ingress(ec2, small, random.Random(1))
    incidents.dns_flipped(ec2, small, random.Random(1))
    plan = helpers.plan_now(ec2, baseline)
    fault = Fault(
        "us-east-1",
        "UnauthorizedOperation",
        403,
        frozenset({"RevokeSecurityGroupIngress"}),
    )

    checked = Applier(plan, FaultyTarget(faults=(fault,)), helpers.OPTIONS).check()

    assert checked.outcomes[0].status == "refused"
    assert "DryRun denied" in checked.outcomes[0].detail
    assert [o.status for o in checked.outcomes[1:]] == ["not run"] * (
        len(plan.steps) - 1
    )
    assert helpers.drift.compute(baseline, helpers.snapshot(ec2)).changes


def test_an_endpoint_that_performs_dry_runs_stops_the_apply(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.route_to_igw(ec2, small, random.Random(1))
    incidents.open_ingress(ec2, small, random.Random(1))
    plan = helpers.plan_now(ec2, baseline)
    assert helpers.operations(plan)[0] == "replace_route"
    applier = Applier(plan, helpers.TARGET, ApplyOptions(settle_scale=0.0))

    checked = applier.check()

    assert checked.outcomes[0].status == "failed"
    assert checked.outcomes[0].dry_run is not None
    assert checked.outcomes[0].dry_run.outcome == checks.DRY_RUN_PERFORMED
    assert [o.status for o in checked.outcomes[1:]] == ["not run"]
    # The "check" did change the route: the run records and verifies that.
    report = applier.run(checked, helpers.UndoLog.start(tmp_path, plan, "sha"))
    assert report.outcomes[0].status == "applied"


def test_only_loopback_endpoints_are_taken_for_emulators() -> None:
    assert is_loopback("http://127.0.0.1:5000")
    assert is_loopback("http://localhost:4566")
    assert is_loopback("http://[::1]:5000")
    assert not is_loopback("https://ec2.eu-west-1.amazonaws.com")
    assert not is_loopback(None)
    assert dry_run_ignored("http://127.0.0.1:5000") == MOTO_IGNORES_DRY_RUN
    assert dry_run_ignored("https://ec2.us-east-1.amazonaws.com") == frozenset()


def test_a_response_that_did_not_do_it_all_is_a_failure() -> None:
    from driftwatch.revert.operations import response_problem

    unknown = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}]
    assert response_problem({"Return": True}) is None
    assert response_problem({}) is None
    assert response_problem({"Return": False}) == "the response says Return=false"
    problem = response_problem({"Return": True, "UnknownIpPermissions": unknown})
    assert problem is not None and "did not find the permission" in problem
    unsuccessful = response_problem({"Unsuccessful": [{"ResourceId": "vpce-1"}]})
    assert unsuccessful is not None and "vpce-1" in unsuccessful
