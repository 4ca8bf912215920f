"""The module graph: imports point down the pipeline, never in a loop.

Every ``import`` statement in ``fastlr/`` counts, function-level ones included. Package
``__init__`` modules are left out (they only re-export), and so is the one narrow upward hook
DESIGN.md allows: a spec's ``.plot()`` reaching the matplotlib face.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / "fastlr"
HOOKS = {("fastlr._spec", "fastlr.plot")}


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        out[".".join(parts)] = path
    return out


def _edges(mods: dict[str, pathlib.Path]) -> dict[str, set[str]]:
    """``{module: {modules it imports}}`` over fastlr's own non-package modules."""
    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        if path.name == "__init__.py":
            continue
        pkg = name.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(pkg.split(".")[: len(pkg.split(".")) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for t in targets:
                while t and t not in mods:
                    t = t.rsplit(".", 1)[0] if "." in t else ""
                if t and t != name and mods[t].name != "__init__.py" and (name, t) not in HOOKS:
                    found.add(t)
        edges[name] = found
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_loops():
    assert _cycles(_edges(_modules())) == []


def test_the_loop_check_sees_function_level_imports(tmp_path):
    """Control: a loop through a function-level import is found."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]
    found = _edges(_modules())
    assert "fastlr.evaluate" in found["fastlr._spec"]  # Schedulable.table: a function-level import


def test_lower_layers_do_not_import_faces():
    """Lowering, evaluation and the kernels import no face (CLI, plots, torch, Dask, presets)."""
    edges = _edges(_modules())
    faces = ("fastlr.cli", "fastlr.plot", "fastlr.inspect", "fastlr.torch", "fastlr.dask", "fastlr.presets")
    low = [
        m
        for m in edges
        if m.startswith(("fastlr.lowering", "fastlr.kernels")) or m in ("fastlr.evaluate", "fastlr._gpu")
    ]
    for m in low:
        bad = sorted(t for t in edges[m] if t.startswith(faces) or t == "fastlr.sweeps")
        assert not bad, f"{m} imports {bad}"
    for m in (m for m in edges if m.startswith("fastlr.kernels")):
        outside = sorted(t for t in edges[m] if not t.startswith("fastlr.kernels"))
        assert not outside, f"{m} imports {outside}"
