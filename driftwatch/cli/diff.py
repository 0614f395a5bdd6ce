"""``diff``: drift between an approved baseline and the current state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from driftwatch import attribution, drift
from driftwatch import snapshot as snap
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
from driftwatch.cli.snapshot import live_snapshot_like
from driftwatch.report.diff import FORMATS, DiffReport, render
from driftwatch.store import Loaded

SUFFIX_FORMATS = {
    ".json": "json",
    ".md": "markdown",
    ".sarif": "sarif",
    ".txt": "table",
}


@main.command("diff")
@click.option("--baseline", "baseline_ref", required=True, help="Baseline REF.")
@click.option(
    "--current", "current_ref", default=None, help="Current REF (default: live)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format (default: table on a terminal, else json).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to FILE instead of stdout.",
)
@click.option(
    "--ignore",
    "ignore_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSON file of ignore rules (patterns, reason, expires).",
)
@click.option(
    "--attribute",
    "attribute",
    is_flag=True,
    help="Say who made each change, from CloudTrail lookup_events.",
)
@click.option(
    "--cloudtrail-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Attribute from the trail's log files in DIR instead (implies --attribute).",
)
@common_options
@aws_options
def diff_command(
    *,
    baseline_ref: str,
    current_ref: str | None,
    output_format: str | None,
    output: Path | None,
    ignore_file: Path | None,
    attribute: bool,
    cloudtrail_dir: Path | None,
) -> None:
    """Report every change since an approved baseline, and nothing else."""
    # Two snapshots of 100,000 resources are millions of long-lived objects:
    # without a pause, collections walking them would cost more than the diff.
    with snap.collector_paused():
        _diff(
            baseline_ref=baseline_ref,
            current_ref=current_ref,
            output_format=output_format,
            output=output,
            ignore_file=ignore_file,
            attribute=attribute,
            cloudtrail_dir=cloudtrail_dir,
        )


def _diff(
    *,
    baseline_ref: str,
    current_ref: str | None,
    output_format: str | None,
    output: Path | None,
    ignore_file: Path | None,
    attribute: bool,
    cloudtrail_dir: Path | None,
) -> None:
    """The diff command itself, with the collector paused."""
    given = settings()
    baseline = given.store.resolve(baseline_ref)
    rules = drift.load_ignore(ignore_file) if ignore_file else None
    if current_ref is not None:
        current = given.store.resolve(current_ref)
    else:
        current = live_snapshot_like(given, baseline)
    result = drift.compute(
        baseline.snapshot,
        current.snapshot,
        ignore=rules,
        sources=(baseline.source, current.source),
    )
    found = {}
    if attribute or cloudtrail_dir:
        found = attribution_documents(result, baseline, current, cloudtrail_dir)
    report = DiffReport(
        result, baseline.header(), current.header(), _artifact(baseline), found
    )
    emit(render(output_format or _default_format(output), report), output)
    finish(result.exit_code)


def attribution_documents(
    result: drift.DriftResult,
    baseline: Loaded,
    current: Loaded,
    cloudtrail_dir: Path | None,
) -> dict[str, dict[str, Any]]:
    """Attribution documents by change id, from log files or the CloudTrail API."""
    source: attribution.EventSource
    if cloudtrail_dir is not None:
        source = attribution.LogFileSource(cloudtrail_dir)
    else:
        source = attribution.LookupEventsSource(aws_settings().target)
    found = attribution.attribute_changes(
        result.changes,
        since=baseline.snapshot.taken_at,
        until=current.snapshot.taken_at,
        source=source,
    )
    return {item.change_id: item.to_document() for item in found}


def _default_format(output: Path | None) -> str:
    if output is not None:
        return SUFFIX_FORMATS.get(output.suffix, "json")
    return default_format("table", "json")


def _artifact(loaded: Loaded) -> str:
    """The baseline file as a SARIF artifact URI (relative paths stay relative)."""
    path = Path(loaded.source)
    if not path.is_file():
        return ""
    return path.as_uri() if path.is_absolute() else path.as_posix()
