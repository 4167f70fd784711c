"""The package's shape holds: no import loop between econsec's modules (imports inside
functions count: they only postpone the loop), no module importing the package that
contains it, and no code outside `econsec/store/` asking which backend it has."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support.paths import ROOT

PACKAGE = ROOT / "econsec"


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(name: str) -> set[str]:
    """The econsec modules `name` imports, anywhere in its text."""
    path = MODULES[name]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {other for other in found if other in MODULES and other != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def loops() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(GRAPH[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return groups


def test_no_import_loop() -> None:
    assert loops() == []


def test_no_module_imports_the_package_that_contains_it() -> None:
    upward = [(name, other) for name, others in GRAPH.items() for other in others]
    assert [pair for pair in upward if pair[0].startswith(pair[1] + ".")] == []


def test_only_the_store_asks_which_backend_it_has() -> None:
    asks = re.compile(r"isinstance\([^)]*(Elastic|Embedded)\w*\)|\bbackend\s*==")
    outside = [
        f"{path.relative_to(ROOT)}:{number}"
        for name, path in MODULES.items()
        if not name.startswith("econsec.store")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if asks.search(line)
    ]
    assert outside == []


def test_the_checks_see_the_package() -> None:
    """Guards the guards: an import the checks cannot see would make them pass vacuously."""
    assert len(MODULES) > 40
    assert "econsec.cli.common" in GRAPH["econsec.cli.main"]
    assert "econsec.store.embedded.store" in GRAPH["econsec.store.backend"]
