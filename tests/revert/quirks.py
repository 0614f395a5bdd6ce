"""Where moto's bookkeeping differs from AWS after a correct revert call.

The round-trip tests use these to tell a moto leftover from a real residue.
Each detector matches one documented moto behaviour exactly, checked against
moto's own state; anything else left over fails the test.

- ``associate_address(AllowReassociation=True)`` moves the address, but moto
  leaves the old interface still showing the association (AWS clears it).
- ``delete_nat_gateway`` marks the gateway deleted but leaves its interface
  (AWS deletes it with the gateway).
- ``delete_vpc`` deletes the main route table and the default security group
  but leaves the default network ACL (AWS deletes it with the VPC).
"""

from __future__ import annotations

from typing import Any

from driftwatch import registry
from driftwatch.changes import Change
from driftwatch.snapshot import Snapshot


def is_moto_leftover(ec2: Any, change: Change, after: Snapshot) -> bool:
    """True when the change is one of the moto leftovers above."""
    return (
        _stale_address(change, after)
        or _deleted_nat_interface(ec2, change)
        or _orphan_default_acl(change, after)
    )


def _stale_address(change: Change, after: Snapshot) -> bool:
    if change.resource_type != registry.NETWORK_INTERFACE:
        return False
    if change.part != "Association" and not change.part.startswith(
        "PrivateIpAddresses"
    ):
        return False
    interface = after.by_key().get(change.resource_key)
    association = (interface.properties if interface else {}).get("Association") or {}
    allocation = association.get("AllocationId")
    for address in after.of_type(registry.EIP):
        if address.resource_id == allocation:
            return address.properties.get("NetworkInterfaceId") != change.resource_id
    return False


def _deleted_nat_interface(ec2: Any, change: Change) -> bool:
    if change.resource_type != registry.NETWORK_INTERFACE or change.action != "added":
        return False
    for nat in ec2.describe_nat_gateways()["NatGateways"]:
        if nat["State"] != "deleted":
            continue
        interfaces = {a.get("NetworkInterfaceId") for a in nat["NatGatewayAddresses"]}
        if change.resource_id in interfaces:
            return True
    return False


def _orphan_default_acl(change: Change, after: Snapshot) -> bool:
    if change.resource_type != registry.NETWORK_ACL or change.action != "added":
        return False
    acl = after.by_key().get(change.resource_key)
    if acl is None or not acl.properties.get("IsDefault"):
        return False
    vpcs = {vpc.resource_id for vpc in after.of_type(registry.VPC)}
    return acl.properties.get("VpcId") not in vpcs
