"""``exposure``: what the internet reaches now, and what opened since a baseline."""

from __future__ import annotations

from pathlib import Path

import click

from driftwatch import drift, reach, render
from driftwatch.cli import main
from driftwatch.cli.options import (
    aws_options,
    aws_settings,
    common_options,
    default_format,
    emit,
    finish,
    settings,
)
from driftwatch.cli.snapshot import live_snapshot
from driftwatch.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from driftwatch.report.exposure import RENDERERS


@main.command("exposure")
@click.argument("ref", required=False)
@click.option(
    "--baseline",
    "baseline_ref",
    help="Also report what opened and closed since this baseline (REF).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(RENDERERS)),
    default=None,
    help="Output format (default: table on a terminal, json otherwise).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--graph",
    "graph_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw the reachability graph to this .svg, .png or .dot file.",
)
@common_options
@aws_options
def exposure_command(
    ref: str | None,
    baseline_ref: str | None,
    output_format: str | None,
    output: Path | None,
    graph_file: Path | None,
) -> None:
    """Every internet-exposed path of a snapshot REF (default: a live read)."""
    given = settings()
    baseline = given.store.resolve(baseline_ref) if baseline_ref else None
    if ref is not None:
        current = given.store.resolve(ref).snapshot
    else:
        regions = (
            baseline.snapshot.regions if baseline and not aws_settings().regions else ()
        )
        current = live_snapshot(given, regions=regions)

    report = reach.exposures(current)
    delta = None
    if baseline is not None:
        changes = drift.compute(baseline.snapshot, current).changes
        delta = reach.delta(reach.exposures(baseline.snapshot), report, changes)
    drawing = render.render(report, graph_file) if graph_file else None

    note = drawing.note() if drawing else None
    fmt = output_format or default_format("table", "json")
    emit(RENDERERS[fmt](report, delta, note), output)
    _warn(report, drawing)
    finish(_exit_code(report, delta))


def _warn(report: reach.ExposureReport, drawing: render.Drawing | None) -> None:
    for row in report.unknown:
        click.echo(f"driftwatch: unknown: {row.reason}.", err=True)
    if drawing is not None and drawing.omitted:
        click.echo(f"driftwatch: graph {drawing.path}: {drawing.omitted}.", err=True)


def _exit_code(report: reach.ExposureReport, delta: reach.Delta | None) -> int:
    findings = delta.opened if delta is not None else report.exposures
    if findings:
        return EXIT_FINDINGS
    if report.unknown:
        return EXIT_INCOMPLETE
    return EXIT_OK
