"""The demo runs the whole incident workflow and its final check is real."""

from __future__ import annotations

import html
import json
import py_compile
from pathlib import Path
from typing import Any

from tests.conftest import run_driftwatch


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_demo_finds_the_incident_reverts_it_and_verifies_the_baseline(
    tmp_path: Path,
) -> None:
    workdir = tmp_path / "demo"

    run = run_driftwatch(["demo", "--workdir", str(workdir)], cwd=tmp_path)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "back on its baseline: no drift, no new exposure" in run.stdout
    assert "$ driftwatch revert --apply" in run.stdout

    diff = _json(workdir / "diff.json")
    kinds = {change["kind"] for change in diff["changes"]}
    assert {
        "ingress-internet-admin",
        "route-to-internet-gateway",
        "public-address-on-interface",
        "acl-inbound-internet-admin",
        "resource-added-internet-admin",
    } <= kinds
    assert diff["summary"]["added"] == 2  # the rogue group and the new Elastic IP

    opened = _json(workdir / "exposure.json")["delta"]["opened"]
    services = sorted((e["protocol"], tuple(map(tuple, e["ports"]))) for e in opened)
    assert services == [("tcp", ((0, 65535),)), ("tcp", ((22, 22),))]
    assert all(e["change_ids"] for e in opened)

    plan = _json(workdir / "plan.json")
    assert plan["format"] == "driftwatch-plan"
    flags = [step["closes_exposure"] for step in plan["steps"]]
    assert flags[0] and flags == sorted(flags, reverse=True)
    py_compile.compile(str(workdir / "plan.py"), doraise=True)

    assert _json(workdir / "verify-diff.json")["changes"] == []
    assert _json(workdir / "verify-exposure.json")["delta"]["opened"] == []

    page = (workdir / "incident-report.html").read_text(encoding="utf-8")
    assert "Network incident report" in page
    assert opened[0]["network_interface_id"] in page
    # Graphviz writes "-" as "&#45;" in SVG text.
    svg = html.unescape((workdir / "exposure.svg").read_text(encoding="utf-8"))
    assert opened[0]["network_interface_id"] in svg
    assert (workdir / "store" / "prod.json").is_file()
    assert list((workdir / "store" / "undo").glob("*.json"))
