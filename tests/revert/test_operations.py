"""One test per revert operation: the exact call planned, applied on moto, converged.

Each test makes one kind of drift on the small estate, plans, asserts the
step's operation and params, applies the plan and re-reads: no drift is left.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from driftwatch.snapshot import Snapshot
from tests.revert import helpers, incidents
from tests.revert.network import Small
from tests.revert.quirks import is_moto_leftover

RNG = random.Random(3)


def _revert(ec2: Any, baseline: Snapshot, tmp_path: Path) -> helpers.Trip:
    trip = helpers.round_trip(ec2, baseline, tmp_path)
    failed = [(o.step.operation, o.detail) for o in trip.report.outcomes if not o.ok]
    assert not failed
    left = [c.summary for c in trip.left if not is_moto_leftover(ec2, c, trip.after)]
    assert left == []
    return trip


def _ssh(cidr: str) -> dict[str, Any]:
    return {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "IpRanges": [{"CidrIp": cidr}],
    }


# --- security groups ---------------------------------------------------------------


def test_world_open_ingress_is_revoked_for_that_source_only(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    permission = {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "192.0.2.0/24"}],
    }
    ec2.authorize_security_group_ingress(
        GroupId=small.web_sg, IpPermissions=[permission]
    )

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == ["revoke_security_group_ingress"] * 2
    revoked = sorted(
        s.params.value["IpPermissions"][0]["IpRanges"][0]["CidrIp"]
        for s in trip.plan.steps
    )
    assert revoked == ["0.0.0.0/0", "192.0.2.0/24"]
    assert trip.plan.steps[0].params.value == {
        "GroupId": small.web_sg,
        "IpPermissions": [_ssh("0.0.0.0/0")],
    }
    assert trip.plan.steps[0].closes_exposure
    group = ec2.describe_security_groups(GroupIds=[small.web_sg])["SecurityGroups"][0]
    ssh = [p for p in group["IpPermissions"] if p.get("FromPort") == 22]
    assert [r["CidrIp"] for r in ssh[0]["IpRanges"]] == ["10.0.0.0/8"]


def test_revoked_baseline_rule_is_authorized_again(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    ec2.revoke_security_group_ingress(
        GroupId=small.web_sg, IpPermissions=[_ssh("10.0.0.0/8")]
    )

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "authorize_security_group_ingress"
    assert step.params.value == {
        "GroupId": small.web_sg,
        "IpPermissions": [_ssh("10.0.0.0/8")],
    }


def test_egress_rules_are_authorized_and_revoked(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    https = {
        "IpProtocol": "tcp",
        "FromPort": 443,
        "ToPort": 443,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
    }
    ec2.revoke_security_group_egress(GroupId=small.app_sg, IpPermissions=[https])
    incidents.open_all_egress(ec2, small, RNG)

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == [
        "authorize_security_group_egress",
        "revoke_security_group_egress",
    ]
    assert trip.plan.steps[0].params.value["IpPermissions"] == [https]


def test_rule_description_is_put_back(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.redescribe_rule(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "update_security_group_rule_descriptions_ingress"
    ranges = step.params.value["IpPermissions"][0]["IpRanges"]
    assert ranges == [{"CidrIp": "0.0.0.0/0", "Description": "https"}]


def test_new_group_is_detached_then_deleted(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.new_group_on_web(ec2, small, RNG)

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == [
        "modify_network_interface_attribute",
        "delete_security_group",
    ]
    assert trip.plan.steps[0].params.value == {
        "NetworkInterfaceId": small.web_eni,
        "Groups": [small.web_sg],
    }
    assert trip.plan.steps[1].destructive


# --- network ACLs ---------------------------------------------------------------------


def test_acl_entries_are_created_replaced_and_deleted(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    ec2.delete_network_acl_entry(NetworkAclId=small.acl, RuleNumber=110, Egress=False)
    incidents.acl_replace(ec2, small, RNG)
    ec2.create_network_acl_entry(
        NetworkAclId=small.acl,
        RuleNumber=50,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 22, "To": 22},
    )

    trip = _revert(ec2, baseline, tmp_path)

    by_operation = {s.operation: s.params.value for s in trip.plan.steps}
    assert by_operation["delete_network_acl_entry"] == {
        "NetworkAclId": small.acl,
        "RuleNumber": 50,
        "Egress": False,
    }
    assert by_operation["replace_network_acl_entry"] == {
        "NetworkAclId": small.acl,
        "RuleNumber": 100,
        "Egress": False,
        "Protocol": "6",
        "RuleAction": "allow",
        "CidrBlock": "10.0.0.0/16",
        "PortRange": {"From": 443, "To": 443},
    }
    assert by_operation["create_network_acl_entry"]["PortRange"] == {
        "From": 1024,
        "To": 65535,
    }


def test_acl_association_is_replaced_with_the_live_association_id(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.acl_association_moved(ec2, small, RNG)
    acl = ec2.describe_network_acls(NetworkAclIds=[small.default_acl])["NetworkAcls"][0]
    live = next(a for a in acl["Associations"] if a["SubnetId"] == small.private_subnet)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "replace_network_acl_association"
    assert step.params.value == {
        "AssociationId": live["NetworkAclAssociationId"],
        "NetworkAclId": small.acl,
    }
    assert step.precondition.lookup is not None
    assert step.precondition.lookup.value == live["NetworkAclAssociationId"]


def test_new_acl_loses_its_subnet_then_is_deleted(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.new_acl_for_public(ec2, small, RNG)

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == [
        "replace_network_acl_association",
        "delete_network_acl",
    ]
    assert trip.plan.steps[0].params.value["NetworkAclId"] == small.default_acl


# --- route tables ---------------------------------------------------------------------


def test_routes_are_created_replaced_and_deleted(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    ec2.delete_route(RouteTableId=small.private_rt, DestinationCidrBlock="10.1.0.0/16")
    incidents.route_to_igw(ec2, small, RNG)
    ec2.create_route(
        RouteTableId=small.main_rt,
        DestinationCidrBlock="192.0.2.0/24",
        GatewayId=small.igw,
    )

    trip = _revert(ec2, baseline, tmp_path)

    by_operation = {s.operation: s.params.value for s in trip.plan.steps}
    assert by_operation["replace_route"] == {
        "RouteTableId": small.private_rt,
        "DestinationCidrBlock": "0.0.0.0/0",
        "NatGatewayId": small.nat,
    }
    assert by_operation["create_route"] == {
        "RouteTableId": small.private_rt,
        "DestinationCidrBlock": "10.1.0.0/16",
        "VpcPeeringConnectionId": small.peering,
    }
    assert by_operation["delete_route"] == {
        "RouteTableId": small.main_rt,
        "DestinationCidrBlock": "192.0.2.0/24",
    }


def test_moved_subnet_association_is_replaced_atomically(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.subnet_to_public_table(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "replace_route_table_association"
    assert step.params.value["RouteTableId"] == small.private_rt
    assert step.params.value["AssociationId"].startswith("rtbassoc-")


def test_subnet_on_the_main_table_is_associated_again(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    ec2.disassociate_route_table(
        AssociationId=incidents._association(ec2, small.public_rt, small.public_subnet)
    )

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "associate_route_table"
    assert step.params.value == {
        "RouteTableId": small.public_rt,
        "SubnetId": small.public_subnet,
    }


def test_explicit_association_the_baseline_lacked_is_disassociated(
    ec2: Any, small: Small, tmp_path: Path
) -> None:
    spare = ec2.create_subnet(VpcId=small.vpc, CidrBlock="10.0.9.0/24")["Subnet"][
        "SubnetId"
    ]
    baseline = helpers.snapshot(ec2, "baseline")
    ec2.associate_route_table(RouteTableId=small.public_rt, SubnetId=spare)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "disassociate_route_table"
    assert set(step.params.value) == {"AssociationId"}


def test_main_association_is_moved_back(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.main_table_changed(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "replace_route_table_association"
    assert step.params.value["RouteTableId"] == small.main_rt
    assert json.loads(step.precondition.lookup.key.text) == {
        "main": "true",
        "route_table_id": small.public_rt,
    }


def test_new_route_table_gives_back_its_subnet_then_is_deleted(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.new_table_for_private(ec2, small, RNG)

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == [
        "replace_route_table_association",
        "delete_route_table",
    ]


# --- gateways ------------------------------------------------------------------------


def test_detached_gateway_is_attached_again(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.igw_detached(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "attach_internet_gateway"
    assert step.params.value == {"InternetGatewayId": small.igw, "VpcId": small.vpc}


def test_new_gateway_is_unrouted_detached_and_deleted(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.igw_new_on_peer(ec2, small, RNG)

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == [
        "delete_route",
        "detach_internet_gateway",
        "delete_internet_gateway",
    ]


def test_new_nat_gateway_is_deleted_before_its_address_is_released(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.new_nat(ec2, small, RNG)

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == [
        "delete_route",
        "delete_nat_gateway",
        "release_address",
    ]


def test_new_peering_is_unrouted_and_deleted_before_its_vpc(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.new_peering(ec2, small, RNG)

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == [
        "delete_route",
        "delete_vpc_peering_connection",
        "delete_vpc",
    ]


def test_peering_options_are_set_back(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.peering_options(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "modify_vpc_peering_connection_options"
    assert step.params.value == {
        "VpcPeeringConnectionId": small.peering,
        "RequesterPeeringConnectionOptions": {"AllowDnsResolutionFromRemoteVpc": False},
    }


def test_new_customer_gateway_is_deleted(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.new_customer_gateway(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "delete_customer_gateway"


# --- addresses and interfaces ------------------------------------------------------


def test_disassociated_address_is_associated_again(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.eip_disassociated(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "associate_address"
    assert step.params.value["AllocationId"] == small.web_allocation
    assert step.params.value["NetworkInterfaceId"] == small.web_eni
    assert step.params.value["AllowReassociation"] is False


def test_moved_address_is_moved_back_in_one_call(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.eip_moved(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "associate_address"
    assert step.params.value["AllowReassociation"] is True


def test_new_address_is_disassociated_then_released(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.eip_new_on_app(ec2, small, RNG)

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == ["disassociate_address", "release_address"]
    assert trip.plan.steps[0].params.value["AssociationId"].startswith("eipassoc-")


def test_interface_attributes_are_set_back_one_per_call(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=small.web_eni, SourceDestCheck={"Value": False}
    )
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=small.web_eni, Description={"Value": "x"}
    )

    trip = _revert(ec2, baseline, tmp_path)

    assert sorted(
        json.dumps(s.params.value, sort_keys=True) for s in trip.plan.steps
    ) == sorted(
        json.dumps(p, sort_keys=True)
        for p in (
            {"NetworkInterfaceId": small.web_eni, "Description": {"Value": "web"}},
            {"NetworkInterfaceId": small.web_eni, "SourceDestCheck": {"Value": True}},
        )
    )


def test_secondary_private_ips_are_assigned_and_unassigned(
    ec2: Any, small: Small, tmp_path: Path
) -> None:
    ec2.assign_private_ip_addresses(
        NetworkInterfaceId=small.app_eni, PrivateIpAddresses=["10.0.2.50"]
    )
    baseline = helpers.snapshot(ec2, "baseline")
    ec2.unassign_private_ip_addresses(
        NetworkInterfaceId=small.app_eni, PrivateIpAddresses=["10.0.2.50"]
    )
    ec2.assign_private_ip_addresses(
        NetworkInterfaceId=small.app_eni, PrivateIpAddresses=["10.0.2.60"]
    )

    trip = _revert(ec2, baseline, tmp_path)

    assert {
        s.operation: s.params.value["PrivateIpAddresses"] for s in trip.plan.steps
    } == {
        "assign_private_ip_addresses": ["10.0.2.50"],
        "unassign_private_ip_addresses": ["10.0.2.60"],
    }


def test_ipv6_addresses_are_assigned_and_unassigned(
    ec2: Any, small: Small, tmp_path: Path
) -> None:
    ec2.assign_ipv6_addresses(
        NetworkInterfaceId=small.app_eni, Ipv6Addresses=["2001:db8::5"]
    )
    baseline = helpers.snapshot(ec2, "baseline")
    ec2.unassign_ipv6_addresses(
        NetworkInterfaceId=small.app_eni, Ipv6Addresses=["2001:db8::5"]
    )
    ec2.assign_ipv6_addresses(
        NetworkInterfaceId=small.app_eni, Ipv6Addresses=["2001:db8::6"]
    )

    trip = _revert(ec2, baseline, tmp_path)

    assert {s.operation: s.params.value["Ipv6Addresses"] for s in trip.plan.steps} == {
        "assign_ipv6_addresses": ["2001:db8::5"],
        "unassign_ipv6_addresses": ["2001:db8::6"],
    }


def test_new_interface_is_deleted(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.new_interface(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "delete_network_interface"


# --- VPCs and endpoints ---------------------------------------------------------


def test_dns_on_sets_support_before_hostnames(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    ec2.modify_vpc_attribute(VpcId=small.vpc, EnableDnsHostnames={"Value": False})
    ec2.modify_vpc_attribute(VpcId=small.vpc, EnableDnsSupport={"Value": False})

    trip = _revert(ec2, baseline, tmp_path)

    assert [list(s.params.value) for s in trip.plan.steps] == [
        ["EnableDnsSupport", "VpcId"],
        ["EnableDnsHostnames", "VpcId"],
    ]


def test_dns_off_sets_hostnames_before_support(
    ec2: Any, small: Small, tmp_path: Path
) -> None:
    ec2.modify_vpc_attribute(VpcId=small.peer_vpc, EnableDnsHostnames={"Value": False})
    ec2.modify_vpc_attribute(VpcId=small.peer_vpc, EnableDnsSupport={"Value": False})
    baseline = helpers.snapshot(ec2, "baseline")
    ec2.modify_vpc_attribute(VpcId=small.peer_vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=small.peer_vpc, EnableDnsHostnames={"Value": True})

    trip = _revert(ec2, baseline, tmp_path)

    assert [s.params.value for s in trip.plan.steps] == [
        {"VpcId": small.peer_vpc, "EnableDnsHostnames": {"Value": False}},
        {"VpcId": small.peer_vpc, "EnableDnsSupport": {"Value": False}},
    ]


def test_dhcp_options_are_associated_again(
    ec2: Any, small: Small, tmp_path: Path
) -> None:
    options = ec2.create_dhcp_options(
        DhcpConfigurations=[{"Key": "domain-name", "Values": ["corp.internal"]}]
    )["DhcpOptions"]["DhcpOptionsId"]
    ec2.associate_dhcp_options(DhcpOptionsId=options, VpcId=small.vpc)
    baseline = helpers.snapshot(ec2, "baseline")
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=small.vpc)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.params.value == {"DhcpOptionsId": options, "VpcId": small.vpc}


def test_vpc_cidr_blocks_are_associated_and_disassociated(
    ec2: Any, small: Small, tmp_path: Path
) -> None:
    ec2.associate_vpc_cidr_block(VpcId=small.vpc, CidrBlock="10.50.0.0/16")
    baseline = helpers.snapshot(ec2, "baseline")
    vpc = ec2.describe_vpcs(VpcIds=[small.vpc])["Vpcs"][0]
    extra = next(
        a for a in vpc["CidrBlockAssociationSet"] if a["CidrBlock"] == "10.50.0.0/16"
    )
    ec2.disassociate_vpc_cidr_block(AssociationId=extra["AssociationId"])
    ec2.associate_vpc_cidr_block(VpcId=small.vpc, CidrBlock="10.60.0.0/16")

    trip = _revert(ec2, baseline, tmp_path)

    assert helpers.operations(trip.plan) == [
        "associate_vpc_cidr_block",
        "disassociate_vpc_cidr_block",
    ]
    assert trip.plan.steps[0].params.value == {
        "VpcId": small.vpc,
        "CidrBlock": "10.50.0.0/16",
    }


def test_new_vpc_with_a_subnet_is_deleted_subnet_first(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.1.0/24")["Subnet"][
        "SubnetId"
    ]

    trip = _revert(ec2, baseline, tmp_path)

    assert [(s.operation, s.params.value) for s in trip.plan.steps] == [
        ("delete_subnet", {"SubnetId": subnet}),
        ("delete_vpc", {"VpcId": vpc}),
    ]


def test_endpoint_route_tables_and_policy_are_set_back(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    ec2.modify_vpc_endpoint(
        VpcEndpointId=small.endpoint,
        AddRouteTableIds=[small.public_rt],
        RemoveRouteTableIds=[small.private_rt],
        PolicyDocument='{"Statement": []}',
    )

    trip = _revert(ec2, baseline, tmp_path)

    params = [s.params.value for s in trip.plan.steps]
    assert {
        "VpcEndpointId": small.endpoint,
        "AddRouteTableIds": [small.private_rt],
        "RemoveRouteTableIds": [small.public_rt],
    } in params
    assert any("PolicyDocument" in p for p in params)


def test_interface_endpoint_subnets_and_groups_are_set_back(
    ec2: Any, small: Small, tmp_path: Path
) -> None:
    endpoint = ec2.create_vpc_endpoint(
        VpcId=small.vpc,
        ServiceName="com.amazonaws.us-east-1.ec2",
        VpcEndpointType="Interface",
        SubnetIds=[small.private_subnet],
        SecurityGroupIds=[small.app_sg],
    )["VpcEndpoint"]["VpcEndpointId"]
    baseline = helpers.snapshot(ec2, "baseline")
    ec2.modify_vpc_endpoint(
        VpcEndpointId=endpoint,
        AddSubnetIds=[small.public_subnet],
        AddSecurityGroupIds=[small.web_sg],
        RemoveSecurityGroupIds=[small.app_sg],
    )

    trip = _revert(ec2, baseline, tmp_path)

    params = [s.params.value for s in trip.plan.steps]
    assert {
        "VpcEndpointId": endpoint,
        "RemoveSubnetIds": [small.public_subnet],
    } in params
    assert {
        "VpcEndpointId": endpoint,
        "AddSecurityGroupIds": [small.app_sg],
        "RemoveSecurityGroupIds": [small.web_sg],
    } in params


def test_new_endpoint_is_deleted(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    incidents.new_endpoint(ec2, small, RNG)

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "delete_vpc_endpoints"
    assert step.params.value["VpcEndpointIds"][0].startswith("vpce-")


# --- tags ------------------------------------------------------------------------


def test_tags_are_restored_and_extras_removed_but_never_aws_ones(
    ec2: Any, small: Small, baseline: Snapshot, tmp_path: Path
) -> None:
    ec2.create_tags(
        Resources=[small.vpc],
        Tags=[{"Key": "Name", "Value": "pwned"}, {"Key": "owner", "Value": "eve"}],
    )

    trip = _revert(ec2, baseline, tmp_path)

    assert [(s.operation, s.params.value) for s in trip.plan.steps] == [
        (
            "create_tags",
            {"Resources": [small.vpc], "Tags": [{"Key": "Name", "Value": "prod"}]},
        ),
        (
            "delete_tags",
            {"Resources": [small.vpc], "Tags": [{"Key": "owner", "Value": "eve"}]},
        ),
    ]


def test_egress_rule_description_is_put_back(
    ec2: Any, small: Small, tmp_path: Path
) -> None:
    def https(description: str) -> list[dict[str, Any]]:
        source = {"CidrIp": "0.0.0.0/0", "Description": description}
        return [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [source]}
        ]

    ec2.update_security_group_rule_descriptions_egress(
        GroupId=small.app_sg, IpPermissions=https("to the API")
    )
    baseline = helpers.snapshot(ec2, "baseline")
    ec2.update_security_group_rule_descriptions_egress(
        GroupId=small.app_sg, IpPermissions=https("anything")
    )

    step = helpers.only_step(_revert(ec2, baseline, tmp_path).plan)

    assert step.operation == "update_security_group_rule_descriptions_egress"
    assert step.params.value == {
        "GroupId": small.app_sg,
        "IpPermissions": https("to the API"),
    }
