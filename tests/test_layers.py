"""The layers import downward only, and the import graph has no cycle.

Read from the source (an AST walk, so an import inside a function counts as much as one at the
top; one under `if TYPE_CHECKING:` is never run and does not count): checks are pure functions of Facts and import neither the host layer, provision nor the
CLI; provision imports no check; gather imports no check and no provision step; the host layer
imports no parser and not gather. Between modules, and between packages (host/, parse/,
checks/, provision/, render/, fleet/ each taken as one), no import leads back to where it started.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = (("src/dldoctor", "dldoctor"), ("checks", "dldoctor.checks"),
           ("provision", "dldoctor.provision"))
PACKAGES = ("dldoctor.host", "dldoctor.parse", "dldoctor.checks", "dldoctor.provision",
            "dldoctor.render", "dldoctor.fleet")

Graph = Dict[str, Set[str]]


def _modules() -> Dict[str, Path]:
    out: Dict[str, Path] = {}
    for base, package in SOURCES:
        for path in sorted((REPO / base).rglob("*.py")):
            parts = list(path.relative_to(REPO / base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join([package] + parts)] = path
    return out


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of `tree` except what stands under `if TYPE_CHECKING:` (never imported)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
            for other in node.orelse:
                yield other
                yield from _nodes(other)
            continue
        yield node
        yield from _nodes(node)


def _imports(name: str, path: Path, known: Set[str]) -> Iterator[str]:
    """The project modules `name` imports, wherever the import statement stands (a function
    body included), except for type checkers only."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                sub = base + "." + alias.name
                yield sub if sub in known else base


def import_graph() -> Graph:
    mods = _modules()
    known = set(mods)
    return {m: {i for i in _imports(m, p, known) if i in known and i != m} for m, p in mods.items()}


MODULES = import_graph()


def package_of(module: str) -> str:
    for p in PACKAGES:
        if module == p or module.startswith(p + "."):
            return p
    return module


def collapse(graph: Graph) -> Graph:
    out: Graph = {}
    for m, deps in graph.items():
        out.setdefault(package_of(m), set()).update(
            package_of(d) for d in deps if package_of(d) != package_of(m))
    return out


def find_cycle(graph: Graph) -> Optional[List[str]]:
    """One cycle of `graph` as [a, b, ..., a], or None."""
    state: Dict[str, int] = {}          # 1: on the current path, 2: done
    path: List[str] = []

    def visit(node: str) -> Optional[List[str]]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _under(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _is_cli(module: str) -> bool:
    return module in ("dldoctor.main", "dldoctor.cli") or module.startswith(("dldoctor.cli_",
                                                                              "dldoctor.cli."))


RULES = (
    ("checks import neither host, provision nor the CLI",
     lambda m: _under(m, "dldoctor.checks"),
     lambda i: _under(i, "dldoctor.host", "dldoctor.provision") or _is_cli(i)),
    ("provision imports no check",
     lambda m: _under(m, "dldoctor.provision"), lambda i: _under(i, "dldoctor.checks")),
    ("gather imports no check and no provision step",
     lambda m: m == "dldoctor.gather", lambda i: _under(i, "dldoctor.checks", "dldoctor.provision")),
    ("the host layer imports no parser and not gather",
     lambda m: _under(m, "dldoctor.host"), lambda i: _under(i, "dldoctor.parse") or i == "dldoctor.gather"),
)


@pytest.mark.parametrize("rule", RULES, ids=[r[0] for r in RULES])
def test_layer_rule(rule):
    what, importer, forbidden = rule
    bad = sorted("%s imports %s" % (m, i) for m, deps in MODULES.items()
                 if importer(m) for i in deps if forbidden(i))
    assert not bad, what + ":\n" + "\n".join(bad)


def test_no_import_cycle_between_modules():
    cycle = find_cycle(MODULES)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_no_import_cycle_between_packages():
    cycle = find_cycle(collapse(MODULES))
    assert cycle is None, "import cycle between packages: " + " -> ".join(cycle or ())


def test_the_walk_sees_imports_inside_functions_and_finds_cycles():
    assert "dldoctor.mirror_probe" in MODULES["dldoctor.gather"]     # imported inside a function
    assert "dldoctor.checks" in MODULES["dldoctor.diagnose"]
    assert "dldoctor.parse.dpkg" not in MODULES["dldoctor.facts"]      # if TYPE_CHECKING: only
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
    assert collapse({"dldoctor.host.live": {"dldoctor.parse.lsmod"}}) == {
        "dldoctor.host": {"dldoctor.parse"}}
