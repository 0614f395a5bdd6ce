"""What a describer sees of one changed part, and what it answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from driftwatch import canonical, registry
from driftwatch.snapshot import Resource, ResourceKey

Properties = Mapping[str, Any]


@dataclass(frozen=True)
class Verdict:
    """The kind of a change (a row of ``severity.KINDS``) and its one sentence."""

    kind: str
    summary: str


@dataclass(frozen=True)
class Lookup:
    """The other resources of both snapshots, for questions a part raises."""

    baseline: Mapping[ResourceKey, Resource]
    current: Mapping[ResourceKey, Resource]

    def current_properties(
        self, near: ResourceKey, resource_type: str, resource_id: str
    ) -> Properties | None:
        """Properties of a resource in the current snapshot, same account and region."""
        key = (near[0], near[1], resource_type, resource_id)
        found = self.current.get(key) or self.baseline.get(key)
        return found.properties if found is not None else None

    @cached_property
    def nat_interfaces(self) -> frozenset[ResourceKey]:
        """Keys of the ENIs that NAT gateways own, on either side."""
        keys: set[ResourceKey] = set()
        for side in (self.baseline, self.current):
            for key, resource in side.items():
                if key[2] != registry.NAT_GATEWAY:
                    continue
                for address in resource.properties.get("NatGatewayAddresses") or []:
                    interface = address.get("NetworkInterfaceId")
                    if interface:
                        keys.add(
                            (key[0], key[1], registry.NETWORK_INTERFACE, interface)
                        )
        return frozenset(keys)

    def service_managed(self, key: ResourceKey, properties: Properties) -> bool:
        """True for an ENI that an AWS service creates and deletes on its own."""
        return canonical.is_requester_managed(properties) or key in self.nat_interfaces


@dataclass(frozen=True)
class PartChange:
    """One part of one resource, before and after (None: absent)."""

    resource_key: ResourceKey
    label: str
    field: str
    key: tuple[Any, ...] | None
    before: Any
    after: Any
    resource_before: Properties
    resource_after: Properties
    lookup: Lookup

    @property
    def action(self) -> str:
        """``added``, ``removed`` or ``changed`` for this part."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"

    @property
    def value(self) -> Any:
        """The part as it is now, or as it was if it is gone."""
        return self.before if self.after is None else self.after


Describer = Callable[[PartChange], Verdict]
