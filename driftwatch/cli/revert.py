"""``revert``: plan the calls that restore a baseline (``--plan``), or apply a plan.

``--plan`` only reads: the live snapshot (without ``--current``) and the
association ids some steps need. ``--apply`` is the one command of driftwatch
that writes to AWS: it checks every step first (DryRun, preconditions), asks
for confirmation unless ``--yes``, then applies, verifies and logs each step.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from driftwatch import drift
from driftwatch.cli import main
from driftwatch.cli.options import (
    Settings,
    aws_options,
    aws_settings,
    common_options,
    emit,
    finish,
    settings,
)
from driftwatch.cli.snapshot import live_snapshot_like
from driftwatch.errors import (
    EXIT_FAILURE,
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    EXIT_OK,
    UsageError,
)
from driftwatch.report.plan import FORMATS, render
from driftwatch.revert import emulators, planfile
from driftwatch.revert.apply import (
    CONVERGED,
    Applier,
    ApplyOptions,
    ApplyReport,
    StepOutcome,
)
from driftwatch.revert.checks import DRY_RUN_PERFORMED
from driftwatch.revert.live import LiveReader
from driftwatch.revert.planner import plan_revert
from driftwatch.revert.steps import Plan, SnapshotRef
from driftwatch.revert.undo import UndoLog
from driftwatch.store import Loaded

# Plan-time reads of association ids are a convenience (the apply reads them
# again), so they do not wait out a long retry storm.
PLAN_READ_ATTEMPTS = 3


@main.command("revert")
@click.option("--plan", "make_plan", is_flag=True, help="Plan the revert (read-only).")
@click.option(
    "--apply",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Apply a JSON plan (or an undo log) to AWS.",
)
@click.option("--baseline", "baseline_ref", default=None, help="Baseline REF.")
@click.option(
    "--current", "current_ref", default=None, help="Current REF (default: live)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    help="Plan format: text (a runbook), json (for --apply), python (a boto3 script).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the plan to FILE instead of stdout.",
)
@click.option(
    "--keep-new", is_flag=True, help="Leave resources created since the baseline."
)
@click.option("--yes", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--dry-run", is_flag=True, help="Only check the steps; change nothing.")
@click.option(
    "--continue", "keep_going", is_flag=True, help="Go on after a failed step."
)
@common_options
@aws_options
def revert_command(
    *,
    make_plan: bool,
    plan_file: Path | None,
    baseline_ref: str | None,
    current_ref: str | None,
    output_format: str,
    output: Path | None,
    keep_new: bool,
    yes: bool,
    dry_run: bool,
    keep_going: bool,
) -> None:
    """Plan the boto3 calls that restore a baseline, or apply such a plan."""
    given = settings()
    if make_plan == (plan_file is not None):
        raise UsageError("Give either --plan (with --baseline) or --apply PLAN.")
    if make_plan:
        if baseline_ref is None:
            raise UsageError("revert --plan needs --baseline REF.")
        if yes or dry_run or keep_going:
            raise UsageError("--yes, --dry-run and --continue go with --apply.")
        finish(
            _plan(
                given,
                baseline_ref=baseline_ref,
                current_ref=current_ref,
                output_format=output_format,
                output=output,
                keep_new=keep_new,
            )
        )
    if baseline_ref or current_ref or keep_new or output:
        raise UsageError(
            "--baseline, --current, --keep-new and --output go with --plan."
        )
    assert plan_file is not None
    finish(_apply(given, plan_file, yes=yes, dry_run=dry_run, keep_going=keep_going))


def _plan(
    given: Settings,
    *,
    baseline_ref: str,
    current_ref: str | None,
    output_format: str,
    output: Path | None,
    keep_new: bool,
) -> int:
    baseline = given.store.resolve(baseline_ref)
    if current_ref is None:
        current = live_snapshot_like(given, baseline)
    else:
        current = given.store.resolve(current_ref)
    result = drift.compute(baseline.snapshot, current.snapshot)
    plan = make_plan(baseline, current, result, keep_new=keep_new)
    emit(render(output_format, plan), output)
    if not plan.empty:
        return EXIT_FINDINGS
    return EXIT_INCOMPLETE if plan.unknown else EXIT_OK


def make_plan(
    baseline: Loaded, current: Loaded, result: drift.DriftResult, *, keep_new: bool
) -> Plan:
    """The revert plan of ``result``; plan-time reads use the command's AWS options."""
    target = replace(aws_settings().target, max_attempts=PLAN_READ_ATTEMPTS)
    return plan_revert(
        baseline.snapshot,
        current.snapshot,
        baseline_ref=SnapshotRef(**_ref(baseline.header())),
        current_ref=SnapshotRef(**_ref(current.header())),
        drift=result,
        keep_new=keep_new,
        reader=LiveReader(target),
    )


def _ref(header: dict[str, str]) -> dict[str, str]:
    return {key: header[key] for key in ("snapshot_id", "sha256", "taken_at")}


def _apply(
    given: Settings, plan_file: Path, *, yes: bool, dry_run: bool, keep_going: bool
) -> int:
    plan, sha = planfile.load(plan_file)
    if not plan.steps:
        click.echo("The plan has no steps: nothing to apply.")
        return EXIT_OK
    if not dry_run and not yes and not _interactive():
        raise UsageError(
            "revert --apply changes AWS and needs confirmation: run it on a "
            "terminal, or pass --yes (or --dry-run to only check)."
        )
    target = aws_settings().target
    options = ApplyOptions(
        keep_going=keep_going,
        dry_run_ignored=emulators.dry_run_ignored(target.endpoint_url),
    )
    applier = Applier(plan, target, options)
    applier.verify_accounts()
    checked = applier.check()
    _show(checked, "check")
    early = _after_check(given, applier, checked, sha, dry_run=dry_run)
    if early is not None:
        return early
    if not checked.ok and not keep_going:
        click.echo("The check failed: nothing was changed.")
        return EXIT_FINDINGS
    if not yes and not _confirmed(plan):
        click.echo("Not confirmed: nothing was changed.")
        return EXIT_FAILURE
    log = UndoLog.start(given.store.root, plan, sha)
    report = applier.run(checked, log)
    _show(report, "apply")
    click.echo(f"Undo log: {log.path}")
    return EXIT_OK if report.ok else EXIT_FINDINGS


def _interactive() -> bool:
    """True when a person can answer the confirmation prompt."""
    return sys.stdin.isatty()


def _after_check(
    given: Settings, applier: Applier, checked: ApplyReport, sha: str, *, dry_run: bool
) -> int | None:
    """The exit code when the check ends the command, else None."""
    performed = [
        o
        for o in checked.outcomes
        if o.dry_run and o.dry_run.outcome == DRY_RUN_PERFORMED
    ]
    if performed:
        log = UndoLog.start(given.store.root, applier.plan, sha)
        applier.record_performed(checked, log)
        click.echo(
            f"The endpoint performed step {performed[0].number} during its DryRun "
            f"check (it ignores DryRun); the apply stopped. See {log.path}."
        )
        return EXIT_FINDINGS
    if all(o.status == CONVERGED for o in checked.outcomes):
        click.echo("Every step is already as in the baseline: nothing to apply.")
        return EXIT_OK
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return EXIT_OK if checked.ok else EXIT_FINDINGS
    return None


def _confirmed(plan: Plan) -> bool:
    accounts = ", ".join(sorted({s.account_id for s in plan.steps}))
    regions = ", ".join(sorted({s.region for s in plan.steps}))
    destructive = sum(1 for s in plan.steps if s.destructive)
    return click.confirm(
        f"Apply {len(plan.steps)} steps ({destructive} destructive) to account "
        f"{accounts} in {regions}?",
        default=False,
    )


def _show(report: ApplyReport, stage: str) -> None:
    for outcome in report.outcomes:
        click.echo(_line(outcome, stage))


def _line(outcome: StepOutcome, stage: str) -> str:
    step = outcome.step
    return (
        f"{stage} step {outcome.number} {outcome.status}: {step.operation} "
        f"{step.resource_id} ({step.region}): {outcome.detail}"
    )
