"""Fixtures of the revert tests: the small estate and its baseline on moto."""

from __future__ import annotations

from typing import Any

import pytest

from driftwatch.revert.live import LiveReader
from driftwatch.snapshot import Snapshot
from tests.revert import helpers
from tests.revert.network import Small, build_small


@pytest.fixture
def small(ec2: Any) -> Small:
    """The small estate on in-process moto."""
    return build_small(ec2)


@pytest.fixture
def baseline(ec2: Any, small: Small) -> Snapshot:
    """A snapshot of the small estate as it was built: the approved state."""
    return helpers.snapshot(ec2, "baseline")


@pytest.fixture
def reader(ec2: Any) -> LiveReader:
    """A live reader on in-process moto."""
    return LiveReader(helpers.TARGET)
