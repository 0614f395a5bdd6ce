"""Planning decisions: manual items, re-creation calls, kept and unknown resources."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from typing import Any

from driftwatch import drift, registry
from driftwatch import snapshot as snap
from driftwatch.changes import Change
from driftwatch.revert.planner import plan_revert
from driftwatch.revert.steps import PLACEHOLDER_PREFIX, SnapshotRef, placeholder
from driftwatch.snapshot import Snapshot
from tests.revert import helpers, incidents
from tests.revert.network import Small

REF = SnapshotRef("s", "0" * 64)


def _plan(baseline: Snapshot, current: Snapshot, **options: Any) -> Any:
    result = drift.compute(baseline, current)
    return plan_revert(
        baseline, current, baseline_ref=REF, current_ref=REF, drift=result, **options
    )


def test_deleted_group_gets_recreation_calls_with_every_reference_rebound(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    ec2.delete_security_group(GroupId=small.app_sg)

    plan = helpers.plan_now(ec2, baseline)

    item = next(m for m in plan.manual if m.resource_id == small.app_sg)
    new_id = placeholder(small.app_sg)
    calls = [(c.operation, c.params.value) for c in item.calls]
    assert calls[0] == (
        "create_security_group",
        {"GroupName": "app", "Description": "app", "VpcId": small.vpc},
    )
    assert dict(item.calls[0].binds) == {new_id: "GroupId"}
    assert (
        "authorize_security_group_ingress",
        {
            "GroupId": new_id,
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "UserIdGroupPairs": [
                        {"GroupId": small.web_sg, "UserId": "123456789012"}
                    ],
                }
            ],
        },
    ) in calls
    assert (
        "modify_network_interface_attribute",
        {"NetworkInterfaceId": small.app_eni, "Groups": [new_id]},
    ) in calls
    # The default egress rule of a new group goes, the baseline's 443 comes.
    assert [op for op, _ in calls].count("revoke_security_group_egress") == 1
    assert "cannot come back with its id" in item.reason
    assert item.change_ids
    assert all(PLACEHOLDER_PREFIX not in json.dumps(s.params.value) for s in plan.steps)


def test_deleted_customer_gateway_is_manual_with_its_create_call(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    incidents.deleted_customer_gateway(ec2, small, random.Random(1))

    plan = helpers.plan_now(ec2, baseline)

    assert plan.steps == ()
    (item,) = plan.manual
    assert item.calls[0].operation == "create_customer_gateway"
    assert item.calls[0].params.value == {
        "BgpAsn": 65000,
        "IpAddress": "203.0.113.10",
        "Type": "ipsec.1",
    }


def test_keep_new_leaves_new_resources_and_lists_them(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    what = incidents.new_group_on_web(ec2, small, random.Random(1))
    new_group = what.split()[2]

    plan = helpers.plan_now(ec2, baseline, keep_new=True)

    assert helpers.operations(plan) == ["modify_network_interface_attribute"]
    assert [(k.resource_type, k.resource_id) for k in plan.kept] == [
        (registry.SECURITY_GROUP, new_group)
    ]
    assert plan.kept[0].change_ids


def test_unread_type_means_nothing_new_is_deleted_in_that_region(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    incidents.new_customer_gateway(ec2, small, random.Random(1))
    incidents.open_ingress(ec2, small, random.Random(1))
    current = helpers.snapshot(ec2, "current")
    denied = tuple(
        replace(row, status="denied", detail="AccessDenied")
        if row.resource_type == registry.NETWORK_INTERFACE
        else row
        for row in current.coverage
    )
    current = replace(
        current,
        coverage=denied,
        resources=tuple(
            r
            for r in current.resources
            if r.resource_type != registry.NETWORK_INTERFACE
        ),
    )

    plan = _plan(baseline, current)

    assert helpers.operations(plan) == ["revoke_security_group_ingress"]
    (kept_back,) = [
        m for m in plan.manual if m.resource_type == registry.CUSTOMER_GATEWAY
    ]
    assert "not every resource type of this region could be read" in kept_back.reason
    assert [u.resource_type for u in plan.unknown] == [registry.NETWORK_INTERFACE]


def test_new_group_an_attached_interface_uses_is_left_with_the_reason(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    group = ec2.create_security_group(GroupName="x", Description="x", VpcId=small.vpc)
    group_id = group["GroupId"]
    instance = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        SubnetId=small.private_subnet,
        SecurityGroupIds=[group_id],
    )["Instances"][0]

    plan = helpers.plan_now(ec2, baseline)

    reasons = {m.resource_id: m.reason for m in plan.manual}
    interface = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert "attached to instance" in reasons[interface]
    assert f"{interface} will still use it" in reasons[group_id]
    assert "delete_security_group" not in helpers.operations(plan)


def _synthetic(resources: list[snap.Resource]) -> Snapshot:
    types = {r.resource_type for r in resources}
    coverage = [
        snap.Coverage("123456789012", "us-east-1", name, "ok") for name in sorted(types)
    ]
    return snap.build(resources, coverage, snapshot_id="synthetic")


def _group(group_id: str, owner: str, tags: list[dict[str, str]]) -> snap.Resource:
    entry = registry.resource_type(registry.SECURITY_GROUP)
    raw = {
        "GroupId": group_id,
        "GroupName": "g",
        "Description": "g",
        "VpcId": "vpc-1",
        "OwnerId": owner,
        "IpPermissions": [],
        "IpPermissionsEgress": [],
        "Tags": tags,
    }
    properties, _ = entry.canonicalize(raw)
    return snap.Resource(
        "123456789012", "us-east-1", registry.SECURITY_GROUP, group_id, properties
    )


def test_aws_reserved_tags_are_never_touched() -> None:
    before = _group(
        "sg-1", "123456789012", [{"Key": "aws:cloudformation:stack-name", "Value": "a"}]
    )
    after = _group(
        "sg-1", "123456789012", [{"Key": "aws:cloudformation:stack-name", "Value": "b"}]
    )

    plan = _plan(_synthetic([before]), _synthetic([after]))

    assert plan.steps == ()
    assert "aws: prefix are reserved" in plan.manual[0].reason


def test_a_resource_of_another_account_is_left_to_its_owner() -> None:
    before = _group("sg-1", "999999999999", [])
    after = _group("sg-1", "999999999999", [{"Key": "Name", "Value": "x"}])

    plan = _plan(_synthetic([before]), _synthetic([after]))

    assert plan.steps == ()
    assert "owned by account 999999999999" in plan.manual[0].reason
    assert plan.manual[0].change_ids


def test_service_managed_interface_is_never_changed(ec2: Any, small: Small) -> None:
    entry = registry.resource_type(registry.NETWORK_INTERFACE)
    raw = json.loads(
        (
            helpers.DATA / "describe_network_interfaces_requester_managed.json"
        ).read_text()
    )["NetworkInterfaces"][0]
    before_props, _ = entry.canonicalize(raw)
    changed = {**raw, "Description": "hand-edited"}
    after_props, _ = entry.canonicalize(changed)
    key = (
        "123456789012",
        "us-east-1",
        registry.NETWORK_INTERFACE,
        raw["NetworkInterfaceId"],
    )

    def resource(properties: dict[str, Any]) -> snap.Resource:
        return snap.Resource(*key, properties)

    plan = _plan(
        _synthetic([resource(before_props)]), _synthetic([resource(after_props)])
    )

    assert plan.steps == ()


def test_a_change_no_rule_undoes_goes_to_manual_with_its_id(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    incidents.open_ingress(ec2, small, random.Random(1))
    current = helpers.snapshot(ec2, "current")
    result = drift.compute(baseline, current)
    stray = Change(
        change_id="dw-0000000000000000",
        account_id="123456789012",
        region="us-east-1",
        resource_type=registry.VPC,
        resource_id=small.vpc,
        action="modified",
        part="InstanceTenancy",
        severity="low",
        summary="tenancy changed",
        details=(),
    )

    plan = plan_revert(
        baseline,
        current,
        baseline_ref=REF,
        current_ref=REF,
        drift=replace(result, changes=(*result.changes, stray)),
    )

    item = next(m for m in plan.manual if "dw-0000000000000000" in m.change_ids)
    assert "No revert rule undoes this change (tenancy changed)" in item.reason
    assert plan.steps[0].change_ids == tuple(c.change_id for c in result.changes)


def test_every_step_links_the_changes_it_undoes(
    ec2: Any, small: Small, baseline: Snapshot
) -> None:
    rng = random.Random(2)
    for incident in (
        incidents.subnet_to_public_table,
        incidents.eip_moved,
        incidents.eni_groups,
    ):
        incident(ec2, small, rng)
    current = helpers.snapshot(ec2, "current")
    result = drift.compute(baseline, current)

    plan = _plan(baseline, current)

    linked = [cid for step in plan.steps for cid in step.change_ids]
    assert sorted(linked) == sorted(c.change_id for c in result.changes)
    assert len(linked) == len(set(linked))
    association = next(
        s for s in plan.steps if s.operation == "replace_route_table_association"
    )
    assert len(association.change_ids) == 2


def _resource(
    resource_type: str, resource_id: str, raw: dict[str, Any]
) -> snap.Resource:
    properties, _ = registry.resource_type(resource_type).canonicalize(raw)
    return snap.Resource(
        "123456789012", "us-east-1", resource_type, resource_id, properties
    )


def test_route_propagation_is_turned_back_on_and_off() -> None:
    # moto does not implement enable_vgw_route_propagation: the plan is checked here.
    def table(vgws: list[str]) -> snap.Resource:
        raw = {
            "RouteTableId": "rtb-1",
            "VpcId": "vpc-1",
            "Routes": [],
            "Associations": [],
            "PropagatingVgws": [{"GatewayId": g} for g in vgws],
        }
        return _resource(registry.ROUTE_TABLE, "rtb-1", raw)

    plan = _plan(_synthetic([table(["vgw-1"])]), _synthetic([table(["vgw-2"])]))

    assert [(s.operation, s.params.value) for s in plan.steps] == [
        (
            "enable_vgw_route_propagation",
            {"RouteTableId": "rtb-1", "GatewayId": "vgw-1"},
        ),
        (
            "disable_vgw_route_propagation",
            {"RouteTableId": "rtb-1", "GatewayId": "vgw-2"},
        ),
    ]


def test_endpoint_private_dns_and_a_missing_policy_are_set_back() -> None:
    # moto ignores PrivateDnsEnabled and ResetPolicy in modify_vpc_endpoint.
    def endpoint(**fields: Any) -> snap.Resource:
        raw = {
            "VpcEndpointId": "vpce-1",
            "VpcId": "vpc-1",
            "ServiceName": "com.amazonaws.us-east-1.ec2",
            "VpcEndpointType": "Interface",
            **fields,
        }
        return _resource(registry.VPC_ENDPOINT, "vpce-1", raw)

    before = endpoint(PrivateDnsEnabled=True)
    after = endpoint(PrivateDnsEnabled=False, PolicyDocument='{"Statement": []}')

    plan = _plan(_synthetic([before]), _synthetic([after]))

    assert sorted(json.dumps(s.params.value, sort_keys=True) for s in plan.steps) == [
        json.dumps(
            {"PrivateDnsEnabled": True, "VpcEndpointId": "vpce-1"}, sort_keys=True
        ),
        json.dumps({"ResetPolicy": True, "VpcEndpointId": "vpce-1"}, sort_keys=True),
    ]
