"""The evidence sections of the incident report: exposure, graph, revert runbook."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
from driftwatch.report.svg import safe_svg

Document = Mapping[str, Any]
EXPOSURE_COLUMNS = ("severity", "address", "interface", "service", "sources", "path")


def sources(exposure: Document) -> list[str]:
    """The sources for people: ``0.0.0.0/0`` and what it leaves out, or the list.

    A near-universal source set is hundreds of CIDRs when listed; the exposure
    document gives the few ranges it leaves out in ``sources_except``.
    """
    missing = exposure.get("sources_except")
    if not missing:
        return [str(source) for source in exposure.get("sources") or []]
    universe = "::/0" if exposure.get("address_family") == "ipv6" else "0.0.0.0/0"
    return [f"{universe} except", *(str(cidr) for cidr in missing)]


def sources_text(exposure: Document) -> str:
    """The sources in one line: ``0.0.0.0/0 except 10.0.0.0/16`` or ``a, b``."""
    lines = sources(exposure)
    if exposure.get("sources_except"):
        return f"{lines[0]} {', '.join(lines[1:])}"
    return ", ".join(lines)


def service(exposure: Document) -> str:
    """``tcp/22, 80-90``, ``icmp 8:0`` or ``all traffic`` for an exposure."""
    protocol = str(exposure.get("protocol") or "")
    if protocol == "all":
        return "all traffic"
    if exposure.get("ports"):
        ports = ", ".join(_interval(low, high) for low, high in exposure["ports"])
        return f"{protocol}/{ports}"
    if exposure.get("icmp"):
        pairs = ", ".join(f"{kind}:{number}" for kind, number in exposure["icmp"])
        return f"{protocol} {pairs}"
    return protocol


def _interval(low: Any, high: Any) -> str:
    return str(low) if low == high else f"{low}-{high}"


def exposure_section(exposure_doc: Document | None) -> str:
    """Newly exposed and closed paths (or all exposure when there is no delta)."""
    if exposure_doc is None:
        return ""
    delta = exposure_doc.get("delta")
    if delta is None:
        exposures = exposure_doc.get("exposures") or []
        return _exposure_table("exposed", "Exposed to the internet", exposures)
    return _exposure_table(
        "opened", "Newly exposed since the baseline", delta.get("opened") or []
    ) + _exposure_table(
        "closed", "Closed since the baseline", delta.get("closed") or []
    )


def _exposure_table(anchor: str, title: str, exposures: Sequence[Document]) -> str:
    top = heading(anchor, title, str(len(exposures)))
    if not exposures:
        return top + el("p", "None.", cls="empty")
    rows = [_exposure_row(exposure) for exposure in exposures]
    return top + table(EXPOSURE_COLUMNS, rows, f"exposures {anchor}")


def _exposure_row(exposure: Document) -> str:
    severity = str(exposure.get("severity") or "info")
    hops = [
        el("span", text(hop.get("kind")), " ", code(hop.get("id")))
        for hop in exposure.get("path") or []
    ]
    where = f"{exposure.get('region')} · {exposure.get('subnet_id')}"
    cells = [
        severity_pill(severity),
        code(exposure.get("address")) + small(text(exposure.get("address_family"))),
        code(exposure.get("network_interface_id")) + small(text(where)),
        el("strong", text(service(exposure))),
        "<br>".join(code(source) for source in sources(exposure)),
        el("div", *hops, cls="path"),
    ]
    return row(cells, cls=f"sev-row-{severity}")


def graph_section(graph_svg: str | None) -> str:
    """The reachability graph, inlined with nothing active left in it."""
    if not graph_svg:
        return ""
    return heading("graph", "Reachability graph") + el(
        "div", safe_svg(graph_svg), cls="graph"
    )


def plan_section(plan_doc: Document | None) -> str:
    """The revert runbook: ordered steps, then what must be done by hand."""
    if plan_doc is None:
        return ""
    steps = plan_doc.get("steps") or []
    note = el(
        "p",
        "Review, then run ",
        code("driftwatch revert --apply PLAN"),
        " (DryRun checks first, preconditions re-read live, each step verified).",
        cls="small",
    )
    listed = [_step(step) for step in steps] or [el("li", "No steps.", cls="empty")]
    return (
        heading("plan", "Revert runbook", f"{len(steps)} steps")
        + note
        + el("ol", *listed, cls="steps")
        + _manual(plan_doc.get("manual") or [])
    )


def _step(step: Document) -> str:
    tags = ""
    if step.get("closes_exposure"):
        tags += el("span", "closes exposure", cls="tag good")
    if step.get("destructive"):
        tags += el("span", "destructive", cls="tag danger")
    operation = f"{step.get('step')}. {step.get('service')}.{step.get('operation')}"
    where = f"{step.get('account_id')} · {step.get('region')}"
    precondition = step.get("precondition") or {}
    checks = small("precondition") + pretty_json(precondition) if precondition else ""
    return el(
        "li",
        el("span", text(operation), cls="op"),
        tags,
        " ",
        el("span", text(where), cls="small"),
        el("div", text(step.get("reason"))),
        pretty_json(step.get("params")),
        checks,
        small(text(", ".join(step.get("change_ids") or [])), mono=True),
        id=f"step-{step.get('step')}",
    )


def _manual(manual: Sequence[Document]) -> str:
    if not manual:
        return ""
    items = [
        el(
            "li",
            text(item.get("reason")),
            " ",
            el("span", text(", ".join(item.get("change_ids") or [])), cls="small mono"),
        )
        for item in manual
    ]
    return heading("manual", "By hand", str(len(manual))) + el("ul", *items)
