"""``demo``: the whole incident workflow on an embedded emulated AWS account.

The demo runs the very commands a responder would run, in this process, against
moto's in-process emulation of EC2: no credentials, no network. Each step
prints the command behind it; every artefact is left in the work directory.
It exits 0 only when the final snapshot shows no drift and no new exposure.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from driftwatch.cli import main
from driftwatch.cli.options import common_options, finish, settings
from driftwatch.demo.playbook import (
    BEFORE,
    INCIDENT_REGION,
    RECOVERY,
    REGIONS,
    RESPONSE,
    Step,
    steps,
)
from driftwatch.errors import EXIT_FAILURE, EXIT_OK, UsageError

FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_SESSION_TOKEN": "demo",
    "AWS_DEFAULT_REGION": INCIDENT_REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@main.command("demo")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Where the demo leaves its store and every artefact.",
)
@common_options
def demo_command(workdir: Path) -> None:
    """Run the incident workflow on an embedded emulated AWS account."""
    given = settings()
    if not given.verbose:
        # The narrative is the demo's output; the estate builder's INFO lines
        # would drown it.
        logging.getLogger("driftwatch").setLevel(logging.WARNING)
    demo = Demo(workdir.resolve(), verbose=given.verbose > 0)
    finish(demo.run())


class Demo:
    """The demo's narrative: an estate, a baseline, an incident, the response."""

    def __init__(self, workdir: Path, *, verbose: bool) -> None:
        self.workdir = workdir
        self.store = workdir / "store"
        self.verbose = verbose
        self.failures: list[str] = []

    def run(self) -> int:
        """Run every step; the exit code says whether the final check held."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with _isolated_environment(), _emulator() as endpoint:
            click.echo(f"(emulated EC2 in this process, at {endpoint})")
            self._say_heading("1. A hardened estate in two regions")
            estate = self._build_estates()
            self._run_steps(steps(BEFORE, self.workdir))
            self._say_heading("2. The incident: five unauthorized changes")
            self._make_incident(estate)
            self._say_heading("3. The response")
            self._run_steps(steps(RESPONSE, self.workdir))
            self._say_heading("4. Recovery and verification")
            self._run_steps(steps(RECOVERY, self.workdir))
        return self._verdict()

    # --- the estate and the incident ----------------------------------------------

    def _build_estates(self) -> Any:
        import boto3

        from driftwatch.demo.estate import build_estate

        estates = {}
        for region in REGIONS:
            ec2 = boto3.client("ec2", region_name=region)
            estates[region] = build_estate(ec2, name=f"prod-{region}")
            click.echo(f"   built VPC {estates[region].vpc_id} in {region}")
        return estates[INCIDENT_REGION]

    def _make_incident(self, estate: Any) -> None:
        import boto3

        from driftwatch.demo.incident import make_incident

        ec2 = boto3.client("ec2", region_name=INCIDENT_REGION)
        incident = make_incident(ec2, estate)
        for line in incident.narrative(estate):
            click.echo(f"   - {line}")

    def _run_steps(self, playbook: Sequence[Step]) -> None:
        for step in playbook:
            self._run(step)

    def _run(self, step: Step) -> None:
        argv = [*step.argv, "--store", str(self.store)]
        if not self.verbose:
            argv.append("-q")
        click.echo(f"\n== {step.title}")
        click.echo(f"$ driftwatch {shlex.join(step.argv)}")
        code = _invoke(argv)
        if code != step.expected:
            self.failures.append(
                f"'driftwatch {shlex.join(step.argv)}' exited {code}, "
                f"expected {step.expected}"
            )
            click.echo(f"   !! exited {code}, expected {step.expected}")

    # --- the verdict -------------------------------------------------------------

    def _verdict(self) -> int:
        self._check_final_documents()
        self._say_heading("Result")
        click.echo(f"artefacts in {self.workdir}:")
        for path in sorted(self.workdir.iterdir()):
            click.echo(f"   {path.name}")
        if self.failures:
            for failure in self.failures:
                click.echo(f"FAILED: {failure}", err=True)
            return EXIT_FAILURE
        click.echo("\nThe estate is back on its baseline: no drift, no new exposure.")
        return EXIT_OK

    def _check_final_documents(self) -> None:
        verify = _read_json(self.workdir / "verify-diff.json")
        if verify is None or verify.get("changes") != [] or verify.get("unknown") != []:
            self.failures.append("the final diff is not empty")
        exposure = _read_json(self.workdir / "verify-exposure.json")
        opened = ((exposure or {}).get("delta") or {}).get("opened")
        if opened != []:
            self.failures.append("the final exposure delta still lists opened paths")
        incident = _read_json(self.workdir / "diff.json")
        if not incident or not incident.get("changes"):
            self.failures.append("the incident's diff found no changes")

    def _say_heading(self, text: str) -> None:
        click.echo(f"\n### {text}")


def _invoke(argv: list[str]) -> int:
    """Run one driftwatch command in this process and return its exit code."""
    try:
        result = main.main(args=argv, prog_name="driftwatch", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return int(result or 0)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextmanager
def _emulator() -> Iterator[str]:
    """moto's server on a free loopback port, in a thread of this process.

    Every command reaches it through ``AWS_ENDPOINT_URL``, exactly as they would
    reach any emulator; an endpoint on loopback is also how ``revert --apply``
    knows which of moto's calls ignore ``DryRun``.
    """
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        raise UsageError(
            "The demo needs the emulator it runs on: pip install 'driftwatch[demo]'."
        ) from exc
    # The server's request log would bury the narrative.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    try:
        yield endpoint
    finally:
        server.stop()


@contextmanager
def _isolated_environment() -> Iterator[None]:
    """Fake credentials and no profile or endpoint: the demo can reach no real AWS."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("AWS_") or name == "DRIFTWATCH_STORE":
            del os.environ[name]
    os.environ.update(FAKE_ENVIRONMENT)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
