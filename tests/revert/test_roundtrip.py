"""Round trip: random unauthorized changes, plan, apply, and no drift is left.

Each case makes one to three incidents (``incidents``) on the small estate,
plans the revert from a fresh snapshot, sends the plan through its JSON file
format, checks and applies it on in-process moto, and takes a new snapshot:
the only drift allowed to remain is what the plan listed as manual (plus the
documented moto leftovers of ``quirks``). Every step must be applied and
verified, and a check of the same plan afterwards must find every step
already converged.

The cases come from a seeded generator rather than hypothesis: they share one
estate (it is back at its baseline after every good case, which is what makes
a case cheap), and shrinking across shared state would not replay. The seed
and the incidents of a failing case are in its message.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws

from driftwatch.revert.apply import Applier
from driftwatch.revert.live import LiveReader
from tests.revert import helpers, incidents
from tests.revert.network import build_small
from tests.revert.quirks import is_moto_leftover

CASES = int(os.environ.get("DRIFTWATCH_ROUNDTRIP_CASES", "100"))
RARE = 0.25  # weight of the incidents that force a fresh estate afterwards
TIMINGS: dict[str, tuple[int, float]] = {}


def _pick(rng: random.Random, pool: Sequence[incidents.Incident]) -> list[Any]:
    weights = [RARE if i in incidents.FRESH_ESTATE_AFTER else 1.0 for i in pool]
    return rng.choices(pool, weights=weights, k=rng.randint(1, 3))


def _run_cases(
    seed: int, count: int, pool: Sequence[incidents.Incident], tmp: Path
) -> int:
    """Run ``count`` cases; return how many needed a fresh estate afterwards."""
    rng = random.Random(seed)
    fresh = 0
    with mock_aws() as mock:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        net, baseline = _estate(ec2)
        reader = LiveReader(helpers.TARGET)
        for case in range(count):
            done = _make_incidents(ec2, net, rng, pool)
            label = f"seed {seed} case {case}: {done}"
            trip = helpers.round_trip(ec2, baseline, tmp, reader)
            _assert_converged(ec2, trip, label, reader)
            if trip.left:
                fresh += 1
                mock.reset()
                ec2 = boto3.client("ec2", region_name="us-east-1")
                net, baseline = _estate(ec2)
                reader = LiveReader(helpers.TARGET)
    return fresh


def _estate(ec2: Any) -> tuple[Any, Any]:
    net = build_small(ec2)
    return net, helpers.snapshot(ec2, "baseline")


def _make_incidents(
    ec2: Any, net: Any, rng: random.Random, pool: Sequence[incidents.Incident]
) -> list[str]:
    done = []
    for incident in _pick(rng, pool):
        try:
            done.append(incident(ec2, net, rng))
        except (ClientError, LookupError, StopIteration):
            done.append(f"({incident.__name__} did not fit)")
    return done


def _assert_converged(ec2: Any, trip: helpers.Trip, label: str, reader: Any) -> None:
    failed = [
        f"{o.number} {o.step.operation}: {o.status} {o.detail}"
        for o in trip.report.outcomes
        if not o.ok
    ]
    assert not failed, f"{label}: steps failed: {failed}"
    unexplained = [
        f"{c.resource_id} {c.part}: {c.summary}"
        for c in trip.left
        if c.change_id not in trip.manual_ids
        and not is_moto_leftover(ec2, c, trip.after)
    ]
    assert not unexplained, (
        f"{label}: drift left that the plan did not list: {unexplained}"
    )
    again = Applier(trip.plan, helpers.TARGET, helpers.OPTIONS, reader=reader).check()
    not_converged = [
        o.step.operation for o in again.outcomes if o.status != "converged"
    ]
    assert not not_converged, f"{label}: a second apply would act: {not_converged}"


def _timed(
    name: str, seed: int, count: int, pool: Sequence[incidents.Incident], tmp: Path
) -> None:
    start = time.perf_counter()
    _run_cases(seed, count, pool, tmp)
    TIMINGS[name] = (count, time.perf_counter() - start)
    print(f"round trip {name}: {count} cases in {TIMINGS[name][1]:.1f}s")


def test_round_trip_of_security_group_and_acl_incidents_leaves_no_drift(
    tmp_path: Path,
) -> None:
    _timed("rules", 11, CASES, incidents.RULES, tmp_path)


def test_round_trip_of_routing_and_address_incidents_leaves_no_drift(
    tmp_path: Path,
) -> None:
    _timed("routing", 23, CASES, incidents.ROUTING, tmp_path)


def test_round_trip_of_mixed_incidents_including_new_resources_leaves_no_drift(
    tmp_path: Path,
) -> None:
    _timed("mixed", 37, CASES, incidents.ALL, tmp_path)
