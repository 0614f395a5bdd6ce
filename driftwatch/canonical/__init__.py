"""Pure functions that turn raw ``describe_*`` items into canonical properties.

The canonical form keeps boto3's field names and shapes, drops the fields that
change with no one touching configuration (states, attachment and association
ids, timestamps), and sorts every unordered list by the key that says what an
item *is*. Two reads of an unchanged account therefore give equal properties.

Security group permissions are split so that each ``IpPermission`` carries one
source: a rule per (direction, protocol, ports, source) is the unit of drift and
of revert. Facts that are real but volatile (an auto-assigned public IPv4) are
returned apart as ``observed``: reachability reads them, drift ignores them.
"""

from __future__ import annotations

from driftwatch.canonical.base import (
    ACL_PROTOCOL_NUMBERS,
    ALL_PROTOCOLS,
    PORTED_PROTOCOLS,
    SG_PROTOCOL_NAMES,
    SOURCE_FIELDS,
    SOURCE_VALUE_FIELD,
    Item,
    ItemKey,
    sort_by,
    sorted_tags,
    tag_key,
    without,
)
from driftwatch.canonical.network_acls import (
    acl_association_key,
    acl_entry_key,
    acl_protocol,
    canonical_acl_entry,
    canonical_network_acl,
)
from driftwatch.canonical.network_interfaces import (
    canonical_network_interface,
    is_requester_managed,
)
from driftwatch.canonical.resources import (
    attachment_key,
    canonical_address,
    canonical_customer_gateway,
    canonical_gateway,
    canonical_nat_gateway,
    canonical_peering,
    canonical_policy,
    canonical_prefix_list,
    canonical_subnet,
    canonical_vpc,
    canonical_vpc_endpoint,
    cidr_association_key,
    nat_address_key,
    prefix_entry_key,
)
from driftwatch.canonical.route_tables import (
    ROUTE_DESTINATION_FIELDS,
    canonical_route_table,
    route_association_key,
    route_key,
)
from driftwatch.canonical.security_groups import (
    canonical_security_group,
    rule_key,
    rule_source,
    sg_protocol,
    split_permissions,
)

__all__ = [
    "ACL_PROTOCOL_NUMBERS",
    "ALL_PROTOCOLS",
    "PORTED_PROTOCOLS",
    "ROUTE_DESTINATION_FIELDS",
    "SG_PROTOCOL_NAMES",
    "SOURCE_FIELDS",
    "SOURCE_VALUE_FIELD",
    "Item",
    "ItemKey",
    "acl_association_key",
    "acl_entry_key",
    "acl_protocol",
    "attachment_key",
    "canonical_acl_entry",
    "canonical_address",
    "canonical_customer_gateway",
    "canonical_gateway",
    "canonical_nat_gateway",
    "canonical_network_acl",
    "canonical_network_interface",
    "canonical_peering",
    "canonical_policy",
    "canonical_prefix_list",
    "canonical_route_table",
    "canonical_security_group",
    "canonical_subnet",
    "canonical_vpc",
    "canonical_vpc_endpoint",
    "cidr_association_key",
    "is_requester_managed",
    "nat_address_key",
    "prefix_entry_key",
    "route_association_key",
    "route_key",
    "rule_key",
    "rule_source",
    "sg_protocol",
    "sort_by",
    "sorted_tags",
    "split_permissions",
    "tag_key",
    "without",
]
