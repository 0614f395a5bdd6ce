"""Concurrent reads of every tracked resource type in every selected region.

PLACEHOLDER while the collector is being written: ``collect`` raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from driftwatch.aws import AwsTarget
from driftwatch.snapshot import Snapshot

ProgressCallback = Callable[[str, str, int, int], None]


def collect(
    target: AwsTarget,
    regions: Sequence[str],
    *,
    label: str | None = None,
    progress: ProgressCallback | None = None,
) -> Snapshot:
    """Read every tracked type in ``regions`` (empty: all enabled) into a snapshot."""
    raise NotImplementedError("the collector is not written yet")
