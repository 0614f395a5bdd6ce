"""Benchmark: ``revert --plan`` on 100,000 resources with 1% changed.

Uses the generated estate of ``benchmarks/diff.py`` (security groups, route
tables, interfaces, subnets, network ACLs; 1% modified, removed or added) and
times, side by side, best of three:

- the reference runs: ``drift.compute`` of the pair, which a plan needs first,
  and ``json.dumps`` of every baseline resource, the least a search of the
  whole estate for references to deleted or new resources can cost;
- ``plan_revert`` of the pair, linking every step to those changes (no AWS
  reads: the association lookups are left to the apply);
- rendering the plan as JSON and as the runbook.

It also checks that every change is linked to a step or a manual item. The goals:
planning at most 2x the two references together, and linear growth:
time(N) / time(N/4) at most 5.

Usage: ``python benchmarks/revert.py [--resources N]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from diff import estate  # the generator of benchmarks/diff.py

from driftwatch import drift
from driftwatch.report.plan import render
from driftwatch.revert.planner import plan_revert
from driftwatch.revert.steps import Plan, SnapshotRef

REF = SnapshotRef("bench", "0" * 64)


def _best(function: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def _measure(count: int) -> dict[str, Any]:
    baseline, current, _ = estate(count)
    drift_time, result = _best(lambda: drift.compute(baseline, current))
    dumps_time, _ = _best(
        lambda: [json.dumps(r.properties) for r in baseline.resources]
    )

    def planned() -> Plan:
        return plan_revert(
            baseline, current, baseline_ref=REF, current_ref=REF, drift=result
        )

    plan_time, plan = _best(planned)
    json_time, _ = _best(lambda: render("json", plan))
    text_time, _ = _best(lambda: render("text", plan))
    linked = {cid for step in plan.steps for cid in step.change_ids}
    linked |= {cid for item in plan.manual for cid in item.change_ids}
    unlinked = {c.change_id for c in result.changes} - linked
    return {
        "resources": count,
        "changes": len(result.changes),
        "steps": len(plan.steps),
        "manual": len(plan.manual),
        "unlinked": len(unlinked),
        "drift": drift_time,
        "dumps": dumps_time,
        "plan": plan_time,
        "json": json_time,
        "text": text_time,
    }


def _ratio(row: dict[str, Any]) -> float:
    return float(row["plan"] / (row["drift"] + row["dumps"]))


def main() -> int:
    """Run the benchmark and print its figures; exit 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    args = parser.parse_args()
    quarter = _measure(args.resources // 4)
    full = _measure(args.resources)
    print(
        f"{'resources':>10} {'changes':>8} {'steps':>6} {'manual':>6} "
        f"{'drift s':>8} {'dumps s':>8} {'plan s':>8} {'ratio':>6} "
        f"{'json s':>7} {'text s':>7}"
    )
    for row in (quarter, full):
        print(
            f"{row['resources']:>10} {row['changes']:>8} {row['steps']:>6} "
            f"{row['manual']:>6} {row['drift']:>8.2f} {row['dumps']:>8.2f} "
            f"{row['plan']:>8.2f} {_ratio(row):>6.2f} {row['json']:>7.2f} "
            f"{row['text']:>7.2f}"
        )
    print("ratio = plan / (drift + dumps)")
    growth = full["plan"] / quarter["plan"]
    print(f"plan time {args.resources} / {args.resources // 4}: {growth:.2f}")
    print(f"changes linked to nothing: {full['unlinked']}")
    ok = _ratio(full) <= 2 and growth <= 5 and full["unlinked"] == 0
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
