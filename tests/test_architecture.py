"""The floors of `icp` (docs/architecture.md): no import cycle between its top-level packages.

The import graph is read by grimp (the library import-linter is built on) from the source as it is,
imports inside functions and under TYPE_CHECKING included: a cycle is a cycle however it is spelled.
import-linter's layers contract (pyproject.toml) says which way the arrows point; this test says
that, whatever the layers list, no two top-level packages reach each other.
"""

from __future__ import annotations

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("icp", cache_dir=None)


def package_edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """Which top-level package imports which, directly (a module of one imports a module of the other)."""
    top = sorted(module for module in graph.modules if module.count(".") == 1)
    return {
        importer: {
            imported
            for imported in top
            if imported != importer
            and graph.direct_import_exists(importer=importer, imported=imported, as_packages=True)
        }
        for importer in top
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_cycle_finder_finds_a_cycle_of_three_and_ignores_a_chain() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_between_the_top_level_packages(graph: grimp.ImportGraph) -> None:
    edges = package_edges(graph)
    found = cycles(edges)
    explained = []
    for group in found:
        for importer in group:
            for imported in sorted(edges[importer] & set(group)):
                chain = graph.find_shortest_chain(importer=importer, imported=imported, as_packages=True)
                explained.append(f"{importer} -> {imported}: {' -> '.join(chain or ())}")
    assert found == [], "import cycles between top-level packages:\n" + "\n".join(explained)
