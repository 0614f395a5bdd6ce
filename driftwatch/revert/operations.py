"""Every EC2 operation a revert plan may contain, with what ordering and apply need.

This table is the whitelist of a plan file: a step naming any other operation
is refused when the plan is loaded, so a hand-edited plan cannot smuggle in a
``terminate_instances``. Operations that create resources appear only in the
re-creation calls of manual items; an apply never runs them.

Whether an operation accepts ``DryRun`` is not written here: it is read from
the botocore service model (``supports_dry_run``), which is what the endpoint
is called with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session

# Ranks break ties between steps that no dependency orders: put things back
# (attach, associate) before re-pointing them (create, replace, modify), and
# remove what the baseline lacked before deleting whole resources.
ATTACH = 0
RESTORE = 1
REMOVE = 2
DELETE = 3

DEFAULT_SETTLE_SECONDS = 30.0


@dataclass(frozen=True)
class Operation:
    """What driftwatch knows about one EC2 call it may make."""

    rank: int
    destructive: bool = False
    automatic: bool = True
    settle_seconds: float = DEFAULT_SETTLE_SECONDS


def _creates() -> dict[str, Operation]:
    names = (
        "create_security_group",
        "create_network_acl",
        "create_route_table",
        "create_internet_gateway",
        "allocate_address",
        "create_network_interface",
        "create_vpc_endpoint",
        "create_nat_gateway",
        "create_vpc_peering_connection",
        "create_customer_gateway",
    )
    return {name: Operation(RESTORE, automatic=False) for name in names}


OPERATIONS: Mapping[str, Operation] = {
    "authorize_security_group_ingress": Operation(RESTORE),
    "authorize_security_group_egress": Operation(RESTORE),
    "update_security_group_rule_descriptions_ingress": Operation(RESTORE),
    "update_security_group_rule_descriptions_egress": Operation(RESTORE),
    "revoke_security_group_ingress": Operation(REMOVE),
    "revoke_security_group_egress": Operation(REMOVE),
    "delete_security_group": Operation(DELETE, destructive=True),
    "create_network_acl_entry": Operation(RESTORE),
    "replace_network_acl_entry": Operation(RESTORE),
    "delete_network_acl_entry": Operation(REMOVE),
    "replace_network_acl_association": Operation(ATTACH),
    "delete_network_acl": Operation(DELETE, destructive=True),
    "create_route": Operation(RESTORE),
    "replace_route": Operation(RESTORE),
    "delete_route": Operation(REMOVE),
    "associate_route_table": Operation(ATTACH),
    "replace_route_table_association": Operation(ATTACH),
    "disassociate_route_table": Operation(REMOVE),
    "enable_vgw_route_propagation": Operation(RESTORE),
    "disable_vgw_route_propagation": Operation(REMOVE),
    "delete_route_table": Operation(DELETE, destructive=True),
    "attach_internet_gateway": Operation(ATTACH),
    "detach_internet_gateway": Operation(REMOVE),
    "delete_internet_gateway": Operation(DELETE, destructive=True),
    "associate_address": Operation(ATTACH),
    "disassociate_address": Operation(REMOVE),
    "release_address": Operation(DELETE, destructive=True),
    "modify_network_interface_attribute": Operation(RESTORE),
    "assign_private_ip_addresses": Operation(RESTORE),
    "unassign_private_ip_addresses": Operation(REMOVE),
    "assign_ipv6_addresses": Operation(RESTORE),
    "unassign_ipv6_addresses": Operation(REMOVE),
    "delete_network_interface": Operation(DELETE, destructive=True),
    "modify_vpc_attribute": Operation(RESTORE),
    "associate_dhcp_options": Operation(ATTACH),
    "associate_vpc_cidr_block": Operation(ATTACH),
    "disassociate_vpc_cidr_block": Operation(REMOVE),
    "delete_subnet": Operation(DELETE, destructive=True),
    "delete_vpc": Operation(DELETE, destructive=True),
    "modify_vpc_endpoint": Operation(RESTORE),
    "delete_vpc_endpoints": Operation(DELETE, destructive=True),
    # A NAT gateway takes about a minute to reach "deleted".
    "delete_nat_gateway": Operation(DELETE, destructive=True, settle_seconds=300.0),
    "modify_vpc_peering_connection_options": Operation(RESTORE),
    "delete_vpc_peering_connection": Operation(DELETE, destructive=True),
    "delete_customer_gateway": Operation(DELETE, destructive=True),
    "create_tags": Operation(RESTORE),
    "delete_tags": Operation(REMOVE),
    **_creates(),
}


def operation(name: str) -> Operation:
    """The table entry of an operation (KeyError for one a plan may not hold)."""
    return OPERATIONS[name]


@cache
def _ec2_model() -> Any:
    return botocore.session.get_session().get_service_model("ec2")


@cache
def api_name(name: str) -> str:
    """The API name of a boto3 method name (``create_route`` -> ``CreateRoute``)."""
    model = _ec2_model()
    for api in model.operation_names:
        if botocore.xform_name(api) == name:
            return str(api)
    raise KeyError(name)


def input_shape(name: str) -> Any:
    """The botocore input shape of an operation, for validating params."""
    return _ec2_model().operation_model(api_name(name)).input_shape


def supports_dry_run(name: str) -> bool:
    """True when the EC2 API takes ``DryRun`` for this operation (from botocore)."""
    return "DryRun" in input_shape(name).members


def response_problem(response: Mapping[str, Any]) -> str | None:
    """Why a call's response says it did not do everything, or None when it did."""
    if response.get("Return") is False:
        return "the response says Return=false"
    unknown = response.get("UnknownIpPermissions") or []
    if unknown:
        return f"AWS did not find the permission(s) to revoke: {unknown}"
    unsuccessful = response.get("Unsuccessful") or []
    if unsuccessful:
        return f"AWS reports unsuccessful items: {unsuccessful}"
    return None
