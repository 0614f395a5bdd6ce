"""``report``: the incident report, one self-contained HTML page.

It answers the four questions on one page from one read of the estate: what
changed (the diff), what is newly exposed (the exposure delta and its graph),
who did it (with ``--attribute`` or ``--cloudtrail-dir``) and how to put it
back (the revert plan). Making it only reads.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import click

from driftwatch import drift, reach, render
from driftwatch.cli import main
from driftwatch.cli.diff import attribution_documents
from driftwatch.cli.options import aws_options, common_options, emit, finish, settings
from driftwatch.cli.revert import make_plan
from driftwatch.cli.snapshot import live_snapshot_like
from driftwatch.errors import UsageError
from driftwatch.report import diff as diff_report
from driftwatch.report import exposure as exposure_report
from driftwatch.report.html import render_incident_report
from driftwatch.store import Loaded

logger = logging.getLogger(__name__)


@main.command("report")
@click.option("--baseline", "baseline_ref", required=True, help="Baseline REF.")
@click.option(
    "--current", "current_ref", default=None, help="Current REF (default: live)."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("incident-report.html"),
    show_default=True,
    help="Where to write the HTML page.",
)
@click.option("--title", default="Network incident report", show_default=True)
@click.option(
    "--ignore",
    "ignore_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSON file of ignore rules.",
)
@click.option(
    "--attribute",
    is_flag=True,
    help="Say who made each change, from CloudTrail lookup_events.",
)
@click.option(
    "--cloudtrail-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Attribute from the trail's log files in DIR instead.",
)
@common_options
@aws_options
def report_command(
    *,
    baseline_ref: str,
    current_ref: str | None,
    output: Path,
    title: str,
    ignore_file: Path | None,
    attribute: bool,
    cloudtrail_dir: Path | None,
) -> None:
    """Write the incident report: drift, new exposure, who, and the revert plan."""
    given = settings()
    baseline = given.store.resolve(baseline_ref)
    current = (
        given.store.resolve(current_ref)
        if current_ref is not None
        else live_snapshot_like(given, baseline)
    )
    rules = drift.load_ignore(ignore_file) if ignore_file else None
    result = drift.compute(baseline.snapshot, current.snapshot, ignore=rules)
    found = {}
    if attribute or cloudtrail_dir:
        found = attribution_documents(result, baseline, current, cloudtrail_dir)
    diff_doc = diff_report.document(
        diff_report.DiffReport(result, baseline.header(), current.header(), "", found)
    )
    exposure_doc, graph_svg = _exposure(baseline, current, result)
    plan = make_plan(baseline, current, result, keep_new=False)
    page = render_incident_report(
        diff_doc, exposure_doc, graph_svg, plan.to_document(), title=title
    )
    emit(page, output)
    click.echo(
        f"{output}: {len(result.changes)} changes, "
        f"{len(exposure_doc['delta']['opened'])} newly exposed paths, "
        f"{len(plan.steps)} revert steps."
    )
    finish(result.exit_code)


def _exposure(
    baseline: Loaded, current: Loaded, result: drift.DriftResult
) -> tuple[dict[str, Any], str | None]:
    """The exposure document with its delta, and the graph as SVG text."""
    now = reach.exposures(current.snapshot)
    delta = reach.delta(reach.exposures(baseline.snapshot), now, result.changes)
    with tempfile.TemporaryDirectory(prefix="driftwatch-report-") as scratch:
        path = Path(scratch) / "exposure.svg"
        try:
            drawing = render.render(now, path)
        except UsageError as exc:
            # The page is still worth having without its picture (no dot here).
            logger.warning("the report has no graph: %s", exc)
            return exposure_report.to_document(now, delta), None
        svg = path.read_text(encoding="utf-8")
    return exposure_report.to_document(now, delta, drawing.note()), svg
