"""An SVG drawing made safe to inline into a page: only drawing, nothing active.

The exposure graph is drawn by Graphviz from names and tags that an attacker
may have set. Graphviz escapes them, but the page must not trust that: the SVG
is parsed and written out again with a whitelist of drawing elements and
attributes. Scripts, event handlers, ``foreignObject``, images, styles and any
link or ``url()`` that leaves the document are dropped; ``<a>`` becomes ``<g>``.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from driftwatch.errors import InputError

ELEMENTS = frozenset(
    {
        "svg", "g", "title", "desc", "path", "polygon", "polyline", "ellipse",
        "circle", "rect", "line", "text", "tspan", "defs", "marker", "clipPath",
        "linearGradient", "radialGradient", "stop",
    }
)  # fmt: skip
# Graphviz wraps nodes that have a URL in <a>: keep the drawing, drop the link.
UNWRAPPED = frozenset({"a"})
ATTRIBUTES = frozenset(
    {
        "id", "class", "viewBox", "transform", "fill", "fill-opacity", "stroke",
        "stroke-width", "stroke-dasharray", "stroke-opacity", "stroke-linecap",
        "stroke-linejoin", "points", "d", "cx", "cy", "r", "rx", "ry", "x", "y",
        "x1", "y1", "x2", "y2", "dx", "dy", "width", "height", "text-anchor",
        "font-family", "font-size", "font-weight", "font-style", "opacity",
        "offset", "stop-color", "stop-opacity", "gradientUnits", "clip-path",
        "preserveAspectRatio", "markerWidth", "markerHeight", "refX", "refY",
        "orient",
    }
)  # fmt: skip
# The root's own size is left to the page (it scales to the column width).
ROOT_DROPPED = frozenset({"width", "height"})


def safe_svg(text: str) -> str:
    """The drawing of an SVG document as inline markup, with nothing active left."""
    try:
        root = ET.fromstring(text)  # noqa: S314 - our own dot output; no entities expand
    except ET.ParseError as exc:
        raise InputError(f"The exposure graph is not well-formed SVG: {exc}.") from exc
    if _name(root) != "svg":
        raise InputError("The exposure graph is not an SVG document (no <svg> root).")
    return _write(root, root=True)


def _name(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _write(element: ET.Element, *, root: bool = False) -> str:
    name = _name(element)
    inner = html.escape(element.text or "", quote=False) + "".join(
        _write(child) + html.escape(child.tail or "", quote=False)
        for child in element
        if _name(child) in ELEMENTS | UNWRAPPED
    )
    if name in UNWRAPPED:
        name = "g"
    attributes = "".join(
        f' {key}="{html.escape(value, quote=True)}"'
        for key, value in _attributes(element, root)
    )
    return f"<{name}{attributes}>{inner}</{name}>"


def _attributes(element: ET.Element, root: bool) -> list[tuple[str, str]]:
    kept = []
    for key, value in element.attrib.items():
        local = key.rsplit("}", 1)[-1]
        if local not in ATTRIBUTES or (root and local in ROOT_DROPPED):
            continue
        if "url(" in value and not value.strip().startswith("url(#"):
            continue
        kept.append((local, value))
    return kept
