"""The AWS calls of a collection: each one paginates, and raises on failure.

A ``Read`` is one call to make in one region on behalf of one resource type:
either the type's own ``describe_*`` list, or a follow-up about one item (a
VPC attribute, the entries of a prefix list). The functions here only talk to
EC2; deciding what a failure means is the collector's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from driftwatch.registry import ResourceType

RawItem = dict[str, Any]
Fetch = Callable[[Any], Any]


@dataclass(frozen=True)
class Read:
    """One EC2 call in one region, made for one resource type."""

    region: str
    resource_type: str
    call: str
    fetch: Fetch = field(compare=False, repr=False)
    subject: str = ""
    part: str = ""

    @property
    def is_list(self) -> bool:
        """True for the type's own describe call, False for a follow-up."""
        return not self.subject

    def describe(self) -> str:
        """The call and what it was about, for a coverage row's detail."""
        return f"{self.call} {self.subject}".strip()


def list_read(region: str, entry: ResourceType) -> Read:
    """The read that lists every item of a type in a region."""
    return Read(
        region, entry.name, entry.describe, lambda client: list_items(client, entry)
    )


def list_items(client: Any, entry: ResourceType) -> list[RawItem]:
    """Every item the type's describe call returns, across all pages."""
    if entry.paginated:
        pages = client.get_paginator(entry.describe).paginate()
        return [item for page in pages for item in page.get(entry.result_key, [])]
    # describe_addresses and describe_customer_gateways have no paginator:
    # they return everything in one response.
    response = getattr(client, entry.describe)()
    return list(response.get(entry.result_key, []))


def vpc_attribute(client: Any, vpc_id: str, field_name: str) -> bool:
    """One boolean VPC attribute; describe_vpc_attribute takes one per call."""
    attribute = field_name[0].lower() + field_name[1:]
    response = client.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)
    return bool(response[field_name]["Value"])


def prefix_list_entries(client: Any, prefix_list_id: str) -> list[RawItem]:
    """The entries (CIDRs) of one managed prefix list, across all pages."""
    paginator = client.get_paginator("get_managed_prefix_list_entries")
    pages = paginator.paginate(PrefixListId=prefix_list_id)
    return [entry for page in pages for entry in page.get("Entries", [])]
