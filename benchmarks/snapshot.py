"""Snapshot speed: driftwatch's collector against a plain sequential boto3 loop.

A moto server runs in its own process on 127.0.0.1 behind a WSGI middleware
that holds every AWS request for ``--latency-ms`` (50 by default), the round
trip to a real region. Seventeen regions (AWS's default set) each get the demo
estate (every resource type). Then, side by side:

- driftwatch: ``collect()`` of the seventeen regions, as ``driftwatch snapshot``
  runs it (STS, describe_regions, every read, canonical form);
- reference: the same calls made one after another with plain boto3 clients;
- the slowest single region's own sequential time.

Goals: driftwatch at least 8x faster than the sequential loop, and within
1.5x of the slowest single region read on its own.

    python benchmarks/snapshot.py [--regions 17] [--copies 1] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from driftwatch.aws import AwsTarget  # noqa: E402
from driftwatch.collect import ReadLimits, collect  # noqa: E402
from driftwatch.demo.estate import build_estate  # noqa: E402

# The seventeen regions every AWS account has enabled by default.
DEFAULT_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
)
HOME = "us-east-1"
LATENCY_PATH = "/__benchmark__/latency"
SERVER_LIFETIME_SECONDS = 900
GOAL_VS_SEQUENTIAL = 8.0
GOAL_VS_SLOWEST_REGION = 1.5

# The reference loop's calls: (operation, result key, paginated).
LIST_CALLS = (
    ("describe_vpcs", "Vpcs", True),
    ("describe_subnets", "Subnets", True),
    ("describe_network_acls", "NetworkAcls", True),
    ("describe_security_groups", "SecurityGroups", True),
    ("describe_route_tables", "RouteTables", True),
    ("describe_network_interfaces", "NetworkInterfaces", True),
    ("describe_internet_gateways", "InternetGateways", True),
    ("describe_egress_only_internet_gateways", "EgressOnlyInternetGateways", True),
    ("describe_vpc_peering_connections", "VpcPeeringConnections", True),
    ("describe_nat_gateways", "NatGateways", True),
    ("describe_vpc_endpoints", "VpcEndpoints", True),
    ("describe_customer_gateways", "CustomerGateways", False),
    ("describe_addresses", "Addresses", False),
    ("describe_managed_prefix_lists", "PrefixLists", True),
)


# --- the server (runs in its own process) -------------------------------------


class Latency:
    """WSGI middleware: hold each AWS request for the configured latency."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.seconds = 0.0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == LATENCY_PATH:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            self.seconds = float(environ["wsgi.input"].read(length) or 0)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        if not environ.get("PATH_INFO", "").startswith("/moto-api"):
            time.sleep(self.seconds)
        return self.app(environ, start_response)


def cache_moto_lookups() -> None:
    """Cache two answers that moto's server works out again for every request.

    For each request moto lists its own package directory (a stat per service,
    about 180, under a lock that serialises requests) and inspects the
    response class for its method names. Neither answer ever changes; cached,
    the emulator spends its time on the request itself, as a real endpoint
    does. Both sides of the comparison talk to the same server.
    """
    import functools

    import moto.backends
    import moto.core.responses

    modules = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: modules
    moto.core.responses.method_names_from_class = functools.cache(
        moto.core.responses.method_names_from_class
    )


def serve(port: int, *, stock: bool) -> None:
    """Run moto behind the latency middleware until killed or the lifetime ends."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if not stock:
        cache_moto_lookups()
    app = Latency(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", port, app, threaded=True)
    # A bounded run: the server ends itself even if the benchmark dies.
    threading.Timer(SERVER_LIFETIME_SECONDS, os._exit, args=(0,)).start()
    server.serve_forever()


# --- the benchmark --------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A moto server process on loopback."""

    url: str
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (Linux /proc), or 0."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return 0.0
        user, system = fields.rsplit(")", 1)[1].split()[11:13]
        return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")

    def set_latency(self, seconds: float) -> None:
        """Change the held time of every request from now on."""
        request = urllib.request.Request(
            self.url + LATENCY_PATH, data=str(seconds).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10):
            pass


def start_server(*, stock: bool = False) -> Server:
    """Start the server process and wait until it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The server's own errors (moto tracebacks) go to a log, not the figures.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the server
        prefix="driftwatch-benchmark-moto-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), *(["--stock"] * stock)],
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    print(f"moto server log: {log.name}", file=sys.stderr)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/moto-api/data.json", timeout=2):
                return Server(url, process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the moto server did not start within 30 seconds")


def build_estates(url: str, regions: Iterable[str], copies: int) -> None:
    """The demo estate in every region, built in parallel."""

    def build(region: str) -> None:
        ec2 = boto3.client("ec2", region_name=region, endpoint_url=url)
        build_estate(ec2, copies=copies)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(build, regions))


@dataclass(frozen=True)
class Run:
    """One timed collect(): wall time, and CPU time of each side."""

    wall: float
    client_cpu: float
    server_cpu: float


def time_driftwatch(server: Server, regions: list[str], limits: ReadLimits) -> Run:
    """Wall and CPU times of one collect(); checks that it read everything."""
    server_before = server.cpu_seconds()
    client_before = time.process_time()
    started = time.perf_counter()
    taken = collect(AwsTarget(endpoint_url=server.url), regions, limits=limits)
    wall = time.perf_counter() - started
    if not taken.complete:
        raise SystemExit(f"driftwatch did not read everything: {taken.unknown()}")
    return Run(
        wall,
        time.process_time() - client_before,
        server.cpu_seconds() - server_before,
    )


def _client(service: str, region: str, url: str) -> Any:
    config = Config(retries={"mode": "standard", "max_attempts": 10})
    return boto3.client(service, region_name=region, endpoint_url=url, config=config)


def sequential_region(url: str, region: str) -> int:
    """Every call for one region, one after another; the number of items read."""
    ec2 = _client("ec2", region, url)
    items: dict[str, list[dict[str, Any]]] = {}
    for operation, key, paginated in LIST_CALLS:
        if paginated:
            pages = ec2.get_paginator(operation).paginate()
            items[key] = [item for page in pages for item in page[key]]
        else:
            items[key] = getattr(ec2, operation)()[key]
    for vpc in items["Vpcs"]:
        for attribute in ("enableDnsSupport", "enableDnsHostnames"):
            ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=attribute)
    referenced = _referenced_prefix_lists(items)
    for prefix_list in items["PrefixLists"]:
        if prefix_list["OwnerId"] == "AWS" and prefix_list["PrefixListId"] not in (
            referenced
        ):
            continue
        pages = ec2.get_paginator("get_managed_prefix_list_entries").paginate(
            PrefixListId=prefix_list["PrefixListId"]
        )
        for _ in pages:
            pass
    return sum(len(found) for found in items.values())


def _referenced_prefix_lists(items: dict[str, list[dict[str, Any]]]) -> set[str]:
    referenced = {
        source["PrefixListId"]
        for group in items["SecurityGroups"]
        for field in ("IpPermissions", "IpPermissionsEgress")
        for permission in group[field]
        for source in permission["PrefixListIds"]
    }
    referenced |= {
        route["DestinationPrefixListId"]
        for table in items["RouteTables"]
        for route in table["Routes"]
        if "DestinationPrefixListId" in route
    }
    return referenced


def time_sequential(url: str, regions: list[str]) -> tuple[float, dict[str, float]]:
    """Wall time of the whole sequential loop, and of each region within it."""
    started = time.perf_counter()
    _client("sts", HOME, url).get_caller_identity()
    _client("ec2", HOME, url).describe_regions()
    per_region: dict[str, float] = {}
    for region in regions:
        region_started = time.perf_counter()
        sequential_region(url, region)
        per_region[region] = time.perf_counter() - region_started
    return time.perf_counter() - started, per_region


def warm_up(url: str) -> None:
    """Load the EC2 and STS models once on both sides, so no timed run pays it."""
    _client("sts", HOME, url).get_caller_identity()
    _client("ec2", HOME, url).describe_regions()
    collect(AwsTarget(endpoint_url=url), [HOME])


@dataclass(frozen=True)
class Round:
    """One driftwatch run and one sequential run, taken back to back."""

    driftwatch: Run
    sequential: float
    per_region: dict[str, float]


def run(arguments: argparse.Namespace) -> int:
    """Build the estate, time both ways, print the figures; 0 if the goals hold."""
    regions = list(DEFAULT_REGIONS[: arguments.regions])
    limits = ReadLimits(arguments.max_workers, arguments.per_region)
    server = start_server(stock=arguments.stock_moto)
    try:
        server.set_latency(0)
        build_estates(server.url, regions, arguments.copies)
        warm_up(server.url)
        server.set_latency(arguments.latency_ms / 1000)
        # Back to back, round after round: a burst of load from elsewhere on
        # the machine then falls on both sides of the comparison.
        rounds = [
            Round(
                time_driftwatch(server, regions, limits),
                *time_sequential(server.url, regions),
            )
            for _ in range(arguments.repeat)
        ]
    finally:
        server.process.kill()
        server.process.wait()

    return report(arguments, regions, limits, rounds)


@dataclass(frozen=True)
class Figures:
    """driftwatch, the sequential loop and the slowest region, by one statistic."""

    driftwatch: float
    sequential: float
    slowest: float
    slowest_region: str

    @property
    def speedup(self) -> float:
        """How many times faster than the sequential loop."""
        return self.sequential / self.driftwatch

    @property
    def versus_slowest(self) -> float:
        """driftwatch's time over the slowest single region's."""
        return self.driftwatch / self.slowest

    @property
    def met(self) -> bool:
        """Both goals hold."""
        return (
            self.speedup >= GOAL_VS_SEQUENTIAL
            and self.versus_slowest <= GOAL_VS_SLOWEST_REGION
        )


def figures(rounds: list[Round], statistic: Callable[[list[float]], float]) -> Figures:
    """The figures of all rounds by ``statistic`` (median, or min for the best)."""
    regions = rounds[0].per_region
    by_region = {
        region: statistic([r.per_region[region] for r in rounds]) for region in regions
    }
    slowest_region = max(by_region, key=lambda region: by_region[region])
    return Figures(
        statistic([r.driftwatch.wall for r in rounds]),
        statistic([r.sequential for r in rounds]),
        by_region[slowest_region],
        slowest_region,
    )


def report(
    arguments: argparse.Namespace,
    regions: list[str],
    limits: ReadLimits,
    rounds: list[Round],
) -> int:
    """Print the side-by-side figures; 0 if both goals are met on the medians."""
    median = figures(rounds, statistics.median)
    best = figures(rounds, min)
    runs = [r.driftwatch for r in rounds]
    lines = [
        f"snapshot benchmark: {len(regions)} regions, demo estate x{arguments.copies} "
        f"each, {arguments.latency_ms} ms per request, moto server on 127.0.0.1"
        f"{' (stock)' if arguments.stock_moto else ' (per-request lookups cached)'}",
        f"driftwatch pool: {limits.max_workers} workers, {limits.per_region} per "
        f"region; {len(rounds)} rounds; {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{n:.1f}' for n in os.getloadavg())}",
        "                                        median      best",
        f"  driftwatch collect                  {median.driftwatch:7.2f} s "
        f"{best.driftwatch:7.2f} s   (runs: "
        f"{', '.join(f'{r.wall:.2f}' for r in runs)})",
        f"  sequential boto3 loop, all regions  {median.sequential:7.2f} s "
        f"{best.sequential:7.2f} s",
        f"  slowest region alone, sequential    {median.slowest:7.2f} s "
        f"{best.slowest:7.2f} s   ({median.slowest_region}, {best.slowest_region})",
        f"  speed-up vs sequential loop         {median.speedup:7.1f}x  "
        f"{best.speedup:7.1f}x    goal >= {GOAL_VS_SEQUENTIAL:.0f}x",
        f"  driftwatch / slowest region         {median.versus_slowest:7.2f}x  "
        f"{best.versus_slowest:7.2f}x    goal <= {GOAL_VS_SLOWEST_REGION}x",
        f"  goals met                           {'yes' if median.met else 'NO':>7}   "
        f"{'yes' if best.met else 'NO':>7}",
        "  CPU per driftwatch run, median:     "
        f"client {statistics.median(r.client_cpu for r in runs):.2f} s, "
        f"moto server {statistics.median(r.server_cpu for r in runs):.2f} s "
        "(one process serves every request)",
    ]
    print("\n".join(lines))
    if arguments.json:
        document = {
            "rounds": [
                {
                    "driftwatch": vars(r.driftwatch),
                    "sequential_seconds": r.sequential,
                    "per_region_seconds": r.per_region,
                }
                for r in rounds
            ],
            "median": {**vars(median), "speedup": median.speedup},
            "best": {**vars(best), "speedup": best.speedup},
        }
        print(json.dumps(document, sort_keys=True))
    return 0 if median.met else 1


def main() -> int:
    """Parse the options and run the benchmark (or serve, in the child process)."""
    if len(sys.argv) >= 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), stock="--stock" in sys.argv[3:])
        return 0
    defaults = ReadLimits()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=len(DEFAULT_REGIONS))
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-workers", type=int, default=defaults.max_workers)
    parser.add_argument("--per-region", type=int, default=defaults.per_region)
    parser.add_argument("--json", action="store_true", help="also print JSON figures")
    parser.add_argument(
        "--stock-moto",
        action="store_true",
        help="serve with moto as it ships (no cached per-request lookups)",
    )
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "benchmark")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "benchmark")
    os.environ.setdefault("AWS_DEFAULT_REGION", HOME)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
