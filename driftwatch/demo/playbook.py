"""The demo's playbook: the driftwatch commands a responder runs, in order.

Each step is the command line as a person would type it, with ``{regions}``
and ``{workdir}`` filled in, and the exit code the contract says it must give
at that point of the incident. The demo fails if any step gives another.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from driftwatch.errors import EXIT_FINDINGS, EXIT_OK

REGIONS = ("eu-west-1", "us-east-1")
INCIDENT_REGION = "eu-west-1"
BASELINE = "prod"

StepRow = tuple[str, str, int]

BEFORE: tuple[StepRow, ...] = (
    ("Snapshot both regions", "snapshot {regions} --label hardened", EXIT_OK),
    ("Approve it as the baseline", "approve latest --as prod", EXIT_OK),
)

# After the first, live diff, the response works from one frozen snapshot of
# the incident, so every artefact describes the same state of the estate.
RESPONSE: tuple[StepRow, ...] = (
    (
        "What changed? (a live read)",
        "diff --baseline prod --format table",
        EXIT_FINDINGS,
    ),
    (
        "Freeze the evidence: one snapshot for the whole response",
        "snapshot {regions} --label incident --out {workdir}/incident.json",
        EXIT_OK,
    ),
    (
        "The diff for tools",
        "diff --baseline prod --current {workdir}/incident.json --format json "
        "--output {workdir}/diff.json",
        EXIT_FINDINGS,
    ),
    (
        "The diff for the incident ticket",
        "diff --baseline prod --current {workdir}/incident.json --format markdown "
        "--output {workdir}/diff.md",
        EXIT_FINDINGS,
    ),
    (
        "What is now exposed?",
        "exposure {workdir}/incident.json --baseline prod --format table "
        "--graph {workdir}/exposure.svg",
        EXIT_FINDINGS,
    ),
    (
        "Exposure for tools",
        "exposure {workdir}/incident.json --baseline prod --format json "
        "--output {workdir}/exposure.json",
        EXIT_FINDINGS,
    ),
    (
        "How to put it back",
        "revert --plan --baseline prod --current {workdir}/incident.json",
        EXIT_FINDINGS,
    ),
    (
        "The plan to apply",
        "revert --plan --baseline prod --current {workdir}/incident.json "
        "--format json --output {workdir}/plan.json",
        EXIT_FINDINGS,
    ),
    (
        "The plan as a boto3 script",
        "revert --plan --baseline prod --current {workdir}/incident.json "
        "--format python --output {workdir}/plan.py",
        EXIT_FINDINGS,
    ),
    (
        "The incident report",
        "report --baseline prod --current {workdir}/incident.json "
        "--output {workdir}/incident-report.html",
        EXIT_FINDINGS,
    ),
)

RECOVERY: tuple[StepRow, ...] = (
    ("Apply the plan", "revert --apply {workdir}/plan.json --yes", EXIT_OK),
    (
        "Snapshot again",
        "snapshot {regions} --label after-revert --out {workdir}/after-revert.json",
        EXIT_OK,
    ),
    (
        "Verify: no drift left",
        "diff --baseline prod --current {workdir}/after-revert.json --format json "
        "--output {workdir}/verify-diff.json",
        EXIT_OK,
    ),
    (
        "Verify: no exposure opened",
        "exposure {workdir}/after-revert.json --baseline prod --format json "
        "--output {workdir}/verify-exposure.json",
        EXIT_OK,
    ),
)


@dataclass(frozen=True)
class Step:
    """One driftwatch command of the playbook and the exit code it should give."""

    title: str
    argv: tuple[str, ...]
    expected: int


def steps(rows: Sequence[StepRow], workdir: Path) -> list[Step]:
    """The rows as commands, with the regions and the work directory filled in."""
    regions = " ".join(f"--region {region}" for region in REGIONS)
    filled = {"regions": regions, "workdir": shlex.quote(str(workdir))}
    return [
        Step(title, tuple(shlex.split(command.format(**filled))), expected)
        for title, command, expected in rows
    ]
