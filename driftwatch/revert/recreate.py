"""Re-creation of deleted resources: placeholders for ids that do not exist yet.

A deleted resource cannot come back with its id. Where AWS lets it be made
again, its manual item carries the calls that do it, and every reference to
the old id, in those calls and in the resources that pointed at it, is
re-bound to a placeholder ``${new:<old id>}``:

1. The planner replaces the old id by the placeholder everywhere in the
   baseline and pretends the resource exists in its just-created state, then
   plans as usual; every step that names a placeholder becomes a re-creation
   call instead of a plan step.
2. The create call carries ``binds``: ``{"${new:sg-0abc}": "GroupId"}`` says
   that the value at ``GroupId`` in its response is the new id.
3. Whoever runs the calls (the generated Python script with ``--recreate``,
   or a person) fills each placeholder from the response of the call that
   binds it (``fill``) before making the later calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftwatch.revert.steps import PLACEHOLDER_PREFIX


def substitute(value: Any, replacements: Mapping[str, str]) -> Any:
    """The JSON value with every string equal to a key replaced.

    Parts that hold nothing to replace are returned as they are, not copied, so
    substituting a few ids in a large baseline stays cheap.
    """
    if not replacements:
        return value
    if isinstance(value, str):
        return replacements.get(value, value)
    if isinstance(value, Mapping):
        items = {key: substitute(item, replacements) for key, item in value.items()}
        same = all(items[key] is item for key, item in value.items())
        return value if same else items
    if isinstance(value, list | tuple):
        elements = [substitute(item, replacements) for item in value]
        same = all(new is old for new, old in zip(elements, value, strict=True))
        return value if same else elements
    return value


def is_placeholder(value: str) -> bool:
    """True for a ``${new:...}`` stand-in."""
    return value.startswith(PLACEHOLDER_PREFIX) and value.endswith("}")


def original_id(value: str) -> str:
    """The deleted resource's id that a placeholder stands for (else the value)."""
    if not is_placeholder(value):
        return value
    return value[len(PLACEHOLDER_PREFIX) : -1]


def response_value(response: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a response (``NetworkAcl.NetworkAclId``)."""
    value: Any = response
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            raise KeyError(f"the response has no {path}")
        value = value[step]
    return value


def fill(params: Any, bound: Mapping[str, str]) -> Any:
    """Params with every placeholder replaced by the id bound to it.

    Raises:
        KeyError: a placeholder is used before the call that binds it ran.
    """
    filled = substitute(params, bound)
    unbound = sorted(_placeholders(filled))
    if unbound:
        raise KeyError(f"no id is bound yet for {', '.join(unbound)}")
    return filled


def _placeholders(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value} if is_placeholder(value) else set()
    if isinstance(value, Mapping):
        return set().union(*(_placeholders(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_placeholders(v) for v in value))
    return set()
