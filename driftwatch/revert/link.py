"""Link plan steps and manual items to the drift changes they undo.

A change names a resource and a part (``driftwatch.changes``). A step undoes
the change when one of its targets names the same resource and

- the same part, or
- the whole field the change's part belongs to (one call sets an interface's
  whole group list, so it undoes every ``Groups[...]`` change), or
- the change is about the whole resource (added or removed): every step on
  that resource takes part in undoing it (detach, then delete).

Targets that name a placeholder (a re-created resource) are read as the
deleted resource they stand for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from driftwatch.changes import Change
from driftwatch.revert.parts import WHOLE, field_of
from driftwatch.revert.recreate import original_id
from driftwatch.revert.rules.base import Target


@dataclass(frozen=True)
class ChangeIndex:
    """Changes of one account and region by (type, id) for matching targets."""

    by_resource: dict[tuple[str, str], tuple[Change, ...]]

    @classmethod
    def of(cls, changes: Iterable[Change]) -> ChangeIndex:
        """Index changes by resource."""
        grouped: dict[tuple[str, str], list[Change]] = {}
        for change in changes:
            grouped.setdefault((change.resource_type, change.resource_id), []).append(
                change
            )
        return cls({key: tuple(value) for key, value in grouped.items()})

    def matching(self, targets: Sequence[Target]) -> tuple[Change, ...]:
        """The changes the targets undo, in a stable order, without repeats."""
        found: dict[str, Change] = {}
        for resource_type, resource_id, part in targets:
            key = (resource_type, original_id(resource_id))
            for change in self.by_resource.get(key, ()):
                if _undoes(part, change.part):
                    found.setdefault(change.change_id, change)
        return tuple(found[change_id] for change_id in sorted(found))


def _undoes(target_part: str, change_part: str) -> bool:
    if change_part in (WHOLE, target_part):
        return True
    return "[" not in target_part and field_of(change_part) == target_part
