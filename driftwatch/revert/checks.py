"""Live checks of one step: does its precondition hold now, would EC2 allow it.

``verdict`` compares the live value of every part a step checks with the
values the plan recorded:

- every part already shows its baseline value: ``converged`` (nothing to do;
  this is what makes a second apply of the same plan a no-op);
- every part shows the value the plan saw, or already its baseline value:
  ``ready``;
- any part shows something else: ``stale`` (someone changed it since the
  plan was made), and the step is refused.

``dry_run`` makes the call with ``DryRun=True`` where the EC2 API offers it
(from the botocore model). Success is the ``DryRunOperation`` error; a
permission error refuses the step; any other error may only mean that an
earlier step has not run yet, so the check is deferred to just before the
step. An endpoint that answers a DryRun call with success has performed the
call (some emulators ignore DryRun); that is reported as ``performed`` and the
apply stops.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftwatch import aws
from driftwatch.revert.live import LiveReader
from driftwatch.revert.operations import supports_dry_run
from driftwatch.revert.parts import canonical_text, part_value
from driftwatch.revert.steps import PartCheck, RevertStep

CONVERGED = "converged"
READY = "ready"
STALE = "stale"

DRY_RUN_PASSED = "passed"
DRY_RUN_NOT_OFFERED = "not offered"
DRY_RUN_NOT_CHECKED = "not checked"
DRY_RUN_DENIED = "denied"
DRY_RUN_DEFERRED = "deferred"
DRY_RUN_PERFORMED = "performed"


@dataclass(frozen=True)
class LiveState:
    """The live value of each part a step checks, and its lookup's id now."""

    values: tuple[Any, ...]
    lookup_value: str | None = None

    def to_document(self, step: RevertStep) -> list[dict[str, Any]]:
        """The live values by part, as the undo log records them."""
        return [
            {"resource_id": check.resource_id, "part": check.part, "value": value}
            for check, value in zip(step.precondition.checks, self.values, strict=True)
        ]


@dataclass(frozen=True)
class DryRun:
    """The outcome of a step's DryRun check."""

    outcome: str
    detail: str = ""


def live_state(reader: LiveReader, step: RevertStep) -> LiveState:
    """Read every resource the step checks (once each) and its lookup.

    Raises:
        AwsError: a read failed (the step cannot be checked).
    """
    resources: dict[tuple[str, str], Mapping[str, Any] | None] = {}
    values = []
    for check in step.precondition.checks:
        key = (check.resource_type, check.resource_id)
        if key not in resources:
            resources[key] = reader.read(step.region, *key)
        values.append(part_value(check.resource_type, resources[key], check.part))
    lookup = step.precondition.lookup
    found = None
    if lookup is not None:
        found = reader.resolve(step.account_id, step.region, lookup)
    return LiveState(tuple(values), found)


def _shows(value: Any, expected: Any, wildcard: bool) -> bool:
    if wildcard:
        return value is not None
    return canonical_text(value) == canonical_text(expected)


def _at_after(check: PartCheck, value: Any) -> bool:
    return _shows(value, check.after.value, check.after_any)


def _at_before(check: PartCheck, value: Any) -> bool:
    return _shows(value, check.before.value, check.before_any)


def verdict(step: RevertStep, state: LiveState) -> tuple[str, str]:
    """(converged | ready | stale, a sentence on why)."""
    pairs = list(zip(step.precondition.checks, state.values, strict=True))
    if all(_at_after(check, value) for check, value in pairs):
        return CONVERGED, "already as in the baseline"
    for check, value in pairs:
        if not (_at_before(check, value) or _at_after(check, value)):
            shown = "absent" if value is None else canonical_text(value)
            return STALE, (
                f"{check.resource_id} {check.part or 'as a whole'} changed since the "
                f"plan was made (now {_short(shown)}); re-plan"
            )
    lookup = step.precondition.lookup
    if lookup is not None and state.lookup_value is None:
        return STALE, f"the {lookup.kind.replace('_', ' ')} is gone; re-plan"
    return READY, "the live state is what the plan saw"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def params_now(step: RevertStep, state: LiveState) -> dict[str, Any]:
    """The step's params with the lookup's id as it is now."""
    params: dict[str, Any] = step.params.value
    lookup = step.precondition.lookup
    if lookup is not None and state.lookup_value is not None:
        params[lookup.param] = state.lookup_value
    return params


def dry_run(
    client: Any, step: RevertStep, params: Mapping[str, Any], ignored: frozenset[str]
) -> DryRun:
    """Check the call with ``DryRun=True`` where EC2 offers it."""
    if not supports_dry_run(step.operation):
        return DryRun(DRY_RUN_NOT_OFFERED, "EC2 has no DryRun for this call")
    if step.operation in ignored:
        return DryRun(DRY_RUN_NOT_CHECKED, "this endpoint ignores DryRun for this call")
    try:
        getattr(client, step.operation)(**params, DryRun=True)
    except aws.AWS_FAILURES as exc:
        outcome = aws.dry_run_outcome(exc)
        if outcome == "passed":
            return DryRun(DRY_RUN_PASSED)
        detail = aws.describe_failure(exc)
        if outcome == "denied":
            return DryRun(DRY_RUN_DENIED, detail)
        return DryRun(DRY_RUN_DEFERRED, detail)
    return DryRun(
        DRY_RUN_PERFORMED,
        "the endpoint performed the call instead of only checking it (it ignores "
        "DryRun)",
    )
