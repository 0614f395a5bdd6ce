"""Rendering with the real Graphviz ``dot``: exposed paths are drawn and labelled."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from driftwatch.errors import UsageError
from driftwatch.reach import exposures
from driftwatch.render import MAX_INTERFACES, render
from tests.reach.estate_builder import Public, sg_rule


def svg_text(path: Path) -> str:
    """The text of an SVG's <text> elements, one per line."""
    found = re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text())
    return "\n".join(html.unescape(text) for text in found)


def svg_edges(path: Path) -> dict[str, list[str]]:
    """Each drawn edge's title (``tail->head``) and the texts of its label."""
    namespace = {"svg": "http://www.w3.org/2000/svg"}
    root = ElementTree.parse(path).getroot()
    edges = {}
    for group in root.iterfind(".//svg:g[@class='edge']", namespace):
        title = group.findtext("svg:title", "", namespace)
        edges[title] = [t.text or "" for t in group.iterfind(".//svg:text", namespace)]
    return edges


def test_svg_names_the_exposed_interface_and_its_port(tmp_path: Path) -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    report = exposures(host.snapshot())

    drawing = render(report, tmp_path / "graph.svg")

    text = svg_text(tmp_path / "graph.svg")
    assert host.interface in text
    edges = svg_edges(tmp_path / "graph.svg")
    [exposed] = [title for title in edges if title.endswith(host.interface)]
    assert host.igw in exposed
    assert edges[exposed] == ["tcp 22"]
    assert drawing.interfaces_drawn == 1
    assert drawing.omitted == ""


def test_exposed_edge_is_red_and_goes_from_the_gateway(tmp_path: Path) -> None:
    host = Public([sg_rule("tcp", 443, cidr="0.0.0.0/0")])

    render(exposures(host.snapshot()), tmp_path / "graph.dot")

    source = (tmp_path / "graph.dot").read_text()
    edge = next(line for line in source.splitlines() if "tcp 443" in line)
    assert host.igw in edge
    assert host.interface in edge
    assert "#c62828" in edge


def test_a_large_estate_draws_the_exposed_part_and_says_what_is_left(
    tmp_path: Path,
) -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    private = host.estate.security_group(
        host.vpc, [sg_rule("tcp", 80, cidr="10.0.0.0/8")]
    )
    for index in range(MAX_INTERFACES + 5):
        host.estate.interface(host.subnet, [private], private_ip=f"10.0.1.{index + 20}")

    drawing = render(exposures(host.snapshot()), tmp_path / "graph.svg")

    assert drawing.interfaces_drawn == 1
    assert drawing.interfaces_omitted == MAX_INTERFACES + 5
    assert drawing.omitted == (
        f"{MAX_INTERFACES + 5} of {MAX_INTERFACES + 6} interfaces not drawn "
        "(0 of them exposed or latent, the rest with no exposure)"
    )
    assert f"not drawn: {MAX_INTERFACES + 5} of" in svg_text(tmp_path / "graph.svg")


def test_png_is_a_png(tmp_path: Path) -> None:
    render(exposures(Public([]).snapshot()), tmp_path / "graph.png")

    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_suffix_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"must end in \.svg, \.png or \.dot"):
        render(exposures(Public([]).snapshot()), tmp_path / "graph.pdf")
