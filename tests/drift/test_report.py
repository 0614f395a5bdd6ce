"""The diff renderers are pure: results in, text out."""

from __future__ import annotations

import json

from driftwatch import registry
from driftwatch.drift import compute
from driftwatch.report.diff import DiffReport, render
from tests.drift.estate import OPEN_SSH, group, synthetic

HEADER = {"snapshot_id": "s", "taken_at": "2026-12-03T18:15:00Z", "sha256": "ab" * 32}


def _report() -> DiffReport:
    tagged = group("sg-1")
    tagged.properties["Tags"].append({"Key": "Ticket", "Value": "OPS-1"})
    result = compute(
        synthetic(group("sg-1"), group("sg-2")),
        synthetic(tagged, group("sg-2", OPEN_SSH)),
    )
    assert [c.severity for c in result.changes] == ["info", "critical", "medium"]
    return DiffReport(result, HEADER, HEADER)


def test_people_see_the_worst_first_and_tools_the_document_order() -> None:
    report = _report()

    rows = [
        line
        for line in render("markdown", report).splitlines()
        if line.startswith("| ")
    ]
    table = render("table", report)
    document = json.loads(render("json", report))

    assert [row.split(" | ")[0] for row in rows[1:]] == [
        "| critical",
        "| medium",
        "| info",
    ]
    assert table.index("critical") < table.index("medium") < table.index("info")
    assert [c["severity"] for c in document["changes"]] == [
        "info",
        "critical",
        "medium",
    ]
    assert document["changes"][0]["summary"] == "tag Ticket=OPS-1 added to sg-1 (app)"
    assert document["changes"][0]["resource_type"] == registry.SECURITY_GROUP
