"""Exposure reports: a rich table for people, JSON per the contract, Markdown.

Each renderer takes an ``ExposureReport``, an optional ``Delta`` (with
``--baseline``) and an optional note about the rendered graph, and returns text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from driftwatch.reach.model import Delta, Exposure, ExposureReport, Latent

GraphNote = Mapping[str, Any]
Renderer = Callable[[ExposureReport, "Delta | None", "GraphNote | None"], str]
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
TABLE_WIDTH = 200


def summary(report: ExposureReport, delta: Delta | None = None) -> dict[str, Any]:
    """Counts: exposures, interfaces exposed, latent, unknown, per severity."""
    by_severity = dict.fromkeys(SEVERITY_ORDER, 0)
    for exposure in report.exposures:
        by_severity[exposure.severity] += 1
    counts: dict[str, Any] = {
        "interfaces_evaluated": report.interfaces_evaluated,
        "exposures": len(report.exposures),
        "interfaces_exposed": len(
            {(e.account_id, e.region, e.network_interface_id) for e in report.exposures}
        ),
        "latent": len(report.latent),
        "unknown": len(report.unknown),
        "by_severity": by_severity,
    }
    if delta is not None:
        counts["opened"] = len(delta.opened)
        counts["closed"] = len(delta.closed)
    return counts


def to_document(
    report: ExposureReport, delta: Delta | None = None, graph: GraphNote | None = None
) -> dict[str, Any]:
    """The contract's exposure document, with summary, latent, unknown and notes."""
    document: dict[str, Any] = {
        "snapshot": {"snapshot_id": report.snapshot_id, "taken_at": report.taken_at},
        "summary": summary(report, delta),
        "exposures": [exposure.to_document() for exposure in report.exposures],
        "latent": [entry.to_document() for entry in report.latent],
        "unknown": [row.to_document() for row in report.unknown],
        "notes": list(report.notes),
    }
    if delta is not None:
        document["delta"] = delta.to_document()
    if graph is not None:
        document["graph"] = dict(graph)
    return document


def to_json(
    report: ExposureReport, delta: Delta | None = None, graph: GraphNote | None = None
) -> str:
    """The exposure document as JSON text."""
    return json.dumps(to_document(report, delta, graph), indent=2) + "\n"


# --- table ---------------------------------------------------------------------


def _via(exposure: Exposure) -> str:
    parts = []
    for step in exposure.path:
        detail = step.to_document()
        if step.kind == "route":
            parts.append(f"{step.id} {detail['destination']}")
        elif step.kind == "network-acl-inbound-rule":
            parts.append(f"{step.id} in #{detail['rule_number']}")
        elif step.kind == "network-acl-outbound-rule":
            parts.append(f"out #{detail['rule_number']}")
        elif step.kind == "security-group-rule":
            parts.append(f"{step.id} {detail['rule']}")
        elif step.kind == "internet-gateway":
            parts.append(step.id)
    return " > ".join(parts)


def _exposure_row(exposure: Exposure) -> list[str]:
    reply = exposure.shape.reply_ports
    note = ""
    if reply is not None and not reply.covers(1024, 65535):
        spans = ", ".join(f"{a}-{b}" for a, b in reply.as_lists())
        note = f" (replies only to {spans})"
    return [
        exposure.severity,
        f"{exposure.network_interface_id}\n{exposure.vpc_id} {exposure.subnet_id}",
        exposure.address,
        exposure.shape.describe() + note,
        exposure.shape.sources_text(),
        _via(exposure) + _changes_text(exposure),
    ]


def _changes_text(exposure: Exposure) -> str:
    if not exposure.change_ids:
        return ""
    return "\nchanges: " + ", ".join(exposure.change_ids)


def _latent_row(entry: Latent) -> list[str]:
    return [
        entry.network_interface_id,
        entry.shape.describe(),
        entry.reason,
        "; ".join(entry.rules),
    ]


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table = Table(title=title, show_lines=True, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


EXPOSURE_COLUMNS = ("severity", "interface", "address", "reaches", "from", "via")
LATENT_COLUMNS = (
    "interface",
    "world-open",
    "why the internet cannot reach it",
    "rules",
)


def to_table(
    report: ExposureReport, delta: Delta | None = None, graph: GraphNote | None = None
) -> str:
    """The report as rich tables (plain text when written to a file or pipe)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=TABLE_WIDTH,
        force_terminal=False,
        markup=False,
        emoji=False,
        highlight=False,
    )
    counts = summary(report, delta)
    console.print(
        f"Internet exposure of {report.snapshot_id} ({report.taken_at}): "
        f"{counts['exposures']} exposures on {counts['interfaces_exposed']} of "
        f"{counts['interfaces_evaluated']} interfaces, {counts['latent']} latent, "
        f"{counts['unknown']} unknown."
    )
    if report.exposures:
        rows = [_exposure_row(e) for e in report.exposures]
        console.print(_table("exposed", EXPOSURE_COLUMNS, rows))
    if delta is not None:
        for title, found in (("opened", delta.opened), ("closed", delta.closed)):
            if not found:
                console.print(f"{title} since the baseline: none")
                continue
            rows = [_exposure_row(e) for e in found]
            console.print(_table(f"{title} since the baseline", EXPOSURE_COLUMNS, rows))
    if report.latent:
        rows = [_latent_row(entry) for entry in report.latent]
        console.print(_table("latent (not exposed)", LATENT_COLUMNS, rows))
    for row in report.unknown:
        console.print(f"unknown: {row.region} {row.resource_type}: {row.reason}")
    for note in report.notes:
        console.print(f"note: {note}")
    if graph is not None:
        console.print(f"graph: {graph.get('summary', '')}")
    return buffer.getvalue()


# --- markdown ------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _markdown_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def to_markdown(
    report: ExposureReport, delta: Delta | None = None, graph: GraphNote | None = None
) -> str:
    """The report as Markdown, for a ticket or an incident channel."""
    counts = summary(report, delta)
    lines = [
        f"# Internet exposure of `{report.snapshot_id}`",
        "",
        f"Taken at {report.taken_at}: **{counts['exposures']} exposures** on "
        f"{counts['interfaces_exposed']} of {counts['interfaces_evaluated']} "
        f"interfaces, {counts['latent']} latent, {counts['unknown']} unknown.",
        "",
    ]
    sections: list[tuple[str, Sequence[Exposure]]] = [("Exposed", report.exposures)]
    if delta is not None:
        sections += [("Opened since the baseline", delta.opened)]
        sections += [("Closed since the baseline", delta.closed)]
    for title, found in sections:
        lines += [f"## {title}", ""]
        if not found:
            lines += ["None.", ""]
            continue
        rows = [_exposure_row(e) for e in found]
        lines += [*_markdown_table(EXPOSURE_COLUMNS, rows), ""]
    if report.latent:
        rows = [_latent_row(entry) for entry in report.latent]
        table = _markdown_table(LATENT_COLUMNS, rows)
        lines += ["## Latent (not exposed)", "", *table, ""]
    if report.unknown or report.notes or graph is not None:
        lines += ["## Unknown and notes", ""]
        lines += [f"- unknown: {row.region} {row.reason}" for row in report.unknown]
        lines += [f"- note: {note}" for note in report.notes]
        if graph is not None:
            lines += [f"- graph: {graph.get('summary', '')}"]
        lines.append("")
    return "\n".join(lines)


RENDERERS: Mapping[str, Renderer] = {
    "table": to_table,
    "json": to_json,
    "markdown": to_markdown,
}
