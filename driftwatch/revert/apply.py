"""Applying a revert plan with the care an incident demands.

``Applier.check`` runs first and changes nothing: it makes sure the
credentials belong to the plan's accounts, reads every resource a step
checks, classifies each step (converged, ready, stale: see ``checks``) and
makes the EC2 DryRun check of every ready step that offers one. A stale step
or a denied DryRun stops the apply before anything is written (unless
``keep_going``).

``Applier.run`` then goes step by step, in plan order: read the resource
again and refuse the step if its precondition no longer holds; skip it if it
has already converged; read the association id again; make the call; check the
response (``Return``, ``UnknownIpPermissions``, ``Unsuccessful``); poll until
the live state shows the baseline values (bounded by the operation's settle
time); record the step in the undo log. The first failure stops the run
unless ``keep_going``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from driftwatch import aws
from driftwatch.aws import AwsTarget
from driftwatch.errors import ApplyError, AwsError
from driftwatch.revert import checks
from driftwatch.revert.checks import DryRun, LiveState
from driftwatch.revert.live import LiveReader
from driftwatch.revert.operations import operation, response_problem
from driftwatch.revert.steps import Plan, RevertStep
from driftwatch.revert.undo import UndoLog

logger = logging.getLogger(__name__)

APPLIED = "applied"
CONVERGED = "converged"
CHECKED = "checked"
REFUSED = "refused"
FAILED = "failed"
NOT_RUN = "not run"
READY = "ready"
SUCCESS = frozenset({APPLIED, CONVERGED, CHECKED})


@dataclass(frozen=True)
class ApplyOptions:
    """How an apply behaves: what to check, when to stop, how long to wait."""

    keep_going: bool = False
    dry_run_ignored: frozenset[str] = frozenset()
    settle_scale: float = 1.0
    poll_interval: float = 0.5


@dataclass(frozen=True)
class StepOutcome:
    """What happened to one step."""

    number: int
    step: RevertStep
    status: str
    detail: str
    dry_run: DryRun | None = None
    params: dict[str, Any] | None = field(default=None, compare=False)
    before: LiveState | None = None
    response: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        """True for applied, converged and (in a check) checked."""
        return self.status in SUCCESS

    def to_document(self) -> dict[str, Any]:
        """The outcome as the undo log records it."""
        document: dict[str, Any] = {
            "step": self.number,
            "operation": self.step.operation,
            "region": self.step.region,
            "status": self.status,
            "detail": self.detail,
            "params": self.params
            if self.params is not None
            else self.step.params.value,
            "change_ids": list(self.step.change_ids),
        }
        if self.dry_run is not None:
            document["dry_run"] = {
                "outcome": self.dry_run.outcome,
                "detail": self.dry_run.detail,
            }
        if self.before is not None:
            document["before"] = self.before.to_document(self.step)
        if self.response is not None:
            document["response"] = self.response
        return document


@dataclass(frozen=True)
class ApplyReport:
    """The outcome of every step of a check or a run."""

    outcomes: tuple[StepOutcome, ...]

    @property
    def ok(self) -> bool:
        """True when every step was applied, converged or (in a check) checked."""
        return all(outcome.ok for outcome in self.outcomes)

    def count(self, status: str) -> int:
        """How many steps ended with ``status``."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)


class Applier:
    """Checks and runs one plan against AWS."""

    def __init__(
        self,
        plan: Plan,
        target: AwsTarget,
        options: ApplyOptions | None = None,
        *,
        reader: LiveReader | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.plan = plan
        self.options = options or ApplyOptions()
        self.reader = reader or LiveReader(target)
        self.target = target
        self.sleep = sleep

    def verify_accounts(self) -> None:
        """Refuse to start when the credentials are not those of the plan's accounts.

        Raises:
            ApplyError: an account of the plan is not the credentials' account.
        """
        for region in sorted({step.region for step in self.plan.steps}):
            found = aws.account_id(self.target, region)
            wanted = {s.account_id for s in self.plan.steps if s.region == region}
            if wanted != {found}:
                raise ApplyError(
                    f"The plan changes account {', '.join(sorted(wanted))} but the "
                    f"credentials are for account {found}; use that account's "
                    "credentials (--profile) or the plan made for this account."
                )

    # --- the check: reads and DryRun only ------------------------------------------

    def check(self) -> ApplyReport:
        """Check every step without changing anything."""
        outcomes: list[StepOutcome] = []
        stop = False
        for number, step in enumerate(self.plan.steps, 1):
            if stop:
                outcomes.append(
                    StepOutcome(number, step, NOT_RUN, "an earlier check failed")
                )
                continue
            outcome = self._check_step(number, step)
            outcomes.append(outcome)
            stop = not outcome.ok and not self.options.keep_going
            stop = stop or (
                outcome.dry_run is not None
                and outcome.dry_run.outcome == checks.DRY_RUN_PERFORMED
            )
        logger.info(
            "checked %d steps: %d ready", len(outcomes), sum(o.ok for o in outcomes)
        )
        return ApplyReport(tuple(outcomes))

    def _check_step(self, number: int, step: RevertStep) -> StepOutcome:
        outcome = self._ready(number, step)
        if outcome.status != READY:
            return outcome
        found = self._dry_run(outcome)
        if found.outcome == checks.DRY_RUN_DENIED:
            return replace(
                outcome,
                status=REFUSED,
                detail=f"DryRun denied: {found.detail}",
                dry_run=found,
            )
        if found.outcome == checks.DRY_RUN_PERFORMED:
            return replace(outcome, status=FAILED, detail=found.detail, dry_run=found)
        return replace(
            outcome, status=CHECKED, detail=f"DryRun {found.outcome}", dry_run=found
        )

    def _ready(self, number: int, step: RevertStep) -> StepOutcome:
        """Read the step's resources now: converged, stale or ready (with params)."""
        try:
            state = checks.live_state(self.reader, step)
        except AwsError as exc:
            return StepOutcome(number, step, REFUSED, f"could not read it: {exc}")
        status, detail = checks.verdict(step, state)
        if status == checks.CONVERGED:
            return StepOutcome(number, step, CONVERGED, detail, before=state)
        if status == checks.STALE:
            return StepOutcome(
                number, step, REFUSED, f"stale plan: {detail}", before=state
            )
        params = checks.params_now(step, state)
        return StepOutcome(number, step, READY, detail, params=params, before=state)

    def _dry_run(self, outcome: StepOutcome) -> DryRun:
        client = self.reader.client(outcome.step.region)
        return checks.dry_run(
            client, outcome.step, outcome.params or {}, self.options.dry_run_ignored
        )

    def record_performed(self, checked: ApplyReport, log: UndoLog) -> ApplyReport:
        """Verify and log the steps an endpoint performed during their DryRun check
        (it ignores DryRun), so the undo log tells the truth; then stop."""
        outcomes = []
        for outcome in checked.outcomes:
            if outcome.dry_run and outcome.dry_run.outcome == checks.DRY_RUN_PERFORMED:
                verified = self._verified(outcome)
                applied = verified.status == APPLIED
                log.record(verified.to_document(), outcome.step, applied)
                outcomes.append(verified)
        log.finish("stopped")
        return ApplyReport(tuple(outcomes))

    # --- the run ----------------------------------------------------------------------

    def run(self, checked: ApplyReport, log: UndoLog) -> ApplyReport:
        """Apply the steps in order, recording each in the undo log."""
        outcomes: list[StepOutcome] = []
        stop = False
        for number, step in enumerate(self.plan.steps, 1):
            if stop:
                outcome = StepOutcome(
                    number, step, NOT_RUN, "the run stopped before it"
                )
            else:
                outcome = self._run_step(checked.outcomes[number - 1])
                stop = not outcome.ok and not self.options.keep_going
            log.record(outcome.to_document(), step, outcome.status == APPLIED)
            outcomes.append(outcome)
        report = ApplyReport(tuple(outcomes))
        log.finish("completed" if report.ok else "stopped")
        logger.info(
            "applied %d, converged %d, refused %d, failed %d",
            report.count(APPLIED),
            report.count(CONVERGED),
            report.count(REFUSED),
            report.count(FAILED),
        )
        return report

    def _run_step(self, checked: StepOutcome) -> StepOutcome:
        found = checked.dry_run
        if found is not None and found.outcome == checks.DRY_RUN_PERFORMED:
            # The endpoint performed the call during its check: verify that.
            return self._verified(checked)
        outcome = self._ready(checked.number, checked.step)
        if outcome.status != READY:
            return outcome
        if found is not None and found.outcome == checks.DRY_RUN_DENIED:
            # With keep_going the run reaches a step its check refused: still no.
            return replace(
                outcome, status=REFUSED, detail=checked.detail, dry_run=found
            )
        if found is None or found.outcome == checks.DRY_RUN_DEFERRED:
            # Checked again now that the steps before it have run.
            found = self._dry_run(outcome)
            if found.outcome in (checks.DRY_RUN_DENIED, checks.DRY_RUN_DEFERRED):
                detail = f"DryRun: {found.detail}"
                return replace(outcome, status=FAILED, detail=detail, dry_run=found)
            if found.outcome == checks.DRY_RUN_PERFORMED:
                return self._verified(replace(outcome, dry_run=found))
        return self._call(replace(outcome, dry_run=found))

    def _call(self, outcome: StepOutcome) -> StepOutcome:
        step, params = outcome.step, outcome.params or {}
        logger.info("step %d: %s %s", outcome.number, step.operation, _brief(params))
        client = self.reader.client(step.region)
        try:
            response = getattr(client, step.operation)(**params)
        except aws.AWS_FAILURES as exc:
            error = aws.translate(
                exc, f"running step {outcome.number} ({step.operation})"
            )
            return replace(outcome, status=FAILED, detail=str(error))
        kept = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        problem = response_problem(kept)
        if problem:
            return replace(outcome, status=FAILED, detail=problem, response=kept)
        return self._verified(replace(outcome, response=kept))

    def _verified(self, outcome: StepOutcome) -> StepOutcome:
        """Poll the live state until it shows the baseline values, within bounds."""
        step = outcome.step
        deadline = operation(step.operation).settle_seconds * self.options.settle_scale
        waited, interval = 0.0, self.options.poll_interval
        while True:
            try:
                status, detail = checks.verdict(
                    step, checks.live_state(self.reader, step)
                )
            except AwsError as exc:
                status, detail = "unknown", str(exc)
            if status == checks.CONVERGED:
                return replace(outcome, status=APPLIED, detail="applied and verified")
            if waited >= deadline:
                detail = (
                    "the call returned but the live state did not show the baseline "
                    f"values within {deadline:.0f}s ({detail})"
                )
                return replace(outcome, status=FAILED, detail=detail)
            self.sleep(interval)
            waited += interval
            interval = min(interval * 2, 10.0)


def _brief(params: dict[str, Any]) -> str:
    text = ", ".join(f"{key}={value!r}" for key, value in params.items())
    return text if len(text) < 200 else text[:197] + "..."


__all__ = ["Applier", "ApplyOptions", "ApplyReport", "StepOutcome", "replace"]
