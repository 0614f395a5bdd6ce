"""Type knowledge of the drift engine, in one table keyed by resource type.

``VIEWS`` says, per type, how a resource is named for people, which describer
reads each of its parts (``driftwatch.drift.rules``), which fields hold JSON
documents to compare parsed, which top-level fields change together as one
part, and which resources are not drift at all. Parts without a describer get
the generic ones below: tags, keyed list items and plain fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from driftwatch import registry
from driftwatch.drift import rules
from driftwatch.drift.part import Describer, Lookup, PartChange, Properties, Verdict
from driftwatch.snapshot import ResourceKey

TAG_FIELDS = frozenset({"Tags", "TagSet"})
SHORT_VALUE = 60


NotDrift = Callable[[Lookup, ResourceKey, Properties], bool]


def _never(_lookup: Lookup, _key: ResourceKey, _properties: Properties) -> bool:
    return False


def _service_managed(lookup: Lookup, key: ResourceKey, properties: Properties) -> bool:
    return lookup.service_managed(key, properties)


def _aws_owned(_lookup: Lookup, _key: ResourceKey, properties: Properties) -> bool:
    return properties.get("OwnerId") == "AWS"


@dataclass(frozen=True)
class TypeView:
    """How drift names, reads and summarises one resource type."""

    # The property that names a resource for people (else its Name tag).
    name_field: str | None = None
    # The describer of each field (its keyed list items or its value).
    parts: Mapping[str, Describer] = field(default_factory=dict)
    # What one item of a keyed list is called, for fields without a describer.
    nouns: Mapping[str, str] = field(default_factory=dict)
    # Fields holding a JSON document in a string: compared parsed.
    json_fields: frozenset[str] = frozenset()
    # A field and the fields that change with it, reported as one part.
    field_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Resources that AWS creates and deletes by itself: never drift.
    not_drift: NotDrift = _never
    # Per field, the item changes AWS makes as a result of another change.
    derived: Mapping[str, Callable[[PartChange], bool]] = field(default_factory=dict)

    def label(self, resource_id: str, properties: Properties) -> str:
        """``sg-0abc (prod-app)``: the id and, when it has one, the name."""
        name = properties.get(self.name_field) if self.name_field else None
        if not name:
            name = _name_tag(properties)
        return f"{resource_id} ({name})" if name else resource_id

    def describer(self, field_name: str) -> Describer:
        """The describer of a part of this type."""
        if field_name in self.parts:
            return self.parts[field_name]
        if field_name in TAG_FIELDS:
            return tag
        return setting

    def followers(self) -> frozenset[str]:
        """Fields that are reported inside another field's part."""
        return frozenset(name for group in self.field_groups.values() for name in group)


def view(resource_type: str) -> TypeView:
    """The view of a type (every registry type has one)."""
    return VIEWS[resource_type]


def _name_tag(properties: Properties) -> str | None:
    for tag_field in TAG_FIELDS:
        for item in properties.get(tag_field) or []:
            if item.get("Key") == "Name" and item.get("Value"):
                return str(item["Value"])
    return None


def short(value: Any) -> str:
    """A value as compact JSON, cut to fit in a sentence."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return text if len(text) <= SHORT_VALUE else text[: SHORT_VALUE - 1] + "…"


def key_text(key: tuple[Any, ...] | None) -> str:
    """A list item key as people read it: its non-empty parts."""
    return " ".join(str(part) for part in key or () if part not in ("", None))


# --- generic describers -------------------------------------------------------------


def tag(part: PartChange) -> Verdict:
    """A tag added, removed or given another value."""
    key = key_text(part.key)
    if part.action == "added":
        value = part.after.get("Value", "")
        return Verdict("tag", f"tag {key}={value} added to {part.label}")
    if part.action == "removed":
        value = part.before.get("Value", "")
        return Verdict("tag", f"tag {key} removed from {part.label} (was {value})")
    return Verdict(
        "tag",
        f"tag {key} on {part.label} changed from {part.before.get('Value')!r} to "
        f"{part.after.get('Value')!r}",
    )


def keyed_item(part: PartChange, noun: str) -> Verdict:
    """An item of a keyed list without a describer of its own."""
    item = f"{noun} {key_text(part.key)}"
    if part.action == "added":
        return Verdict("setting", f"{item} added to {part.label}")
    if part.action == "removed":
        return Verdict("setting", f"{item} removed from {part.label}")
    return Verdict("setting", f"{item} of {part.label} changed")


def setting(part: PartChange) -> Verdict:
    """A top-level field set, unset or changed."""
    name = part.field
    if part.action == "added":
        return Verdict("setting", f"{name} of {part.label} set to {short(part.after)}")
    if part.action == "removed":
        return Verdict(
            "setting", f"{name} of {part.label} removed (was {short(part.before)})"
        )
    return Verdict(
        "setting",
        f"{name} of {part.label} changed from {short(part.before)} to "
        f"{short(part.after)}",
    )


def endpoint_policy(part: PartChange) -> Verdict:
    """The policy document of a VPC endpoint (compared parsed)."""
    verb = {"added": "set on", "removed": "removed from", "changed": "changed on"}
    return Verdict("endpoint-policy", f"policy {verb[part.action]} {part.label}")


def prefix_list_entry(part: PartChange) -> Verdict:
    """A CIDR added to or removed from a managed prefix list."""
    cidr = part.value.get("Cidr", "?")
    verb = {"added": "added to", "removed": "removed from", "changed": "changed on"}
    return Verdict("prefix-list-entry", f"{cidr} {verb[part.action]} {part.label}")


# --- the table ------------------------------------------------------------------

VIEWS: Mapping[str, TypeView] = {
    registry.VPC: TypeView(
        nouns={
            "CidrBlockAssociationSet": "IPv4 CIDR block",
            "Ipv6CidrBlockAssociationSet": "IPv6 CIDR block",
        }
    ),
    registry.SUBNET: TypeView(nouns={"Ipv6CidrBlockAssociationSet": "IPv6 CIDR block"}),
    registry.SECURITY_GROUP: TypeView(
        name_field="GroupName",
        parts={
            "IpPermissions": rules.ingress_rule,
            "IpPermissionsEgress": rules.egress_rule,
        },
    ),
    registry.NETWORK_ACL: TypeView(
        parts={"Entries": rules.acl_entry, "Associations": rules.acl_association}
    ),
    # AWS adds and removes the local route of each VPC CIDR, and the prefix
    # list routes of gateway endpoints, by itself: they follow the change
    # reported on the VPC or the endpoint. Re-pointing one is drift.
    registry.ROUTE_TABLE: TypeView(
        parts={
            "Routes": rules.route,
            "Associations": rules.route_table_association,
            "PropagatingVgws": rules.propagating_gateway,
        },
        derived={"Routes": rules.is_managed_route},
    ),
    # Requester-managed ENIs (load balancers, Lambda, NAT, endpoints) are
    # created and deleted by AWS services on their own: never drift. A NAT
    # gateway's ENI counts even where an emulator does not flag it.
    registry.NETWORK_INTERFACE: TypeView(
        parts={
            "Association": rules.interface_public_address,
            "PrivateIpAddresses": rules.interface_private_address,
            "Ipv6Addresses": rules.interface_ipv6_address,
            "Groups": rules.interface_group,
        },
        not_drift=_service_managed,
    ),
    registry.INTERNET_GATEWAY: TypeView(
        parts={"Attachments": rules.internet_gateway_attachment}
    ),
    registry.EGRESS_ONLY_INTERNET_GATEWAY: TypeView(
        parts={"Attachments": rules.egress_only_gateway_attachment}
    ),
    registry.VPC_PEERING_CONNECTION: TypeView(),
    registry.NAT_GATEWAY: TypeView(nouns={"NatGatewayAddresses": "address"}),
    registry.VPC_ENDPOINT: TypeView(
        name_field="ServiceName",
        parts={"PolicyDocument": endpoint_policy},
        json_fields=frozenset({"PolicyDocument"}),
    ),
    registry.CUSTOMER_GATEWAY: TypeView(),
    # Where an Elastic IP sits is one fact spread over four fields.
    registry.EIP: TypeView(
        name_field="PublicIp",
        parts={"NetworkInterfaceId": rules.elastic_ip_placement},
        field_groups={
            "NetworkInterfaceId": (
                "InstanceId",
                "NetworkInterfaceOwnerId",
                "PrivateIpAddress",
            )
        },
    ),
    # AWS-managed prefix lists (S3, DynamoDB...) change on AWS's schedule and
    # are only in a snapshot while something references them: not drift.
    registry.PREFIX_LIST: TypeView(
        name_field="PrefixListName",
        parts={"Entries": prefix_list_entry},
        not_drift=_aws_owned,
    ),
}


def is_derived(type_view: TypeView, part: PartChange) -> bool:
    """True for a part change that AWS makes by itself as a result of another."""
    check = type_view.derived.get(part.field)
    return check is not None and check(part)


def describe_part(type_view: TypeView, part: PartChange) -> Verdict:
    """The verdict on one part, from the type's describer or a generic one."""
    if part.key is not None and part.field in type_view.nouns:
        return keyed_item(part, type_view.nouns[part.field])
    if part.key is not None and part.field not in type_view.parts:
        if part.field in TAG_FIELDS:
            return tag(part)
        return keyed_item(part, part.field)
    return type_view.describer(part.field)(part)
