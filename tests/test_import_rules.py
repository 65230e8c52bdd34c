"""The direction of imports between the packages (docs/architecture.md), checked by parsing every module.

Every rule is a function over a source tree, run on the real tree and on a small tree written to break it
(so each rule is shown to fail when it should).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "audio2face": {"maya", "Qt", "PySide2", "PySide6", "tensorflow", "keras", "audio2face_maya", "audio2face_trainer"},
    "audio2face_trainer": {"maya", "Qt", "PySide2", "PySide6", "audio2face_maya"},
    "audio2face_maya": {"tensorflow", "keras", "audio2face_trainer", "PySide2", "PySide6", "Qt"},
}
QT_BINDINGS = {"PySide2", "PySide6", "PyQt5", "PyQt6"}
PANEL_IMPORTERS = {"shelf.py", "userSetup.py", "menu.py"}
"""Modules outside the panel allowed to import it (and the plug-in, for its menu)."""


def _ours(root: Path, paths) -> List[Path]:
    """Our own modules: the vendored third-party code is not held to our rules."""
    vendor = root / "scripts" / "audio2face_maya" / "vendor"
    return sorted(p for p in paths if vendor not in p.parents)


def module_name(root: Path, path: Path) -> str:
    """Dotted module name of a file under ``scripts/`` (or ``maya_plugin/``)."""
    base = root / "scripts" if (root / "scripts") in path.parents else path.parent
    parts = list(path.relative_to(base).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(root: Path, path: Path) -> Iterator[Tuple[str, int]]:
    """Every module ``path`` imports, anywhere in it (function bodies too), relative imports made absolute."""
    name = module_name(root, path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module, node.lineno
            for alias in node.names:  # "from . import keying" imports the module keying
                yield f"{module}.{alias.name}", node.lineno


def all_modules(root: Path) -> List[Path]:
    return _ours(root, list((root / "scripts").rglob("*.py")) + list((root / "maya_plugin").rglob("*.py")))


def forbidden_imports(root: Path) -> List[str]:
    """Package -> top-level names it must never import (``FORBIDDEN``)."""
    bad: Set[str] = set()
    for package, forbidden in FORBIDDEN.items():
        for path in _ours(root, (root / "scripts" / package).rglob("*.py")):
            for name, line in imports(root, path):
                if name.split(".")[0] in forbidden:
                    bad.add(f"{path.relative_to(root)}:{line} imports {name}")
    return sorted(bad)


def panel_imports(root: Path) -> List[str]:
    """Only the panel itself, the shelf, the user setup and the plug-in import ``audio2face_maya.ui``."""
    bad = []
    for path in all_modules(root):
        rel = path.relative_to(root)
        if "ui" in rel.parts or path.name in PANEL_IMPORTERS or "maya_plugin" in rel.parts:
            continue
        for name, line in imports(root, path):
            if name == "audio2face_maya.ui" or name.startswith("audio2face_maya.ui."):
                bad.append(f"{rel}:{line} imports {name}")
    return bad


def qt_binding_imports(root: Path) -> List[str]:
    """Qt only through the vendored shim, never a binding directly."""
    return [f"{p.relative_to(root)}:{line} imports {name}" for p in all_modules(root)
            for name, line in imports(root, p) if name.split(".")[0] in QT_BINDINGS]


def import_cycles(root: Path) -> List[List[str]]:
    """Groups of our modules that import each other, directly or around a circle (any import, lazy too)."""
    paths = [p for p in all_modules(root) if (root / "scripts") in p.parents]
    names = {module_name(root, p): p for p in paths}
    graph: Dict[str, Set[str]] = {}
    for name, path in names.items():
        deps = set()
        for imported, _ in imports(root, path):
            while imported and imported not in names:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                deps.add(imported)  # a module importing its own package's __init__ is not a circle
        graph[name] = deps
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    cycles: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def unsafe_calls(root: Path) -> List[str]:
    bad = []
    for path in _ours(root, (root / "scripts").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in ("allow_pickle=True", "shell=True", "pickle.load", " eval("):
            if needle in text:
                bad.append(f"{path.relative_to(root)}: {needle}")
    return bad


RULES = {
    "forbidden": forbidden_imports,
    "panel": panel_imports,
    "qt": qt_binding_imports,
    "cycles": import_cycles,
    "unsafe": unsafe_calls,
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_house_keeps_the_rule(rule):
    found = RULES[rule](ROOT)
    assert not found, "\n".join(map(str, found))


BREAKING = {
    "forbidden": {
        "scripts/audio2face/__init__.py": "",
        "scripts/audio2face/post.py": "def f():\n    import maya.cmds\n",
        "scripts/audio2face_maya/__init__.py": "",
        "scripts/audio2face_maya/train.py": "import audio2face_trainer.loop\n",
        "scripts/audio2face_trainer/__init__.py": "from audio2face_maya import host\n",
    },
    "panel": {
        "scripts/audio2face_maya/__init__.py": "",
        "scripts/audio2face_maya/keying.py": "from .ui import panel\n",
        "scripts/audio2face_maya/ui/__init__.py": "",
        "scripts/audio2face_maya/ui/panel.py": "",
    },
    "qt": {"scripts/audio2face_maya/__init__.py": "", "scripts/audio2face_maya/ui.py": "from PySide6 import QtCore\n"},
    "cycles": {
        "scripts/audio2face/__init__.py": "",
        "scripts/audio2face/qc.py": "def f():\n    from .qc_plot import g\n",
        "scripts/audio2face/qc_plot.py": "from . import qc\n",
    },
    "unsafe": {"scripts/audio2face/x.py": "import numpy\nnumpy.load('a', allow_pickle=True)\n"},
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_fails_on_a_tree_that_breaks_it(rule, tmp_path):
    for relative, text in BREAKING[rule].items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "maya_plugin").mkdir(exist_ok=True)
    found = RULES[rule](tmp_path)
    assert found, f"the {rule} rule did not notice the break"
    if rule == "forbidden":
        assert len({f.split(":")[0] for f in found}) == 3, found  # each package: the core, the adapter, the trainer
