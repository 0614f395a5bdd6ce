"""Inlining an SVG keeps the drawing and drops everything active."""

from __future__ import annotations

import re

import pytest

from driftwatch.errors import InputError
from driftwatch.report.svg import safe_svg

HOSTILE = """<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="200pt" height="80pt" viewBox="0 0 200 80" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(https://evil.example/x.css);</style>
  <g id="node1" class="node" onclick="alert(3)">
    <title>sg-1</title>
    <a xlink:href="javascript:alert(4)" xlink:title="x">
      <polygon fill="url(https://evil.example/p)" stroke="black"
               points="0,0 10,0 10,10"/>
      <text x="5" y="5">web&lt;script&gt;alert(5)&lt;/script&gt;</text>
    </a>
    <image href="https://evil.example/beacon.png" width="1" height="1"/>
    <foreignObject width="10" height="10"><div>x</div></foreignObject>
    <ellipse fill="url(#grad)" cx="1" cy="1" rx="1" ry="1"/>
  </g>
</svg>
"""


def test_scripts_handlers_links_and_foreign_content_are_dropped() -> None:
    cleaned = re.sub(r">\s+<", "><", safe_svg(HOSTILE))

    for banned in ("<script", "onload", "onclick", "<style", "javascript:", "<image",
                   "foreignObject", "evil.example", "href", "<a"):  # fmt: skip
        assert banned not in cleaned
    assert cleaned.startswith('<svg viewBox="0 0 200 80">')
    assert '<g id="node1" class="node"><title>sg-1</title><g>' in cleaned
    assert "web&lt;script&gt;alert(5)&lt;/script&gt;" in cleaned
    assert '<ellipse fill="url(#grad)"' in cleaned
    assert '<polygon stroke="black" points="0,0 10,0 10,10">' in cleaned


def test_what_is_not_svg_is_bad_input() -> None:
    with pytest.raises(InputError, match="not well-formed SVG"):
        safe_svg("<svg><g></svg>")
    with pytest.raises(InputError, match="no <svg> root"):
        safe_svg("<html><body/></html>")
