"""The whole estate of a snapshot as one networkx graph (no AWS calls).

Nodes are the internet, VPCs, subnets, gateways, route tables, network ACLs,
security groups, network interfaces, Elastic IPs, NAT gateways, peering
connections, endpoints, customer gateways and prefix lists. A node's key is
``account/region/id`` (prefix list ids repeat across accounts); its attributes
carry what decides reachability, parsed once into exact sets (``routes``,
``acl_rules``, ``inbound_rules``, ``public_addresses``). Edges say how things
connect (``kind``: attachment, association, route, attached, ...), and route
edges carry their destination and whether they are ``active``.

How each resource type becomes nodes and edges lives in ``linkers`` (one table,
``LINKERS``); this module holds the graph, its building primitives and the
lookups exposure needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx

from driftwatch import registry
from driftwatch.reach import rules as r
from driftwatch.reach.intervals import AddressSet
from driftwatch.snapshot import Resource, ResourceKey, Snapshot

INTERNET = "internet"
AUTO_ASSIGNED = "(auto-assigned)"

# Node kinds, by resource type.
KIND = {
    registry.VPC: "vpc",
    registry.SUBNET: "subnet",
    registry.INTERNET_GATEWAY: "internet-gateway",
    registry.EGRESS_ONLY_INTERNET_GATEWAY: "egress-only-internet-gateway",
    registry.ROUTE_TABLE: "route-table",
    registry.NETWORK_ACL: "network-acl",
    registry.SECURITY_GROUP: "security-group",
    registry.NETWORK_INTERFACE: "network-interface",
    registry.EIP: "elastic-ip",
    registry.NAT_GATEWAY: "nat-gateway",
    registry.VPC_PEERING_CONNECTION: "vpc-peering-connection",
    registry.VPC_ENDPOINT: "vpc-endpoint",
    registry.CUSTOMER_GATEWAY: "customer-gateway",
    registry.PREFIX_LIST: "prefix-list",
}
TYPE_OF_KIND = {kind: name for name, kind in KIND.items()}
ROUTE_TARGET = "route-target"

# The id prefixes of route targets, to give a target outside the snapshot a kind.
TARGET_PREFIXES = {
    "igw-": registry.INTERNET_GATEWAY,
    "eigw-": registry.EGRESS_ONLY_INTERNET_GATEWAY,
    "nat-": registry.NAT_GATEWAY,
    "pcx-": registry.VPC_PEERING_CONNECTION,
    "vpce-": registry.VPC_ENDPOINT,
    "eni-": registry.NETWORK_INTERFACE,
}


@dataclass(frozen=True)
class PublicAddress:
    """A public address of an interface: public IPv4 (auto or Elastic) or IPv6."""

    address: str
    version: int
    private_ip: str | None = None
    allocation_id: str | None = None

    @property
    def elastic(self) -> bool:
        """True for an Elastic IP."""
        return self.allocation_id is not None


@dataclass(frozen=True)
class Unresolved:
    """A prefix list that a rule or route names but the snapshot does not hold."""

    resource: ResourceKey
    prefix_list_id: str


class EstateGraph:
    """The reachability graph of one snapshot, with the lookups exposure needs."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.graph = nx.MultiDiGraph()
        self.unresolved: list[Unresolved] = []
        self._prefix_lists: dict[tuple[str, str, str], tuple[str, ...]] = {}
        # (node, edge kind) -> neighbours, beside the networkx graph: the lookups
        # below run per interface and must not walk networkx's adjacency views.
        self.edge_count = 0
        self._world_rules: dict[tuple[str, int], tuple[r.SecurityGroupRule, ...]] = {}
        self._ordered_routes: dict[
            tuple[str, frozenset[str], int], list[tuple[AddressSet, r.Route]]
        ] = {}
        self._into: dict[tuple[str, str], dict[str, None]] = {}
        self._out_of: dict[tuple[str, str], dict[str, None]] = {}
        # Edges wait here until ``finish``: some of their attributes (a route's
        # activity) need the whole estate, and one batch is cheaper for networkx.
        self._edges: list[tuple[str, str, dict[str, Any]]] = []
        self.graph.add_node(INTERNET, kind="internet", known=True, resource_id=INTERNET)
        # The attribute dicts networkx holds, by node, without its view objects.
        self._attributes: dict[str, dict[str, Any]] = {
            INTERNET: self.graph.nodes[INTERNET]
        }

    # --- building ---------------------------------------------------------------

    def add(self, resource: Resource, **attributes: Any) -> str:
        """Add (or complete a placeholder of) the node of a resource."""
        node = node_id(resource.account_id, resource.region, resource.resource_id)
        self.graph.add_node(
            node,
            kind=KIND[resource.resource_type],
            known=True,
            account_id=resource.account_id,
            region=resource.region,
            resource_id=resource.resource_id,
            resource=resource,
            **attributes,
        )
        self._attributes[node] = self.graph.nodes[node]
        return node

    def ensure(self, account: str, region: str, resource_id: str, kind: str) -> str:
        """The node of an id something points at; a placeholder if it is absent."""
        node = node_id(account, region, resource_id)
        if node not in self.graph:
            self.graph.add_node(
                node,
                kind=kind,
                known=False,
                account_id=account,
                region=region,
                resource_id=resource_id,
            )
            self._attributes[node] = self.graph.nodes[node]
        return node

    def near(self, resource: Resource, resource_id: str, kind: str) -> str:
        """``ensure`` for an id in the same account and region as ``resource``."""
        return self.ensure(resource.account_id, resource.region, resource_id, kind)

    def link(self, source: str, target: str, kind: str, **attributes: Any) -> None:
        """Add an edge of a kind (to networkx in one batch, by ``finish``)."""
        self._edges.append((source, target, {"kind": kind, **attributes}))
        self._into.setdefault((target, kind), {})[source] = None
        self._out_of.setdefault((source, kind), {})[target] = None

    def resolver(self, resource: Resource) -> r.PrefixResolver:
        """Prefix list entries as seen from a resource's account and region."""

        def resolve(prefix_list_id: str) -> tuple[str, ...] | None:
            scope = (resource.account_id, resource.region, prefix_list_id)
            entries = self._prefix_lists.get(scope)
            if entries is None:
                self.unresolved.append(Unresolved(resource.key, prefix_list_id))
            return entries

        return resolve

    def add_prefix_list(self, resource: Resource, entries: tuple[str, ...]) -> None:
        """Remember a prefix list's entries for the rules and routes naming it."""
        scope = (resource.account_id, resource.region, resource.resource_id)
        self._prefix_lists[scope] = entries

    def finish(self) -> None:
        """Derive what needs every resource in place (route activity, EIPs), then
        add the edges to the networkx graph."""
        for source, target, data in self._edges:
            if data["kind"] == "route":
                self._route_active(source, target, data)
            elif data["kind"] == "association" and self.kind(source) == "elastic-ip":
                self._add_elastic_address(source, target)
        self.graph.add_edges_from(self._edges)
        self.edge_count = len(self._edges)

    def _route_active(self, table: str, target: str, data: dict[str, Any]) -> None:
        # A route to an internet gateway is active only while that gateway is
        # attached to the route table's own VPC; otherwise it is a blackhole.
        data["active"] = self._target_active(target, self.node(table).get("vpc"))
        if data["active"] and self.kind(target) == "internet-gateway":
            routed = self.node(table).setdefault("active_gateways", set())
            routed.add(self.resource_id(target))

    def _target_active(self, target: str, vpc: str | None) -> bool:
        if self.kind(target) in ("internet-gateway", "egress-only-internet-gateway"):
            return vpc in self.attached_vpcs(target)
        return bool(self.node(target).get("known"))

    def _add_elastic_address(self, eip: str, eni: str) -> None:
        properties = self.node(eip)["resource"].properties
        address = PublicAddress(
            address=str(properties.get("PublicIp", "")),
            version=4,
            private_ip=properties.get("PrivateIpAddress"),
            allocation_id=properties.get("AllocationId"),
        )
        known = self.node(eni).setdefault("public_addresses", ())
        if address.address not in {item.address for item in known}:
            self.node(eni)["public_addresses"] = (*known, address)

    # --- lookups ----------------------------------------------------------------

    def node(self, node: str) -> dict[str, Any]:
        """The attributes of a node."""
        return self._attributes[node]

    def resource_id(self, node: str | None) -> str:
        """The AWS id of a node ("" for none)."""
        return str(self.node(node)["resource_id"]) if node else ""

    def kind(self, node: str) -> str:
        """The kind of a node (``vpc``, ``subnet``, ...)."""
        return str(self._attributes[node].get("kind", ""))

    def resource_key(self, node: str) -> ResourceKey | None:
        """(account, region, type, id) of a node, None for the internet."""
        attributes = self.node(node)
        resource_type = TYPE_OF_KIND.get(attributes.get("kind", ""))
        if resource_type is None:
            return None
        return (
            attributes["account_id"],
            attributes["region"],
            resource_type,
            attributes["resource_id"],
        )

    def sources_of(self, node: str, kind: str) -> list[str]:
        """Nodes with an edge of ``kind`` into ``node``."""
        return list(self._into.get((node, kind), ()))

    def targets_of(self, node: str, kind: str) -> list[str]:
        """Nodes that ``node`` has an edge of ``kind`` to."""
        return list(self._out_of.get((node, kind), ()))

    def interfaces(self) -> Iterator[str]:
        """Every network interface node of the snapshot."""
        for node, attributes in self._attributes.items():
            if attributes["kind"] == "network-interface" and attributes["known"]:
                yield node

    def subnet_of(self, interface: str) -> str | None:
        """The subnet an interface is in."""
        return next(iter(self._into.get((interface, "contains"), ())), None)

    def vpc_of(self, node: str) -> str | None:
        """The VPC a subnet (or route table, ACL, group) belongs to."""
        vpc = self.node(node).get("vpc")
        return str(vpc) if vpc else None

    def attached_vpcs(self, gateway: str) -> list[str]:
        """The VPCs a gateway is attached to."""
        return self.targets_of(gateway, "attachment")

    def internet_gateways(self, vpc: str) -> list[str]:
        """Internet gateways attached to a VPC (egress-only ones are not)."""
        return sorted(
            gateway
            for gateway in self.sources_of(vpc, "attachment")
            if self.kind(gateway) == "internet-gateway"
        )

    def egress_only_gateways(self, vpc: str) -> list[str]:
        """Egress-only internet gateways attached to a VPC."""
        return sorted(
            gateway
            for gateway in self.sources_of(vpc, "attachment")
            if self.kind(gateway) == "egress-only-internet-gateway"
        )

    def route_table_of(self, subnet: str) -> str | None:
        """The subnet's explicitly associated table, else its own VPC's main table."""
        explicit = self.sources_of(subnet, "association")
        tables = [node for node in explicit if self.kind(node) == "route-table"]
        if tables:
            return tables[0]
        vpc = self.vpc_of(subnet)
        if vpc is None:
            return None
        return next(iter(sorted(self.sources_of(vpc, "main-route-table"))), None)

    def network_acl_of(self, subnet: str) -> str | None:
        """The subnet's associated network ACL, else its VPC's default ACL."""
        explicit = self.sources_of(subnet, "association")
        acls = [node for node in explicit if self.kind(node) == "network-acl"]
        if acls:
            return acls[0]
        vpc = self.vpc_of(subnet)
        if vpc is None:
            return None
        return next(iter(sorted(self.sources_of(vpc, "default-network-acl"))), None)

    def security_groups(self, interface: str) -> list[str]:
        """The security groups of this interface (not of its instance's others)."""
        return sorted(self._into.get((interface, "attached"), ()))

    def active_internet_gateways(self, table: str) -> frozenset[str]:
        """Ids of internet gateways a table routes to that are attached to its VPC."""
        return frozenset(self.node(table).get("active_gateways", ()))

    def prefix_list_entries(
        self, account: str, region: str, prefix_list_id: str
    ) -> tuple[str, ...] | None:
        """The CIDRs of a prefix list, None when the snapshot does not hold it."""
        return self._prefix_lists.get((account, region, prefix_list_id))

    def acl_rules(
        self, account: str, region: str, network_acl_id: str
    ) -> tuple[r.NetworkAclRule, ...]:
        """The parsed entries of a network ACL (none when it is not known)."""
        node = node_id(account, region, network_acl_id)
        if node not in self.graph:
            return ()
        rules: tuple[r.NetworkAclRule, ...] = self.node(node).get("acl_rules", ())
        return rules

    def ordered_routes(
        self, table: str, gateways: frozenset[str], version: int
    ) -> list[tuple[AddressSet, r.Route]]:
        """A table's routes of a family in longest-prefix-match order."""
        key = (table, gateways, version)
        if key not in self._ordered_routes:
            routes = self.node(table).get("routes", ())
            self._ordered_routes[key] = r.ordered_routes(routes, gateways, version)
        return self._ordered_routes[key]

    def world_rules(self, group: str, version: int) -> tuple[r.SecurityGroupRule, ...]:
        """A group's inbound rules that admit every address of the family."""
        key = (group, version)
        if key not in self._world_rules:
            self._world_rules[key] = tuple(
                rule
                for rule in self.node(group).get("inbound_rules", ())
                if rule.world_open(version)
            )
        return self._world_rules[key]


def node_id(account: str, region: str, resource_id: str) -> str:
    """The graph key of a resource: ``account/region/id``."""
    return f"{account}/{region}/{resource_id}"
