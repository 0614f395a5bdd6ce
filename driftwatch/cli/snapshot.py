"""``snapshot``, ``approve``, ``history`` and ``baselines``."""

from __future__ import annotations

import gc
import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from driftwatch import aws, collect
from driftwatch import snapshot as snap
from driftwatch.cli import main
from driftwatch.cli.options import (
    Settings,
    aws_options,
    aws_settings,
    common_options,
    emit,
    finish,
    settings,
    show_progress,
    stderr_console,
)
from driftwatch.errors import EXIT_INCOMPLETE, EXIT_OK, UsageError
from driftwatch.store import Loaded

ProgressCallback = Callable[[str, str, int, int], None]


@contextmanager
def progress_bar(given: Settings, what: str) -> Iterator[ProgressCallback | None]:
    """A rich progress bar on a terminal, fed by the collector's callback."""
    if not show_progress(given):
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=stderr_console(), transient=True) as progress:
        task = progress.add_task(what, total=None)

        def advance(region: str, resource_type: str, done: int, total: int) -> None:
            progress.update(
                task, completed=done, total=total, description=f"{what} {region}"
            )

        yield advance


def live_snapshot(
    given: Settings, regions: tuple[str, ...] = (), label: str | None = None
) -> snap.Snapshot:
    """Take a live snapshot with the command's AWS options, with progress."""
    aws = aws_settings()
    with progress_bar(given, "reading") as progress:
        return collect.collect(
            aws.target, regions or aws.regions, label=label, progress=progress
        )


def live_snapshot_like(given: Settings, baseline: Loaded) -> Loaded:
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
    # botocore builds reference cycles by the thousand: collect them meanwhile.
    with _collector_running():
        taken = live_snapshot(given, tuple(regions))
    return Loaded(taken, snap.sha256(snap.dumps(taken)), "live")


@contextmanager
def _collector_running() -> Iterator[None]:
    """The cyclic garbage collector on for a while, then as it was."""
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()


@main.command("snapshot")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the snapshot to this file (.json or .json.gz).",
)
@click.option("--label", help="A note stored with the snapshot in the catalog.")
@click.option(
    "--gzip", "compress", is_flag=True, help="Store the snapshot as .json.gz."
)
@common_options
@aws_options
def snapshot_command(out: Path | None, label: str | None, compress: bool) -> None:
    """Read every tracked network resource and store a snapshot."""
    given = settings()
    given.store.check()
    taken = live_snapshot(given, label=label)
    path = given.store.add_snapshot(taken, compress=compress)
    if out is not None:
        snap.write(out, taken)
    click.echo(f"{taken.snapshot_id}\t{path}")
    for row in taken.unknown():
        click.echo(
            f"driftwatch: {row.resource_type} in {row.region} ({row.account_id}) "
            f"was not read ({row.status}: {row.detail}); it is unknown, not empty.",
            err=True,
        )
    finish(EXIT_OK if taken.complete else EXIT_INCOMPLETE)


@main.command("approve")
@click.argument("ref")
@click.option("--as", "name", required=True, help="Baseline name, e.g. prod.")
@click.option(
    "--by", "approved_by", default=None, help="Who approves (default: the login name)."
)
@common_options
def approve_command(ref: str, name: str, approved_by: str | None) -> None:
    """Approve a snapshot as baseline NAME (a new version of it)."""
    given = settings()
    loaded = given.store.resolve(ref)
    version = given.store.approve(loaded, name, approved_by=approved_by or _login())
    click.echo(f"{name}@{version}\t{given.store.root / (name + '.json')}")
    finish(EXIT_OK)


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def _table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    return table


def _counts(row: dict[str, Any]) -> str:
    return str(sum(row.get("counts", {}).values()))


@main.command("history")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table"
)
@common_options
def history_command(output_format: str) -> None:
    """List stored snapshots."""
    rows = settings().store.snapshots()
    if output_format == "json":
        emit(_json(rows))
        finish(EXIT_OK)
    columns = [
        "snapshot id",
        "taken at",
        "accounts",
        "regions",
        "resources",
        "complete",
        "label",
        "sha256",
    ]
    cells = [
        [
            row["snapshot_id"],
            row["taken_at"],
            ",".join(row["accounts"]),
            ",".join(row["regions"]),
            _counts(row),
            "yes" if row.get("complete") else "no",
            row.get("label") or "",
            row["sha256"][:12],
        ]
        for row in rows
    ]
    _print_table("snapshots", columns, cells)
    finish(EXIT_OK)


@main.command("baselines")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table"
)
@common_options
def baselines_command(output_format: str) -> None:
    """List approved baselines and their versions."""
    rows = settings().store.baselines()
    if output_format == "json":
        emit(_json(rows))
        finish(EXIT_OK)
    columns = [
        "ref",
        "snapshot id",
        "taken at",
        "approved at",
        "by",
        "accounts",
        "regions",
        "resources",
        "sha256",
    ]
    cells = [
        [
            f"{row['name']}@{row['version']}",
            row["snapshot_id"],
            row["taken_at"],
            row["approved_at"],
            row.get("approved_by") or "",
            ",".join(row["accounts"]),
            ",".join(row["regions"]),
            _counts(row),
            row["sha256"][:12],
        ]
        for row in rows
    ]
    _print_table("baselines", columns, cells)
    finish(EXIT_OK)


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, indent=2, sort_keys=True) + "\n"


def _print_table(title: str, columns: list[str], cells: list[list[str]]) -> None:
    # Off a terminal rich would wrap at 80 columns; a wide table pipes better.
    width = None if sys.stdout.isatty() else 200
    Console(width=width).print(_table(title, columns, cells))
