"""The ordering rule, as properties over random dependency graphs."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftwatch.errors import DriftwatchError
from driftwatch.revert.operations import OPERATIONS
from driftwatch.revert.order import dependency_graph, order
from driftwatch.revert.rules.base import Draft
from driftwatch.revert.steps import NOTHING, Frozen, PartCheck, Precondition, RevertStep

NAMES = sorted(name for name, entry in OPERATIONS.items() if entry.automatic)


def _draft(index: int, name: str, closes: bool, **hints: Any) -> Draft:
    check = PartCheck("AWS::EC2::VPC", f"vpc-{index}", "", NOTHING, NOTHING)
    step = RevertStep(
        "123456789012",
        "us-east-1",
        name,
        Frozen.of({"n": index}),
        f"step {index}",
        Precondition((check,)),
        closes_exposure=closes,
    )
    return Draft(step=step, **hints)


@st.composite
def acyclic_drafts(draw: st.DrawFn) -> list[Draft]:
    """Drafts whose dependencies only ever point from a lower index to a higher one."""
    count = draw(st.integers(min_value=1, max_value=12))
    drafts = []
    for index in range(count):
        later = list(range(index + 1, count))
        earlier = list(range(index))
        references = (
            draw(st.sets(st.sampled_from(later), max_size=3)) if later else set()
        )
        needs = (
            draw(st.sets(st.sampled_from(earlier), max_size=3)) if earlier else set()
        )
        drafts.append(
            _draft(
                index,
                draw(st.sampled_from(NAMES)),
                draw(st.booleans()),
                deletes=f"r{index}" if draw(st.booleans()) else None,
                references=frozenset(f"r{j}" for j in references),
                provides=frozenset({f"t{index}"}),
                needs=frozenset(f"t{j}" for j in needs),
            )
        )
    return drafts


@settings(max_examples=300, deadline=None)
@given(acyclic_drafts())
def test_order_keeps_every_dependency_and_puts_containment_first(
    drafts: list[Draft],
) -> None:
    graph = dependency_graph(drafts)
    ordered = order(drafts)
    position = {d.step.params.text: n for n, d in enumerate(ordered)}
    index_of = {d.step.params.text: i for i, d in enumerate(drafts)}

    assert sorted(position) == sorted(index_of)
    for before, after in graph.edges:
        assert (
            position[drafts[before].step.params.text]
            < position[drafts[after].step.params.text]
        )
    flags = [d.step.closes_exposure for d in ordered]
    assert flags == sorted(flags, reverse=True)
    containment = {i for i, d in enumerate(drafts) if d.step.closes_exposure}
    needed = containment | {a for i in containment for a in nx.ancestors(graph, i)}
    assert {
        index_of[d.step.params.text] for d in ordered if d.step.closes_exposure
    } == needed
    assert order(drafts) == ordered


def test_a_deletion_comes_after_every_step_that_names_what_it_deletes() -> None:
    detach = _draft(
        0, "detach_internet_gateway", False, references=frozenset({"igw-1"})
    )
    delete = _draft(1, "delete_internet_gateway", False, deletes="igw-1")

    assert [d.step.operation for d in order([delete, detach])] == [
        "detach_internet_gateway",
        "delete_internet_gateway",
    ]


def test_containment_dependencies_are_marked_and_say_why() -> None:
    authorize = _draft(
        0, "authorize_security_group_ingress", False, provides=frozenset({"a"})
    )
    revoke = _draft(1, "revoke_security_group_ingress", True, needs=frozenset({"a"}))
    unrelated = _draft(2, "create_tags", False)

    ordered = order([unrelated, revoke, authorize])

    assert [d.step.operation for d in ordered] == [
        "authorize_security_group_ingress",
        "revoke_security_group_ingress",
        "create_tags",
    ]
    assert ordered[0].step.closes_exposure
    assert "needs it first" in ordered[0].step.reason
    assert not ordered[2].step.closes_exposure


def test_ties_go_attach_then_restore_then_remove_then_delete() -> None:
    drafts = [
        _draft(0, "delete_vpc", False),
        _draft(1, "revoke_security_group_ingress", False),
        _draft(2, "create_route", False),
        _draft(3, "attach_internet_gateway", False),
    ]

    assert [d.step.operation for d in order(drafts)] == [
        "attach_internet_gateway",
        "create_route",
        "revoke_security_group_ingress",
        "delete_vpc",
    ]


def test_contradicting_dependencies_are_reported_not_guessed() -> None:
    one = _draft(
        0, "create_route", False, provides=frozenset({"x"}), needs=frozenset({"y"})
    )
    two = _draft(
        1, "delete_route", False, provides=frozenset({"y"}), needs=frozenset({"x"})
    )

    with pytest.raises(DriftwatchError, match="cycle"):
        order([one, two])
