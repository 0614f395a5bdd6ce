"""Drawing the reachability graph with Graphviz: the estate and its exposed paths.

VPCs are clusters, subnets are clusters inside them (labelled with their route
table and network ACL), and interfaces, NAT gateways and gateways are nodes.
An exposed path is red from the internet through its gateway to the interface,
with the protocols and ports it reaches written on it; an interface with a
latent exposure has an orange dashed border. Each VPC has its own internet
node, so VPCs are separate components that Graphviz packs into a grid.

Small estates are drawn whole. Past ``MAX_INTERFACES`` interfaces only the
exposed and latent ones are drawn (at most ``MAX_DRAWN``, the most severe
first), and both the picture and the returned ``Drawing`` say what was left
out. ``.dot`` files are written as Graphviz source and need no Graphviz
install; ``.svg`` and ``.png`` run the real ``dot``.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from driftwatch.errors import DriftwatchError, UsageError
from driftwatch.files import atomic_write
from driftwatch.reach.graph import EstateGraph, node_id
from driftwatch.reach.model import Exposure, ExposureReport, Shape
from driftwatch.reach.rules import ALL

logger = logging.getLogger(__name__)

FORMATS = {".dot": None, ".gv": None, ".svg": "svg", ".png": "png"}
MAX_INTERFACES = 60
MAX_DRAWN = 80
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
RED = "#c62828"
ORANGE = "#ef6c00"
GREY = "#9e9e9e"
LABEL_WIDTH = 34
FONT = {"fontname": "Helvetica"}
GRAPH_STYLE = {**FONT, "rankdir": "LR", "compound": "true", "fontsize": "11"}
GRAPH_STYLE |= {"nodesep": "0.12", "ranksep": "0.7", "labelloc": "t", "labeljust": "l"}
NODE_STYLE = {**FONT, "fontsize": "9", "shape": "box", "style": "rounded"}
EDGE_STYLE = {**FONT, "fontsize": "9", "color": GREY}
# Interfaces of one subnet are laid out in columns of this many.
ROWS = 8
EXPOSED_ROWS = 24


@dataclass(frozen=True)
class Drawing:
    """What a rendering drew and what it left out."""

    path: Path
    interfaces_drawn: int
    interfaces_omitted: int
    omitted: str

    def note(self) -> dict[str, Any]:
        """The ``graph`` block of the exposure report."""
        summary = f"{self.path}: {self.interfaces_drawn} interfaces drawn"
        if self.omitted:
            summary += f"; {self.omitted}"
        return {
            "file": str(self.path),
            "interfaces_drawn": self.interfaces_drawn,
            "interfaces_omitted": self.interfaces_omitted,
            "summary": summary,
        }


def render(report: ExposureReport, path: Path) -> Drawing:
    """Draw the report's graph to ``path`` (.svg, .png, or .dot by suffix)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"{path}: the graph file must end in .svg, .png or .dot, not {suffix!r}."
        )
    if report.graph is None:
        raise UsageError("this exposure report has no graph to draw.")
    chosen, omitted = _choose(report)
    drawing = _Drawer(report.graph, report, chosen).digraph(omitted)
    fmt = FORMATS[suffix]
    if fmt is None:
        atomic_write(path, drawing.source.encode("utf-8"))
    else:
        atomic_write(path, _pipe(drawing, fmt, path))
    total = report.interfaces_evaluated
    logger.info("graph: drew %d of %d interfaces to %s", len(chosen), total, path)
    return Drawing(path, len(chosen), max(total - len(chosen), 0), omitted)


def _pipe(drawing: graphviz.Digraph, fmt: str, path: Path) -> bytes:
    try:
        content: bytes = drawing.pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise DriftwatchError(
            f"cannot draw {path}: Graphviz 'dot' is not installed; install "
            "graphviz (apt-get install graphviz) or write a .dot file instead."
        ) from exc
    except graphviz.CalledProcessError as exc:
        raise DriftwatchError(f"Graphviz failed to draw {path}: {exc}.") from exc
    return content


def _choose(report: ExposureReport) -> tuple[list[str], str]:
    """The interface nodes to draw, and a sentence on what is left out."""
    graph = report.graph
    assert graph is not None
    every = sorted(graph.interfaces())
    if len(every) <= MAX_INTERFACES:
        return every, ""
    worst: dict[str, int] = {}
    for exposure in report.exposures:
        node = exposure.interface_node
        worst[node] = min(worst.get(node, 9), SEVERITY_RANK[exposure.severity])
    for entry in report.latent:
        node = entry.interface_node
        worst.setdefault(node, 8)
    ranked = sorted(worst, key=lambda node: (worst[node], node))
    chosen = sorted(ranked[:MAX_DRAWN])
    left = len(every) - len(chosen)
    sentence = (
        f"{left} of {len(every)} interfaces not drawn "
        f"({max(len(ranked) - MAX_DRAWN, 0)} of them exposed or latent, the rest "
        "with no exposure)"
    )
    return chosen, sentence


def _wrap(parts: Iterable[str], width: int = LABEL_WIDTH) -> str:
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(part) + 2 <= width:
            lines[-1] += f", {part}"
        else:
            lines.append(part)
    return "\n".join(lines)


def exposure_label(exposures: Sequence[Exposure]) -> str:
    """Protocols and ports of an interface's exposures, merged per family."""
    merged: dict[tuple[int, int, tuple[int, ...]], Shape] = {}
    for exposure in exposures:
        shape = exposure.shape
        key = (shape.sources.version, shape.protocol, shape.excluded)
        known = merged.get(key)
        keys = shape.keys | known.keys if known else shape.keys
        merged[key] = Shape(shape.protocol, keys, shape.sources, None, shape.excluded)
    parts = []
    for (version, _, _), shape in sorted(merged.items(), key=_label_order):
        text = shape.describe()
        parts.append(f"v6 {text}" if version == 6 else text)
    return _wrap(parts)


def _label_order(
    item: tuple[tuple[int, int, tuple[int, ...]], Shape],
) -> tuple[Any, ...]:
    (version, protocol, excluded), _ = item
    return (version, protocol != ALL, protocol, excluded)


def _grid(dot: graphviz.Digraph, nodes: Sequence[str], rows: int) -> None:
    """Invisible edges that lay a long list of nodes out in columns of ``rows``."""
    for first, second in zip(nodes, nodes[rows:], strict=False):
        dot.edge(first, second, style="invis")


class _Drawer:
    """Builds the Graphviz digraph of the chosen interfaces."""

    def __init__(
        self, graph: EstateGraph, report: ExposureReport, chosen: Sequence[str]
    ) -> None:
        self.graph = graph
        self.chosen = set(chosen)
        self.exposed: dict[str, list[Exposure]] = defaultdict(list)
        for exposure in report.exposures:
            node = exposure.interface_node
            self.exposed[node].append(exposure)
        self.latent = {e.interface_node for e in report.latent}
        self.carrying = {
            step.id
            for exposure in report.exposures
            for step in exposure.path
            if step.kind == "internet-gateway"
        }
        self.title = f"driftwatch exposure: {report.snapshot_id} ({report.taken_at})"

    def digraph(self, omitted: str) -> graphviz.Digraph:
        """The whole picture."""
        dot = graphviz.Digraph(
            "driftwatch",
            graph_attr={**GRAPH_STYLE, "label": self._legend(omitted)},
            node_attr=NODE_STYLE,
            edge_attr=EDGE_STYLE,
        )
        by_vpc = self._interfaces_by_vpc()
        # Each VPC gets its own internet node, so that VPCs are separate
        # components that Graphviz packs into a grid instead of one tall column.
        dot.attr(pack="true", packmode=f"array_{math.ceil(math.sqrt(len(by_vpc)))}")
        for vpc in sorted(by_vpc):
            self._vpc(dot, vpc, by_vpc[vpc])
        self._peerings(dot, set(by_vpc))
        return dot

    def _legend(self, omitted: str) -> str:
        lines = [
            self.title,
            "red: reachable from the internet (text on the path: protocols and ports); "
            "orange dashed: latent (world-open group, no public path)",
        ]
        if omitted:
            lines.append(f"not drawn: {omitted}")
        return "\n".join(lines) + "\n"

    def _interfaces_by_vpc(self) -> dict[str, dict[str, list[str]]]:
        grouped: dict[str, dict[str, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for interface in sorted(self.chosen):
            subnet = self.graph.subnet_of(interface) or "unknown-subnet"
            vpc = self.graph.vpc_of(interface) or "unknown-vpc"
            grouped[vpc][subnet].append(interface)
        return grouped

    def _name(self, node: str) -> str:
        return self.graph.resource_id(node) if node in self.graph.graph else node

    def _vpc(
        self, dot: graphviz.Digraph, vpc: str, subnets: dict[str, list[str]]
    ) -> None:
        attributes = self.graph.node(vpc) if vpc in self.graph.graph else {}
        cidrs = " ".join(attributes.get("cidrs", ()))
        where = f"{attributes.get('account_id', '')} {attributes.get('region', '')}"
        with dot.subgraph(name=f"cluster_{vpc}") as cluster:
            cluster.attr(
                label=f"{self._name(vpc)}  {cidrs}\n{where}",
                style="rounded",
                color="#607d8b",
                fontsize="11",
            )
            cluster.node(
                f"{vpc}#anchor", "", shape="point", width="0.01", style="invis"
            )
            for gateway in self._gateways(vpc):
                self._gateway(cluster, dot, gateway, f"{vpc}#internet")
            for subnet in sorted(subnets):
                self._subnet(cluster, dot, subnet, subnets[subnet])

    def _gateways(self, vpc: str) -> list[str]:
        if vpc not in self.graph.graph:
            return []
        return self.graph.internet_gateways(vpc) + self.graph.egress_only_gateways(vpc)

    def _gateway(
        self,
        cluster: graphviz.Digraph,
        dot: graphviz.Digraph,
        gateway: str,
        internet: str,
    ) -> None:
        dot.node(
            internet, "internet", shape="ellipse", style="filled", fillcolor="#e3f2fd"
        )
        egress_only = self.graph.kind(gateway) == "egress-only-internet-gateway"
        role = "egress-only gateway" if egress_only else "internet gateway"
        carries = self._name(gateway) in self.carrying
        cluster.node(
            gateway,
            f"{self._name(gateway)}\n{role}",
            shape="hexagon",
            style="filled" if carries else "dashed" if egress_only else "solid",
            fillcolor="#ffcdd2",
            color=RED if carries else GREY,
        )
        if egress_only:
            dot.edge(gateway, internet, style="dashed", label="out only")
            return
        dot.edge(
            internet,
            gateway,
            color=RED if carries else GREY,
            penwidth="2" if carries else "1",
        )

    def _subnet(
        self,
        cluster: graphviz.Digraph,
        dot: graphviz.Digraph,
        subnet: str,
        interfaces: list[str],
    ) -> None:
        known = subnet in self.graph.graph
        attributes = self.graph.node(subnet) if known else {}
        resource = attributes.get("resource")
        properties = resource.properties if resource is not None else {}
        table = self.graph.route_table_of(subnet) if known else None
        acl = self.graph.network_acl_of(subnet) if known else None
        label = (
            f"{self._name(subnet)}  {properties.get('CidrBlock', '')}\n"
            f"{self._name(table) if table else 'no route table'} · "
            f"{self._name(acl) if acl else 'no ACL'}"
        )
        with cluster.subgraph(name=f"cluster_{subnet}") as box:
            box.attr(
                label=label,
                style="rounded,filled",
                fillcolor="#fafafa",
                color="#b0bec5",
                fontsize="9",
            )
            ordered = sorted(interfaces, key=self._prominence)
            for interface in ordered:
                self._interface(box, cluster, interface)
            # Exposed interfaces stay in long columns next to their gateway, so
            # that no red edge has to cross a column of other interfaces.
            _grid(box, [i for i in ordered if i in self.exposed], EXPOSED_ROWS)
            _grid(box, [i for i in ordered if i not in self.exposed], ROWS)
            for nat in self.graph.targets_of(subnet, "contains") if known else []:
                if self.graph.kind(nat) == "nat-gateway":
                    box.node(
                        nat, f"{self._name(nat)}\nNAT gateway", shape="cds", color=GREY
                    )

    def _interface(
        self, box: graphviz.Digraph, vpc: graphviz.Digraph, interface: str
    ) -> None:
        attributes = self.graph.node(interface)
        public = [a.address for a in attributes.get("public_addresses", ())]
        private = attributes["resource"].properties.get("PrivateIpAddress", "")
        label = "\n".join(
            filter(None, (attributes["resource_id"], private, ", ".join(public[:2])))
        )
        exposures = self.exposed.get(interface, [])
        if exposures:
            box.node(
                interface,
                label,
                color=RED,
                penwidth="2",
                style="rounded,filled",
                fillcolor="#ffebee",
            )
            # The ports ride on a text node in the middle of the red path, not
            # on an edge label: Graphviz drops edge labels of packed graphs.
            ports = f"{interface}#ports"
            vpc.node(
                ports,
                exposure_label(exposures),
                shape="plaintext",
                fontcolor=RED,
                fontsize="9",
            )
            gateway = self._gateway_node(exposures[0])
            vpc.edge(gateway, ports, color=RED, penwidth="2", arrowhead="none")
            vpc.edge(ports, interface, color=RED, penwidth="2")
            return
        if interface in self.latent:
            box.node(
                interface, label, color=ORANGE, style="rounded,dashed", penwidth="2"
            )
            return
        box.node(interface, label, color=GREY)

    def _prominence(self, interface: str) -> tuple[int, str]:
        if interface in self.exposed:
            return (0, interface)
        return (1 if interface in self.latent else 2, interface)

    @staticmethod
    def _gateway_node(exposure: Exposure) -> str:
        gateway = next(s.id for s in exposure.path if s.kind == "internet-gateway")
        return node_id(exposure.account_id, exposure.region, gateway)

    def _peerings(self, dot: graphviz.Digraph, drawn: set[str]) -> None:
        for node, kind in self.graph.graph.nodes(data="kind"):
            if kind != "vpc-peering-connection":
                continue
            ends = [
                vpc for vpc in self.graph.sources_of(node, "peering") if vpc in drawn
            ]
            if len(ends) < 2:
                continue
            dot.node(node, f"{self._name(node)}\npeering", shape="diamond", color=GREY)
            for vpc in ends:
                dot.edge(
                    f"{vpc}#anchor",
                    node,
                    lhead=None,
                    ltail=f"cluster_{vpc}",
                    style="dashed",
                    dir="none",
                )
