"""The one table of kinds of drift: severity, whether it opens an internet path.

Every change is classified into exactly one kind (``KINDS``); its severity and
``opens_internet_path`` come from that row and nowhere else, and the kind is
the SARIF rule id. The helpers below answer the questions the classification
asks: is this source the internet, do these ports include an admin port.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from driftwatch.changes import SEVERITIES


@dataclass(frozen=True)
class Kind:
    """One kind of drift: how bad it is and what it means."""

    severity: str
    opens_internet_path: bool
    title: str


KINDS: dict[str, Kind] = {
    # An inbound rule from the internet to an admin or database port (or to
    # every port): the change most incidents start with.
    "ingress-internet-admin": Kind(
        "critical", True, "Inbound rule from the internet to an admin port"
    ),
    # Any other inbound rule from the internet: the group now lets the world in.
    "ingress-internet": Kind("high", True, "Inbound rule from the internet"),
    # A stateless ACL now lets the internet in to an admin port or every port.
    "acl-inbound-internet-admin": Kind(
        "critical", True, "Network ACL allows the internet in to an admin port"
    ),
    # A stateless ACL now lets the internet in.
    "acl-inbound-internet": Kind(
        "high", True, "Network ACL allows inbound traffic from the internet"
    ),
    # A route now sends traffic to an internet gateway: replies reach the world.
    "route-to-internet-gateway": Kind("high", True, "Route to an internet gateway"),
    # An internet gateway attached to a VPC: the first condition of exposure.
    "gateway-attached": Kind("high", True, "Internet gateway attached to a VPC"),
    # An Elastic IP, public IPv4 or IPv6 address now on a network interface.
    "public-address-on-interface": Kind(
        "high", True, "Public address placed on a network interface"
    ),
    # A subnet now uses a route table that routes to an internet gateway.
    "association-to-public-route-table": Kind(
        "high", True, "Subnet associated with a route table to the internet"
    ),
    # A whole new resource whose own rules let the internet in to an admin or
    # database port, or to every port (a rogue "maintenance" group).
    "resource-added-internet-admin": Kind(
        "critical", True, "Resource added that opens an admin port to the internet"
    ),
    # A whole new resource that, on its own, opens a path from the internet.
    "resource-added-internet": Kind(
        "high", True, "Resource added that opens a path from the internet"
    ),
    # An inbound rule from private space, a peer group or a prefix list.
    "ingress-rule": Kind("medium", False, "Inbound security group rule"),
    # An outbound rule to the internet: a way out for exfiltration.
    "egress-internet": Kind("medium", False, "Outbound rule to the internet"),
    # A network ACL entry changed that lets nothing new in from the internet.
    "acl-entry": Kind("medium", False, "Network ACL entry"),
    # A route changed that does not lead to an internet gateway.
    "route": Kind("medium", False, "Route"),
    # A subnet moved between route tables or network ACLs.
    "association": Kind("medium", False, "Subnet or gateway association"),
    # A gateway detached from its VPC: traffic stops, nothing opens.
    "gateway-detached": Kind("medium", False, "Gateway detached from a VPC"),
    # A security group attached to or detached from a network interface.
    "security-group-attachment": Kind(
        "medium", False, "Security group attachment of a network interface"
    ),
    # A prefix list gained or lost a range: every rule naming it changes meaning.
    "prefix-list-entry": Kind("medium", False, "Managed prefix list entry"),
    # An endpoint policy rewritten: what the endpoint lets through changed.
    "endpoint-policy": Kind("medium", False, "VPC endpoint policy"),
    # A whole resource created out of band.
    "resource-added": Kind("medium", False, "Resource added"),
    # A whole resource deleted out of band: outages start here.
    "resource-removed": Kind("medium", False, "Resource removed"),
    # An outbound rule to private space.
    "egress-rule": Kind("low", False, "Outbound security group rule"),
    # A rule removed: access narrowed (may break something, opens nothing).
    "rule-removed": Kind("low", False, "Security group rule removed"),
    # A public address taken off an interface: closes a path.
    "public-address-removed": Kind(
        "low", False, "Public address removed from a network interface"
    ),
    # Another field or list item (CIDR blocks, DNS settings, peering options...).
    "setting": Kind("low", False, "Configuration setting"),
    # A rule whose description changed: same access.
    "rule-description": Kind("info", False, "Security group rule description"),
    # Tags: bookkeeping, but still an unapproved change.
    "tag": Kind("info", False, "Tag"),
}

# Remote administration and data stores: world access to these is critical.
ADMIN_TCP_PORTS = frozenset(
    {
        22,  # SSH
        23,  # telnet
        445,  # SMB
        1433,  # SQL Server
        1521,  # Oracle
        2375,  # Docker daemon without TLS
        2376,  # Docker daemon
        3306,  # MySQL / MariaDB
        3389,  # RDP
        5432,  # PostgreSQL
        5900,  # VNC
        5984,  # CouchDB
        6379,  # Redis
        9200,  # Elasticsearch
        11211,  # memcached
        27017,  # MongoDB
    }
)
# memcached also answers (and amplifies) over UDP.
ADMIN_UDP_PORTS = frozenset({11211})
ADMIN_PORTS = {"tcp": ADMIN_TCP_PORTS, "udp": ADMIN_UDP_PORTS}

RANK = {severity: rank for rank, severity in enumerate(reversed(SEVERITIES))}


def kind(name: str) -> Kind:
    """The row of a kind of drift."""
    return KINDS[name]


def most_severe(names: list[str]) -> str | None:
    """The kind with the highest severity (internet-opening first on a tie)."""
    if not names:
        return None
    return max(
        names,
        key=lambda name: (RANK[KINDS[name].severity], KINDS[name].opens_internet_path),
    )


def is_internet(cidr: str | None) -> bool:
    """True when a CIDR includes addresses of the public internet."""
    if not cidr:
        return False
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return network.is_global


def covers_admin_port(
    protocol: str, from_port: int | None, to_port: int | None
) -> bool:
    """True for every port (all traffic) or a range including an admin port."""
    if protocol == "all":
        return True
    ports = ADMIN_PORTS.get(protocol)
    if not ports:
        return False
    low = 0 if from_port is None or from_port < 0 else from_port
    high = 65535 if to_port is None or to_port < 0 else to_port
    return any(low <= port <= high for port in ports)
