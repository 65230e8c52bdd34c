"""What Maya does with module files and ``userSetup.py`` at start-up (maya-facts section 7), for tests.

``load_modules`` reads every file in the module folders (any extension, as Maya does), takes the
first block of each module whose ``MAYAVERSION``/``PLATFORM`` conditions match, applies its env
lines (``=``, ``+=``, ``:=``, ``+:=``; a blank line ends a block) and the default and overridden
sub-folders (``scripts`` -> PYTHONPATH and MAYA_SCRIPT_PATH, ``plug-ins`` -> MAYA_PLUG_IN_PATH,
``icons`` -> XBMLANGPATH). ``run_user_setups`` executes every ``userSetup.py`` found on the given
paths, the way Maya's start-up loops over sys.path.
"""

from __future__ import annotations

import dataclasses
import os
import re
import runpy
from pathlib import Path
from typing import Dict, List, Sequence

SPECIFIER = re.compile(r"^\+ ((?:[A-Z]+:\S+ )*)(\S+) (\S+) (.+)$")
ENV = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\+:=|:=|\+=|=)(.*)$")
FOLDER = re.compile(r"^(\[r\] )?(scripts|icons|plug-ins|presets): (.+)$")
DEFAULT_FOLDERS = {"scripts": ("PYTHONPATH", "MAYA_SCRIPT_PATH"), "plug-ins": ("MAYA_PLUG_IN_PATH",),
                   "icons": ("XBMLANGPATH",), "presets": ("MAYA_PRESET_PATH",)}


@dataclasses.dataclass
class Module:
    name: str
    version: str
    root: Path
    env: Dict[str, List[str]] = dataclasses.field(default_factory=dict)


def _matches(conditions: str, version: str, platform: str) -> bool:
    for condition in conditions.split():
        key, _, value = condition.partition(":")
        if key == "MAYAVERSION" and value != version:
            return False
        if key == "PLATFORM" and value != platform:
            return False
    return True


def load_modules(folders: Sequence[Path], version: str, platform: str) -> List[Module]:
    """The modules Maya would load from ``folders`` for ``version`` on ``platform``.

    Raises:
        ValueError: a line Maya would not understand inside a block (the test should fail on it).
    """
    loaded: Dict[str, Module] = {}
    for folder in folders:
        for path in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
            if not path.is_file():
                continue
            current = None
            for line in path.read_text(encoding="utf-8").split("\n"):
                if line.startswith("+ "):
                    match = SPECIFIER.match(line)
                    if not match:
                        raise ValueError(f"{path}: bad module line {line!r}")
                    conditions, name, mod_version, where = match.groups()
                    current = None
                    if name not in loaded and _matches(conditions, version, platform):
                        root = Path(where) if Path(where).is_absolute() else (path.parent / where)
                        current = loaded[name] = Module(name, mod_version, root.resolve())
                        current.env["__folders__"] = []
                elif not line.strip():
                    current = None
                elif current is not None:
                    env, folder_line = ENV.match(line), FOLDER.match(line)
                    if folder_line:
                        current.env["__folders__"].append(f"{folder_line.group(2)}={folder_line.group(3)}")
                    elif env:
                        var, op, value = env.groups()
                        value = value.strip()
                        item = str(current.root / value) if ":=" in op and value else (
                            str(current.root) if ":=" in op else value)
                        if op in ("=", ":="):
                            current.env[var] = [item]
                        else:
                            current.env.setdefault(var, []).append(item)
                    else:
                        raise ValueError(f"{path}: Maya cannot read {line!r}")
    for module in loaded.values():
        overrides = dict(entry.split("=", 1) for entry in module.env.pop("__folders__"))
        for folder, variables in DEFAULT_FOLDERS.items():
            sub = module.root / overrides.get(folder, folder)
            for variable in variables:
                module.env.setdefault(variable, []).append(str(sub))
    return list(loaded.values())


def run_user_setups(paths: Sequence[str]) -> List[str]:
    """Execute each ``userSetup.py`` on ``paths`` (in order, once each); returns the files run."""
    ran: List[str] = []
    for folder in paths:
        candidate = os.path.join(folder, "userSetup.py")
        if os.path.isfile(candidate) and candidate not in ran:
            runpy.run_path(candidate, run_name="__main__")
            ran.append(candidate)
    return ran
