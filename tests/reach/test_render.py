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


def svg_groups(path: Path, kind: str) -> dict[str, tuple[list[str], str]]:
    """Each drawn node or edge (``kind``): its title, its texts and its colour."""
    namespace = {"svg": "http://www.w3.org/2000/svg"}
    root = ElementTree.parse(path).getroot()
    found = {}
    for group in root.iterfind(f".//svg:g[@class='{kind}']", namespace):
        title = html.unescape(group.findtext("svg:title", "", namespace))
        texts = [t.text or "" for t in group.iterfind(".//svg:text", namespace)]
        shape = group.find("svg:path", namespace)
        colour = shape.get("stroke", "") if shape is not None else ""
        found[title] = (texts, colour)
    return found


def test_svg_names_the_exposed_interface_and_its_port(tmp_path: Path) -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    report = exposures(host.snapshot())

    drawing = render(report, tmp_path / "graph.svg")

    assert host.interface in svg_text(tmp_path / "graph.svg")
    nodes = svg_groups(tmp_path / "graph.svg", "node")
    [ports] = [title for title in nodes if title.endswith(f"{host.interface}#ports")]
    assert nodes[ports][0] == ["tcp 22"]
    edges = svg_groups(tmp_path / "graph.svg", "edge")
    gateway = f"111111111111/us-east-1/{host.igw}"
    into = f"111111111111/us-east-1/{host.interface}"
    assert edges[f"{gateway}->{ports}"][1] == "#c62828"
    assert edges[f"{ports}->{into}"][1] == "#c62828"
    assert drawing.interfaces_drawn == 1
    assert drawing.omitted == ""


def test_exposed_path_is_red_and_goes_from_the_gateway(tmp_path: Path) -> None:
    host = Public([sg_rule("tcp", 443, cidr="0.0.0.0/0")])

    render(exposures(host.snapshot()), tmp_path / "graph.dot")

    lines = (tmp_path / "graph.dot").read_text().splitlines()
    ports = f"{host.interface}#ports"
    [label] = [line for line in lines if "tcp 443" in line]
    assert ports in label
    [path_in] = [line for line in lines if f'{host.igw}" -> ' in line and ports in line]
    assert "#c62828" in path_in
    [path_out] = [line for line in lines if f'{ports}" -> ' in line]
    assert host.interface in path_out.split("->")[1]
    assert "#c62828" in path_out


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


def test_every_vpc_of_a_packed_picture_keeps_its_port_labels(tmp_path: Path) -> None:
    host = Public([sg_rule("tcp", 22, cidr="0.0.0.0/0")])
    others = []
    for index in range(3):
        vpc = host.estate.vpc(f"10.{index + 1}.0.0/16")
        gateway = host.estate.internet_gateway(vpc)
        host.estate.route(host.estate.main_route_table(vpc), "0.0.0.0/0", gateway)
        subnet = host.estate.subnet(vpc, f"10.{index + 1}.1.0/24")
        group = host.estate.security_group(
            vpc, [sg_rule("udp", 5000 + index, cidr="0.0.0.0/0")]
        )
        others.append(
            host.estate.interface(
                subnet,
                [group],
                private_ip=f"10.{index + 1}.1.5",
                public_ip=f"3.3.3.{index}",
            )
        )

    render(exposures(host.snapshot()), tmp_path / "graph.svg")

    nodes = svg_groups(tmp_path / "graph.svg", "node")
    labels = {
        title.split("/")[-1]: texts
        for title, (texts, _) in nodes.items()
        if "#ports" in title
    }
    assert labels == {
        f"{host.interface}#ports": ["tcp 22"],
        **{f"{eni}#ports": [f"udp {5000 + n}"] for n, eni in enumerate(others)},
    }
