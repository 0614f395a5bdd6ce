"""Field-level details of a changed part, from deepdiff."""

from __future__ import annotations

import json
from typing import Any

from deepdiff import DeepDiff

from driftwatch.changes import Detail

ADDED = frozenset(
    {
        "dictionary_item_added",
        "iterable_item_added",
        "set_item_added",
        "attribute_added",
    }
)
REMOVED = frozenset(
    {
        "dictionary_item_removed",
        "iterable_item_removed",
        "set_item_removed",
        "attribute_removed",
    }
)


def part_details(path: str, before: Any, after: Any) -> tuple[Detail, ...]:
    """The differences between two values of one part, sorted by path.

    ``None`` stands for absent (the canonical form drops null fields).
    """
    if before is None and after is None:
        return ()
    if before is None:
        return (Detail(path, "added", None, after),)
    if after is None:
        return (Detail(path, "removed", before, None),)
    if not _container(before) or not _container(after):
        return () if before == after else (Detail(path, "changed", before, after),)
    # Order inside a part is not identity (sources, route table ids, policy
    # statements): compare as sets so a reordering is no change.
    diff = DeepDiff(before, after, ignore_order=True, view="tree", verbose_level=2)
    details = [
        _detail(path, report, level)
        for report, levels in diff.items()
        for level in levels
    ]
    return tuple(sorted(details, key=_order))


def parsed_json(value: Any) -> Any:
    """A JSON string (an endpoint policy) parsed, so it compares as data."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _container(value: Any) -> bool:
    return isinstance(value, dict | list)


def _detail(prefix: str, report: str, level: Any) -> Detail:
    steps = level.path(output_format="list")
    path = prefix + "".join(
        "[]" if isinstance(step, int) else f".{step}" for step in steps
    )
    if report in ADDED:
        return Detail(path, "added", None, level.t2)
    if report in REMOVED:
        return Detail(path, "removed", level.t1, None)
    return Detail(path, "changed", level.t1, level.t2)


def _order(detail: Detail) -> tuple[str, str, str]:
    material = json.dumps([detail.before, detail.after], sort_keys=True, default=str)
    return (detail.path, detail.kind, material)
