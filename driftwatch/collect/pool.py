"""A bounded thread pool for EC2 reads, with a bound per region as well.

Reads wait for the network, not the CPU, so many run at once; but EC2
throttles each account per region, so no region gets more than
``per_region`` reads in flight. The main thread owns the backlog: it hands a
read to the pool only when its region has room, so no worker ever sits
blocked on a semaphore, and it alone sees the outcomes.

boto3 sessions are not thread-safe: every worker thread makes its own. Clients
are, so each region has one client (made by whichever worker needs it first),
shared by that region's reads; its adaptive retry rate limiter then paces the
region as a whole, which is how EC2 throttles.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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
    """How many reads run at once: in all, and within any one region."""

    max_workers: int = 96
    per_region: int = 12

    def __post_init__(self) -> None:
        """Refuse bounds that would run nothing."""
        if self.max_workers < 1 or self.per_region < 1:
            raise UsageError(
                f"read limits must be at least 1 (got {self.max_workers} in all, "
                f"{self.per_region} per region)."
            )


class ReadPool:
    """Runs reads on worker threads within the limits; outcomes go to ``settle``."""

    def __init__(self, target: aws.AwsTarget, limits: ReadLimits) -> None:
        self._target = target
        self._limits = limits
        self._local = threading.local()
        self._clients: dict[str, Any] = {}
        self._client_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def run(self, first: Iterable[Read], settle: Settle) -> None:
        """Run ``first`` and every read that ``settle`` answers with, to the end.

        ``settle(read, outcome)`` runs in the calling thread with the value the
        read returned or the AWS exception it raised. Any other exception in a
        worker is a bug: it cancels what is queued and propagates.
        """
        backlog: dict[str, deque[Read]] = {}
        running: Counter[str] = Counter()
        in_flight: dict[Future[Any], Read] = {}
        self._enqueue(backlog, first)
        with ThreadPoolExecutor(
            max_workers=self._limits.max_workers, thread_name_prefix="driftwatch-read"
        ) as executor:
            try:
                self._submit(executor, backlog, running, in_flight)
                while in_flight:
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        read = in_flight.pop(future)
                        running[read.region] -= 1
                        self._enqueue(backlog, settle(read, _outcome(future)))
                    self._submit(executor, backlog, running, in_flight)
            except BaseException:
                executor.shutdown(wait=False, cancel_futures=True)
                raise

    @staticmethod
    def _enqueue(backlog: dict[str, deque[Read]], reads: Iterable[Read]) -> None:
        for read in reads:
            backlog.setdefault(read.region, deque()).append(read)

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        backlog: dict[str, deque[Read]],
        running: Counter[str],
        in_flight: dict[Future[Any], Read],
    ) -> None:
        # Round-robin over the regions, so that one large region cannot take
        # every worker while the others wait.
        submitted = True
        while submitted:
            submitted = False
            for region, queue in backlog.items():
                if queue and running[region] < self._limits.per_region:
                    read = queue.popleft()
                    in_flight[executor.submit(self._perform, read)] = read
                    running[region] += 1
                    submitted = True

    def _perform(self, read: Read) -> Any:
        try:
            return read.fetch(self._client(read.region))
        except READ_FAILURES as exc:
            return _Failed(exc)

    def _client(self, region: str) -> Any:
        client = self._clients.get(region)
        if client is not None:
            return client
        with self._region_lock(region):
            client = self._clients.get(region)
            if client is None:
                client = self._target.client("ec2", region, session=self._session())
                self._clients[region] = client
        return client

    def _region_lock(self, region: str) -> threading.Lock:
        with self._locks_lock:
            return self._client_locks.setdefault(region, threading.Lock())

    def _session(self) -> boto3.session.Session:
        session: boto3.session.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._target.session()
            self._local.session = session
        return session


@dataclass(frozen=True)
class _Failed:
    """A read that raised an AWS error (kept apart from values a read returns)."""

    error: BaseException


def _outcome(future: Future[Any]) -> Any:
    result = future.result()
    return result.error if isinstance(result, _Failed) else result
