"""Where ``mayapy`` is: the one lookup the installer, the shelf's batch button and the docs use.

``mayapy`` sits in ``<MAYA_LOCATION>/bin`` on every platform (Windows ``...\\Maya2025\\bin\\mayapy.exe``,
Linux ``/usr/autodesk/maya2025/bin/mayapy``, macOS ``.../maya2025/Maya.app/Contents/bin/mayapy``).
The GUI binary is beside it on Windows and Linux but not on macOS (``Maya.app/Contents/MacOS/Maya``),
so "next to ``sys.executable``" alone misses it there (docs/maya.md, "mayapy").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Mapping, Optional

from audio2face.errors import Audio2FaceError


def mayapy_name(platform: Optional[str] = None) -> str:
    """``mayapy.exe`` on Windows, else ``mayapy``."""
    return "mayapy.exe" if (platform or sys.platform).startswith("win") else "mayapy"


def mayapy_candidates(executable: Optional[str] = None, environ: Optional[Mapping[str, str]] = None,
                      platform: Optional[str] = None) -> List[Path]:
    """Where mayapy may be, most trusted first, without duplicates.

    Args:
        executable: The running program (default ``sys.executable``: Maya's GUI binary, or mayapy).
        environ: The environment (default ``os.environ``); Maya sets ``MAYA_LOCATION``.
        platform: ``sys.platform`` (tests pass another).
    """
    env = os.environ if environ is None else environ
    name = mayapy_name(platform)
    exe = Path(executable or sys.executable)
    out: List[Path] = []
    if env.get("MAYA_LOCATION"):
        out.append(Path(env["MAYA_LOCATION"]) / "bin" / name)
    if exe.name.lower().startswith("mayapy"):
        out.append(exe)
    out.append(exe.with_name(name))
    for parent in exe.parents:  # macOS: Maya.app/Contents/MacOS/Maya -> Maya.app/Contents/bin/mayapy
        if parent.name == "Contents" and parent.parent.suffix == ".app":
            out.append(parent / "bin" / name)
            break
    return list(dict.fromkeys(out))


def find_mayapy(executable: Optional[str] = None, environ: Optional[Mapping[str, str]] = None,
                platform: Optional[str] = None) -> Optional[Path]:
    """The first candidate that is a file, or ``None``."""
    for candidate in mayapy_candidates(executable, environ, platform):
        if candidate.is_file():
            return candidate
    return None


def require_mayapy(executable: Optional[str] = None, environ: Optional[Mapping[str, str]] = None,
                   platform: Optional[str] = None) -> Path:
    """``find_mayapy`` or an ``Audio2FaceError`` naming where it looked."""
    found = find_mayapy(executable, environ, platform)
    if found is None:
        looked = ", ".join(str(c) for c in mayapy_candidates(executable, environ, platform))
        raise Audio2FaceError(f"mayapy was not found (looked in {looked})")
    return found
