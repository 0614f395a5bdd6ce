"""Read-only calls for planning and applying: one resource, one association id.

``LiveReader.read`` returns the canonical properties of one live resource
(through the registry's describe call and canonicalizer), or None when AWS
says it does not exist; any other failure raises ``AwsError``: a failed read
is never taken for an absent resource. ``LiveReader.resolve`` finds the
volatile ids steps need (association ids), by the lookups of ``LOOKUPS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from driftwatch import aws, registry
from driftwatch.aws import AwsTarget
from driftwatch.revert.steps import Lookup

logger = logging.getLogger(__name__)

DNS_ATTRIBUTES = {
    "EnableDnsSupport": "enableDnsSupport",
    "EnableDnsHostnames": "enableDnsHostnames",
}


def is_not_found(exc: BaseException) -> bool:
    """True for the EC2 errors that mean "no such resource" (``*.NotFound``)."""
    code = aws.error_code(exc) or ""
    return "NotFound" in code


class LiveReader:
    """Reads single resources and association ids, one client per region."""

    def __init__(self, target: AwsTarget) -> None:
        self.target = target
        self._clients: dict[str, Any] = {}

    def client(self, region: str) -> Any:
        """The EC2 client of a region (created once)."""
        if region not in self._clients:
            self._clients[region] = self.target.client("ec2", region)
        return self._clients[region]

    def read(
        self, region: str, resource_type: str, resource_id: str
    ) -> Mapping[str, Any] | None:
        """Canonical properties of one resource now, or None if it does not exist.

        Raises:
            AwsError: the read failed for another reason than "not found".
        """
        entry = registry.resource_type(resource_type)
        what = f"reading {entry.label} {resource_id} in {region}"
        client = self.client(region)
        try:
            response = getattr(client, entry.describe)(
                **{f"{entry.id_field}s": [resource_id]}
            )
            items = [
                item
                for item in response.get(entry.result_key) or []
                if entry.resource_id(item) == resource_id and entry.is_live(item)
            ]
            if not items:
                return None
            properties, _ = entry.canonicalize(items[0])
            if resource_type == registry.VPC:
                properties.update(_dns_attributes(client, resource_id))
        except aws.AWS_FAILURES as exc:
            if is_not_found(exc):
                return None
            raise aws.translate(exc, what) from exc
        logger.debug("read %s %s in %s", entry.label, resource_id, region)
        return properties

    def resolve(self, account_id: str, region: str, lookup: Lookup) -> str | None:
        """The id a lookup finds now (None when the association is not there).

        Raises:
            AwsError: the read failed.
        """
        finder = LOOKUPS[lookup.kind]
        try:
            return finder(self.client(region), lookup.key.value)
        except aws.AWS_FAILURES as exc:
            if is_not_found(exc):
                return None
            raise aws.translate(
                exc, f"looking up the {lookup.kind} in {region}"
            ) from exc


def _dns_attributes(client: Any, vpc_id: str) -> dict[str, bool]:
    # DNS settings are not in describe_vpcs: one describe_vpc_attribute per attribute.
    values = {}
    for field, attribute in DNS_ATTRIBUTES.items():
        response = client.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)
        values[field] = bool(response[field]["Value"])
    return values


def _route_table_association(client: Any, key: Mapping[str, str]) -> str | None:
    tables = client.describe_route_tables(RouteTableIds=[key["route_table_id"]])
    for table in tables["RouteTables"]:
        for association in table.get("Associations") or []:
            if _matches(association, key):
                return str(association["RouteTableAssociationId"])
    return None


def _matches(association: Mapping[str, Any], key: Mapping[str, str]) -> bool:
    state = (association.get("AssociationState") or {}).get("State", "associated")
    if state not in ("associated", "associating"):
        return False
    if "main" in key:
        return bool(association.get("Main"))
    if "subnet_id" in key:
        return association.get("SubnetId") == key["subnet_id"]
    return association.get("GatewayId") == key.get("gateway_id")


def _network_acl_association(client: Any, key: Mapping[str, str]) -> str | None:
    acls = client.describe_network_acls(NetworkAclIds=[key["network_acl_id"]])
    for acl in acls["NetworkAcls"]:
        for association in acl.get("Associations") or []:
            if association.get("SubnetId") == key["subnet_id"]:
                return str(association["NetworkAclAssociationId"])
    return None


def _address_association(client: Any, key: Mapping[str, str]) -> str | None:
    addresses = client.describe_addresses(AllocationIds=[key["allocation_id"]])
    for address in addresses["Addresses"]:
        if address.get("AssociationId"):
            return str(address["AssociationId"])
    return None


def _vpc_cidr_association(client: Any, key: Mapping[str, str]) -> str | None:
    vpcs = client.describe_vpcs(VpcIds=[key["vpc_id"]])
    for vpc in vpcs["Vpcs"]:
        for association in vpc.get("CidrBlockAssociationSet") or []:
            state = (association.get("CidrBlockState") or {}).get("State")
            if (
                association.get("CidrBlock") == key["cidr_block"]
                and state == "associated"
            ):
                return str(association["AssociationId"])
    return None


LOOKUPS: Mapping[str, Callable[[Any, Mapping[str, str]], str | None]] = {
    "route_table_association": _route_table_association,
    "network_acl_association": _network_acl_association,
    "address_association": _address_association,
    "vpc_cidr_association": _vpc_cidr_association,
}
