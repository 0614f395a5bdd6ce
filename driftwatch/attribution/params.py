"""CloudTrail's two spellings of EC2 request and response documents, made one.

EC2 records most calls in the Query API's own shape: lowerCamelCase keys and
lists as ``{"items": [...]}`` (``{"item": {...}}`` in some responses, ``{}`` for
an empty list). Newer calls (``ModifySecurityGroupRules``, ``CreateNatGateway``,
``CreateVpcEndpoint``, ``DeleteVpcEndpoints``...) are recorded as the SDK request
object instead: one ``<Operation>Request`` / ``<Operation>Response`` wrapper
key, PascalCase members and list members as ``{"tag": 1, "content": "..."}``.
``normalize`` turns both into lowerCamelCase keys and plain lists, so that the
event table can name a value by one dotted path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_WRAPPER_SUFFIXES = ("Request", "Response")
_LIST_KEYS = frozenset({"items", "item"})
_NOISE_KEYS = frozenset({"xmlns", "tag"})


def normalize(document: Any) -> Any:
    """One spelling for both CloudTrail shapes: camelCase keys, lists as lists."""
    if isinstance(document, list):
        return [normalize(item) for item in document]
    if not isinstance(document, Mapping):
        return document
    unwrapped = _unwrap(document)
    if unwrapped is not document:
        return normalize(unwrapped)
    keys = set(document) - _NOISE_KEYS
    if keys and keys <= _LIST_KEYS:
        return _as_list(normalize(document[next(iter(keys))]))
    if "content" in document and keys == {"content"}:
        return normalize(document["content"])
    return {
        _camel(key): normalize(value)
        for key, value in document.items()
        if key not in _NOISE_KEYS
    }


def _unwrap(document: Mapping[str, Any]) -> Any:
    keys = [key for key in document if key != "xmlns"]
    if len(keys) != 1:
        return document
    key = keys[0]
    value = document[key]
    if (
        key.endswith(_WRAPPER_SUFFIXES)
        and key[:1].isupper()
        and isinstance(value, Mapping)
    ):
        return value
    return document


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def values_at(document: Any, path: str) -> list[Any]:
    """Every value at a dotted path, stepping into each item of a list on the way."""
    found = [document]
    for step in path.split("."):
        found = [
            item[step]
            for item in _flatten(found)
            if isinstance(item, Mapping) and item.get(step) is not None
        ]
    return list(_flatten(found))


def _flatten(values: Iterable[Any]) -> Iterable[Any]:
    for value in values:
        if isinstance(value, list):
            yield from _flatten(value)
        else:
            yield value


def items(value: Any) -> list[Any]:
    """A normalised list value as a list: ``{}`` and None mean no items."""
    if value is None or value == {}:
        return []
    return _as_list(value)


def first(document: Any, path: str) -> Any:
    """The first value at ``path``, or None."""
    found = values_at(document, path)
    return found[0] if found else None
