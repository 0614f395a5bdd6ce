"""The plan renderers: runbook text, contract JSON, a boto3 script."""

from __future__ import annotations

import json
import random
from typing import Any

from driftwatch.report.plan import render
from driftwatch.snapshot import Snapshot
from tests.revert import helpers, incidents
from tests.revert.network import Small

STEP_KEYS = {
    "step",
    "account_id",
    "region",
    "service",
    "operation",
    "params",
    "reason",
    "change_ids",
    "closes_exposure",
    "destructive",
    "precondition",
}


def _plan(ec2: Any, small: Small, baseline: Snapshot) -> Any:
    rng = random.Random(6)
    ec2.authorize_security_group_ingress(
        GroupId=small.web_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    incidents.dns_flipped(ec2, small, rng)
    incidents.subnet_to_public_table(ec2, small, rng)
    incidents.deleted_customer_gateway(ec2, small, rng)
    return helpers.plan_now(ec2, baseline)


def test_json_is_the_plan_document_of_the_contract(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    document = json.loads(render("json", _plan(ec2, small, baseline)))

    assert document["format"] == "driftwatch-plan"
    assert document["schema_version"] == 1
    assert set(document["baseline"]) >= {"snapshot_id", "sha256"}
    assert set(document["current"]) >= {"snapshot_id", "sha256"}
    assert [s["step"] for s in document["steps"]] == list(
        range(1, len(document["steps"]) + 1)
    )
    for step in document["steps"]:
        assert set(step) == STEP_KEYS
        assert step["service"] == "ec2"
        assert step["change_ids"]
    (manual,) = document["manual"]
    assert manual["change_ids"] and "cannot come back with its id" in manual["reason"]
    assert manual["calls"][0]["operation"] == "create_customer_gateway"


def test_runbook_puts_containment_first_and_says_what_is_left_by_hand(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    plan = _plan(ec2, small, baseline)

    text = render("text", plan)

    containment = text.index("Containment: close internet exposure first")
    rest = text.index("Restore the rest of the baseline")
    by_hand = text.index("By hand: what cannot be reverted in place")
    assert containment < rest < by_hand
    assert text.index("revoke_security_group_ingress") < rest
    assert text.index("modify_vpc_attribute") > rest
    assert "[ ] Step 1:" in text
    assert "AssociationId is read again just before the call" in text
    words = " ".join(text.split())
    new_id = f"${{new:{small.customer_gateway}}}"
    assert f"{new_id} is the CustomerGateway.CustomerGatewayId of its response" in words
    assert f"{len(plan.steps)} steps" in text


def test_empty_plan_reads_as_nothing_to_do(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    text = render("text", helpers.plan_now(ec2, baseline))

    assert "0 steps" in text
    assert "Nothing to do: the current state matches the baseline." in text


def test_python_script_is_valid_and_makes_the_calls_in_plan_order(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    plan = _plan(ec2, small, baseline)

    script = render("python", plan)

    compile(script, "revert.py", "exec")
    assert (
        "--profile" in script and "--endpoint-url" in script and "--recreate" in script
    )
    positions = [script.index(f"'{step.operation}'") for step in plan.steps]
    assert positions == sorted(positions)
    assert "ACCOUNTS = ['123456789012']" in script
