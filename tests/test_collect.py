"""The collector on in-process moto: every type, counts, coverage of failed reads."""

from __future__ import annotations

import gc
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from conftest import estate_counts
from faults import Fault, FaultyTarget
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
from moto.ec2.responses.egress_only_internet_gateways import (
    EgressOnlyInternetGateway,
)

from driftwatch import registry
from driftwatch import snapshot as snap
from driftwatch.aws import AwsTarget
from driftwatch.collect import COLLECTION_THRESHOLDS, ReadLimits, collect
from driftwatch.collect.reads import list_items, list_read, prefix_list_entries
from driftwatch.collect.region import RegionRead
from driftwatch.demo.estate import OFFICE_CIDRS, Estate, build_estate
from driftwatch.errors import CredentialsError, RegionError, UsageError

ACCOUNT = "123456789012"


def properties(taken: snap.Snapshot, type_name: str, resource_id: str) -> Any:
    """The properties of one resource of a snapshot."""
    for resource in taken.of_type(type_name):
        if resource.resource_id == resource_id:
            return resource.properties
    raise AssertionError(f"{type_name} {resource_id} is not in the snapshot")


def ids(taken: snap.Snapshot, type_name: str, region: str | None = None) -> set[str]:
    """The ids of one type in a snapshot (of one region, if given)."""
    return {
        r.resource_id
        for r in taken.of_type(type_name)
        if region is None or r.region == region
    }


def test_every_type_is_read_with_one_ok_row_each(estate: Estate) -> None:
    taken = collect(AwsTarget(), ["us-east-1"])

    assert taken.accounts == (ACCOUNT,)
    assert taken.regions == ("us-east-1",)
    assert [row.resource_type for row in taken.coverage] == sorted(registry.TYPE_NAMES)
    assert {row.status for row in taken.coverage} == {"ok"}
    assert taken.counts() == estate_counts("us-east-1")


def test_the_estate_ids_are_read_under_their_types(estate: Estate) -> None:
    taken = collect(AwsTarget(), ["us-east-1"])

    expected = {
        registry.VPC: {estate.vpc_id, estate.peer_vpc_id},
        registry.SUBNET: {estate.public_subnet_id, *estate.private_subnet_ids},
        registry.NETWORK_ACL: {estate.network_acl_id},
        registry.SECURITY_GROUP: {
            estate.web_security_group_id,
            estate.app_security_group_id,
            estate.db_security_group_id,
        },
        registry.ROUTE_TABLE: {
            estate.public_route_table_id,
            estate.private_route_table_id,
            estate.peer_route_table_id,
        },
        registry.NETWORK_INTERFACE: {
            estate.web_network_interface_id,
            estate.app_tiers[0].app_network_interface_id,
            estate.app_tiers[0].db_network_interface_id,
        },
        registry.INTERNET_GATEWAY: {estate.internet_gateway_id},
        registry.EGRESS_ONLY_INTERNET_GATEWAY: {estate.egress_only_internet_gateway_id},
        registry.VPC_PEERING_CONNECTION: {estate.peering_connection_id},
        registry.NAT_GATEWAY: {estate.nat_gateway_id},
        registry.VPC_ENDPOINT: {estate.vpc_endpoint_id},
        registry.CUSTOMER_GATEWAY: {estate.customer_gateway_id},
        registry.EIP: {estate.nat_allocation_id, estate.web_allocation_id},
        registry.PREFIX_LIST: {estate.prefix_list_id},
    }
    for type_name, wanted in expected.items():
        assert wanted <= ids(taken, type_name), type_name


def test_security_group_rules_are_split_one_source_each(estate: Estate) -> None:
    taken = collect(AwsTarget(), ["us-east-1"])

    web = properties(taken, registry.SECURITY_GROUP, estate.web_security_group_id)
    sources = [
        (rule["FromPort"], rule["ToPort"], _only_source(rule))
        for rule in web["IpPermissions"]
    ]
    assert sources == [
        (22, 22, ("PrefixListIds", estate.prefix_list_id)),
        (443, 443, ("IpRanges", "0.0.0.0/0")),
        (443, 443, ("Ipv6Ranges", "::/0")),
    ]
    app = properties(taken, registry.SECURITY_GROUP, estate.app_security_group_id)
    assert [_only_source(rule) for rule in app["IpPermissions"]] == [
        ("UserIdGroupPairs", estate.web_security_group_id)
    ]
    db = properties(taken, registry.SECURITY_GROUP, estate.db_security_group_id)
    assert db["IpPermissionsEgress"] == []


def _only_source(rule: dict[str, Any]) -> tuple[str, str]:
    present = [(field, rule[field]) for field in registry.c.SOURCE_FIELDS]
    [(field, sources)] = [(field, value) for field, value in present if value]
    [source] = sources
    return field, source[registry.c.SOURCE_VALUE_FIELD[field]]


def test_vpcs_carry_both_dns_attributes_as_booleans(estate: Estate) -> None:
    taken = collect(AwsTarget(), ["us-east-1"])

    dns = {
        r.resource_id: (
            r.properties["EnableDnsSupport"],
            r.properties["EnableDnsHostnames"],
        )
        for r in taken.of_type(registry.VPC)
    }
    assert dns[estate.vpc_id] == (True, True)
    assert dns[estate.peer_vpc_id] == (True, False)
    assert len(dns) == 3
    assert all(isinstance(value, bool) for pair in dns.values() for value in pair)


def test_prefix_lists_kept_are_the_own_and_the_referenced(
    estate: Estate, ec2: Any
) -> None:
    lists = ec2.describe_managed_prefix_lists()["PrefixLists"]
    by_name = {pl["PrefixListName"]: pl["PrefixListId"] for pl in lists}
    dynamodb = by_name["com.amazonaws.us-east-1.dynamodb"]
    s3 = by_name["com.amazonaws.us-east-1.s3"]

    before = collect(AwsTarget(), ["us-east-1"])
    ec2.authorize_security_group_egress(
        GroupId=estate.app_security_group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListIds": [{"PrefixListId": dynamodb}],
            }
        ],
    )
    after = collect(AwsTarget(), ["us-east-1"])

    assert ids(before, registry.PREFIX_LIST) == {estate.prefix_list_id, s3}
    assert ids(after, registry.PREFIX_LIST) == {estate.prefix_list_id, s3, dynamodb}
    office = properties(after, registry.PREFIX_LIST, estate.prefix_list_id)
    assert [entry["Cidr"] for entry in office["Entries"]] == sorted(OFFICE_CIDRS)
    assert properties(after, registry.PREFIX_LIST, dynamodb)["Entries"]


def test_two_snapshots_of_an_unchanged_account_are_identical(estate: Estate) -> None:
    first = collect(AwsTarget(), ["us-east-1", "eu-west-1"])
    second = collect(AwsTarget(), ["us-east-1", "eu-west-1"])

    assert first.snapshot_id != second.snapshot_id
    assert first.resources == second.resources
    assert first.coverage == second.coverage
    same_metadata = snap.Snapshot(
        second.snapshot_id,
        second.taken_at,
        first.accounts,
        first.regions,
        first.coverage,
        first.resources,
    )
    assert snap.dumps(same_metadata) == snap.dumps(second)


def test_records_in_a_final_state_are_not_resources(estate: Estate, ec2: Any) -> None:
    rejected = ec2.create_vpc_peering_connection(
        VpcId=estate.vpc_id, PeerVpcId=estate.peer_vpc_id
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.reject_vpc_peering_connection(VpcPeeringConnectionId=rejected)
    ec2.delete_vpc_peering_connection(
        VpcPeeringConnectionId=estate.peering_connection_id
    )
    ec2.delete_nat_gateway(NatGatewayId=estate.nat_gateway_id)
    ec2.delete_customer_gateway(CustomerGatewayId=estate.customer_gateway_id)
    ec2.delete_vpc_endpoints(VpcEndpointIds=[estate.vpc_endpoint_id])
    # moto still lists all five, in their final states, as AWS does.
    assert len(ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]) == 2

    taken = collect(AwsTarget(), ["us-east-1"])

    for type_name in (
        registry.VPC_PEERING_CONNECTION,
        registry.NAT_GATEWAY,
        registry.CUSTOMER_GATEWAY,
        registry.VPC_ENDPOINT,
    ):
        assert ids(taken, type_name) == set(), type_name
    assert taken.complete


def test_an_auto_assigned_public_ip_is_observed_not_configured(
    estate: Estate, ec2: Any
) -> None:
    instance = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {
                "DeviceIndex": 0,
                "SubnetId": estate.public_subnet_id,
                "AssociatePublicIpAddress": True,
            }
        ],
    )["Instances"][0]
    interface = instance["NetworkInterfaces"][0]
    public_ip = interface["Association"]["PublicIp"]

    taken = collect(AwsTarget(), ["us-east-1"])

    [resource] = [
        r
        for r in taken.of_type(registry.NETWORK_INTERFACE)
        if r.resource_id == interface["NetworkInterfaceId"]
    ]
    assert resource.observed == {
        "PublicIps": {interface["PrivateIpAddress"]: public_ip}
    }
    assert public_ip not in json.dumps(resource.properties)
    assert "Association" in resource.properties


def test_progress_is_told_of_every_region_and_type_once(estate: Estate) -> None:
    calls: list[tuple[str, str, int, int]] = []

    collect(
        AwsTarget(),
        ["us-east-1", "eu-west-1"],
        progress=lambda *args: calls.append(args),
    )

    total = 2 * len(registry.RESOURCE_TYPES)
    assert [done for _, _, done, _ in calls] == list(range(1, total + 1))
    assert {t for _, _, _, t in calls} == {total}
    assert len({(region, type_name) for region, type_name, _, _ in calls}) == total


def test_a_denied_region_is_unknown_not_empty(estate: Estate) -> None:
    eu_west = build_estate(boto3.client("ec2", region_name="eu-west-1"))
    target = FaultyTarget(faults=(Fault("eu-west-1", "UnauthorizedOperation", 403),))

    taken = collect(target, ["us-east-1", "eu-west-1"])

    rows = {
        row.resource_type: row for row in taken.coverage if row.region == "eu-west-1"
    }
    assert set(rows) == set(registry.TYPE_NAMES)
    assert {row.status for row in rows.values()} == {"denied"}
    assert rows[registry.VPC].detail == (
        "describe_vpcs: UnauthorizedOperation: Injected by the test."
    )
    assert {r.region for r in taken.resources} == {"us-east-1"}
    assert eu_west.vpc_id not in ids(taken, registry.VPC)
    assert all(row.ok for row in taken.coverage if row.region == "us-east-1"), (
        "the other region is read in full"
    )
    assert not taken.complete


def test_throttling_past_every_retry_is_throttled(estate: Estate) -> None:
    fault = Fault(
        "us-east-1", "RequestLimitExceeded", 503, frozenset({"DescribeSecurityGroups"})
    )
    target = FaultyTarget(max_attempts=1, faults=(fault,))

    taken = collect(target, ["us-east-1"])

    [row] = [r for r in taken.coverage if r.resource_type == registry.SECURITY_GROUP]
    assert row.status == "throttled"
    assert row.detail is not None
    assert row.detail.startswith("describe_security_groups: RequestLimitExceeded")
    # botocore's max_attempts counts the retries: one call and one retry.
    assert target.answered.counts[("us-east-1", "DescribeSecurityGroups")] == 2
    assert taken.of_type(registry.SECURITY_GROUP) == []
    others = {r.resource_type: r.status for r in taken.coverage} | {
        registry.SECURITY_GROUP: "ok"
    }
    assert set(others.values()) == {"ok"}
    # Prefix lists still read: the route to the S3 endpoint is known.
    assert estate.prefix_list_id in ids(taken, registry.PREFIX_LIST)


def test_a_failed_vpc_attribute_makes_the_vpcs_unknown(estate: Estate) -> None:
    fault = Fault(
        "us-east-1", "UnauthorizedOperation", 403, frozenset({"DescribeVpcAttribute"})
    )

    taken = collect(FaultyTarget(faults=(fault,)), ["us-east-1"])

    [row] = [r for r in taken.coverage if r.resource_type == registry.VPC]
    assert row.status == "denied"
    assert row.detail is not None
    assert row.detail.startswith("describe_vpc_attribute vpc-")
    assert taken.of_type(registry.VPC) == []
    assert len(taken.unknown()) == 1


def test_failed_prefix_list_entries_make_the_prefix_lists_unknown(
    estate: Estate,
) -> None:
    fault = Fault(
        "us-east-1", "InternalError", 500, frozenset({"GetManagedPrefixListEntries"})
    )

    taken = collect(FaultyTarget(max_attempts=1, faults=(fault,)), ["us-east-1"])

    assert [(r.resource_type, r.status) for r in taken.unknown()] == [
        (registry.PREFIX_LIST, "error")
    ]
    assert taken.of_type(registry.PREFIX_LIST) == []


def test_an_opt_in_region_that_is_off_is_not_enabled(estate: Estate) -> None:
    fault = Fault("eu-west-1", "OptInRequired", 401)

    taken = collect(FaultyTarget(faults=(fault,)), ["us-east-1", "eu-west-1"])

    statuses = {(row.region, row.status) for row in taken.coverage}
    assert statuses == {("us-east-1", "ok"), ("eu-west-1", "not_enabled")}
    assert {r.region for r in taken.resources} == {"us-east-1"}


def test_an_action_the_emulator_lacks_is_unsupported(
    estate: Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(_self: object) -> None:
        raise NotImplementedError(
            "The describe_egress_only_internet_gateways action has not been implemented"
        )

    monkeypatch.setattr(
        EgressOnlyInternetGateway, "describe_egress_only_internet_gateways", missing
    )

    taken = collect(AwsTarget(), ["us-east-1"])

    [row] = taken.unknown()
    assert (row.resource_type, row.status) == (
        registry.EGRESS_ONLY_INTERNET_GATEWAY,
        "unsupported",
    )
    assert taken.of_type(registry.EGRESS_ONLY_INTERNET_GATEWAY) == []


def test_no_region_given_means_every_enabled_region(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An account with three regions enabled (moto enables all 38 by default).
    enabled = ("ap-south-1", "eu-north-1", "us-east-1")
    every = RegionsAndZonesBackend.describe_regions

    def three(self: Any, region_names: Any = None) -> Any:
        return [r for r in every(self, region_names) if r.name in enabled]

    monkeypatch.setattr(RegionsAndZonesBackend, "describe_regions", three)

    taken = collect(AwsTarget(), [])

    assert taken.regions == enabled
    assert len(taken.coverage) == len(enabled) * len(registry.TYPE_NAMES)
    assert taken.complete
    with pytest.raises(RegionError, match=r"enabled regions are: ap-south-1, eu-"):
        collect(AwsTarget(), ["eu-west-1"])


def test_an_unknown_region_is_a_region_error(aws: None) -> None:
    with pytest.raises(RegionError, match=r"^Region nowhere-1 is not enabled"):
        collect(AwsTarget(), ["us-east-1", "nowhere-1"])


def test_rejected_credentials_are_a_credentials_error(aws: None) -> None:
    fault_target = _StsRejecting()
    with pytest.raises(CredentialsError, match="credentials"):
        collect(fault_target, ["us-east-1"])


class _StsRejecting(AwsTarget):
    """STS answers InvalidClientTokenId, as AWS does for a revoked key."""

    def client(self, service: str, region: str, session: Any = None) -> Any:
        client = super().client(service, region, session)
        if service == "sts":
            stubber = Stubber(client)
            stubber.add_client_error(
                "get_caller_identity", "InvalidClientTokenId", http_status_code=403
            )
            stubber.activate()
        return client


def test_limits_below_one_are_refused() -> None:
    with pytest.raises(UsageError):
        ReadLimits(max_workers=0)


def test_a_single_worker_reads_the_same_snapshot(estate: Estate) -> None:
    parallel = collect(AwsTarget(), ["us-east-1"])
    serial = collect(AwsTarget(), ["us-east-1"], limits=ReadLimits(1, 1))

    assert serial.resources == parallel.resources


# --- the reads themselves, on stubbed clients ---------------------------------


def _two_pages(
    operation: str, key: str, pages: tuple[list[Any], list[Any]], **params: str
) -> tuple[Any, Stubber]:
    """A client whose ``operation`` answers two pages joined by a NextToken."""
    client = boto3.client("ec2", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_response(operation, {key: pages[0], "NextToken": "page-2"}, params)
    stubber.add_response(operation, {key: pages[1]}, {**params, "NextToken": "page-2"})
    stubber.activate()
    return client, stubber


def test_paginated_lists_follow_every_next_token() -> None:
    client, stubber = _two_pages(
        "describe_security_groups",
        "SecurityGroups",
        ([{"GroupId": "sg-1"}], [{"GroupId": "sg-2"}]),
    )

    items = list_items(client, registry.resource_type(registry.SECURITY_GROUP))

    assert [item["GroupId"] for item in items] == ["sg-1", "sg-2"]
    stubber.assert_no_pending_responses()


def test_prefix_list_entries_follow_every_next_token() -> None:
    client, stubber = _two_pages(
        "get_managed_prefix_list_entries",
        "Entries",
        ([{"Cidr": "10.0.0.0/8"}], [{"Cidr": "192.168.0.0/16"}]),
        PrefixListId="pl-1",
    )

    entries = prefix_list_entries(client, "pl-1")

    assert [entry["Cidr"] for entry in entries] == ["10.0.0.0/8", "192.168.0.0/16"]
    stubber.assert_no_pending_responses()


def test_addresses_are_read_in_one_call_without_paging() -> None:
    client = boto3.client("ec2", region_name="us-east-1")
    address = {"AllocationId": "eipalloc-1", "PublicIp": "198.51.100.7"}
    with Stubber(client) as stubber:
        stubber.add_response("describe_addresses", {"Addresses": [address]}, {})

        items = list_items(client, registry.resource_type(registry.EIP))

        stubber.assert_no_pending_responses()
    assert items == [address]


def test_an_item_listed_twice_is_one_resource() -> None:
    finished: list[tuple[str, str]] = []
    region = RegionRead(ACCOUNT, "us-east-1", lambda *args: finished.append(args))
    read = list_read("us-east-1", registry.resource_type(registry.CUSTOMER_GATEWAY))
    gateway = {"CustomerGatewayId": "cgw-1", "State": "available", "BgpAsn": "65000"}
    deleted = {"CustomerGatewayId": "cgw-2", "State": "deleted", "BgpAsn": "65001"}

    assert region.settle(read, [gateway, dict(gateway), deleted]) == []

    assert [r.resource_id for r in region.resources()] == ["cgw-1"]
    assert finished == [("us-east-1", registry.CUSTOMER_GATEWAY)]


def test_vpc_follow_ups_merge_and_a_failure_wins_over_late_results() -> None:
    region = RegionRead(ACCOUNT, "us-east-1", lambda *_: None)
    listing = list_read("us-east-1", registry.resource_type(registry.VPC))
    vpcs = [{"VpcId": "vpc-1", "State": "available"}, {"VpcId": "vpc-2"}]

    follow_ups = region.settle(listing, vpcs)

    assert [(r.call, r.subject, r.part) for r in follow_ups] == [
        ("describe_vpc_attribute", "vpc-1", "EnableDnsSupport"),
        ("describe_vpc_attribute", "vpc-1", "EnableDnsHostnames"),
        ("describe_vpc_attribute", "vpc-2", "EnableDnsSupport"),
        ("describe_vpc_attribute", "vpc-2", "EnableDnsHostnames"),
    ]
    denied = ClientError(
        {"Error": {"Code": "UnauthorizedOperation", "Message": "no"}},
        "DescribeVpcAttribute",
    )
    assert region.settle(follow_ups[0], True) == []
    assert region.settle(follow_ups[1], denied) == []
    assert region.settle(follow_ups[2], True) == []
    assert region.settle(follow_ups[3], False) == []

    [row] = region.coverage()
    assert (row.status, row.detail) == (
        "denied",
        "describe_vpc_attribute vpc-1: UnauthorizedOperation: no",
    )
    assert region.resources() == []


def test_collect_puts_the_garbage_collector_thresholds_back(estate: Estate) -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []

    collect(
        AwsTarget(),
        ["us-east-1"],
        progress=lambda *_: seen.append(gc.get_threshold()),
    )

    assert set(seen) == {COLLECTION_THRESHOLDS}
    assert gc.get_threshold() == before
