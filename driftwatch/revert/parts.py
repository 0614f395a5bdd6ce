"""Parts of a resource, read and compared the way the change model names them.

A part is a top-level field (``SourceDestCheck``) or one item of a keyed list
(``IpPermissions["tcp",22,22,"IpRanges","0.0.0.0/0"]``), named by
``driftwatch.changes.part_name`` with the key functions of the registry. The
empty part ``""`` is the whole resource. Reverting works part by part: a step
moves some parts from their current value to their baseline value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from driftwatch import registry
from driftwatch.changes import part_name

WHOLE = ""


@dataclass(frozen=True)
class PartDiff:
    """One part of one resource whose current value is not its baseline value."""

    resource_type: str
    resource_id: str
    field: str
    part: str
    before: Any
    after: Any

    def swapped(self) -> PartDiff:
        """The diff of the way back (baseline to current)."""
        return PartDiff(
            self.resource_type,
            self.resource_id,
            self.field,
            self.part,
            self.after,
            self.before,
        )


def canonical_text(value: Any) -> str:
    """JSON text that is equal for equal values, whatever their key order."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def same(left: Any, right: Any) -> bool:
    """True when two JSON values are equal (Python equality: dicts ignore key order)."""
    return bool(left == right)


def field_of(part: str) -> str:
    """The field a part belongs to (``IpPermissions[...]`` -> ``IpPermissions``)."""
    return part.split("[", 1)[0]


def keyed_items(
    resource_type: str, field: str, items: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """The items of a keyed list by their part name."""
    key_function = registry.resource_type(resource_type).keyed_lists[field]
    return {part_name(field, key_function(item)): item for item in items}


def is_keyed(resource_type: str, field: str) -> bool:
    """True when ``field`` of the type is a list keyed by identity."""
    return field in registry.resource_type(resource_type).keyed_lists


def part_value(
    resource_type: str, properties: Mapping[str, Any] | None, part: str
) -> Any:
    """The value of a part in canonical properties (None when absent)."""
    if properties is None:
        return None
    if part == WHOLE:
        return properties
    field = field_of(part)
    if part == field:
        return properties.get(field)
    items = keyed_items(resource_type, field, properties.get(field) or [])
    return items.get(part)


def diff_parts(
    resource_type: str,
    resource_id: str,
    current: Mapping[str, Any],
    baseline: Mapping[str, Any],
    whole_fields: frozenset[str] = frozenset(),
) -> list[PartDiff]:
    """Every part whose current value differs from the baseline, in field order.

    Keyed lists are compared item by item, except those in ``whole_fields``,
    which a single call replaces as a whole (an interface's security groups).
    """
    diffs: list[PartDiff] = []
    for field in sorted(set(current) | set(baseline)):
        before, after = current.get(field), baseline.get(field)
        if same(before, after):
            continue
        if is_keyed(resource_type, field) and field not in whole_fields:
            diffs.extend(_item_diffs(resource_type, resource_id, field, before, after))
        else:
            diffs.append(
                PartDiff(resource_type, resource_id, field, field, before, after)
            )
    return diffs


def _item_diffs(
    resource_type: str, resource_id: str, field: str, before: Any, after: Any
) -> list[PartDiff]:
    current_items = keyed_items(resource_type, field, before or [])
    baseline_items = keyed_items(resource_type, field, after or [])
    diffs = []
    for part in sorted(set(current_items) | set(baseline_items)):
        old, new = current_items.get(part), baseline_items.get(part)
        if not same(old, new):
            diffs.append(PartDiff(resource_type, resource_id, field, part, old, new))
    return diffs
