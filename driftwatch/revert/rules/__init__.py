"""The revert rules of the registry: one entry per tracked resource type.

``REVERT_RULES`` is the one table that says, for each type, how each field is
put back, how a resource created since the baseline is removed, what a deleted
one takes to re-create, and which resources go with their owner. The planner
(``driftwatch.revert.planner``) never asks what type it is looking at; it looks
the type up here. A type or field without a rule is never skipped silently:
its drift goes to the plan's manual list.
"""

from __future__ import annotations

from collections.abc import Mapping

from driftwatch import registry
from driftwatch.revert.rules.addresses import ADDRESS_RULES
from driftwatch.revert.rules.base import RevertRules
from driftwatch.revert.rules.gateways import (
    CUSTOMER_GATEWAY_RULES,
    INTERNET_GATEWAY_RULES,
    NAT_GATEWAY_RULES,
    PEERING_RULES,
)
from driftwatch.revert.rules.interfaces import NETWORK_INTERFACE_RULES
from driftwatch.revert.rules.network_acls import NETWORK_ACL_RULES
from driftwatch.revert.rules.route_tables import ROUTE_TABLE_RULES
from driftwatch.revert.rules.security_groups import SECURITY_GROUP_RULES
from driftwatch.revert.rules.vpcs import SUBNET_RULES, VPC_ENDPOINT_RULES, VPC_RULES

REVERT_RULES: Mapping[str, RevertRules] = {
    registry.VPC: VPC_RULES,
    registry.NETWORK_ACL: NETWORK_ACL_RULES,
    registry.SECURITY_GROUP: SECURITY_GROUP_RULES,
    registry.ROUTE_TABLE: ROUTE_TABLE_RULES,
    registry.NETWORK_INTERFACE: NETWORK_INTERFACE_RULES,
    registry.INTERNET_GATEWAY: INTERNET_GATEWAY_RULES,
    registry.VPC_PEERING_CONNECTION: PEERING_RULES,
    registry.NAT_GATEWAY: NAT_GATEWAY_RULES,
    registry.VPC_ENDPOINT: VPC_ENDPOINT_RULES,
    registry.CUSTOMER_GATEWAY: CUSTOMER_GATEWAY_RULES,
    registry.EIP: ADDRESS_RULES,
    registry.SUBNET: SUBNET_RULES,
}


def rules_for(resource_type: str) -> RevertRules | None:
    """The revert rules of a type, or None for a type without any."""
    return REVERT_RULES.get(resource_type)
