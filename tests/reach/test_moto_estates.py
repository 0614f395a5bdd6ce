"""Estates built on in-process moto, read by the collector, judged by exposure."""

from __future__ import annotations

from typing import Any

from driftwatch.aws import AwsTarget
from driftwatch.collect import collect
from driftwatch.demo.estate import OFFICE_CIDRS, Estate
from driftwatch.reach import exposures
from tests.reach.estate_builder import WORLD, found, latent

SSH_WORLD = {
    "IpProtocol": "tcp",
    "FromPort": 22,
    "ToPort": 22,
    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
}


def read() -> Any:
    return exposures(collect(AwsTarget(), ["us-east-1"]))


def test_hardened_estate_exposes_https_to_all_and_ssh_to_the_office(
    estate: Estate,
) -> None:
    report = read()

    assert found(report) == [
        ("ipv4", "tcp", [[22, 22]], None, list(OFFICE_CIDRS)),
        ("ipv4", "tcp", [[443, 443]], None, WORLD),
    ]
    assert {e.network_interface_id for e in report.exposures} == {
        estate.web_network_interface_id
    }
    assert {e.address for e in report.exposures} == {estate.web_public_ip}
    assert report.unknown == ()


def test_hardened_estate_witness_names_every_hop(estate: Estate) -> None:
    https = read().exposures[1]

    assert [(step.kind, step.id) for step in https.path] == [
        ("internet-gateway", estate.internet_gateway_id),
        ("route", estate.public_route_table_id),
        ("network-acl-inbound-rule", https.path[2].id),
        ("network-acl-outbound-rule", https.path[2].id),
        ("security-group-rule", estate.web_security_group_id),
        ("network-interface", estate.web_network_interface_id),
        ("public-address", estate.web_public_ip),
    ]
    assert https.path[-1].to_document()["allocation_id"] == estate.web_allocation_id


def test_opening_ssh_to_the_world_on_moto_is_seen(estate: Estate, ec2: Any) -> None:
    ec2.authorize_security_group_ingress(
        GroupId=estate.web_security_group_id, IpPermissions=[SSH_WORLD]
    )

    report = read()

    assert found(report) == [("ipv4", "tcp", [[22, 22], [443, 443]], None, WORLD)]
    assert report.exposures[0].severity == "critical"


def test_private_tier_with_a_world_open_group_is_latent(
    estate: Estate, ec2: Any
) -> None:
    ec2.authorize_security_group_ingress(
        GroupId=estate.db_security_group_id, IpPermissions=[SSH_WORLD]
    )
    db = estate.app_tiers[0].db_network_interface_id

    report = read()

    assert found(report, db) == []
    assert (db, "ipv4", "tcp", [[22, 22]], "it has no public IPv4 address") in latent(
        report
    )


def test_detaching_the_internet_gateway_closes_every_path(
    estate: Estate, ec2: Any
) -> None:
    ec2.detach_internet_gateway(
        InternetGatewayId=estate.internet_gateway_id, VpcId=estate.vpc_id
    )

    report = read()

    assert found(report) == []
    assert {entry[4] for entry in latent(report) if entry[1] == "ipv4"} == {
        f"no internet gateway is attached to {estate.vpc_id} (only the egress-only "
        f"gateway {estate.egress_only_internet_gateway_id}, which lets no "
        "connection in)"
    }
