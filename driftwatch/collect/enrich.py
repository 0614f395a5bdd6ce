"""Reads some types need after their list, in one table keyed by resource type.

A VPC's DNS settings are not in ``describe_vpcs``: each takes its own
``describe_vpc_attribute`` call. A managed prefix list's CIDRs are not in
``describe_managed_prefix_lists``: they take ``get_managed_prefix_list_entries``.
And of the prefix lists, only the account's own and the AWS-managed ones that
a security group rule or a route references are worth keeping; AWS lists
dozens of its own in every region. So prefix lists wait for the security
groups and route tables of their region.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from driftwatch import registry
from driftwatch.collect import reads
from driftwatch.collect.reads import Fetch, RawItem

DNS_FIELDS = ("EnableDnsSupport", "EnableDnsHostnames")
AWS_OWNER = "AWS"

FollowUp = tuple[str, str, Fetch]
Known = Mapping[str, Sequence[RawItem]]


@dataclass(frozen=True)
class Enrichment:
    """What a type needs beyond its list: items to keep, calls to make, merging.

    Attributes:
        after: types of the same region whose items ``keep`` looks at.
        keep: the items worth keeping, given those types' items and the account.
        follow_ups: (part, call name, fetch) for each further call about an item.
        apply: the item with the follow-ups' results (by part) merged in.
    """

    after: tuple[str, ...]
    keep: Callable[[Sequence[RawItem], Known, str], list[RawItem]]
    follow_ups: Callable[[RawItem], list[FollowUp]]
    apply: Callable[[RawItem, Mapping[str, Any]], RawItem]


def _keep_all(items: Sequence[RawItem], _known: Known, _account: str) -> list[RawItem]:
    return list(items)


def _dns_follow_ups(vpc: RawItem) -> list[FollowUp]:
    return [
        (name, "describe_vpc_attribute", partial(_vpc_attribute, vpc["VpcId"], name))
        for name in DNS_FIELDS
    ]


def _vpc_attribute(vpc_id: str, name: str, client: Any) -> bool:
    return reads.vpc_attribute(client, vpc_id, name)


def _merge(item: RawItem, results: Mapping[str, Any]) -> RawItem:
    return {**item, **results}


def referenced_prefix_lists(known: Known) -> set[str]:
    """Prefix list ids that a security group rule or a route names."""
    referenced: set[str] = set()
    for group in known.get(registry.SECURITY_GROUP, ()):
        permissions = _permissions(group)
        for permission in permissions:
            for source in permission.get("PrefixListIds") or []:
                referenced.add(source["PrefixListId"])
    for table in known.get(registry.ROUTE_TABLE, ()):
        for route in table.get("Routes") or []:
            if route.get("DestinationPrefixListId"):
                referenced.add(route["DestinationPrefixListId"])
    return referenced


def _permissions(group: RawItem) -> Iterable[RawItem]:
    yield from group.get("IpPermissions") or []
    yield from group.get("IpPermissionsEgress") or []


def _keep_prefix_lists(
    items: Sequence[RawItem], known: Known, _account: str
) -> list[RawItem]:
    # AWS-managed lists (OwnerId "AWS") exist in every region by the dozen;
    # keep those something points at, and every list someone created.
    # LIMITATION: when the security groups or route tables of the region could
    # not be read, an AWS-managed list that only they reference is not kept;
    # those rules and routes are unknown themselves (their coverage says so).
    referenced = referenced_prefix_lists(known)
    return [
        item
        for item in items
        if item.get("OwnerId") != AWS_OWNER or item["PrefixListId"] in referenced
    ]


def _entries_follow_up(prefix_list: RawItem) -> list[FollowUp]:
    fetch = partial(_entries, prefix_list["PrefixListId"])
    return [("Entries", "get_managed_prefix_list_entries", fetch)]


def _entries(prefix_list_id: str, client: Any) -> list[RawItem]:
    return reads.prefix_list_entries(client, prefix_list_id)


ENRICHMENTS: Mapping[str, Enrichment] = {
    registry.VPC: Enrichment((), _keep_all, _dns_follow_ups, _merge),
    registry.PREFIX_LIST: Enrichment(
        (registry.SECURITY_GROUP, registry.ROUTE_TABLE),
        _keep_prefix_lists,
        _entries_follow_up,
        _merge,
    ),
}
