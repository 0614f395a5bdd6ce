"""Internet reachability of an estate: exact exposures, latent ones, and deltas.

``exposures(snapshot)`` evaluates every network interface of a snapshot over
its reachability graph (``graph``) with exact interval and prefix arithmetic
(``intervals``, ``region``); ``delta(baseline_report, current_report,
changes)`` says what opened and closed since a baseline and which drift did it.
"""

from __future__ import annotations

from driftwatch.drift.model import Unknown
from driftwatch.reach.delta import delta
from driftwatch.reach.exposure import REQUIRED_TYPES, exposures
from driftwatch.reach.model import (
    Delta,
    Exposure,
    ExposureReport,
    Latent,
    PathStep,
)

__all__ = [
    "REQUIRED_TYPES",
    "Delta",
    "Exposure",
    "ExposureReport",
    "Latent",
    "PathStep",
    "Unknown",
    "delta",
    "exposures",
]
