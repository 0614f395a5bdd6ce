"""The results of reachability: exposures, latent exposures, reports and deltas.

All frozen. An ``Exposure`` is one rectangle of what the internet reaches on one
interface: one address family, one protocol, a set of ports (or ICMP keys) and
the exact set of sources that reach every one of them. ``Surface`` keeps the
whole exact region per protocol class behind an interface's exposures, which
is what a delta compares; ``Exposure`` is how that region is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

from driftwatch.drift.model import Unknown
from driftwatch.reach import rules as r
from driftwatch.reach.evaluate import ClassResult
from driftwatch.reach.graph import EstateGraph, PublicAddress, node_id
from driftwatch.reach.intervals import AddressSet, IntervalSet, icmp_pairs
from driftwatch.snapshot import ResourceKey


@dataclass(frozen=True)
class PathStep:
    """One hop of a witness path: what it is, its id, and what decided it."""

    kind: str
    id: str
    detail: tuple[tuple[str, Any], ...] = ()

    def to_document(self) -> dict[str, Any]:
        """The step as the exposure JSON has it: kind, id and its details."""
        return {"kind": self.kind, "id": self.id, **dict(self.detail)}


@dataclass(frozen=True)
class Shape:
    """One reported rectangle of a region: protocol, keys, sources, reply ports."""

    protocol: int
    keys: IntervalSet
    sources: AddressSet
    reply_ports: IntervalSet | None = None
    excluded: tuple[int, ...] = ()

    def ports(self) -> list[list[int]] | None:
        """Port intervals for tcp and udp, else None."""
        if self.protocol in (r.TCP, r.UDP):
            return self.keys.as_lists()
        return None

    def icmp(self) -> list[list[int]] | None:
        """[type, code] pairs for icmp and icmpv6, else None."""
        if self.protocol in r.ICMP_FAMILY:
            return icmp_pairs(self.keys)
        return None

    def probe(self) -> tuple[int, int]:
        """(protocol class, first key) of the packet that stands for the shape."""
        protocol = r.REST if self.protocol == r.ALL else self.protocol
        return protocol, self.keys.first() if self.keys else 0

    def sources_except(self) -> tuple[str, ...] | None:
        """For a near-universal source set, the CIDRs it leaves out (else None)."""
        missing = AddressSet.full(self.sources.version) - self.sources
        cidrs = missing.to_cidrs()
        if not self.sources or len(cidrs) >= len(self.sources.to_cidrs()):
            return None
        return cidrs

    def sources_text(self, limit: int = 4) -> str:
        """The sources for people: ``0.0.0.0/0 except 10.0.0.0/16``, or a list."""
        missing = self.sources_except()
        if missing is not None:
            universe = "0.0.0.0/0" if self.sources.version == 4 else "::/0"
            return f"{universe} except {_listed(missing, limit)}"
        return _listed(self.sources.to_cidrs(), limit)

    def describe(self) -> str:
        """The protocol and ports in a few words: ``tcp 22, 8000-8080``."""
        name = r.protocol_label(self.protocol)
        ports = self.ports()
        if ports is not None:
            spans = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ports)
            return f"{name} {spans}"
        pairs = self.icmp()
        if pairs is not None:
            return f"{name} " + ", ".join(_icmp_text(t, c) for t, c in pairs)
        if self.excluded:
            others = ", ".join(r.protocol_label(p) for p in self.excluded)
            return f"all protocols except {others}"
        return name


def _listed(cidrs: tuple[str, ...], limit: int) -> str:
    if len(cidrs) <= limit:
        return ", ".join(cidrs)
    return ", ".join(cidrs[:limit]) + f" (+{len(cidrs) - limit} more)"


def _icmp_text(kind: int, code: int) -> str:
    if kind == -1:
        return "any type"
    return f"type {kind}" if code == -1 else f"type {kind} code {code}"


@dataclass(frozen=True)
class Exposure:
    """One exposed rectangle on one interface, with its witness path."""

    account_id: str
    region: str
    network_interface_id: str
    vpc_id: str
    subnet_id: str
    address: str
    addresses: tuple[str, ...]
    shape: Shape
    severity: str
    path: tuple[PathStep, ...]
    resources: frozenset[ResourceKey] = frozenset()
    change_ids: tuple[str, ...] = ()

    @property
    def interface_node(self) -> str:
        """The graph node of the interface."""
        return node_id(self.account_id, self.region, self.network_interface_id)

    @property
    def address_family(self) -> str:
        """``ipv4`` or ``ipv6``."""
        return self.shape.sources.family

    @property
    def protocol(self) -> str:
        """tcp, udp, icmp, icmpv6, all, or an IANA number."""
        return r.protocol_label(self.shape.protocol)

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources that complete a connection, as minimal CIDRs."""
        return self.shape.sources.to_cidrs()

    def sort_key(self) -> tuple[Any, ...]:
        """Account, region, VPC, interface, family, protocol, first key, sources."""
        keys = self.shape.keys
        return (
            self.account_id,
            self.region,
            self.vpc_id,
            self.network_interface_id,
            self.shape.sources.version,
            self.shape.protocol != r.ALL,
            self.shape.protocol,
            keys.first() if keys else -1,
            self.shape.sources.spans.spans,
        )

    def to_document(self) -> dict[str, Any]:
        """The exposure as the contract's JSON has it, with extensions."""
        document: dict[str, Any] = {
            "account_id": self.account_id,
            "region": self.region,
            "network_interface_id": self.network_interface_id,
            "vpc_id": self.vpc_id,
            "subnet_id": self.subnet_id,
            "address": self.address,
            "addresses": list(self.addresses),
            "address_family": self.address_family,
            "protocol": self.protocol,
            "ports": self.shape.ports(),
            "icmp": self.shape.icmp(),
            "sources": list(self.sources),
            "severity": self.severity,
            "path": [step.to_document() for step in self.path],
        }
        missing = self.shape.sources_except()
        if missing is not None:
            document["sources_except"] = list(missing)
        if self.shape.reply_ports is not None:
            document["reply_ports"] = self.shape.reply_ports.as_lists()
        if self.shape.excluded:
            document["excluded_protocols"] = [
                r.protocol_label(p) for p in self.shape.excluded
            ]
        if self.change_ids:
            document["change_ids"] = list(self.change_ids)
        return document


@dataclass(frozen=True)
class Latent:
    """A world-open security group rule on an interface the internet cannot reach."""

    account_id: str
    region: str
    network_interface_id: str
    vpc_id: str
    subnet_id: str
    shape: Shape
    reason: str
    rules: tuple[str, ...]

    @property
    def interface_node(self) -> str:
        """The graph node of the interface."""
        return node_id(self.account_id, self.region, self.network_interface_id)

    def to_document(self) -> dict[str, Any]:
        """The latent exposure as JSON."""
        return {
            "account_id": self.account_id,
            "region": self.region,
            "network_interface_id": self.network_interface_id,
            "vpc_id": self.vpc_id,
            "subnet_id": self.subnet_id,
            "address_family": self.shape.sources.family,
            "protocol": r.protocol_label(self.shape.protocol),
            "ports": self.shape.ports(),
            "icmp": self.shape.icmp(),
            "sources": list(self.shape.sources.to_cidrs()),
            "reason": self.reason,
            "security_group_rules": list(self.rules),
        }


class Identity(TypedDict):
    """Where an exposure is: the fields every exposure and latent entry starts with."""

    account_id: str
    region: str
    network_interface_id: str
    vpc_id: str
    subnet_id: str


@dataclass(frozen=True)
class Surface:
    """The exact exposed region of one interface in one family, per protocol.

    ``interface``, ``route_table``, ``network_acl`` and ``security_groups`` are
    graph nodes; ``internet_gateways`` are the ids of the attached gateways the
    route table reaches, ``attached_gateways`` the ids of all attached ones.
    """

    interface: str
    account_id: str
    region: str
    network_interface_id: str
    vpc_id: str
    subnet_id: str
    version: int
    addresses: tuple[PublicAddress, ...]
    gate: str | None
    route_sources: AddressSet
    internet_gateways: tuple[str, ...]
    attached_gateways: tuple[str, ...]
    route_table: str | None
    network_acl: str | None
    security_groups: tuple[str, ...]
    classes: tuple[ClassResult, ...]

    def identity(self) -> Identity:
        """Account, region, interface, VPC and subnet, as exposures name them."""
        return Identity(
            account_id=self.account_id,
            region=self.region,
            network_interface_id=self.network_interface_id,
            vpc_id=self.vpc_id,
            subnet_id=self.subnet_id,
        )

    def result(self, protocol: int) -> ClassResult:
        """The result of a protocol class; an unnamed protocol behaves as REST."""
        for result in self.classes:
            if result.protocol == protocol:
                return result
        return self.classes[-1]

    @property
    def protocols(self) -> tuple[int, ...]:
        """The protocol classes evaluated, REST last."""
        return tuple(result.protocol for result in self.classes)


@dataclass(frozen=True)
class ExposureReport:
    """Everything the internet reaches in a snapshot, and what it would not."""

    snapshot_id: str
    taken_at: str
    exposures: tuple[Exposure, ...]
    latent: tuple[Latent, ...]
    unknown: tuple[Unknown, ...]
    notes: tuple[str, ...]
    interfaces_evaluated: int
    surfaces: tuple[Surface, ...] = field(default=(), repr=False)
    graph: EstateGraph | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Delta:
    """Exposures opened and closed since a baseline, linked to the drift behind them."""

    opened: tuple[Exposure, ...]
    closed: tuple[Exposure, ...]

    def to_document(self) -> dict[str, Any]:
        """The contract's ``delta`` object."""
        return {
            "opened": [exposure.to_document() for exposure in self.opened],
            "closed": [exposure.to_document() for exposure in self.closed],
        }
