"""Security group drift on moto: one change per rule source, exact text and severity."""

from __future__ import annotations

from driftwatch import registry
from tests.drift.conftest import Network
from tests.drift.estate import drift_of, only, world

# (permission, severity, summary before " on <group>"): one group each, one read.
INGRESS_CASES = [
    (world(22), "critical", "tcp/22 opened to 0.0.0.0/0"),
    (world(3389), "critical", "tcp/3389 opened to 0.0.0.0/0"),
    (world(5432, cidr="::/0"), "critical", "tcp/5432 opened to ::/0"),
    (world(443), "high", "tcp/443 opened to 0.0.0.0/0"),
    (world(443, cidr="::/0"), "high", "tcp/443 opened to ::/0"),
    (
        world(8080, cidr="52.94.76.10/32"),
        "high",
        "tcp/8080 opened to 52.94.76.10/32",
    ),
    (world(5432, cidr="10.0.0.0/8"), "medium", "tcp/5432 opened to 10.0.0.0/8"),
    (world(53, protocol="udp"), "high", "udp/53 opened to 0.0.0.0/0"),
    (
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        "critical",
        "all traffic opened to 0.0.0.0/0",
    ),
    (
        {
            "IpProtocol": "tcp",
            "FromPort": 1,
            "ToPort": 1024,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        },
        "critical",
        "tcp/1-1024 opened to 0.0.0.0/0",
    ),
]


def test_an_ingress_rule_added_is_rated_by_source_and_port(net: Network) -> None:
    groups = [
        net.ec2.create_security_group(
            GroupName=f"case-{n}", Description="case", VpcId=net.vpc
        )["GroupId"]
        for n in range(len(INGRESS_CASES))
    ]

    def authorize() -> None:
        for group, (permission, _, _) in zip(groups, INGRESS_CASES, strict=True):
            net.ec2.authorize_security_group_ingress(
                GroupId=group, IpPermissions=[permission]
            )

    result = drift_of(net.ec2, authorize)

    by_group = {c.resource_id: c for c in result.changes}
    assert len(result.changes) == len(groups)
    for n, (group, (_, severity, text)) in enumerate(
        zip(groups, INGRESS_CASES, strict=True)
    ):
        change = by_group[group]
        assert change.summary == f"{text} on {group} (case-{n})"
        assert change.severity == severity, text
        assert change.action == "modified"
        assert change.part.startswith('IpPermissions["')
        assert change.opens_internet_path == (severity in ("critical", "high"))


def test_one_permission_with_two_sources_gives_two_changes(net: Network) -> None:
    permission = world(22)
    permission["IpRanges"] = [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.1.0.0/16"}]

    result = drift_of(
        net.ec2,
        lambda: net.ec2.authorize_security_group_ingress(
            GroupId=net.group, IpPermissions=[permission]
        ),
    )

    assert [(c.part, c.severity) for c in result.changes] == [
        ('IpPermissions["tcp",22,22,"IpRanges","0.0.0.0/0"]', "critical"),
        ('IpPermissions["tcp",22,22,"IpRanges","10.1.0.0/16"]', "medium"),
    ]


def test_a_rule_from_another_group_is_medium(net: Network) -> None:
    other = net.ec2.create_security_group(
        GroupName="lb", Description="lb", VpcId=net.vpc
    )["GroupId"]
    permission = {
        "IpProtocol": "tcp",
        "FromPort": 8080,
        "ToPort": 8080,
        "UserIdGroupPairs": [{"GroupId": other}],
    }
    baseline_groups = registry.SECURITY_GROUP

    result = drift_of(
        net.ec2,
        lambda: net.ec2.authorize_security_group_ingress(
            GroupId=net.group, IpPermissions=[permission]
        ),
    )

    change = only(result)
    assert change.resource_type == baseline_groups
    assert change.severity == "medium"
    assert change.summary == (
        f"tcp/8080 opened to security group 123456789012/{other} on {net.group} (app)"
    )
    assert not change.opens_internet_path


def test_a_revoked_ingress_rule_is_low(net: Network) -> None:
    net.ec2.authorize_security_group_ingress(
        GroupId=net.group, IpPermissions=[world(22)]
    )

    result = drift_of(
        net.ec2,
        lambda: net.ec2.revoke_security_group_ingress(
            GroupId=net.group, IpPermissions=[world(22)]
        ),
    )

    change = only(result)
    assert change.summary == f"tcp/22 from 0.0.0.0/0 closed on {net.group} (app)"
    assert change.severity == "low"
    assert change.details[0].kind == "removed"
    assert change.details[0].before["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]


def test_an_egress_rule_to_the_world_is_medium(net: Network) -> None:
    result = drift_of(
        net.ec2,
        lambda: net.ec2.authorize_security_group_egress(
            GroupId=net.group, IpPermissions=[world(25)]
        ),
    )

    change = only(result)
    assert change.summary == f"outbound tcp/25 to 0.0.0.0/0 opened on {net.group} (app)"
    assert change.severity == "medium"
    assert change.part == 'IpPermissionsEgress["tcp",25,25,"IpRanges","0.0.0.0/0"]'


def test_a_rule_description_change_is_info(net: Network) -> None:
    permission = world(443)
    net.ec2.authorize_security_group_ingress(
        GroupId=net.group, IpPermissions=[permission]
    )
    described = world(443)
    described["IpRanges"] = [{"CidrIp": "0.0.0.0/0", "Description": "public web"}]

    result = drift_of(
        net.ec2,
        lambda: net.ec2.update_security_group_rule_descriptions_ingress(
            GroupId=net.group, IpPermissions=[described]
        ),
    )

    change = only(result)
    assert change.severity == "info"
    assert change.summary == (
        f"description of inbound tcp/443 from 0.0.0.0/0 changed on {net.group} (app)"
    )
    [detail] = change.details
    assert detail.kind == "added"
    assert detail.path.endswith(".IpRanges[].Description")
    assert detail.after == "public web"


def test_a_new_group_with_world_ssh_is_critical_and_a_deleted_one_medium(
    net: Network,
) -> None:
    def create() -> None:
        group = net.ec2.create_security_group(
            GroupName="jump", Description="jump", VpcId=net.vpc
        )["GroupId"]
        net.ec2.authorize_security_group_ingress(
            GroupId=group, IpPermissions=[world(22)]
        )

    added = only(drift_of(net.ec2, create))
    assert added.action == "added"
    assert added.part == ""
    assert added.severity == "critical"
    assert added.kind == "resource-added-internet-admin"
    assert added.opens_internet_path
    assert added.summary == (
        f"security group {added.resource_id} (jump) added in {net.vpc}; tcp/22 "
        f"opened to 0.0.0.0/0 on {added.resource_id} (jump)"
    )

    removed = only(
        drift_of(net.ec2, lambda: net.ec2.delete_security_group(GroupId=net.group))
    )
    assert removed.action == "removed"
    assert removed.severity == "medium"
    assert removed.summary == f"security group {net.group} (app) removed from {net.vpc}"
    assert removed.details[0].before["GroupName"] == "app"


def test_a_new_group_open_to_the_world_on_https_only_is_high(net: Network) -> None:
    def create() -> None:
        group = net.ec2.create_security_group(
            GroupName="edge", Description="edge", VpcId=net.vpc
        )["GroupId"]
        net.ec2.authorize_security_group_ingress(
            GroupId=group, IpPermissions=[world(443)]
        )

    added = only(drift_of(net.ec2, create))
    assert added.severity == "high"
    assert added.kind == "resource-added-internet"
    assert added.summary.endswith(
        f"tcp/443 opened to 0.0.0.0/0 on {added.resource_id} (edge)"
    )


def test_a_tag_change_is_info(net: Network) -> None:
    result = drift_of(
        net.ec2,
        lambda: net.ec2.create_tags(
            Resources=[net.group], Tags=[{"Key": "Owner", "Value": "mallory"}]
        ),
    )

    change = only(result)
    assert change.part == 'Tags["Owner"]'
    assert change.severity == "info"
    assert change.summary == f"tag Owner=mallory added to {net.group} (app)"
