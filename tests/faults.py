"""AWS errors injected into real boto3 clients, before moto gets to answer.

``FaultyTarget`` is an ``AwsTarget`` whose EC2 clients answer chosen
operations in chosen regions with an AWS error response, at the HTTP layer
(``before-send``), so botocore parses it and its retry logic runs exactly as
it would against AWS. Every injected answer is counted.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from botocore.awsrequest import AWSResponse

from driftwatch.aws import AwsTarget

ERROR_XML = (
    "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
    "</Error></Errors><RequestID>injected-by-test</RequestID></Response>"
)


@dataclass(frozen=True)
class Fault:
    """Answer ``operations`` (all, when empty) in ``region`` with an AWS error."""

    region: str
    code: str
    status: int
    operations: frozenset[str] = frozenset()
    message: str = "Injected by the test."


class _Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._content


@dataclass
class Answered:
    """How many times each (region, operation) got an injected error."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, region: str, operation: str) -> None:
        with self.lock:
            self.counts[(region, operation)] += 1


@dataclass(frozen=True)
class FaultyTarget(AwsTarget):
    """An AwsTarget whose EC2 clients carry the given faults."""

    faults: tuple[Fault, ...] = ()
    answered: Answered = field(default_factory=Answered, compare=False, hash=False)

    def client(self, service: str, region: str, session: Any = None) -> Any:
        client = super().client(service, region, session)
        for fault in self.faults:
            if service == "ec2" and fault.region == region:
                handler = partial(_answer, fault, self.answered)
                client.meta.events.register_first("before-send.ec2", handler)
        return client


def _answer(
    fault: Fault, answered: Answered, event_name: str, request: Any, **_: Any
) -> AWSResponse | None:
    operation = event_name.rsplit(".", 1)[-1]
    if fault.operations and operation not in fault.operations:
        return None
    answered.note(fault.region, operation)
    body = ERROR_XML.format(code=fault.code, message=fault.message).encode()
    return AWSResponse(request.url, fault.status, {}, _Body(body))
