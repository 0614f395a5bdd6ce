"""Reading a plan file back, strictly: a broken plan never reaches AWS.

Every step is checked before anything runs: its number, account, region and
service; its operation against the whitelist of ``operations`` (creating
resources is never automatic); its params against the operation's botocore
input shape (so a hand-edited typo is caught here, not halfway through an
incident); its precondition's parts and lookup. An undo log
(``driftwatch.revert.undo``) is accepted too: its ``undo`` plan is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import botocore.validate

from driftwatch import registry
from driftwatch.drift.model import Unknown
from driftwatch.errors import InputError
from driftwatch.revert.live import LOOKUPS
from driftwatch.revert.operations import OPERATIONS, input_shape
from driftwatch.revert.steps import (
    PLACEHOLDER_PREFIX,
    PLAN_FORMAT,
    SCHEMA_VERSION,
    Frozen,
    KeptResource,
    Lookup,
    ManualItem,
    PartCheck,
    Plan,
    Precondition,
    RevertStep,
    SnapshotRef,
)
from driftwatch.snapshot import read_bytes, sha256

UNDO_FORMAT = "driftwatch-undo"
STEP_FIELDS = {
    "step": int,
    "account_id": str,
    "region": str,
    "service": str,
    "operation": str,
    "params": dict,
    "reason": str,
    "change_ids": list,
    "closes_exposure": bool,
    "destructive": bool,
    "precondition": dict,
}


class PlanProblemError(ValueError):
    """One thing wrong with a plan document (becomes an InputError with context)."""


def load(path: Path) -> tuple[Plan, str]:
    """Read and validate a plan file; return the plan and the file's sha256.

    Raises:
        InputError: the file cannot be read or is not a valid plan.
    """
    content = read_bytes(path)
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path}: is not valid JSON ({exc}); make the plan again with "
            "'driftwatch revert --plan --format json'."
        ) from exc
    try:
        plan = from_document(document)
    except PlanProblemError as exc:
        raise InputError(
            f"{path}: is not a valid revert plan: {exc}; make the plan again with "
            "'driftwatch revert --plan --format json'."
        ) from exc
    return plan, sha256(content)


def from_document(document: Any) -> Plan:
    """Validate a parsed plan (or undo log) document and build the plan.

    Raises:
        PlanProblemError: the first problem found.
    """
    if isinstance(document, dict) and document.get("format") == UNDO_FORMAT:
        document = document.get("undo")
    if not isinstance(document, dict) or document.get("format") != PLAN_FORMAT:
        raise PlanProblemError(f"its format is not {PLAN_FORMAT!r}")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise PlanProblemError(
            f"schema_version is {version!r}, expected {SCHEMA_VERSION}"
        )
    steps = _list(document, "steps")
    return Plan(
        baseline=_header(document, "baseline"),
        current=_header(document, "current"),
        steps=tuple(_step(item, number) for number, item in enumerate(steps, 1)),
        manual=tuple(_manual(item) for item in _list(document, "manual")),
        kept=tuple(_kept(item) for item in _list(document, "kept")),
        unknown=tuple(_unknown(item) for item in _list(document, "unknown")),
    )


def _list(document: Mapping[str, Any], name: str) -> list[Any]:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise PlanProblemError(f"{name!r} must be a list")
    return value


def _header(document: Mapping[str, Any], name: str) -> SnapshotRef:
    header = document.get(name)
    if not isinstance(header, dict) or not isinstance(header.get("snapshot_id"), str):
        raise PlanProblemError(f"{name!r} must name a snapshot_id")
    return SnapshotRef(
        header["snapshot_id"],
        str(header.get("sha256", "")),
        str(header.get("taken_at", "")),
    )


def _step(item: Any, number: int, *, manual: bool = False) -> RevertStep:
    try:
        return _checked_step(item, number, manual)
    except (KeyError, TypeError, AttributeError) as exc:
        raise PlanProblemError(f"step {number} is malformed ({exc})") from exc
    except PlanProblemError as exc:
        raise PlanProblemError(f"step {number}: {exc}") from exc


def _checked_step(item: Any, number: int, manual: bool) -> RevertStep:
    if not isinstance(item, dict):
        raise PlanProblemError("is not an object")
    for name, kind in STEP_FIELDS.items():
        if not isinstance(item.get(name), kind) or (
            kind is int and isinstance(item[name], bool)
        ):
            raise PlanProblemError(
                f"field {name!r} is missing or not a {kind.__name__}"
            )
    if item["step"] != number:
        raise PlanProblemError(
            f"is numbered {item['step']}; steps must be numbered 1, 2, 3..."
        )
    if item["service"] != "ec2":
        raise PlanProblemError(f"service {item['service']!r} is not ec2")
    precondition = _precondition(item["precondition"])
    binds = item.get("binds") or {}
    if not manual:
        _check_operation(item["operation"], item["params"], precondition.lookup)
    elif item["operation"] not in OPERATIONS or not isinstance(binds, dict):
        raise PlanProblemError(f"manual call {item['operation']!r} is not a known one")
    return RevertStep(
        account_id=item["account_id"],
        region=item["region"],
        operation=item["operation"],
        params=Frozen.of(item["params"]),
        reason=item["reason"],
        precondition=precondition,
        change_ids=tuple(str(change_id) for change_id in item["change_ids"]),
        closes_exposure=item["closes_exposure"],
        destructive=item["destructive"],
        binds=tuple(sorted((str(k), str(v)) for k, v in binds.items())),
    )


def _check_operation(name: str, params: dict[str, Any], lookup: Lookup | None) -> None:
    entry = OPERATIONS.get(name)
    if entry is None or not entry.automatic:
        raise PlanProblemError(f"operation {name!r} is not one a revert plan may run")
    if PLACEHOLDER_PREFIX in json.dumps(params):
        raise PlanProblemError(
            "its params name a placeholder, which only manual calls may"
        )
    if "DryRun" in params:
        raise PlanProblemError("its params set DryRun, which the apply decides")
    candidate = dict(params)
    if lookup is not None and candidate.get(lookup.param) is None:
        # Not found at plan time: the apply looks it up; validate with a stand-in.
        candidate[lookup.param] = "looked-up-at-apply-time"
    report = botocore.validate.ParamValidator().validate(candidate, input_shape(name))
    if report.has_errors():
        text = " ".join(report.generate_report().split())
        raise PlanProblemError(f"params do not fit {name}: {text}")


def _precondition(document: Mapping[str, Any]) -> Precondition:
    parts = document.get("parts")
    if not isinstance(parts, list) or not parts:
        raise PlanProblemError("precondition.parts must be a non-empty list")
    lookup = document.get("lookup")
    return Precondition(
        tuple(_part(part) for part in parts),
        None if lookup is None else _lookup(lookup),
    )


def _part(document: Mapping[str, Any]) -> PartCheck:
    resource_type = document["resource_type"]
    if resource_type not in registry.BY_NAME:
        raise PlanProblemError(f"unknown resource type {resource_type!r}")
    for side in ("before", "after"):
        if not document.get(f"{side}_any") and side not in document:
            raise PlanProblemError(f"a precondition part has no {side!r} value")
    return PartCheck(
        resource_type,
        str(document["resource_id"]),
        str(document["part"]),
        Frozen.of(document.get("before")),
        Frozen.of(document.get("after")),
        before_any=bool(document.get("before_any")),
        after_any=bool(document.get("after_any")),
    )


def _lookup(document: Any) -> Lookup:
    if not isinstance(document, dict) or document.get("kind") not in LOOKUPS:
        raise PlanProblemError(f"unknown lookup {document!r}")
    if not isinstance(document.get("key"), dict) or not isinstance(
        document.get("param"), str
    ):
        raise PlanProblemError("a lookup needs a key object and a param name")
    value = document.get("value")
    return Lookup(
        document["kind"],
        Frozen.of(document["key"]),
        document["param"],
        value if isinstance(value, str) else None,
    )


def _manual(item: Any) -> ManualItem:
    if not isinstance(item, dict) or not isinstance(item.get("reason"), str):
        raise PlanProblemError("a manual item needs a reason")
    calls = item.get("calls") or []
    if not isinstance(calls, list):
        raise PlanProblemError("a manual item's calls must be a list")
    return ManualItem(
        account_id=str(item.get("account_id", "")),
        region=str(item.get("region", "")),
        resource_type=str(item.get("resource_type", "")),
        resource_id=str(item.get("resource_id", "")),
        reason=item["reason"],
        change_ids=tuple(str(c) for c in item.get("change_ids") or []),
        calls=tuple(
            _step(call, number, manual=True) for number, call in enumerate(calls, 1)
        ),
    )


def _kept(item: Any) -> KeptResource:
    if not isinstance(item, dict):
        raise PlanProblemError("a kept resource must be an object")
    return KeptResource(
        str(item.get("account_id", "")),
        str(item.get("region", "")),
        str(item.get("resource_type", "")),
        str(item.get("resource_id", "")),
        tuple(str(c) for c in item.get("change_ids") or []),
    )


def _unknown(item: Any) -> Unknown:
    if not isinstance(item, dict):
        raise PlanProblemError("an unknown scope must be an object")
    return Unknown(
        str(item.get("account_id", "")),
        str(item.get("region", "")),
        str(item.get("resource_type", "")),
        str(item.get("reason", "")),
    )
