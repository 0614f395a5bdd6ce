"""Renderers of drift: table (rich), JSON (the contract), Markdown, SARIF 2.1.0.

Pure: a ``DriftResult`` and the two snapshot headers in, text out. The JSON is
the diff document of CONTRACT.md, extended with ``ignored`` and
``expired_rules`` (and ``part``, ``kind``, ``opens_internet_path`` per change).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from driftwatch import __version__
from driftwatch.changes import Change
from driftwatch.drift import DriftResult
from driftwatch.drift.severity import KINDS, RANK
from driftwatch.report.who import who_text

Header = Mapping[str, Any]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "note",
    "info": "note",
}
# GitHub code scanning ranks alerts by this CVSS-like score.
SECURITY_SEVERITY = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.0",
    "low": "3.0",
    "info": "0.0",
}
TABLE_WIDTH = 160


@dataclass(frozen=True)
class DiffReport:
    """What every renderer needs: the result and where both sides came from."""

    result: DriftResult
    baseline: Header
    current: Header
    baseline_source: str = ""
    # ``attribution`` documents by change id (``diff --attribute``), else empty.
    attribution: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def change_document(self, change: Change) -> dict[str, Any]:
        """A change as the diff JSON has it, with its attribution when there is one."""
        found = change.to_document()
        if change.change_id in self.attribution:
            found["attribution"] = dict(self.attribution[change.change_id])
        return found

    def who(self, change: Change) -> str:
        """Who made the change, in one line ("" without attribution)."""
        return who_text(self.attribution.get(change.change_id))


def document(report: DiffReport) -> dict[str, Any]:
    """The diff document of the contract (plus ``ignored`` and ``expired_rules``)."""
    result = report.result
    return {
        "baseline": dict(report.baseline),
        "current": dict(report.current),
        "summary": result.counts(),
        "changes": [report.change_document(change) for change in result.changes],
        "unknown": [row.to_document() for row in result.unknown],
        "ignored": [ignored.to_document() for ignored in result.ignored],
        "expired_rules": [rule.to_document() for rule in result.expired_rules],
    }


def render_json(report: DiffReport) -> str:
    """The diff document as indented JSON with sorted keys."""
    return json.dumps(document(report), indent=2, sort_keys=True, default=str) + "\n"


# --- table ------------------------------------------------------------------------


def worst_first(changes: tuple[Change, ...]) -> list[Change]:
    """Changes for people: most severe first, then in the document's order."""
    return sorted(changes, key=lambda change: -RANK[change.severity])


def _resource(change: Change) -> str:
    return f"{change.resource_id}\n{change.resource_type.removeprefix('AWS::EC2::')}"


def render_table(report: DiffReport, width: int = TABLE_WIDTH) -> str:
    """A table for a terminal: one row per change, then what was not compared."""
    result = report.result
    console = Console(file=io.StringIO(), width=width, no_color=True, highlight=False)
    counts = result.counts()
    console.print(
        f"drift from {report.baseline['snapshot_id']} to "
        f"{report.current['snapshot_id']}: {counts['added']} added, "
        f"{counts['removed']} removed, {counts['modified']} modified, "
        f"{counts['unknown']} unknown"
    )
    if result.changes:
        table = Table(show_lines=False)
        columns = ["severity", "account / region", "resource", "change", "id"]
        for column in columns + (["who"] if report.attribution else []):
            table.add_column(column)
        for change in worst_first(result.changes):
            cells = [
                change.severity,
                f"{change.account_id}\n{change.region}",
                _resource(change),
                change.summary,
                change.change_id,
            ]
            table.add_row(*cells, *([report.who(change)] if report.attribution else []))
        console.print(table)
    for row in result.unknown:
        console.print(
            f"unknown: {row.resource_type} in {row.region} ({row.account_id}): "
            f"{row.reason}"
        )
    _print_rules(console, result)
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue()


def _print_rules(console: Console, result: DriftResult) -> None:
    if result.ignored:
        console.print(f"{len(result.ignored)} changes hidden by ignore rules")
    for rule in result.expired_rules:
        console.print(
            f"expired ignore rule (since {rule.expires}, no longer applied): "
            f"{rule.scope_text()}: {rule.reason}"
        )


# --- markdown ---------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _header_text(name: str, header: Header) -> str:
    digest = str(header.get("sha256") or "")[:12]
    taken = header["taken_at"]
    return f"- {name}: `{header['snapshot_id']}` taken {taken}, sha256 `{digest}`"


def render_markdown(report: DiffReport) -> str:
    """Markdown for an incident ticket: headers, counts, changes, gaps."""
    result = report.result
    counts = result.counts()
    lines = [
        "## Network drift",
        "",
        _header_text("baseline", report.baseline),
        _header_text("current", report.current),
        "",
        f"**{counts['added']} added, {counts['removed']} removed, "
        f"{counts['modified']} modified, {counts['unknown']} unknown**",
        "",
    ]
    if result.changes:
        lines += _markdown_changes(report)
    lines += _markdown_gaps(result)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_changes(report: DiffReport) -> list[str]:
    who = bool(report.attribution)
    lines = [
        "| severity | account | region | resource | change | id |"
        + (" who |" if who else ""),
        "|---|---|---|---|---|---|" + ("---|" if who else ""),
    ]
    for c in worst_first(report.result.changes):
        row = (
            f"| {c.severity} | {c.account_id} | {c.region} | `{c.resource_id}` | "
            f"{_cell(c.summary)} | `{c.change_id}` |"
        )
        lines.append(row + (f" {_cell(report.who(c))} |" if who else ""))
    return [*lines, ""]


def _section(title: str, bullets: list[str]) -> list[str]:
    """A Markdown section of bullets, or nothing when there are none."""
    if not bullets:
        return []
    return [f"### {title}", "", *(f"- {bullet}" for bullet in bullets), ""]


def _markdown_gaps(result: DriftResult) -> list[str]:
    unknown = [
        f"{row.resource_type} in {row.region} ({row.account_id}): {_cell(row.reason)}"
        for row in result.unknown
    ]
    ignored = [
        f"`{item.change.change_id}` {_cell(item.change.summary)}: "
        f"{_cell(item.rule.reason)}"
        for item in result.ignored
    ]
    expired = [
        f"{_cell(rule.scope_text())}: {_cell(rule.reason)} (expired {rule.expires})"
        for rule in result.expired_rules
    ]
    return [
        *_section("Not compared (unknown, not absent)", unknown),
        *_section("Ignored by rule", ignored),
        *_section("Expired ignore rules (no longer applied)", expired),
    ]


# --- SARIF ------------------------------------------------------------------------


def _sarif_rules() -> list[dict[str, Any]]:
    return [
        {
            "id": name,
            "name": "".join(word.capitalize() for word in name.split("-")),
            "shortDescription": {"text": kind.title},
            "defaultConfiguration": {"level": SARIF_LEVEL[kind.severity]},
            "properties": {
                "security-severity": SECURITY_SEVERITY[kind.severity],
                "opens_internet_path": kind.opens_internet_path,
            },
        }
        for name, kind in KINDS.items()
    ]


def _sarif_result(
    change: Change, rule_index: Mapping[str, int], artifact: str
) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [
            {
                "name": change.resource_id,
                "fullyQualifiedName": "/".join(change.resource_key),
                "kind": "resource",
            }
        ]
    }
    if artifact:
        location["physicalLocation"] = {"artifactLocation": {"uri": artifact}}
    return {
        "ruleId": change.kind,
        "ruleIndex": rule_index[change.kind],
        "level": SARIF_LEVEL[change.severity],
        "message": {"text": change.summary},
        "locations": [location],
        "partialFingerprints": {"driftwatchChangeId/v1": change.change_id},
        "properties": {
            "severity": change.severity,
            "action": change.action,
            "part": change.part,
            "account_id": change.account_id,
            "region": change.region,
            "resource_type": change.resource_type,
            "opens_internet_path": change.opens_internet_path,
        },
    }


def render_sarif(report: DiffReport) -> str:
    """A SARIF 2.1.0 log: one rule per kind of drift, one result per change."""
    rule_index = {name: index for index, name in enumerate(KINDS)}
    notifications = [
        {
            "level": "warning",
            "message": {
                "text": f"{row.resource_type} in {row.region} ({row.account_id}) "
                f"was not compared: {row.reason}"
            },
        }
        for row in report.result.unknown
    ]
    run = {
        "tool": {
            "driver": {
                "name": "driftwatch",
                "version": __version__,
                "rules": _sarif_rules(),
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": [
            _sarif_result(change, rule_index, report.baseline_source)
            for change in report.result.changes
        ],
        "properties": {
            "baseline": dict(report.baseline),
            "current": dict(report.current),
        },
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True) + "\n"


RENDERERS: Mapping[str, Callable[[DiffReport], str]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
}
FORMATS = tuple(RENDERERS)


def render(output_format: str, report: DiffReport) -> str:
    """The report in one of ``FORMATS``."""
    return RENDERERS[output_format](report)
