"""Folders the module uses, with the standard library only (the batch launcher imports this before any
dependency is on sys.path): the module root, the user's Maya folder and where dependencies live.

Dependencies for one Maya version and platform live in either of two folders, both on the ``.mod``'s
PYTHONPATH and both searched by ``bin/audio2face_batch.py``:

- ``<module>/deps/maya<year>-<platform>``: for a site install an administrator prepared;
- ``<MAYA_APP_DIR>/audio2face/deps/maya<year>-<platform>``: what the installer writes, per user, so a
  read-only module folder (a studio's shared install) still works.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import List, Mapping, Optional

MAYA_VERSIONS = ("2023", "2024", "2025", "2026")
PLATFORMS = ("win64", "linux", "mac")
PYTHON_TO_MAYA = {(3, 9): ("2023",), (3, 10): ("2024",), (3, 11): ("2025", "2026")}
"""mayapy's Python -> the Maya years that ship it (docs/maya.md, "Maya versions")."""


def module_root() -> Path:
    """The module folder: the checkout holding ``scripts/``, ``maya_plugin/``, ``shelf/``, ``icons/``, ``bin/``."""
    return Path(__file__).resolve().parents[2]


def current_platform(platform: Optional[str] = None) -> str:
    """The ``.mod`` PLATFORM value of this machine."""
    name = platform or sys.platform
    if name.startswith("win"):
        return "win64"
    if name == "darwin":
        return "mac"
    return "linux"


def default_app_dir(environ: Optional[Mapping[str, str]] = None, platform: Optional[str] = None) -> Path:
    """``MAYA_APP_DIR`` from the environment, else Maya's default for the platform."""
    env = os.environ if environ is None else environ
    if env.get("MAYA_APP_DIR"):
        return Path(env["MAYA_APP_DIR"])
    home = Path.home()
    name = current_platform(platform)
    if name == "win64":
        return home / "Documents" / "maya"
    if name == "mac":
        return home / "Library" / "Preferences" / "Autodesk" / "maya"
    return home / "maya"


def deps_name(version: str, platform: str) -> str:
    """``maya<year>-<platform>``: one dependency folder per Maya version (Python ABI) and platform."""
    return f"maya{version}-{platform}"


def module_deps_dir(root: Path, version: str, platform: str) -> Path:
    """``<module>/deps/maya<year>-<platform>``."""
    return Path(root) / "deps" / deps_name(version, platform)


def user_deps_root(app_dir: Path) -> Path:
    """``<MAYA_APP_DIR>/audio2face/deps``."""
    return Path(app_dir) / "audio2face" / "deps"


def user_deps_dir(app_dir: Path, version: str, platform: str) -> Path:
    """``<MAYA_APP_DIR>/audio2face/deps/maya<year>-<platform>`` (what the installer writes)."""
    return user_deps_root(app_dir) / deps_name(version, platform)


def maya_years_of_this_python(environ: Optional[Mapping[str, str]] = None,
                              executable: Optional[str] = None) -> List[str]:
    """The Maya year this mayapy belongs to, from ``MAYA_LOCATION`` or its path, else from its Python version."""
    env = os.environ if environ is None else environ
    for text in (env.get("MAYA_LOCATION", ""), executable or sys.executable):
        found = re.findall(r"maya(20\d\d)", text, flags=re.IGNORECASE)
        if found:
            return [found[-1]]
    return list(PYTHON_TO_MAYA.get(sys.version_info[:2], ()))


def dependency_folders(root: Path, years: List[str], app_dir: Optional[Path] = None,
                       platform: Optional[str] = None) -> List[Path]:
    """The existing dependency folders for ``years`` on this platform: the module's first, then the user's."""
    plat = current_platform(platform)
    app = default_app_dir() if app_dir is None else app_dir
    out: List[Path] = []
    for year in years:
        for folder in (module_deps_dir(root, year, plat), user_deps_dir(app, year, plat)):
            if folder.is_dir() and folder not in out:
                out.append(folder)
    return out
