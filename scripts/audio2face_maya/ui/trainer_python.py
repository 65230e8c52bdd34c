"""Which interpreter can run the trainer (it needs TensorFlow) and whether a run left a checkpoint (no Qt)."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List, Optional, Sequence

logger = logging.getLogger(__name__)

REQUIRED_MODULE = "tensorflow"
CHECK_TIMEOUT_S = 20.0
_FIND_SPEC = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(sys.argv[1]) else 3)"


def interpreter_problem(python: str, module: Optional[str] = REQUIRED_MODULE) -> Optional[str]:
    """Why ``python`` cannot run the trainer, in plain words; ``None`` when it can.

    Only looks the module up (``importlib.util.find_spec``): importing TensorFlow would take seconds.
    """
    if not python:
        return "no Python interpreter chosen: pick one that has TensorFlow (pip install \".[train]\")"
    path = shutil.which(python) or python
    if not os.path.isfile(path):
        return f"Python interpreter not found: {python}"
    if module is None:
        return None
    try:
        done = subprocess.run([path, "-c", _FIND_SPEC, module], capture_output=True, timeout=CHECK_TIMEOUT_S,
                              check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot run {python}: {exc}"
    if done.returncode == 3:
        return (f"{python} has no {module}: choose an interpreter that has it, or install it there "
                f"({python} -m pip install \".[train]\")")
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        return f"{python} does not run ({tail[0]})"
    return None


def candidates(remembered: str = "") -> List[str]:
    """Interpreters worth trying, most likely first (this Python unless it is Maya's own executable)."""
    exe = sys.executable or ""
    name = Path(exe).name.lower()
    own = "" if name.startswith("maya") and not name.startswith("mayapy") else exe
    found = [remembered, own, os.environ.get("AUDIO2FACE_TRAINER_PYTHON", ""),
             shutil.which("python3") or "", shutil.which("python") or ""]
    return [p for p in dict.fromkeys(found) if p]


def find_python(options: Iterable[str], module: Optional[str] = REQUIRED_MODULE) -> Optional[str]:
    """The first interpreter of ``options`` that has ``module``."""
    for python in options:
        if interpreter_problem(python, module) is None:
            return python
    return None


def checkpoint_dir(out: str, extra: Sequence[str] = ()) -> Optional[Path]:
    """Where the trainer keeps the checkpoint of a run into ``out`` (``--checkpoint-dir`` wins)."""
    extra = list(extra)
    for index, part in enumerate(extra):
        if part == "--checkpoint-dir" and index + 1 < len(extra):
            return Path(extra[index + 1]).absolute()
        if part.startswith("--checkpoint-dir="):
            return Path(part.split("=", 1)[1]).absolute()
    if not out.strip():
        return None
    return Path(f"{Path(out.strip()).absolute()}.training")


def has_checkpoint(out: str, extra_text: str = "") -> bool:
    """Whether an earlier run into ``out`` left a checkpoint that Resume can continue from."""
    try:
        extra = shlex.split(extra_text, posix=os.name != "nt")
    except ValueError:
        extra = []
    folder = checkpoint_dir(out, extra)
    return folder is not None and (folder / "state.json").is_file()
