"""Renderers of revert plans: a runbook (text), the plan JSON, a boto3 script.

Pure: a ``Plan`` in, text out. The JSON is the plan document of CONTRACT.md
(extended with ``kept``, ``unknown``, ``binds`` and re-creation ``calls``).
The Python script stands alone (boto3 only): it takes ``--profile`` and
``--endpoint-url``, refuses to run against another account, prints each call
before it makes it and stops at the first error; ``--recreate`` also makes the
manual items' re-creation calls, filling each ``${new:...}`` placeholder from
the response of the call that binds it.
"""

from __future__ import annotations

import pprint
import textwrap
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from string import Template
from typing import Any

from driftwatch import __version__
from driftwatch.revert.steps import ManualItem, Plan, RevertStep, dumps

FORMATS = ("text", "json", "python")
# The fixed parts of the boto3 script: its head is a string.Template ($version,
# $baseline, $current, $accounts); the steps go between head and tail.
TEMPLATES = resources.files("driftwatch.report") / "templates"
WIDTH = 88


def render(output_format: str, plan: Plan) -> str:
    """The plan in one of ``FORMATS``."""
    renderers: Mapping[str, Callable[[Plan], str]] = {
        "text": render_text,
        "json": dumps,
        "python": render_python,
    }
    return renderers[output_format](plan)


# --- the runbook ------------------------------------------------------------------


def render_text(plan: Plan) -> str:
    """The plan as a runbook a responder can follow and check off."""
    lines = _header(plan)
    containment = [(n, s) for n, s in enumerate(plan.steps, 1) if s.closes_exposure]
    rest = [(n, s) for n, s in enumerate(plan.steps, 1) if not s.closes_exposure]
    if containment:
        lines += _section("Containment: close internet exposure first")
        lines += [
            line for number, step in containment for line in _step_text(number, step)
        ]
    if rest:
        lines += _section("Restore the rest of the baseline, dependencies first")
        lines += [line for number, step in rest for line in _step_text(number, step)]
    if plan.manual:
        lines += _section("By hand: what cannot be reverted in place")
        lines += [line for item in plan.manual for line in _manual_text(item)]
    if plan.kept:
        lines += _section(
            "Kept (--keep-new): created since the baseline, left in place"
        )
        lines += [
            f"- {k.resource_id} ({k.resource_type}, {k.region})" for k in plan.kept
        ]
    if plan.unknown:
        lines += _section("Not read: nothing planned there")
        lines += [
            f"- {u.resource_type} in {u.region} ({u.account_id}): {u.reason}"
            for u in plan.unknown
        ]
    return "\n".join(lines) + "\n"


def _header(plan: Plan) -> list[str]:
    exposure = sum(1 for step in plan.steps if step.closes_exposure)
    destructive = sum(1 for step in plan.steps if step.destructive)
    lines = [
        "Revert plan",
        f"  baseline: {plan.baseline.snapshot_id} (sha256 {plan.baseline.sha256[:12]})",
        f"  current:  {plan.current.snapshot_id} (sha256 {plan.current.sha256[:12]})",
        f"  {len(plan.steps)} steps ({exposure} close internet exposure, "
        f"{destructive} delete something), {len(plan.manual)} by hand.",
    ]
    if not plan.steps and not plan.manual:
        lines.append("  Nothing to do: the current state matches the baseline.")
    else:
        lines.append(
            "  Apply with: driftwatch revert --apply PLAN.json (checks every step "
            "first; --dry-run only checks)."
        )
    return lines


def _section(title: str) -> list[str]:
    return ["", title, "=" * len(title)]


def _step_text(number: int, step: RevertStep) -> list[str]:
    flags = [
        flag
        for flag, on in (
            ("closes exposure", step.closes_exposure),
            ("destructive", step.destructive),
        )
        if on
    ]
    title = f"[ ] Step {number}: {step.operation} in {step.region} ({step.account_id})"
    lines = ["", title + (f"  [{', '.join(flags)}]" if flags else "")]
    lines += _wrapped(step.reason, "    ")
    lines += _wrapped(
        f"call: ec2.{step.operation}({_keywords(step.params.value)})", "    "
    )
    lookup = step.precondition.lookup
    if lookup is not None:
        seen = lookup.value or "not found at plan time"
        lines += _wrapped(
            f"{lookup.param} is read again just before the call ({seen}).", "    "
        )
    parts = ", ".join(
        f"{c.resource_id} {c.part or '(whole)'}" for c in step.precondition.checks
    )
    lines += _wrapped(f"checks: {parts} must still show what the plan saw.", "    ")
    if step.change_ids:
        lines += _wrapped(f"undoes: {', '.join(step.change_ids)}", "    ")
    return lines


def _manual_text(item: ManualItem) -> list[str]:
    where = f"{item.resource_id} ({item.resource_type}, {item.region})"
    lines = ["", f"[ ] {where}"]
    lines += _wrapped(item.reason, "    ")
    if item.change_ids:
        lines += _wrapped(f"changes: {', '.join(item.change_ids)}", "    ")
    for number, call in enumerate(item.calls, 1):
        lines += _wrapped(
            f"{number}. ec2.{call.operation}({_keywords(call.params.value)})", "      "
        )
        for name, path in call.binds:
            lines += _wrapped(f"{name} is the {path} of its response", "         ")
    return lines


def _keywords(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in params.items())


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        break_long_words=False,
    )


# --- the boto3 script ---------------------------------------------------------------


def render_python(plan: Plan) -> str:
    """A standalone boto3 script that makes the plan's calls in order."""
    accounts = sorted({step.account_id for step in plan.steps})
    body = [
        Template((TEMPLATES / "revert_head.py.tmpl").read_text()).substitute(
            version=__version__,
            baseline=plan.baseline.snapshot_id,
            current=plan.current.snapshot_id,
            accounts=repr(accounts),
        )
    ]
    body.append("def steps(run):")
    body += list(_calls(plan.steps)) or ["    pass"]
    body.append("")
    body.append("")
    body.append("def recreations(run):")
    calls = [call for item in plan.manual for call in item.calls]
    body += list(_calls(calls)) or ["    pass"]
    body.append((TEMPLATES / "revert_tail.py.tmpl").read_text())
    return "\n".join(body)


def _calls(steps: Iterable[RevertStep]) -> Iterable[str]:
    for number, step in enumerate(steps, 1):
        yield f"    # {number}. " + step.reason.replace("\n", " ")[: WIDTH * 2]
        params = pprint.pformat(step.params.value, width=WIDTH - 12, sort_dicts=True)
        lookup = step.precondition.lookup
        found = (
            "None"
            if lookup is None
            else repr(
                {"kind": lookup.kind, "key": lookup.key.value, "param": lookup.param}
            )
        )
        binds = repr(dict(step.binds)) if step.binds else "None"
        yield f"    run({step.region!r}, {step.operation!r},"
        yield textwrap.indent(params, " " * 8) + ","
        yield f"        lookup={found}, binds={binds})"
