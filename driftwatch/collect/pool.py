"""A bounded thread pool for EC2 reads, with a bound per region as well.

Reads wait for the network, not the CPU, so many run at once; but EC2
throttles each account per region, so no region gets more than
``per_region`` reads in flight. The calling thread owns the backlog: it hands
a read to the pool only when its region has room, so no worker ever sits
blocked on a semaphore, and it alone sees the outcomes.

boto3 sessions are not thread-safe; clients are. So the one session lives in
the calling thread, which makes every client (one per region, when the
region's first read is handed out), and the workers only call clients. A
session costs tens of milliseconds of CPU to set up: one per worker would
cost more than the reads. Each region's one client is shared by that region's
reads, so its adaptive retry rate limiter paces the region as a whole, which
is how EC2 throttles.
"""

from __future__ import annotations

import queue
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3

from driftwatch import aws
from driftwatch.collect.reads import Read
from driftwatch.errors import UsageError

# Emulators (moto in process) raise NotImplementedError for an action they
# lack; that is an unsupported read, not a crash.
READ_FAILURES: tuple[type[BaseException], ...] = (
    *aws.AWS_FAILURES,
    NotImplementedError,
)

Settle = Callable[[Read, Any], Iterable[Read]]


@dataclass(frozen=True)
class ReadLimits:
    """How many reads run at once: in all, and within any one region.

    Sixteen per region lets the fourteen list reads of a region go out in one
    wave, well inside EC2's burst for describe calls (and the client's pool of
    32 connections); 128 in all keeps the first waves of the seventeen default
    regions to two. Reads wait on the network, so threads are cheap.
    """

    max_workers: int = 128
    per_region: int = 16

    def __post_init__(self) -> None:
        """Refuse bounds that would run nothing."""
        if self.max_workers < 1 or self.per_region < 1:
            raise UsageError(
                f"read limits must be at least 1 (got {self.max_workers} in all, "
                f"{self.per_region} per region)."
            )


class ReadPool:
    """Runs reads on worker threads within the limits; outcomes go to ``settle``."""

    def __init__(
        self,
        target: aws.AwsTarget,
        session: boto3.session.Session,
        limits: ReadLimits,
        *,
        clients: Mapping[str, Any] | None = None,
    ) -> None:
        self._target = target
        self._session = session
        self._limits = limits
        self._clients: dict[str, Any] = dict(clients or {})
        self._backlog: dict[str, deque[Read]] = {}
        self._running: Counter[str] = Counter()
        self._done: queue.SimpleQueue[tuple[Read, Future[Any]]] = queue.SimpleQueue()

    def run(self, first: Iterable[Read], settle: Settle) -> None:
        """Run ``first`` and every read that ``settle`` answers with, to the end.

        ``settle(read, outcome)`` runs in the calling thread with the value the
        read returned or the AWS exception it raised. Any other exception in a
        worker is a bug: it cancels what is queued and propagates.
        """
        self._enqueue(first)
        with ThreadPoolExecutor(
            max_workers=self._limits.max_workers, thread_name_prefix="driftwatch-read"
        ) as executor:
            try:
                in_flight = self._submit(executor)
                while in_flight:
                    read, future = self._done.get()
                    in_flight -= 1
                    self._running[read.region] -= 1
                    self._enqueue(settle(read, _outcome(future)))
                    in_flight += self._submit(executor)
            except BaseException:
                executor.shutdown(wait=False, cancel_futures=True)
                raise

    def _enqueue(self, reads: Iterable[Read]) -> None:
        for read in reads:
            self._backlog.setdefault(read.region, deque()).append(read)

    def _submit(self, executor: ThreadPoolExecutor) -> int:
        """Hand out what the limits allow; the number of reads handed out."""
        # Round-robin over the regions, so that one large region cannot take
        # every worker while the others wait.
        submitted = 0
        progressed = True
        while progressed:
            progressed = False
            for region, backlog in self._backlog.items():
                if backlog and self._running[region] < self._limits.per_region:
                    self._start(executor, backlog.popleft())
                    submitted += 1
                    progressed = True
        return submitted

    def _start(self, executor: ThreadPoolExecutor, read: Read) -> None:
        client = self._client(read.region)
        future = executor.submit(_perform, read, client)
        self._running[read.region] += 1
        future.add_done_callback(lambda done: self._done.put((read, done)))

    def _client(self, region: str) -> Any:
        client = self._clients.get(region)
        if client is None:
            client = self._target.client("ec2", region, session=self._session)
            self._clients[region] = client
        return client


@dataclass(frozen=True)
class _Failed:
    """A read that raised an AWS error (kept apart from values a read returns)."""

    error: BaseException


def _perform(read: Read, client: Any) -> Any:
    try:
        return read.fetch(client)
    except READ_FAILURES as exc:
        return _Failed(exc)


def _outcome(future: Future[Any]) -> Any:
    result = future.result()
    return result.error if isinstance(result, _Failed) else result
