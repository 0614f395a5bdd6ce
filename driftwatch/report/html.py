"""The incident report: one self-contained HTML page for a responder.

Built from the contract documents only (the diff JSON, with ``attribution``
when ``diff --attribute`` ran; the exposure JSON; the graph SVG text; the plan
JSON), so it needs nothing from the engines that made them. The page has its
CSS inline, the graph inlined (whitelisted, see ``report.svg``), no script, and
a Content-Security-Policy that forbids any: every name, tag and summary in an
incident may be attacker-controlled, and every one of them is escaped.

Order of the page: what happened (counts by severity, newly exposed, who, what
the plan does), what is unknown, then the evidence: new exposure, the changes
with who made them, the graph, and the revert runbook.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from driftwatch.changes import SEVERITIES
from driftwatch.report.html_evidence import (
    exposure_section,
    graph_section,
    plan_section,
    service,
    sources_text,
)
from driftwatch.report.html_style import STYLE
from driftwatch.report.markup import (
    code,
    el,
    heading,
    pretty_json,
    row,
    severity_pill,
    small,
    table,
    text,
)
from driftwatch.report.who import who_text

Document = Mapping[str, Any]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
LISTED = 6
CHANGE_COLUMNS = ("severity", "resource", "change", "who")


def render_incident_report(
    diff_doc: Document,
    exposure_doc: Document | None = None,
    graph_svg: str | None = None,
    plan_doc: Document | None = None,
    *,
    title: str = "Network incident report",
    generated_at: datetime | None = None,
) -> str:
    """The whole report as one HTML page.

    Raises:
        InputError: ``graph_svg`` is not well-formed SVG.
    """
    moment = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    main = el(
        "main",
        _summary(diff_doc, exposure_doc, plan_doc),
        _unknown_banner(diff_doc.get("unknown") or []),
        exposure_section(exposure_doc),
        _changes_section(diff_doc.get("changes") or []),
        graph_section(graph_svg),
        plan_section(plan_doc),
        el("footer", text(f"driftwatch incident report, generated {moment}.")),
    )
    head = (
        "<meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        + el("title", text(title))
        + el("style", STYLE)
    )
    body = el("body", _header(title, diff_doc, moment), main)
    return f"<!DOCTYPE html>\n<html lang='en'><head>{head}</head>{body}</html>\n"


# --- header and summary -------------------------------------------------------------


def _header(title: str, diff_doc: Document, moment: str) -> str:
    baseline = diff_doc.get("baseline") or {}
    current = diff_doc.get("current") or {}
    meta = el(
        "div",
        text(_scope(diff_doc.get("changes") or [])),
        "baseline ",
        code(baseline.get("snapshot_id")),
        text(f" ({baseline.get('taken_at')}) \u2192 current "),
        code(current.get("snapshot_id")),
        text(f" ({current.get('taken_at')}) \u00b7 generated {moment}"),
        cls="meta",
    )
    return el("header", el("h1", text(title)), meta, cls="top")


def _scope(changes: Sequence[Document]) -> str:
    accounts = sorted({str(change.get("account_id")) for change in changes})
    regions = sorted({str(change.get("region")) for change in changes})
    if not accounts:
        return ""
    return f"account {', '.join(accounts)} in {', '.join(regions)} \u00b7 "


def _summary(
    diff_doc: Document, exposure_doc: Document | None, plan_doc: Document | None
) -> str:
    changes = diff_doc.get("changes") or []
    cards = [
        _drift_card(changes),
        _exposure_card(exposure_doc),
        _who_card(changes),
        _plan_card(plan_doc),
    ]
    return el("section", *cards, cls="cards", id="summary")


def _card(title: str, number: Any, rest: str = "", alarm: bool = False) -> str:
    big = el("div", text(number), cls="big alarm" if alarm else "big")
    return el("div", el("h3", text(title)), big, rest, cls="card")


def _items(lines: Iterable[str]) -> str:
    return el("ul", *(el("li", line) for line in lines))


def _drift_card(changes: Sequence[Document]) -> str:
    counts = Counter(str(change.get("severity")) for change in changes)
    pills = [
        severity_pill(severity, counts.get(severity, 0)) for severity in SEVERITIES
    ]
    alarm = bool(counts.get("critical") or counts.get("high"))
    rest = el("div", *pills, cls="pills")
    return _card("Changes since baseline", len(changes), rest, alarm)


def _exposure_card(exposure_doc: Document | None) -> str:
    if exposure_doc is None:
        return _card("Newly exposed", "\u2014", small("not assessed"))
    delta = exposure_doc.get("delta")
    if delta is None:
        exposures = exposure_doc.get("exposures") or []
        return _card("Exposed now", len(exposures), _exposure_list(exposures))
    opened = delta.get("opened") or []
    closed = small(text(f"{len(delta.get('closed') or [])} closed since the baseline"))
    return _card(
        "Newly exposed", len(opened), _exposure_list(opened) + closed, bool(opened)
    )


def _exposure_list(exposures: Sequence[Document]) -> str:
    lines = [
        el("span", text(x.get("address")), cls="mono")
        + text(f" {service(x)} from {sources_text(x)}")
        for x in exposures[:LISTED]
    ]
    if len(exposures) > LISTED:
        lines.append(text(f"and {len(exposures) - LISTED} more"))
    return _items(lines) if lines else ""


def _who_card(changes: Sequence[Document]) -> str:
    found = [change["attribution"] for change in changes if change.get("attribution")]
    if not found:
        return _card("Who", "\u2014", small("not attributed (diff --attribute)"))
    actors = Counter(_actor_name(attribution) for attribution in found)
    lines = [
        el("strong", text(name)) + text(f" \u00d7 {count}")
        for name, count in actors.most_common(LISTED)
    ]
    people = sum(1 for name in actors if not name.startswith("("))
    return _card("Who made them", people, _items(lines))


def _actor_name(attribution: Document) -> str:
    if attribution.get("status") == "attributed":
        return str((attribution.get("actor") or {}).get("display") or "unknown")
    if attribution.get("status") == "unavailable":
        return "(CloudTrail not readable)"
    return "(no CloudTrail event found)"


def _plan_card(plan_doc: Document | None) -> str:
    if plan_doc is None:
        return _card("Revert plan", "\u2014", small("no plan given"))
    steps = plan_doc.get("steps") or []
    manual = len(plan_doc.get("manual") or [])
    lines = [
        text(f"{sum(1 for s in steps if s.get('closes_exposure'))} close exposure"),
        text(f"{sum(1 for s in steps if s.get('destructive'))} destructive"),
        text(f"{manual} to do by hand"),
    ]
    return _card("Revert plan: steps", len(steps), _items(lines))


def _unknown_banner(unknown: Sequence[Document]) -> str:
    if not unknown:
        return ""
    lines = [
        text(
            f"{scope.get('resource_type')} in {scope.get('region')} "
            f"({scope.get('account_id')}): {scope.get('reason')}"
        )
        for scope in unknown
    ]
    lead = el("strong", "Incomplete:") + text(
        f" {len(unknown)} scope(s) could not be read; drift there is unknown, "
        "not absent."
    )
    return el("div", lead, _items(lines), cls="banner", id="unknown")


# --- changes ------------------------------------------------------------------------


def _by_severity(changes: Iterable[Document]) -> list[Document]:
    order = {severity: index for index, severity in enumerate(SEVERITIES)}
    return sorted(changes, key=lambda c: order.get(str(c.get("severity")), len(order)))


def _changes_section(changes: Sequence[Document]) -> str:
    top = heading("changes", "Changes", str(len(changes)))
    if not changes:
        return top + el("p", "No drift from the baseline.", cls="empty")
    rows = [_change_row(change) for change in _by_severity(changes)]
    return top + table(CHANGE_COLUMNS, rows, "changes")


def _change_row(change: Document) -> str:
    severity = str(change.get("severity") or "info")
    kind = str(change.get("resource_type") or "").removeprefix("AWS::EC2::")
    where = f"{kind} \u00b7 {change.get('account_id')} \u00b7 {change.get('region')}"
    opens = ""
    if change.get("opens_internet_path"):
        opens = el("span", "opens an internet path", cls="tag danger")
    cells = [
        severity_pill(severity),
        code(change.get("resource_id")) + small(text(where)),
        text(change.get("summary"))
        + opens
        + small(text(change.get("change_id")), mono=True)
        + _details(change.get("details") or []),
        _who_cell(change.get("attribution")),
    ]
    return row(cells, cls=f"sev-row-{severity}", id=change.get("change_id"))


def _details(details: Sequence[Document]) -> str:
    if not details:
        return ""
    rows = [
        row(
            [
                el("span", text(detail.get("path")), cls="mono"),
                text(detail.get("kind")),
                pretty_json(detail.get("before")),
                pretty_json(detail.get("after")),
            ]
        )
        for detail in details
    ]
    summary = el("summary", text(f"{len(details)} detail(s)"))
    return el("details", summary, table(("path", "kind", "before", "after"), rows, ""))


def _who_cell(attribution: Document | None) -> str:
    if not attribution:
        return small("not attributed")
    if attribution.get("status") != "attributed":
        return el(
            "div",
            el("strong", text(who_text(attribution))),
            small(text(attribution.get("reason"))),
            cls="who",
        )
    actor = attribution.get("actor") or {}
    event = attribution.get("event") or {}
    confidence = attribution.get("confidence")
    badge = "" if confidence == "exact" else el("span", text(confidence), cls="tag")
    others = len(attribution.get("other_events") or [])
    origin = " \u00b7 ".join(
        part
        for part in (
            f"from {event.get('source_ip')}" if event.get("source_ip") else "",
            f"key {actor['access_key_id']}" if actor.get("access_key_id") else "",
            _short(event.get("user_agent")),
        )
        if part
    )
    return el(
        "div",
        el("strong", text(actor.get("display"))),
        badge,
        small(text(actor.get("arn")), mono=True),
        el("div", text(f"{event.get('event_name')} at {event.get('event_time')}")),
        small(text(origin)),
        small(text(f"event {event.get('event_id')}"), mono=True),
        small(text(f"{others} other matching call(s)")) if others else "",
        cls="who",
    )


def _short(value: Any, limit: int = 70) -> str:
    shown = "" if value is None else str(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "\u2026"
