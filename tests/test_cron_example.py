"""examples/cron/driftwatch-nightly against a moto server: silent, then drift."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, run_driftwatch, server_client

from driftwatch.demo.estate import build_estate

NIGHTLY = REPO / "examples" / "cron" / "driftwatch-nightly"


def nightly(tmp_path: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    """Run the example script with ``driftwatch`` on PATH, as cron would."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "driftwatch"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m driftwatch "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "AWS_ENDPOINT_URL": endpoint,
        "DRIFTWATCH_STORE": str(tmp_path / "store"),
        "DRIFTWATCH_REGIONS": "us-east-1",
        "DRIFTWATCH_REPORTS": str(tmp_path / "reports"),
        "HOME": str(tmp_path),
    }
    return subprocess.run(
        ["/bin/sh", str(NIGHTLY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.e2e
def test_the_nightly_job_is_silent_without_drift_and_prints_the_report_on_drift(
    endpoint: str, tmp_path: Path
) -> None:
    ec2: Any = server_client(endpoint)
    estate = build_estate(ec2)
    store = str(tmp_path / "store")
    first = run_driftwatch(
        [
            "snapshot",
            "--region",
            "us-east-1",
            "--endpoint-url",
            endpoint,
            "--store",
            store,
        ],
        cwd=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    approved = run_driftwatch(
        ["approve", "latest", "--as", "prod", "--store", store], cwd=tmp_path
    )
    assert approved.returncode == 0, approved.stderr

    quiet = nightly(tmp_path, endpoint)

    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert list((tmp_path / "reports").iterdir()) == []

    ec2.authorize_security_group_ingress(
        GroupId=estate.db_security_group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    drifted = nightly(tmp_path, endpoint)

    assert drifted.returncode == 1, drifted.stderr
    first_line, _, report = drifted.stdout.partition("\n")
    [kept] = (tmp_path / "reports").iterdir()
    assert first_line == (
        f"driftwatch found drift from baseline prod; report kept at {kept}."
    )
    assert estate.db_security_group_id in report
    assert report.strip() == kept.read_text().strip()
