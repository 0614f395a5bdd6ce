"""What emulators do differently from AWS where it matters to an apply: DryRun.

Measured on moto 5.2: its EC2 responses for security group rules, tags,
internet gateways, Elastic IPs and network interfaces honour ``DryRun``
(answering ``DryRunOperation``), but those for route tables, network ACLs,
NAT gateways, peering connections, VPC endpoints, customer gateways, subnet
and VPC deletion and DHCP options never look at it: a "dry run" of those
performs the call. ``tests/revert/test_dry_run.py`` checks this list against
the moto that is installed, operation by operation, so it cannot go stale.

# LIMITATION: against an emulator on a loopback address, the operations below
# are not DryRun-checked before they run (their DryRun path is tested with
# botocore's Stubber instead); preconditions and verification still apply.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

MOTO_IGNORES_DRY_RUN = frozenset(
    {
        "update_security_group_rule_descriptions_ingress",
        "update_security_group_rule_descriptions_egress",
        "create_network_acl_entry",
        "replace_network_acl_entry",
        "delete_network_acl_entry",
        "replace_network_acl_association",
        "delete_network_acl",
        "create_route",
        "replace_route",
        "delete_route",
        "associate_route_table",
        "replace_route_table_association",
        "disassociate_route_table",
        "delete_route_table",
        "enable_vgw_route_propagation",
        "disable_vgw_route_propagation",
        "delete_nat_gateway",
        "modify_vpc_peering_connection_options",
        "delete_vpc_peering_connection",
        "delete_customer_gateway",
        "modify_vpc_endpoint",
        "delete_vpc_endpoints",
        "associate_dhcp_options",
        "delete_subnet",
        "delete_vpc",
    }
)


def is_loopback(endpoint_url: str | None) -> bool:
    """True for an endpoint on this machine: an emulator, never AWS itself."""
    if not endpoint_url:
        return False
    host = urlparse(endpoint_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dry_run_ignored(endpoint_url: str | None) -> frozenset[str]:
    """The operations whose DryRun an endpoint would perform (moto's, on loopback)."""
    return MOTO_IGNORES_DRY_RUN if is_loopback(endpoint_url) else frozenset()
