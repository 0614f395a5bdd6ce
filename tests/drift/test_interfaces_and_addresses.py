"""Network interface and Elastic IP drift on moto."""

from __future__ import annotations

import json
from pathlib import Path

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.drift import compute
from tests.drift.conftest import Network
from tests.drift.estate import ACCOUNT, REGION, drift_of, only, read

DATA = Path(__file__).resolve().parent.parent / "data"


def _interface(net: Network) -> str:
    eni = net.ec2.create_network_interface(
        SubnetId=net.subnet,
        Groups=[net.group],
        TagSpecifications=[
            {
                "ResourceType": "network-interface",
                "Tags": [{"Key": "Name", "Value": "web-1"}],
            }
        ],
    )
    return str(eni["NetworkInterface"]["NetworkInterfaceId"])


def test_an_elastic_ip_placed_on_an_interface_is_high_on_both_sides(
    net: Network,
) -> None:
    eni = _interface(net)
    allocation = net.ec2.allocate_address(Domain="vpc")
    allocation_id, public_ip = allocation["AllocationId"], allocation["PublicIp"]

    result = drift_of(
        net.ec2,
        lambda: net.ec2.associate_address(
            AllocationId=allocation_id, NetworkInterfaceId=eni
        ),
    )

    by_type = {c.resource_type: c for c in result.changes}
    assert set(by_type) == {registry.EIP, registry.NETWORK_INTERFACE}
    address, interface = by_type[registry.EIP], by_type[registry.NETWORK_INTERFACE]
    private_ip = address.details[-1].after
    assert address.part == "NetworkInterfaceId"
    assert address.summary == (
        f"Elastic IP {public_ip} ({allocation_id}) placed on {eni} ({private_ip})"
    )
    assert interface.part == "Association"
    assert interface.summary == (
        f"Elastic IP {public_ip} ({allocation_id}) now on {eni} (web-1)"
    )
    assert (address.severity, interface.severity) == ("high", "high")
    assert address.opens_internet_path and interface.opens_internet_path
    assert {d.path for d in address.details} == {
        "NetworkInterfaceId",
        "NetworkInterfaceOwnerId",
        "PrivateIpAddress",
    }


def test_an_elastic_ip_taken_off_is_low(net: Network) -> None:
    eni = _interface(net)
    allocation = net.ec2.allocate_address(Domain="vpc")
    association = net.ec2.associate_address(
        AllocationId=allocation["AllocationId"], NetworkInterfaceId=eni
    )

    result = drift_of(
        net.ec2,
        lambda: net.ec2.disassociate_address(
            AssociationId=association["AssociationId"]
        ),
    )

    assert {(c.resource_type, c.severity) for c in result.changes} == {
        (registry.EIP, "low"),
        (registry.NETWORK_INTERFACE, "low"),
    }
    interface = next(c for c in result.changes if c.resource_type != registry.EIP)
    assert interface.summary == (
        f"Elastic IP {allocation['PublicIp']} ({allocation['AllocationId']}) removed "
        f"from {eni} (web-1)"
    )


def test_allocating_and_releasing_an_elastic_ip(net: Network) -> None:
    holder: dict[str, str] = {}

    def allocate() -> None:
        holder.update(net.ec2.allocate_address(Domain="vpc"))

    added = only(drift_of(net.ec2, allocate))
    removed = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.release_address(AllocationId=holder["AllocationId"]),
        )
    )

    label = f"{holder['AllocationId']} ({holder['PublicIp']})"
    assert added.summary == f"Elastic IP {label} added"
    assert removed.summary == f"Elastic IP {label} removed"
    assert (added.severity, removed.severity) == ("medium", "medium")
    assert not added.opens_internet_path


def test_a_security_group_attached_to_an_interface_is_medium(net: Network) -> None:
    eni = _interface(net)
    other = net.ec2.create_security_group(
        GroupName="debug", Description="debug", VpcId=net.vpc
    )["GroupId"]

    change = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.modify_network_interface_attribute(
                NetworkInterfaceId=eni, Groups=[net.group, other]
            ),
        )
    )

    assert change.part == f'Groups["{other}"]'
    assert change.summary == f"security group {other} (debug) attached to {eni} (web-1)"
    assert change.severity == "medium"


def test_a_secondary_private_ip_is_low_and_source_dest_check_is_a_setting(
    net: Network,
) -> None:
    eni = _interface(net)

    result = drift_of(
        net.ec2,
        lambda: (
            net.ec2.assign_private_ip_addresses(
                NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.200"]
            ),
            net.ec2.modify_network_interface_attribute(
                NetworkInterfaceId=eni, SourceDestCheck={"Value": False}
            ),
        ),
    )

    assert [(c.part, c.severity, c.summary) for c in result.changes] == [
        (
            'PrivateIpAddresses["10.0.1.200"]',
            "low",
            f"private IP 10.0.1.200 added to {eni} (web-1)",
        ),
        (
            "SourceDestCheck",
            "low",
            f"SourceDestCheck of {eni} (web-1) changed from true to false",
        ),
    ]


def test_new_and_deleted_interfaces_are_medium(net: Network) -> None:
    holder: dict[str, str] = {}

    added = only(drift_of(net.ec2, lambda: holder.update(eni=_interface(net))))
    removed = only(
        drift_of(
            net.ec2,
            lambda: net.ec2.delete_network_interface(NetworkInterfaceId=holder["eni"]),
        )
    )

    eni = holder["eni"]
    assert added.summary == f"network interface {eni} (web-1) added in {net.vpc}"
    assert removed.summary == f"network interface {eni} (web-1) removed from {net.vpc}"
    assert (added.severity, removed.severity) == ("medium", "medium")


def test_a_nat_gateway_brings_no_interface_drift_and_no_exposure(net: Network) -> None:
    before = read(net.ec2)
    allocation = net.ec2.allocate_address(Domain="vpc")["AllocationId"]
    net.ec2.create_nat_gateway(SubnetId=net.subnet, AllocationId=allocation)
    after = read(net.ec2)

    result = compute(before, after)

    # moto does not flag the NAT's ENI as requester-managed; the NAT names it.
    assert len(after.of_type(registry.NETWORK_INTERFACE)) == 1
    kinds = {c.resource_type: (c.action, c.severity) for c in result.changes}
    assert kinds == {
        registry.EIP: ("added", "medium"),
        registry.NAT_GATEWAY: ("added", "medium"),
    }
    assert not any(c.opens_internet_path for c in result.changes)


def _service_interfaces() -> list[snap.Resource]:
    document = json.loads(
        (DATA / "describe_network_interfaces_requester_managed.json").read_text()
    )
    entry = registry.resource_type(registry.NETWORK_INTERFACE)
    resources = []
    for raw in document["NetworkInterfaces"]:
        properties, observed = entry.canonicalize(raw)
        resources.append(
            snap.Resource(
                ACCOUNT,
                REGION,
                registry.NETWORK_INTERFACE,
                raw["NetworkInterfaceId"],
                properties,
                observed,
            )
        )
    return resources


def test_requester_managed_interfaces_coming_and_going_are_not_drift(
    net: Network,
) -> None:
    plain = read(net.ec2)
    rows = plain.coverage
    with_services = snap.build([*plain.resources, *_service_interfaces()], rows)

    assert compute(plain, with_services).changes == ()
    assert compute(with_services, plain).changes == ()
