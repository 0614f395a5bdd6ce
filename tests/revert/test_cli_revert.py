"""``driftwatch revert`` end to end, against a moto server on 127.0.0.1."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, run_driftwatch, server_client
from tests.revert import helpers, incidents
from tests.revert.network import Small, build_small


@pytest.fixture
def estate_on_server(endpoint: str, cli: Cli) -> tuple[Any, Small]:
    """The small estate on the moto server, snapshotted and approved as ``prod``."""
    ec2 = server_client(endpoint)
    net = build_small(ec2)
    assert (
        cli("snapshot", "--endpoint-url", endpoint, "--region", "us-east-1").exit_code
        == 0
    )
    assert cli("approve", "latest", "--as", "prod").exit_code == 0
    return ec2, net


def _incidents(ec2: Any, net: Small) -> None:
    rng = random.Random(4)
    incidents.open_ingress(ec2, net, rng)
    incidents.route_to_igw(ec2, net, rng)
    incidents.new_group_on_web(ec2, net, rng)
    incidents.dns_flipped(ec2, net, rng)
    incidents.subnet_to_public_table(ec2, net, rng)


def _cli_plan(cli: Cli, tmp_path: Path, aws: list[str]) -> Path:
    """``revert --plan --baseline prod --format json`` to a file; its path."""
    plan = tmp_path / "plan.json"
    cli(
        "revert",
        "--plan",
        "--baseline",
        "prod",
        "--format",
        "json",
        "--output",
        str(plan),
        *aws,
    )
    return plan


def test_plan_then_apply_through_the_cli_restores_the_baseline(
    endpoint: str, estate_on_server: tuple[Any, Small], cli: Cli, tmp_path: Path
) -> None:
    ec2, net = estate_on_server
    _incidents(ec2, net)
    aws = ["--endpoint-url", endpoint, "--region", "us-east-1"]
    env = {"DRIFTWATCH_STORE": str(cli.store)}

    planned = run_driftwatch(
        [
            "revert",
            "--plan",
            "--baseline",
            "prod",
            "--format",
            "json",
            "--output",
            str(tmp_path / "plan.json"),
            *aws,
        ],
        cwd=tmp_path,
        env=env,
    )
    applied = run_driftwatch(
        [
            "revert",
            "--apply",
            str(tmp_path / "plan.json"),
            "--yes",
            "--endpoint-url",
            endpoint,
        ],
        cwd=tmp_path,
        env=env,
    )
    diffed = run_driftwatch(
        ["diff", "--baseline", "prod", "--format", "json", *aws], cwd=tmp_path, env=env
    )
    again = run_driftwatch(
        [
            "revert",
            "--apply",
            str(tmp_path / "plan.json"),
            "--yes",
            "--endpoint-url",
            endpoint,
        ],
        cwd=tmp_path,
        env=env,
    )

    assert planned.returncode == 1, planned.stderr
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["format"] == "driftwatch-plan"
    first = [s["operation"] for s in plan["steps"] if s["closes_exposure"]]
    assert set(first) >= {"revoke_security_group_ingress", "replace_route"}
    assert all(s["closes_exposure"] for s in plan["steps"][: len(first)])
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert applied.stdout.count(" applied: ") == len(plan["steps"])
    assert diffed.returncode == 0, diffed.stdout
    assert json.loads(diffed.stdout)["changes"] == []
    assert again.returncode == 0
    assert again.stdout.count(" converged: ") == len(plan["steps"])
    assert "already as in the baseline: nothing to apply" in again.stdout
    assert len(list((cli.store / "undo").glob("*.json"))) == 1


def test_generated_python_script_converges_on_the_moto_server(
    endpoint: str, estate_on_server: tuple[Any, Small], cli: Cli, tmp_path: Path
) -> None:
    ec2, net = estate_on_server
    _incidents(ec2, net)
    aws = ["--endpoint-url", endpoint, "--region", "us-east-1"]
    script = tmp_path / "revert.py"
    assert (
        cli(
            "revert",
            "--plan",
            "--baseline",
            "prod",
            "--format",
            "python",
            "--output",
            str(script),
            *aws,
        ).exit_code
        == 1
    )

    ran = subprocess.run(
        [sys.executable, str(script), "--endpoint-url", endpoint],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "[1] us-east-1 ec2." in ran.stdout
    assert "done: " in ran.stdout
    assert cli("diff", "--baseline", "prod", *aws).exit_code == 0


def test_apply_dry_run_writes_nothing(
    endpoint: str, estate_on_server: tuple[Any, Small], cli: Cli, tmp_path: Path
) -> None:
    ec2, net = estate_on_server
    _incidents(ec2, net)
    aws = ["--endpoint-url", endpoint, "--region", "us-east-1"]
    plan = _cli_plan(cli, tmp_path, aws)

    result = cli(
        "revert", "--apply", str(plan), "--dry-run", "--endpoint-url", endpoint
    )

    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was changed." in result.output
    assert "DryRun passed" in result.output
    assert not (cli.store / "undo").exists()
    assert cli("diff", "--baseline", "prod", *aws).exit_code == 1


def test_apply_without_a_terminal_or_yes_refuses_in_one_sentence(
    endpoint: str, estate_on_server: tuple[Any, Small], cli: Cli, tmp_path: Path
) -> None:
    ec2, net = estate_on_server
    _incidents(ec2, net)
    aws = ["--endpoint-url", endpoint, "--region", "us-east-1"]
    plan = _cli_plan(cli, tmp_path, aws)

    result = cli("revert", "--apply", str(plan), "--endpoint-url", endpoint)

    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "needs confirmation" in result.output
    assert cli("diff", "--baseline", "prod", *aws).exit_code == 1


def test_stale_plan_exits_1_and_changes_nothing(
    endpoint: str, estate_on_server: tuple[Any, Small], cli: Cli, tmp_path: Path
) -> None:
    ec2, net = estate_on_server
    incidents.route_to_igw(ec2, net, random.Random(1))
    aws = ["--endpoint-url", endpoint, "--region", "us-east-1"]
    plan = _cli_plan(cli, tmp_path, aws)
    ec2.replace_route(
        RouteTableId=net.private_rt,
        DestinationCidrBlock="0.0.0.0/0",
        NetworkInterfaceId=net.app_eni,
    )

    result = cli("revert", "--apply", str(plan), "--yes", "--endpoint-url", endpoint)

    assert result.exit_code == 1
    assert "refused: replace_route" in result.output
    assert "stale plan" in result.output
    assert "nothing was changed" in result.output


def test_no_drift_gives_an_empty_plan_and_exit_0(
    endpoint: str, estate_on_server: tuple[Any, Small], cli: Cli
) -> None:
    result = cli(
        "revert",
        "--plan",
        "--baseline",
        "prod",
        "--endpoint-url",
        endpoint,
        "--region",
        "us-east-1",
    )

    assert result.exit_code == 0, result.output
    assert "Nothing to do" in result.output


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            lambda d: d["steps"][0].update(operation="terminate_instances"),
            "not one a revert plan may run",
        ),
        (
            lambda d: d["steps"][0]["params"].update(GroupIdd="sg-1"),
            "params do not fit",
        ),
        (lambda d: d["steps"][0].update(step=7), "steps must be numbered"),
        (
            lambda d: d["steps"][0]["precondition"].update(parts=[]),
            "precondition.parts",
        ),
        (lambda d: d["steps"][0]["params"].update(DryRun=True), "DryRun"),
        (lambda d: d.update(format="something-else"), "format"),
    ],
)
def test_hand_broken_plan_is_refused_with_exit_2(
    cli: Cli, tmp_path: Path, edit: Any, words: str
) -> None:
    document = _valid_plan()
    edit(document)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(document))

    result = cli("revert", "--apply", str(plan), "--yes")

    assert result.exit_code == 2
    assert result.output.startswith("driftwatch: ")
    assert result.output.strip().count("\n") == 0
    assert words in result.output


def test_plan_that_is_not_json_is_refused_with_exit_2(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"format": "driftwatch-plan", ')

    result = cli("revert", "--apply", str(plan), "--yes")

    assert result.exit_code == 2
    assert "is not valid JSON" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["revert"],
        ["revert", "--plan"],
        ["revert", "--plan", "--baseline", "prod", "--apply", "x.json"],
        ["revert", "--plan", "--baseline", "prod", "--yes"],
        ["revert", "--apply", "x.json", "--keep-new"],
    ],
)
def test_options_that_do_not_go_together_exit_2(cli: Cli, args: list[str]) -> None:
    result = cli(*args)

    assert result.exit_code == 2
    assert result.output.startswith("driftwatch: ")


def _valid_plan() -> dict[str, Any]:
    part = {
        "resource_type": "AWS::EC2::SecurityGroup",
        "resource_id": "sg-1",
        "part": 'IpPermissions["tcp",22,22,"IpRanges","0.0.0.0/0"]',
        "before": {"IpProtocol": "tcp"},
        "after": None,
    }
    return {
        "format": "driftwatch-plan",
        "schema_version": 1,
        "baseline": {"snapshot_id": "b", "sha256": "x"},
        "current": {"snapshot_id": "c", "sha256": "y"},
        "steps": [
            {
                "step": 1,
                "account_id": "123456789012",
                "region": "us-east-1",
                "service": "ec2",
                "operation": "revoke_security_group_ingress",
                "params": {
                    "GroupId": "sg-1",
                    "IpPermissions": [
                        {
                            "IpProtocol": "tcp",
                            "FromPort": 22,
                            "ToPort": 22,
                            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        }
                    ],
                },
                "reason": "r",
                "change_ids": [],
                "closes_exposure": True,
                "destructive": False,
                "precondition": {"parts": [part]},
            }
        ],
        "manual": [],
    }


def test_script_recreates_a_deleted_group_and_rebinds_its_users(
    endpoint: str, estate_on_server: tuple[Any, Small], cli: Cli, tmp_path: Path
) -> None:
    ec2, net = estate_on_server
    ec2.delete_security_group(GroupId=net.app_sg)
    aws = ["--endpoint-url", endpoint, "--region", "us-east-1"]
    script = tmp_path / "revert.py"
    planned = cli(
        "revert",
        "--plan",
        "--baseline",
        "prod",
        "--format",
        "python",
        "--output",
        str(script),
        *aws,
    )
    assert planned.exit_code == 1

    ran = subprocess.run(
        [sys.executable, str(script), "--endpoint-url", endpoint, "--recreate"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert f"${{new:{net.app_sg}}} is sg-" in ran.stdout
    interface = ec2.describe_network_interfaces(NetworkInterfaceIds=[net.app_eni])
    (group,) = interface["NetworkInterfaces"][0]["Groups"]
    assert group["GroupId"] != net.app_sg
    found = ec2.describe_security_groups(GroupIds=[group["GroupId"]])["SecurityGroups"][
        0
    ]
    assert [p["FromPort"] for p in found["IpPermissions"]] == [8080]
    assert found["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"] == net.web_sg
    assert [p.get("FromPort") for p in found["IpPermissionsEgress"]] == [443]


def _plan_file(
    ec2: Any, small: Small, tmp_path: Path, incident: incidents.Incident
) -> Path:
    baseline = helpers.snapshot(ec2, "baseline")
    incident(ec2, small, random.Random(1))
    plan = tmp_path / "plan.json"
    plan.write_text(helpers.dumps(helpers.plan_now(ec2, baseline)))
    return plan


def test_apply_asks_and_only_a_yes_applies(
    ec2: Any, small: Small, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plan_file(ec2, small, tmp_path, incidents.eni_attributes)
    monkeypatch.setattr("driftwatch.cli.revert._interactive", lambda: True)

    declined = cli("revert", "--apply", str(plan), input="n\n")

    assert declined.exit_code == 2
    assert "Apply 1 steps (0 destructive) to account 123456789012 in us-east-1?" in (
        declined.output
    )
    assert "Not confirmed: nothing was changed." in declined.output
    assert not (cli.store / "undo").exists()
    accepted = cli("revert", "--apply", str(plan), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "apply step 1 applied" in accepted.output


def test_an_endpoint_that_performs_dry_runs_is_caught_and_logged(
    ec2: Any, small: Small, cli: Cli, tmp_path: Path
) -> None:
    # In-process moto has no endpoint URL, so driftwatch does not know it is an
    # emulator: it sends the DryRun of replace_route, which moto performs.
    plan = _plan_file(ec2, small, tmp_path, incidents.route_to_igw)

    result = cli("revert", "--apply", str(plan), "--yes")

    assert result.exit_code == 1
    assert "performed step 1 during its DryRun check" in result.output
    (log,) = (cli.store / "undo").glob("*.json")
    document = json.loads(log.read_text())
    assert document["status"] == "stopped"
    assert [e["status"] for e in document["steps"]] == ["applied"]
    assert [s["operation"] for s in document["undo"]["steps"]] == ["replace_route"]
