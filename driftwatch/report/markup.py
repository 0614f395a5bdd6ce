"""Escaped HTML building blocks for the incident report.

Text always goes through ``text``; ``el`` takes parts that are already markup
and attribute values that it escapes itself. Nothing else writes HTML.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any


def text(value: Any) -> str:
    """Escaped text (None is empty)."""
    return "" if value is None else escape(str(value), quote=True)


def el(name: str, *parts: str, **attributes: Any) -> str:
    """An element around markup ``parts``; ``cls`` stands for ``class``."""
    rendered = "".join(
        f' {"class" if key == "cls" else key.replace("_", "-")}="{text(value)}"'
        for key, value in attributes.items()
        if value is not None
    )
    return f"<{name}{rendered}>{''.join(parts)}</{name}>"


def pretty_json(value: Any) -> str:
    """A value as compact JSON in a ``<pre>`` (it wraps), escaped."""
    return el("pre", text(json.dumps(value, sort_keys=True, default=str)))


def severity_pill(severity: str, count: int | None = None) -> str:
    """A coloured severity label, with a count when given (greyed at zero)."""
    label = severity if count is None else f"{severity} {count}"
    zero = " zero" if count == 0 else ""
    return el("span", text(label), cls=f"sev sev-{severity}{zero}")


def small(*parts: str, mono: bool = False) -> str:
    """A muted line under a cell's main text."""
    return el("div", *parts, cls="small mono" if mono else "small")


def code(value: Any) -> str:
    """Escaped text in ``<code>``."""
    return el("code", text(value))


def heading(anchor: str, title: str, count: str | None = None) -> str:
    """A section heading with an anchor and an optional count."""
    counted = " " + el("span", text(f"({count})"), cls="count") if count else ""
    return el("h2", text(title), counted, id=anchor)


def table(columns: tuple[str, ...], rows: list[str], cls: str) -> str:
    """A table with a header row and already rendered ``<tr>`` rows."""
    head = el("tr", *(el("th", text(column)) for column in columns))
    return el("table", head, *rows, cls=cls)


def row(cells: list[str], **attributes: Any) -> str:
    """A table row of already rendered cells."""
    return el("tr", *(el("td", cell) for cell in cells), **attributes)
