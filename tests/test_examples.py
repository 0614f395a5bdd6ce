"""The example files: IAM policies against the registry, ignore rules, systemd units."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import botocore
import botocore.session
import pytest

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.drift import load_ignore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SESSION = botocore.session.get_session()
READ_PREFIXES = ("Describe", "Get", "List", "Lookup")


def actions(name: str) -> list[str]:
    policy = json.loads((EXAMPLES / "iam" / name).read_text())
    assert policy["Version"] == "2012-10-17"
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])
    return [action for s in policy["Statement"] for action in s["Action"]]


def api_name(method: str) -> str:
    by_method = {
        botocore.xform_name(api): api
        for api in SESSION.get_service_model("ec2").operation_names
    }
    return by_method[method]


def test_every_policy_action_is_a_real_api_call() -> None:
    for name in ("driftwatch-readonly.json", "driftwatch-revert.json"):
        for action in actions(name):
            service, _, operation = action.partition(":")
            assert "*" not in action
            assert operation in SESSION.get_service_model(service).operation_names


def test_the_read_only_policy_covers_every_read_and_nothing_else() -> None:
    granted = set(actions("driftwatch-readonly.json"))
    describes = {f"ec2:{api_name(rt.describe)}" for rt in registry.RESOURCE_TYPES}
    # The collector's follow-up reads, region discovery, STS and attribution.
    extra = {
        "ec2:DescribeVpcAttribute",
        "ec2:GetManagedPrefixListEntries",
        "ec2:DescribeRegions",
        "sts:GetCallerIdentity",
        "cloudtrail:LookupEvents",
    }

    assert granted == describes | extra
    assert all(a.partition(":")[2].startswith(READ_PREFIXES) for a in granted)


def test_the_revert_policy_grants_exactly_what_apply_can_run() -> None:
    operations = pytest.importorskip(
        "driftwatch.revert.operations",
        reason="the revert planner (driftwatch/revert/operations.py) is not on this "
        "branch yet; this test runs once it lands",
    )
    applied = {
        f"ec2:{api_name(name)}"
        for name, operation in operations.OPERATIONS.items()
        if operation.automatic
    }

    assert set(actions("driftwatch-revert.json")) == applied


def test_the_revert_policy_holds_only_mutating_calls() -> None:
    granted = actions("driftwatch-revert.json")

    assert len(granted) == len(set(granted)) == 47
    assert not [a for a in granted if a.partition(":")[2].startswith(READ_PREFIXES)]
    assert "ec2:RunInstances" not in granted and "ec2:TerminateInstances" not in granted


def test_the_ignore_example_is_read_by_the_diff_engine() -> None:
    rules = load_ignore(EXAMPLES / "ignore.json").rules

    assert len(rules) == 4
    assert all(rule.reason for rule in rules)
    assert [str(rule.expires) for rule in rules if rule.expires] == [
        "2027-01-31",
        "2027-03-31",
    ]


def test_the_systemd_units_verify_and_alert_on_failure(tmp_path: Path) -> None:
    units = EXAMPLES / "systemd"
    service = (units / "driftwatch-nightly.service").read_text()

    assert "OnFailure=driftwatch-alert@%n.service" in service
    assert (
        "Unit=driftwatch-nightly.service"
        in (units / "driftwatch-nightly.timer").read_text()
    )
    assert (
        "/usr/local/bin/driftwatch-alert %i"
        in (units / "driftwatch-alert@.service").read_text()
    )
    assert (
        subprocess.run(
            ["sh", "-n", str(units / "driftwatch-alert")], check=False
        ).returncode
        == 0
    )
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(units / "driftwatch-nightly.timer"),
         str(units / "driftwatch-nightly.service")],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    # The binaries are not installed here; anything else is a unit file error.
    problems = [
        line for line in done.stderr.splitlines()
        if line.strip() and "is not executable" not in line
    ]  # fmt: skip
    assert problems == []


def test_the_example_baseline_is_a_valid_approved_demo_baseline() -> None:
    baseline = snap.load(EXAMPLES / "baseline-demo.json")

    assert baseline.complete
    assert baseline.regions == ("eu-west-1", "us-east-1")
    counts = baseline.counts()
    assert set(registry.TRACKED_TYPES) <= set(counts)
