"""The order of a revert plan: containment first, then dependencies first.

The rule, in full:

1. Dependencies. Step B comes after step A when
   - B deletes a resource that A names (detach before delete: every step that
     touches a resource created since the baseline runs before the step that
     deletes it), or
   - A provides a token that B needs: a gateway is re-attached before routes
     point at it; the baseline's security group rules are authorized before
     the rules it lacks are revoked; DNS support is turned on before DNS
     hostnames, and hostnames off before support; addresses are unmapped
     before a gateway is detached; a NAT gateway is gone before its address is
     released; a re-created resource exists before anything refers to it.
2. Containment. Every step that closes an internet exposure (it undoes a
   change whose ``opens_internet_path`` is set: revoking a world-open rule,
   routing away from an internet gateway, disassociating an Elastic IP,
   re-tightening an ACL) comes before every step that does not, except that a
   step a containment step depends on is containment too (it has to run
   first; putting the baseline's rule back just before revoking the open one
   keeps legitimate traffic flowing). Such a step is marked
   ``closes_exposure`` in the plan as well, and its reason says why.
3. Ties are broken by the kind of operation (attach and associate, then
   create, replace and modify, then revoke, delete parts and detach, then
   delete whole resources; see ``operations``) and then by the order in which
   the rules produced the steps, so the same drift always gives the same plan.

The steps are sorted with a lexicographical topological sort over this graph;
a cycle means two rules contradict each other and is reported as an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import networkx as nx

from driftwatch.errors import DriftwatchError
from driftwatch.revert.operations import operation
from driftwatch.revert.rules.base import Draft

CONTAINMENT = 0
REST = 1


def dependency_graph(drafts: Sequence[Draft]) -> nx.DiGraph:
    """Edges from each draft to the drafts that must come after it."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(drafts)))
    providers: dict[str, list[int]] = {}
    for index, item in enumerate(drafts):
        for token in item.provides:
            providers.setdefault(token, []).append(index)
    for index, item in enumerate(drafts):
        for token in item.needs:
            for provider in providers.get(token, []):
                if provider != index:
                    graph.add_edge(provider, index)
        if item.deletes is None:
            continue
        for other, candidate in enumerate(drafts):
            touches = item.deletes in candidate.references
            if other != index and touches and candidate.deletes != item.deletes:
                graph.add_edge(other, index)
    return graph


def tiers(drafts: Sequence[Draft], graph: nx.DiGraph) -> list[int]:
    """Containment for exposure-closing steps and everything they depend on."""
    tier = [CONTAINMENT if d.step.closes_exposure else REST for d in drafts]
    for index, item in enumerate(drafts):
        if item.step.closes_exposure:
            for ancestor in nx.ancestors(graph, index):
                tier[ancestor] = CONTAINMENT
    return tier


def order(drafts: Sequence[Draft]) -> list[Draft]:
    """The drafts in plan order (see the module docstring for the rule).

    Raises:
        DriftwatchError: the dependencies form a cycle.
    """
    graph = dependency_graph(drafts)
    tier = tiers(drafts, graph)

    def sort_key(index: int) -> tuple[int, int, int]:
        return (tier[index], operation(drafts[index].step.operation).rank, index)

    try:
        ordered = list(nx.lexicographical_topological_sort(graph, key=sort_key))
    except nx.NetworkXUnfeasible as exc:
        cycle = [drafts[i].step.operation for i, _ in nx.find_cycle(graph)]
        raise DriftwatchError(
            "The revert steps depend on each other in a cycle "
            f"({' -> '.join(cycle)}); this is a driftwatch bug: report it with "
            "the baseline and current snapshots."
        ) from exc
    return [_marked(drafts[index], tier[index]) for index in ordered]


def _marked(item: Draft, tier: int) -> Draft:
    """A dependency of containment is containment too, and the plan says so."""
    if tier != CONTAINMENT or item.step.closes_exposure:
        return item
    reason = (
        f"{item.step.reason} It runs with the containment steps: one that closes "
        "internet exposure needs it first."
    )
    return replace(item, step=replace(item.step, closes_exposure=True, reason=reason))
