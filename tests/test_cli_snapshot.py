"""snapshot / approve / history / baselines from the command line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from conftest import Cli, estate_counts, run_driftwatch, server_client
from faults import Fault, FaultyTarget

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.cli import options
from driftwatch.demo.estate import build_estate

ACCOUNT = "123456789012"


def counts_in(taken: snap.Snapshot, region: str) -> dict[str, int]:
    """Resources per type of one region of a snapshot."""
    counts: dict[str, int] = {}
    for resource in taken.resources:
        if resource.region == region:
            counts[resource.resource_type] = counts.get(resource.resource_type, 0) + 1
    return dict(sorted(counts.items()))


def stderr_lines(text: str) -> list[str]:
    """Non-empty stderr lines."""
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.e2e
def test_snapshot_of_two_regions_through_the_endpoint_stores_every_type(
    endpoint: str, tmp_path: Path
) -> None:
    estates = {
        region: build_estate(server_client(endpoint, region=region))
        for region in ("eu-west-1", "us-east-1")
    }
    store = tmp_path / "store"
    out = tmp_path / "copy.json.gz"

    result = run_driftwatch(
        [
            "snapshot",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--endpoint-url",
            endpoint,
            "--store",
            str(store),
            "--out",
            str(out),
            "--label",
            "nightly",
        ],
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    snapshot_id, path = line.split("\t")
    stored = Path(path)
    assert stored == store / "snapshots" / f"{snapshot_id}.json"
    taken = snap.load(stored)
    assert taken.snapshot_id == snapshot_id
    assert taken.regions == ("eu-west-1", "us-east-1")
    assert taken.accounts == (ACCOUNT,)
    assert len(taken.coverage) == 2 * len(registry.TYPE_NAMES)
    assert taken.complete
    for region, estate in estates.items():
        assert counts_in(taken, region) == estate_counts(region)
        vpc_ids = {r.resource_id for r in taken.of_type(registry.VPC)}
        assert estate.vpc_id in vpc_ids
    assert gzip.decompress(out.read_bytes()) == stored.read_bytes()
    assert "INFO driftwatch.collect.region: read eu-west-1 (123456789012): 38 " in (
        result.stderr
    )

    history = run_driftwatch(
        ["history", "--format", "json", "--store", str(store)], cwd=tmp_path
    )
    [row] = json.loads(history.stdout)
    assert (row["snapshot_id"], row["label"], row["complete"]) == (
        snapshot_id,
        "nightly",
        True,
    )
    assert row["sha256"] == snap.sha256(stored.read_bytes())
    assert sum(row["counts"].values()) == len(taken.resources) == 79


def test_approve_then_baselines_lists_the_version(cli: Cli, tmp_path: Path) -> None:
    snapshot_file = tmp_path / "taken.json"
    snap.write(snapshot_file, _small_snapshot())

    approved = cli("approve", str(snapshot_file), "--as", "prod", "--by", "alice")
    again = cli("approve", str(snapshot_file), "--as", "prod", "--by", "bob")
    listed = cli("baselines", "--format", "json")

    assert approved.exit_code == 0
    assert approved.stdout == f"prod@1\t{cli.store / 'prod.json'}\n"
    assert again.stdout == f"prod@2\t{cli.store / 'prod.json'}\n"
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["version"], r["approved_by"]) for r in rows] == [
        ("prod", 1, "alice"),
        ("prod", 2, "bob"),
    ]


def _small_snapshot() -> snap.Snapshot:
    coverage = [snap.Coverage(ACCOUNT, "eu-west-1", registry.VPC, "ok")]
    vpc = snap.Resource(
        ACCOUNT, "eu-west-1", registry.VPC, "vpc-1", {"VpcId": "vpc-1", "Tags": []}
    )
    return snap.build([vpc], coverage)


def _faulty(monkeypatch: pytest.MonkeyPatch, *faults: Fault) -> None:
    """Make the CLI's AWS target inject ``faults`` (one retry only)."""

    def target(**kwargs: Any) -> FaultyTarget:
        # Standard retries: adaptive ones would pace the whole throttled
        # region down to half a request a second (tests/test_collect.py
        # covers adaptive throttling of one operation).
        return FaultyTarget(
            **kwargs, max_attempts=1, retry_mode="standard", faults=faults
        )

    monkeypatch.setattr(options, "AwsTarget", target)


@pytest.mark.parametrize(
    ("code", "status", "word"),
    [
        ("UnauthorizedOperation", 403, "denied"),
        ("RequestLimitExceeded", 503, "throttled"),
    ],
)
def test_a_region_that_cannot_be_read_exits_3_and_is_recorded_unknown(
    aws: None,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    status: int,
    word: str,
) -> None:
    build_estate(boto3.client("ec2", region_name="us-east-1"))
    build_estate(boto3.client("ec2", region_name="eu-west-1"))
    _faulty(monkeypatch, Fault("eu-west-1", code, status))

    result = cli("snapshot", "--region", "us-east-1", "--region", "eu-west-1")

    assert result.exit_code == 3
    [line] = result.stdout.splitlines()
    taken = snap.load(Path(line.split("\t")[1]))
    unknown = {(row.region, row.status) for row in taken.unknown()}
    assert unknown == {("eu-west-1", word)}
    assert len(taken.unknown()) == len(registry.TYPE_NAMES)
    assert counts_in(taken, "us-east-1") == estate_counts("us-east-1")
    assert counts_in(taken, "eu-west-1") == {}
    notes = [n for n in stderr_lines(result.stderr) if "was not read" in n]
    assert len(notes) == len(registry.TYPE_NAMES)
    assert (
        f"driftwatch: AWS::EC2::VPC in eu-west-1 ({ACCOUNT}) was not read "
        f"({word}: describe_vpcs: {code}: Injected by the test.); it is unknown, "
        "not empty."
    ) in notes
    [row] = json.loads(cli("history", "--format", "json").stdout)
    assert row["complete"] is False


def test_an_unknown_region_is_one_sentence_and_exit_2(aws: None, cli: Cli) -> None:
    result = cli("snapshot", "--region", "nowhere-1")

    assert result.exit_code == 2
    [message] = stderr_lines(result.stderr)
    assert message.startswith(
        "driftwatch: Region nowhere-1 is not enabled for this account or does not "
        "exist; enabled regions are: af-south-1, "
    )
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (cli.store / "snapshots").exists()


def test_verbose_shows_the_traceback_of_an_error(aws: None, cli: Cli) -> None:
    result = cli("snapshot", "--region", "nowhere-1", "-v")

    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "RegionError" in result.stderr


@pytest.mark.e2e
def test_missing_credentials_are_one_sentence_and_exit_2(
    endpoint: str, tmp_path: Path
) -> None:
    no_credentials = {
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_SESSION_TOKEN": "",
    }

    result = run_driftwatch(
        ["snapshot", "--endpoint-url", endpoint, "--store", str(tmp_path / "s")],
        cwd=tmp_path,
        env=no_credentials,
    )

    assert result.returncode == 2
    assert stderr_lines(result.stderr) == [
        "driftwatch: AWS rejected or could not find credentials while asking STS "
        "which account the credentials belong to; configure them (aws configure, "
        "AWS_PROFILE or --profile) and try again."
    ]
    assert result.stdout == ""


def test_a_missing_profile_is_one_sentence_and_exit_2(
    aws: None, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nobody")

    result = cli("snapshot", "--region", "us-east-1")

    assert result.exit_code == 2
    assert stderr_lines(result.stderr) == [
        "driftwatch: AWS profile 'nobody' is not configured; check ~/.aws/config, "
        "AWS_PROFILE or pass another --profile."
    ]


@pytest.mark.parametrize(
    "command", [["history"], ["snapshot", "--region", "us-east-1"]]
)
def test_an_unreadable_store_is_one_sentence_and_exit_2(
    aws: None, cli: Cli, command: list[str]
) -> None:
    catalog = cli.store / "catalog.json"
    catalog.parent.mkdir(parents=True)
    catalog.write_text("{not json")

    result = cli(*command)

    assert result.exit_code == 2
    [message] = stderr_lines(result.stderr)
    assert message.startswith(f"driftwatch: The catalog {catalog} is damaged")
    assert catalog.read_text() == "{not json"
    assert "Traceback" not in result.stderr


def test_a_store_that_is_a_file_is_refused_with_exit_2(
    cli: Cli, tmp_path: Path
) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("x")

    result = cli("history", "--store", str(not_a_directory))

    assert result.exit_code == 2
    assert "is a file" in result.stderr
