"""Shared fixtures: fake credentials, in-process moto, a moto server on loopback.

No test ever reaches real AWS: the credentials are fake, ``AWS_PROFILE`` and
config files are cleared, and every client is pointed at moto either in process
(``mock_aws``) or through ``--endpoint-url`` at a moto server on 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result
from moto import mock_aws
from moto.server import ThreadedMotoServer

from driftwatch import registry
from driftwatch.cli import main
from driftwatch.demo.estate import Estate, build_estate

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and no AWS config files: nothing can reach real AWS."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name == "DRIFTWATCH_STORE":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-creds"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws() -> Iterator[None]:
    """In-process moto for unit tests."""
    with mock_aws():
        yield


@pytest.fixture
def ec2(aws: None) -> object:
    """An EC2 client on in-process moto in us-east-1."""
    return boto3.client("ec2", region_name="us-east-1")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 (a free port) for the whole session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def endpoint(moto_server: str) -> str:
    """The moto server's URL, with its state reset for this test."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass
    return moto_server


def server_client(
    endpoint: str, service: str = "ec2", region: str = "us-east-1"
) -> object:
    """A boto3 client on the moto server, for building an estate to read."""
    return boto3.client(service, region_name=region, endpoint_url=endpoint)


@dataclass(frozen=True)
class Cli:
    """Runs driftwatch in process with CliRunner, with a store in tmp_path."""

    store: Path

    def __call__(self, *args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(
            main,
            [*args],
            input=input,
            catch_exceptions=False,
            env={"DRIFTWATCH_STORE": str(self.store)},
        )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The CLI in process, its store under tmp_path."""
    return Cli(tmp_path / "store")


def run_driftwatch(
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: int = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m driftwatch`` as a separate process, the way a user does."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "driftwatch", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def estate(ec2: object) -> Estate:
    """The hardened demo estate, one app tier, on in-process moto in us-east-1."""
    return build_estate(ec2)


# moto's default VPC has one default subnet per availability zone.
DEFAULT_SUBNETS = {"eu-west-1": 3, "us-east-1": 6}


def estate_counts(region: str) -> dict[str, int]:
    """Resources per type in a moto region after ``build_estate(copies=1)``.

    moto's default VPC (its default subnets, main route table, default ACL
    and default security group) plus the estate.
    """
    counts = {
        registry.VPC: 3,  # default, prod, prod-shared
        registry.SUBNET: DEFAULT_SUBNETS[region] + 3,  # public, private-1, shared
        registry.NETWORK_ACL: 4,  # a default ACL per VPC, prod-private
        registry.SECURITY_GROUP: 6,  # a default group per VPC, web, app, db
        registry.ROUTE_TABLE: 5,  # a main table per VPC, public, private
        registry.NETWORK_INTERFACE: 4,  # web, app, db, and the NAT gateway's
        registry.INTERNET_GATEWAY: 1,
        registry.EGRESS_ONLY_INTERNET_GATEWAY: 1,
        registry.VPC_PEERING_CONNECTION: 1,
        registry.NAT_GATEWAY: 1,
        registry.VPC_ENDPOINT: 1,
        registry.CUSTOMER_GATEWAY: 1,
        registry.EIP: 2,  # NAT and web
        registry.PREFIX_LIST: 2,  # prod-office, the S3 list the endpoint routes to
    }
    return dict(sorted(counts.items()))
