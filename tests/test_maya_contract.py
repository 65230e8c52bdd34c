"""Contract tests: every ``maya.cmds`` call in the project uses a command, flags and modes that Maya 2022-2025 have.

The source is parsed (never imported); calls are checked against pymel's cached command tables
(``pymel/cache/mayaCmdsList20XX.py``, generated from Maya's own command documentation). The stand-in's
flag table is checked against the same tables, and mypy checks the adapter against ``maya-stubs``.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
YEARS = (2022, 2023, 2024, 2025)
PLUGIN_COMMANDS = {"audio2faceAnimate", "audio2faceExport", "audio2faceApply"}
MYPY_FILES = [
    "scripts/audio2face_maya/host.py", "scripts/audio2face_maya/scene.py", "scripts/audio2face_maya/keying.py",
    "scripts/audio2face_maya/dataset_export.py", "scripts/audio2face_maya/sound.py",
    "scripts/audio2face_maya/layers.py", "scripts/audio2face_maya/undo.py", "scripts/audio2face_maya/plugin.py",
    "scripts/audio2face_maya/plugin_commands.py", "scripts/audio2face_maya/batch.py",
    "scripts/audio2face_maya/jobs.py", "scripts/audio2face_maya/install.py", "scripts/audio2face_maya/startup.py",
    "scripts/audio2face_maya/melcmd.py", "scripts/audio2face_maya/live_preview.py",
    "maya_plugin/audio2face_plugin.py",
    "scripts/audio2face_maya/paths.py", "scripts/audio2face_maya/mayapy.py", "scripts/audio2face_maya/shelf.py",
]


@functools.cache
def commands_table(year: int) -> Dict[str, dict]:
    """pymel's command table for one Maya year (skips the test when pymel is not installed)."""
    spec = importlib.util.find_spec("pymel")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pymel is not installed (pip install pymel): its cached command tables are the reference")
    path = Path(list(spec.submodule_search_locations)[0]) / "cache" / f"mayaCmdsList{year}.py"
    if not path.is_file():
        pytest.skip(f"pymel has no command table for Maya {year}")
    module_spec = importlib.util.spec_from_file_location(f"_pymel_cmds_{year}", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.data[0]


class Call(NamedTuple):
    where: str
    command: str
    flags: Tuple[Optional[str], ...]  # None for a **splat


def _calls_in(tree: ast.AST, where: str) -> Iterator[Call]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        flags = tuple(k.arg for k in node.keywords)
        if isinstance(func, ast.Attribute) and (
            (isinstance(func.value, ast.Name) and func.value.id == "cmds")
            or (isinstance(func.value, ast.Attribute) and func.value.attr == "cmds")
        ):
            yield Call(f"{where}:{node.lineno}", func.attr, flags)
        elif isinstance(func, ast.Name) and func.id == "mel_command" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield Call(f"{where}:{node.lineno}", first.value, flags)


def project_calls() -> List[Call]:
    files = sorted((ROOT / "scripts").rglob("*.py")) + sorted((ROOT / "maya_plugin").rglob("*.py"))
    calls: List[Call] = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        calls.extend(_calls_in(tree, str(path.relative_to(ROOT))))
    return calls


def check_call(call: Call, table: Dict[str, dict], year: int) -> List[str]:
    """Problems of one call against one year's table (empty when fine)."""
    if call.command not in table:
        return [f"{call.where}: Maya {year} has no command {call.command!r}"]
    flags = table[call.command].get("flags", {})
    short = {spec.get("shortname"): long for long, spec in flags.items()}
    problems, named = [], []
    for name in call.flags:
        if name is None:
            continue  # **flags: checked where the dict is built, if anywhere
        long = name if name in flags else short.get(name)
        if long is None:
            problems.append(f"{call.where}: {call.command} has no flag {name!r} in Maya {year}")
        else:
            named.append(long)
    mode = "query" if "query" in named else "edit" if "edit" in named else "create"
    others = [n for n in named if n not in ("query", "edit")]
    for long in others:
        modes = flags[long].get("modes") or []
        if mode == "create" and "create" not in modes:
            problems.append(f"{call.where}: {call.command} -{long} cannot be used in create mode ({modes})")
        if mode == "edit" and "edit" not in modes:
            problems.append(f"{call.where}: {call.command} -{long} cannot be used in edit mode ({modes})")
        # create-only flags also filter queries (keyframe -q -time, workspaceControl -q -exists)
        if mode == "query" and not {"query", "create"} & set(modes):
            problems.append(f"{call.where}: {call.command} -{long} cannot be used in query mode ({modes})")
    if mode in ("query", "edit") and mode not in flags:
        problems.append(f"{call.where}: {call.command} has no {mode} mode in Maya {year}")
    return problems


def test_the_checker_catches_bad_commands_flags_and_modes():
    source = ("cmds.ls(typo=True)\ncmds.file(sceneName=True)\ncmds.lsx()\n"
              "cmds.timeControl('t', edit=True, range=True)\ncmds.getAttr('a.b', query=True, lock=True)\n"
              "cmds.playbackOptions(query=True, min=True)\n")
    calls = list(_calls_in(ast.parse(source), "sample"))
    problems = [p for call in calls for p in check_call(call, commands_table(2024), 2024)]
    assert any("no flag 'typo'" in p for p in problems)
    assert any("-sceneName cannot be used in create mode" in p for p in problems)
    assert any("no command 'lsx'" in p for p in problems)
    assert any("-range cannot be used in edit mode" in p for p in problems)
    assert any("getAttr has no flag 'query'" in p for p in problems)
    assert not [p for p in problems if "playbackOptions" in p]


@pytest.mark.parametrize("year", YEARS)
def test_every_cmds_call_in_the_project_exists_in_maya(year: int):
    table = commands_table(year)
    calls = [c for c in project_calls() if c.command not in PLUGIN_COMMANDS]
    assert len(calls) > 40, "the parser found too few calls: is it still looking at the right code?"
    problems = [p for call in calls for p in check_call(call, table, year)]
    assert not problems, "\n".join(problems)


def test_calls_to_the_plugin_commands_use_their_flags():
    from audio2face_maya import plugin_commands as commands

    tables = {commands.ANIMATE_COMMAND: commands.ANIMATE_FLAGS, commands.EXPORT_COMMAND: commands.EXPORT_FLAGS}
    for call in project_calls():
        if call.command in tables:
            names = {f.short for f in tables[call.command]} | {f.long for f in tables[call.command]}
            bad = [f for f in call.flags if f is not None and f not in names]
            assert not bad, f"{call.where}: unknown flags {bad}"


@pytest.mark.parametrize("year", YEARS)
def test_the_standin_only_implements_flags_maya_has(year: int):
    from maya_standin.flags import COMMANDS

    table = commands_table(year)
    mode_names = {"c": "create", "q": "query", "e": "edit", "m": "multiuse"}
    problems = []
    for command, flags in COMMANDS.items():
        if command not in table:
            problems.append(f"stand-in command {command} is not a Maya {year} command")
            continue
        real = table[command].get("flags", {})
        for long, (short, modes, _kind, _nargs) in flags.items():
            if long not in real:
                problems.append(f"{command} -{long} is not a Maya {year} flag")
                continue
            if real[long].get("shortname") != short:
                problems.append(f"{command} -{long}: short name {short!r}, Maya says {real[long].get('shortname')!r}")
            maya_modes = set(real[long].get("modes") or [])
            extra = {mode_names[m] for m in modes} - maya_modes
            if extra and long not in ("query", "edit"):
                problems.append(f"{command} -{long}: stand-in allows {sorted(extra)}, Maya {year} does not")
    assert not problems, "\n".join(problems)


def test_mypy_checks_the_adapter_against_maya_stubs(tmp_path):
    """The command CI runs: ``python -m mypy --follow-imports=silent --ignore-missing-imports <files>``."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed")
    stubs = [p for p in sys.path if (Path(p) / "maya-stubs").is_dir()]
    if not stubs:
        pytest.skip("maya-stubs is not installed (pip install maya-stubs)")
    command = [sys.executable, "-m", "mypy", "--follow-imports=silent", "--ignore-missing-imports",
               "--cache-dir", str(tmp_path / "mypy-cache"), *MYPY_FILES]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
