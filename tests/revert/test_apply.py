"""Applying with care: stale plans refused, second applies idle, failures stop."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from driftwatch.errors import ApplyError
from driftwatch.revert.apply import Applier, ApplyOptions
from driftwatch.revert.live import LiveReader
from driftwatch.revert.planfile import from_document
from driftwatch.revert.steps import dumps
from driftwatch.snapshot import Snapshot
from tests.faults import Fault, FaultyTarget
from tests.revert import helpers, incidents
from tests.revert.network import Small

RNG = random.Random(7)


def _route_target(ec2: Any, table: str, cidr: str) -> dict[str, Any]:
    found = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
    return next(r for r in found["Routes"] if r.get("DestinationCidrBlock") == cidr)


def test_stale_plan_is_refused_before_anything_changes(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.route_to_igw(ec2, small, RNG)
    incidents.open_ingress(ec2, small, RNG)
    plan = helpers.plan_now(ec2, baseline)
    # Someone re-points the route after the plan was made.
    ec2.replace_route(
        RouteTableId=small.private_rt,
        DestinationCidrBlock="0.0.0.0/0",
        NetworkInterfaceId=small.app_eni,
    )

    checked = Applier(plan, helpers.TARGET, helpers.OPTIONS).check()

    statuses = {o.step.operation: o.status for o in checked.outcomes}
    assert statuses["replace_route"] == "refused"
    refused = next(o for o in checked.outcomes if o.status == "refused")
    assert "stale plan" in refused.detail
    assert (
        _route_target(ec2, small.private_rt, "0.0.0.0/0")["NetworkInterfaceId"]
        == small.app_eni
    )
    assert not checked.ok


def test_stale_step_is_refused_at_run_time(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.eni_groups(ec2, small, random.Random(1))
    plan = helpers.plan_now(ec2, baseline)
    applier = Applier(plan, helpers.TARGET, helpers.OPTIONS)
    checked = applier.check()
    assert checked.ok
    # Between the check and the run, someone adds a group: the whole set changed.
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=small.app_eni, Groups=[small.web_sg, small.app_sg]
    )

    report = applier.run(checked, helpers.UndoLog.start(tmp_path, plan, "x"))

    assert [o.status for o in report.outcomes] == ["refused"]
    groups = ec2.describe_network_interfaces(NetworkInterfaceIds=[small.app_eni])
    assert len(groups["NetworkInterfaces"][0]["Groups"]) == 2


def test_second_apply_of_the_same_plan_changes_nothing(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.open_ingress(ec2, small, RNG)
    incidents.acl_allow_all(ec2, small, RNG)
    incidents.dns_flipped(ec2, small, RNG)
    plan = helpers.plan_now(ec2, baseline)
    _, first, _ = helpers.apply(plan, tmp_path)
    assert {o.status for o in first.outcomes} == {"applied"}
    before = helpers.snapshot(ec2, "before-second")

    checked, second, log = helpers.apply(plan, tmp_path)

    assert {o.status for o in checked.outcomes} == {"converged"}
    assert {o.status for o in second.outcomes} == {"converged"}
    after = helpers.snapshot(ec2, "after-second")
    assert dumps_resources(before) == dumps_resources(after)
    document = json.loads(log.path.read_text())
    assert document["undo"]["steps"] == []


def dumps_resources(snapshot: Snapshot) -> list[Any]:
    """The resources of a snapshot, comparable across snapshots."""
    return [r.to_document() for r in snapshot.resources]


def _three_step_plan(ec2: Any, small: Small, baseline: Snapshot) -> Any:
    incidents.open_ingress(ec2, small, random.Random(2))
    ec2.modify_vpc_attribute(VpcId=small.vpc, EnableDnsHostnames={"Value": False})
    ec2.create_tags(Resources=[small.web_sg], Tags=[{"Key": "Name", "Value": "x"}])
    plan = helpers.plan_now(ec2, baseline)
    assert helpers.operations(plan) == [
        "revoke_security_group_ingress",
        "modify_vpc_attribute",
        "create_tags",
    ]
    return plan


def test_failed_step_stops_the_run_and_the_undo_log_says_so(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    plan = _three_step_plan(ec2, small, baseline)
    fault = Fault(
        "us-east-1", "InvalidParameterValue", 400, frozenset({"ModifyVpcAttribute"})
    )
    target = FaultyTarget(faults=(fault,))
    applier = Applier(plan, target, helpers.OPTIONS)

    checked = applier.check()
    log = helpers.UndoLog.start(tmp_path, plan, "sha")
    report = applier.run(checked, log)

    assert [o.status for o in report.outcomes] == ["applied", "failed", "not run"]
    assert "InvalidParameterValue" in report.outcomes[1].detail
    document = json.loads(log.path.read_text())
    assert document["status"] == "stopped"
    assert [e["status"] for e in document["steps"]] == ["applied", "failed", "not run"]
    assert (
        document["steps"][0]["before"][0]["value"]["FromPort"]
        == document["steps"][0]["params"]["IpPermissions"][0]["FromPort"]
    )
    assert [s["operation"] for s in document["undo"]["steps"]] == [
        "authorize_security_group_ingress"
    ]
    tags = ec2.describe_security_groups(GroupIds=[small.web_sg])["SecurityGroups"][0][
        "Tags"
    ]
    assert {"Key": "Name", "Value": "x"} in tags


def test_continue_goes_on_after_a_failed_step(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    plan = _three_step_plan(ec2, small, baseline)
    fault = Fault(
        "us-east-1", "InvalidParameterValue", 400, frozenset({"ModifyVpcAttribute"})
    )
    options = ApplyOptions(
        keep_going=True,
        dry_run_ignored=helpers.OPTIONS.dry_run_ignored,
        settle_scale=0.0,
    )
    applier = Applier(plan, FaultyTarget(faults=(fault,)), options)

    report = applier.run(applier.check(), helpers.UndoLog.start(tmp_path, plan, "sha"))

    assert [o.status for o in report.outcomes] == ["applied", "failed", "applied"]


def test_undo_log_is_written_after_every_step(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    plan = _three_step_plan(ec2, small, baseline)
    seen: list[int] = []
    log = helpers.UndoLog.start(tmp_path, plan, "sha")
    original = log.write

    def write() -> None:
        original()
        seen.append(len(json.loads(log.path.read_text())["steps"]))

    log.write = write  # type: ignore[method-assign]
    helpers.Applier(plan, helpers.TARGET, helpers.OPTIONS).run(
        helpers.Applier(plan, helpers.TARGET, helpers.OPTIONS).check(), log
    )

    assert seen == [1, 2, 3, 3]


def test_undo_plan_puts_back_what_the_apply_changed(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.route_to_igw(ec2, small, RNG)
    incidents.subnet_to_public_table(ec2, small, RNG)
    incidents.eni_groups(ec2, small, random.Random(1))
    incidents.eip_disassociated(ec2, small, RNG)
    drifted = helpers.snapshot(ec2, "drifted")
    plan = helpers.plan_now(ec2, baseline)
    _, report, log = helpers.apply(plan, tmp_path)
    assert report.ok

    undo = from_document(json.loads(log.path.read_text()))
    _, undone, _ = helpers.apply(undo, tmp_path / "again")

    assert undone.ok, [(o.step.operation, o.detail) for o in undone.outcomes]
    assert helpers.drift.compute(drifted, helpers.snapshot(ec2, "undone")).changes == ()


def test_credentials_of_another_account_refuse_to_start(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    incidents.open_ingress(ec2, small, RNG)
    document = json.loads(dumps(helpers.plan_now(ec2, baseline)))
    document["steps"][0]["account_id"] = "999999999999"

    with pytest.raises(ApplyError, match="999999999999"):
        Applier(from_document(document), helpers.TARGET).verify_accounts()


def test_dry_run_check_changes_nothing(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    incidents.route_to_igw(ec2, small, RNG)
    incidents.open_ingress(ec2, small, RNG)
    incidents.acl_allow_all(ec2, small, RNG)
    plan = helpers.plan_now(ec2, baseline)
    before = dumps_resources(helpers.snapshot(ec2, "before"))

    checked = Applier(
        plan, helpers.TARGET, helpers.OPTIONS, reader=LiveReader(helpers.TARGET)
    ).check()

    assert {o.status for o in checked.outcomes} == {"checked"}
    assert dumps_resources(helpers.snapshot(ec2, "after")) == before


def test_a_revoke_that_aws_did_not_find_fails_the_step(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.open_ingress(ec2, small, random.Random(3))
    plan = helpers.plan_now(ec2, baseline)
    reader = LiveReader(helpers.TARGET)
    unknown = plan.steps[0].params.value["IpPermissions"]

    def answer(params: dict[str, Any], **_: Any) -> Any:
        # What EC2 answers when the rule to revoke is not there (any more); the
        # DryRun check still goes to moto. ``params`` is the serialized request.
        if params["body"].get("DryRun"):
            return None
        http = AWSResponse("https://ec2.amazonaws.com", 200, {}, None)
        return (http, {"Return": True, "UnknownIpPermissions": unknown})

    reader.client("us-east-1").meta.events.register(
        "before-call.ec2.RevokeSecurityGroupIngress", answer
    )
    applier = Applier(plan, helpers.TARGET, helpers.OPTIONS, reader=reader)

    report = applier.run(applier.check(), helpers.UndoLog.start(tmp_path, plan, "s"))

    assert report.outcomes[0].status == "failed"
    assert "did not find the permission" in report.outcomes[0].detail
