"""The ``exposure`` command: formats, exit codes, --baseline, --graph, a live read."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.demo.estate import build_estate
from tests.conftest import REPO, Cli, run_driftwatch, server_client
from tests.reach.estate_builder import WORLD, Public, sg_rule

STEP = {
    "type": "object",
    "required": ["kind", "id"],
    "properties": {"kind": {"type": "string"}, "id": {"type": "string"}},
}
INTERVALS = {
    "type": ["array", "null"],
    "items": {
        "type": "array",
        "items": {"type": "integer"},
        "minItems": 2,
        "maxItems": 2,
    },
}
EXPOSURE = {
    "type": "object",
    "required": [
        "account_id", "region", "network_interface_id", "vpc_id", "subnet_id",
        "address", "address_family", "protocol", "ports", "icmp", "sources",
        "severity", "path",
    ],
    "properties": {
        "address_family": {"enum": ["ipv4", "ipv6"]},
        "protocol": {"type": "string", "pattern": "^(tcp|udp|icmp|icmpv6|all|[0-9]+)$"},
        "ports": INTERVALS,
        "icmp": INTERVALS,
        "sources": {"type": "array", "items": {"type": "string"}},
        "severity": {"enum": ["critical", "high", "medium", "low", "info"]},
        "path": {"type": "array", "items": STEP, "minItems": 1},
    },
}  # fmt: skip
# The exposure document of the contract (extensions allowed).
DOCUMENT = {
    "type": "object",
    "required": ["snapshot", "exposures"],
    "properties": {
        "snapshot": {"type": "object", "required": ["snapshot_id", "taken_at"]},
        "exposures": {"type": "array", "items": EXPOSURE},
        "delta": {
            "type": "object",
            "required": ["opened", "closed"],
            "properties": {
                "opened": {"type": "array", "items": EXPOSURE},
                "closed": {"type": "array", "items": EXPOSURE},
            },
        },
    },
}


def write(tmp_path: Path, name: str, host: Public) -> str:
    path = tmp_path / f"{name}.json"
    snap.write(path, host.snapshot())
    return str(path)


def test_json_follows_the_contract_and_exposure_exits_1(
    cli: Cli, tmp_path: Path
) -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])

    result = cli("exposure", write(tmp_path, "current", host), "--format", "json")

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.validate(document, DOCUMENT)
    assert "delta" not in document
    [exposure] = document["exposures"]
    assert exposure["network_interface_id"] == host.interface
    assert (exposure["protocol"], exposure["ports"], exposure["icmp"]) == (
        "tcp",
        [[22, 22]],
        None,
    )
    assert exposure["sources"] == WORLD
    assert exposure["sources_except"] == ["10.0.0.0/16"]


def test_nothing_exposed_exits_0(cli: Cli, tmp_path: Path) -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")], public_ip=None)

    result = cli("exposure", write(tmp_path, "current", host), "--format", "json")

    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["exposures"] == []
    assert len(document["latent"]) == 1


def test_unread_reachability_type_exits_3_and_says_which(
    cli: Cli, tmp_path: Path
) -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    host.estate.coverage_status[registry.SECURITY_GROUP] = "throttled"

    result = cli("exposure", write(tmp_path, "current", host), "--format", "json")

    assert result.exit_code == 3
    assert "AWS::EC2::SecurityGroup was not read (throttled" in result.stderr
    assert "interfaces in us-east-1 were not evaluated" in result.stderr


def test_a_ref_that_names_nothing_exits_2(cli: Cli) -> None:
    result = cli("exposure", "no-such-baseline")

    assert result.exit_code == 2
    assert "'no-such-baseline' is not a file" in result.stderr


def test_with_a_baseline_only_new_exposure_is_a_finding(
    cli: Cli, tmp_path: Path
) -> None:
    https = sg_rule("tcp", 443, cidr="0.0.0.0/0")
    baseline = write(tmp_path, "baseline", Public([https]))
    same = write(tmp_path, "same", Public([https]))
    wider = write(
        tmp_path, "wider", Public([https, sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    )

    unchanged = cli("exposure", same, "--baseline", baseline, "--format", "json")
    opened = cli("exposure", wider, "--baseline", baseline, "--format", "json")

    assert unchanged.exit_code == 0
    assert json.loads(unchanged.stdout)["delta"] == {"opened": [], "closed": []}
    assert opened.exit_code == 1
    document = json.loads(opened.stdout)
    jsonschema.validate(document, DOCUMENT)
    [new] = document["delta"]["opened"]
    assert (new["protocol"], new["ports"], new["sources"]) == ("tcp", [[22, 22]], WORLD)
    assert len(new["change_ids"]) == 1


@pytest.mark.parametrize("output_format", ["table", "markdown"])
def test_people_formats_show_interface_ports_and_sources(
    cli: Cli, tmp_path: Path, output_format: str
) -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])

    result = cli("exposure", write(tmp_path, "c", host), "--format", output_format)

    assert result.exit_code == 1
    assert host.interface in result.stdout
    assert "tcp 22" in result.stdout
    assert "0.0.0.0/0 except 10.0.0.0/16" in result.stdout


def test_graph_option_draws_and_reports_the_file(cli: Cli, tmp_path: Path) -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    graph = tmp_path / "reach.svg"

    result = cli(
        "exposure",
        write(tmp_path, "c", host),
        "--format",
        "json",
        "--graph",
        str(graph),
    )

    assert result.exit_code == 1
    assert host.interface in html.unescape(graph.read_text())
    assert json.loads(result.stdout)["graph"]["interfaces_drawn"] == 1


def test_graph_with_an_unknown_suffix_exits_2(cli: Cli, tmp_path: Path) -> None:
    host = Public([])

    result = cli("exposure", write(tmp_path, "c", host), "--graph", "g.pdf")

    assert result.exit_code == 2
    assert "must end in .svg, .png or .dot" in result.stderr


@pytest.mark.e2e
def test_live_read_of_a_moto_server_estate(endpoint: str, tmp_path: Path) -> None:
    estate = build_estate(server_client(endpoint))
    environment: dict[str, Any] = {"DRIFTWATCH_STORE": str(tmp_path / "store")}

    result = run_driftwatch(
        ["exposure", "--endpoint-url", endpoint, "--region", "us-east-1",
         "--format", "json"],
        cwd=REPO,
        env=environment,
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert {e["network_interface_id"] for e in document["exposures"]} == {
        estate.web_network_interface_id
    }
    assert sorted(tuple(e["ports"][0]) for e in document["exposures"]) == [
        (22, 22),
        (443, 443),
    ]
