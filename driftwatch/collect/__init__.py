"""Concurrent reads of every resource type in every selected region.

``collect`` asks STS for the account, resolves the regions (none given: every
enabled one), then reads every type of ``registry.RESOURCE_TYPES`` in every
region at once on a bounded pool (``pool``), one region's outcomes driving its
next reads (``region``, ``enrich``), and builds one canonical snapshot. One
boto3 session, in the calling thread, makes every client.

A read that fails becomes a coverage row (denied, throttled, not_enabled,
unsupported or error) and the rest goes on; only a failure of the whole
command (credentials, an unknown region) raises.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from typing import Any

from driftwatch import aws, registry
from driftwatch import snapshot as snap
from driftwatch.collect.pool import ReadLimits, ReadPool
from driftwatch.collect.reads import Read
from driftwatch.collect.region import RegionRead

__all__ = ["ProgressCallback", "ReadLimits", "collect"]

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str, str, int, int], None]


def collect(
    target: aws.AwsTarget,
    regions: Sequence[str],
    *,
    label: str | None = None,
    progress: ProgressCallback | None = None,
    limits: ReadLimits | None = None,
) -> snap.Snapshot:
    """Read every tracked type in ``regions`` (empty: all enabled) into a snapshot.

    ``progress(region, resource_type, done, total)`` is called in the calling
    thread each time one (region, type) is settled; ``done`` and ``total``
    count those pairs over the whole collection.

    Raises:
        CredentialsError: STS found no usable credentials.
        RegionError: a requested region does not exist or is not enabled.
        AwsError: the account or its regions could not be listed.
    """
    with _rarer_collections():
        return _collect(target, regions, label, progress, limits or ReadLimits())


def _collect(
    target: aws.AwsTarget,
    regions: Sequence[str],
    label: str | None,
    progress: ProgressCallback | None,
    limits: ReadLimits,
) -> snap.Snapshot:
    """The collection itself, inside the collector thresholds."""
    session = target.session()
    account_id, selected, clients = _open(target, session, regions)
    logger.info(
        "reading %d types in %d regions of %s",
        len(registry.RESOURCE_TYPES),
        len(selected),
        account_id,
    )

    tracker = _Progress(len(selected) * len(registry.RESOURCE_TYPES), progress)
    region_reads = {
        region: RegionRead(account_id, region, tracker.advance) for region in selected
    }

    def settle(read: Read, outcome: Any) -> list[Read]:
        return region_reads[read.region].settle(read, outcome)

    first = _interleaved([state.first_reads() for state in region_reads.values()])
    pool = ReadPool(target, session, limits, clients=clients)
    pool.run(first, settle)

    return snap.build(
        (r for state in region_reads.values() for r in state.resources()),
        (row for state in region_reads.values() for row in state.coverage()),
        label=label,
    )


# botocore allocates by the million while it builds clients and parses
# responses: at the default threshold (700) the cyclic collector walks the
# young objects thousands of times per snapshot, a fifth of the CPU of a
# seventeen-region read. It stays on, and runs a seventieth as often.
COLLECTION_THRESHOLDS = (50_000, 20, 20)


@contextmanager
def _rarer_collections() -> Iterator[None]:
    """Fewer cyclic garbage collections for a while, then the thresholds as before."""
    before = gc.get_threshold()
    gc.set_threshold(*COLLECTION_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _open(
    target: aws.AwsTarget, session: Any, requested: Sequence[str]
) -> tuple[str, list[str], dict[str, Any]]:
    """The account, the regions to read, and the EC2 clients made meanwhile.

    STS and describe_regions do not depend on each other: both go at once,
    and while they wait on the network the calling thread makes clients of
    the requested regions (the home region's is the one that listed them).
    It stops when both have answered: the pool makes the rest while the
    first regions' reads are in flight.
    """
    home = aws.home_region(target, requested, session=session)
    try:
        sts = target.client("sts", home, session=session)
        clients = {home: target.client("ec2", home, session=session)}
    except aws.AWS_FAILURES as exc:
        raise aws.translate(exc, f"setting up clients in {home}") from exc
    with ThreadPoolExecutor(2, thread_name_prefix="driftwatch-open") as opening:
        account = opening.submit(aws.caller_account, sts)
        enabled = opening.submit(aws.region_names, clients[home])
        for region in sorted(set(requested) - {home}):
            if account.done() and enabled.done():
                break
            with suppress(*aws.AWS_FAILURES):
                # A malformed name fails here; choose_regions says why below.
                clients[region] = target.client("ec2", region, session=session)
        account_id = account.result()
        selected = aws.choose_regions(requested, enabled.result())
    return account_id, selected, clients


def _interleaved(per_region: list[list[Read]]) -> list[Read]:
    """The first reads of all regions, one of each region in turn."""
    longest = max((len(reads) for reads in per_region), default=0)
    return [reads[i] for i in range(longest) for reads in per_region if i < len(reads)]


class _Progress:
    """Counts settled (region, type) pairs and tells the caller's callback."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total = total
        self.done = 0
        self._callback = callback

    def advance(self, region: str, resource_type: str) -> None:
        """One more (region, type) pair is settled."""
        self.done += 1
        if self._callback is not None:
            self._callback(region, resource_type, self.done, self.total)
