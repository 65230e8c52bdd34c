"""The direction of imports between the packages (docs/architecture.md), checked by parsing every module."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"

FORBIDDEN = {
    "audio2face": {"maya", "Qt", "PySide2", "PySide6", "tensorflow", "keras", "audio2face_maya", "audio2face_trainer"},
    "audio2face_trainer": {"maya", "Qt", "PySide2", "PySide6", "audio2face_maya"},
    "audio2face_maya": {"tensorflow", "keras", "audio2face_trainer", "PySide2", "PySide6", "Qt"},
}


def _imports(path: Path) -> Iterator[Tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


VENDOR = SCRIPTS / "audio2face_maya" / "vendor"


def _ours(paths) -> list:
    """Our own modules: the vendored third-party code is not held to our rules."""
    return sorted(p for p in paths if VENDOR not in p.parents)


def _modules(package: str) -> list:
    return _ours((SCRIPTS / package).rglob("*.py")) if (SCRIPTS / package).is_dir() else []


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_never_imports_what_it_must_not(package: str) -> None:
    bad: Set[str] = set()
    for path in _modules(package):
        for name, line in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[package]:
                if package == "audio2face_maya" and top == "audio2face_trainer":
                    continue
                bad.add(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not bad, "\n".join(sorted(bad))


def test_only_the_shelf_and_plugin_import_the_panel() -> None:
    allowed = {"shelf.py", "userSetup.py", "menu.py"}
    bad = []
    for path in list(SCRIPTS.rglob("*.py")) + list((ROOT / "maya_plugin").rglob("*.py")):
        if "ui" in path.relative_to(ROOT).parts or path.name in allowed or "maya_plugin" in path.parts:
            continue
        for name, line in _imports(path):
            if name.startswith("audio2face_maya.ui"):
                bad.append(f"{path.relative_to(ROOT)}:{line}")
    assert not bad, "\n".join(bad)


def test_no_direct_qt_binding_imports_anywhere() -> None:
    bad = []
    for path in _ours(list(SCRIPTS.rglob("*.py")) + list((ROOT / "maya_plugin").rglob("*.py"))):
        for name, line in _imports(path):
            if name.split(".")[0] in {"PySide2", "PySide6", "PyQt5", "PyQt6"}:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not bad, "\n".join(bad)


def test_core_has_no_unsafe_calls() -> None:
    bad = []
    for path in _ours(SCRIPTS.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in ("allow_pickle=True", "shell=True", "pickle.load", " eval("):
            if needle in text:
                bad.append(f"{path.relative_to(ROOT)}: {needle}")
    assert not bad, "\n".join(bad)
