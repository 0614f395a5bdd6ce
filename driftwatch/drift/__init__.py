"""Exact, quiet drift between an approved baseline and a current snapshot.

``compute(baseline, current, ignore=..., today=...)`` returns a ``DriftResult``:
the changes (``driftwatch.changes.Change``, sorted by account, region, type,
id, part), the scopes that could not be compared, the changes that ignore
rules suppressed and the rules that have expired.
"""

from __future__ import annotations

from driftwatch.drift.compare import compute
from driftwatch.drift.ignore import IgnoreRule, IgnoreRules
from driftwatch.drift.ignore import load as load_ignore
from driftwatch.drift.model import DriftResult, IgnoredChange, Unknown
from driftwatch.drift.severity import KINDS, Kind

__all__ = [
    "KINDS",
    "DriftResult",
    "IgnoreRule",
    "IgnoreRules",
    "IgnoredChange",
    "Kind",
    "Unknown",
    "compute",
    "load_ignore",
]
