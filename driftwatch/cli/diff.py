"""``diff``: drift between an approved baseline and the current state."""

from __future__ import annotations

from pathlib import Path

import click

from driftwatch import aws, drift
from driftwatch import snapshot as snap
from driftwatch.cli import main
from driftwatch.cli.options import (
    Settings,
    aws_options,
    aws_settings,
    common_options,
    default_format,
    emit,
    finish,
    settings,
)
from driftwatch.cli.snapshot import live_snapshot
from driftwatch.errors import UsageError
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
@common_options
@aws_options
def diff_command(
    baseline_ref: str,
    current_ref: str | None,
    output_format: str | None,
    output: Path | None,
    ignore_file: Path | None,
) -> None:
    """Report every change since an approved baseline, and nothing else."""
    given = settings()
    baseline = given.store.resolve(baseline_ref)
    rules = drift.load_ignore(ignore_file) if ignore_file else None
    if current_ref is not None:
        current = given.store.resolve(current_ref)
    else:
        current = _live(given, baseline)
    result = drift.compute(baseline.snapshot, current.snapshot, ignore=rules)
    report = DiffReport(
        result, baseline.header(), current.header(), _artifact(baseline)
    )
    emit(render(output_format or _default_format(output), report), output)
    finish(result.exit_code)


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


def _live(given: Settings, baseline: Loaded) -> Loaded:
    """A live snapshot of the baseline's regions, refused for another account."""
    target = aws_settings()
    regions = target.regions or baseline.snapshot.regions
    home = aws.home_region(target.target, regions)
    account = aws.account_id(target.target, home)
    if account not in baseline.snapshot.accounts:
        raise UsageError(
            f"The credentials are for account {account} but baseline "
            f"{baseline.source} is of {', '.join(baseline.snapshot.accounts)}; "
            "use the profile of that account."
        )
    taken = live_snapshot(given, tuple(regions))
    return Loaded(taken, snap.sha256(snap.dumps(taken)), "live")
