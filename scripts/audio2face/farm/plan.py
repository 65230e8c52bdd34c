"""A farm job's plan: which rows of a jobs file go to which step, in chunks of N (shared by every engine)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import List

from ..errors import Audio2FaceError, PathLike
from .rows import is_scene_row, read_rows
from .selection import chunked, format_indices

MAX_TASKS_PER_STEP = 1024
"""Open Job Description allows at most 1024 values for a task parameter."""


@dataclasses.dataclass
class FarmPlan:
    """Rows per kind and the tasks (range expressions like ``0-4``) each step runs."""

    jobs_file: Path
    results: Path
    audio_rows: List[int]
    maya_rows: List[int]
    chunk: int = 1
    python: str = sys.executable or "python"
    mayapy: str = "mayapy"
    model: str = ""
    settings: str = ""

    @property
    def audio_tasks(self) -> List[str]:
        """One range expression per headless task."""
        return [format_indices(c) for c in chunked(self.audio_rows, self.chunk)]

    @property
    def maya_tasks(self) -> List[str]:
        """One range expression per mayapy task."""
        return [format_indices(c) for c in chunked(self.maya_rows, self.chunk)]

    @property
    def name(self) -> str:
        """The job's default name."""
        return f"Audio2Face {self.jobs_file.stem}"


LAUNCHER_MODULE = "-m audio2face_maya.batch"


def batch_launcher() -> str:
    """What mayapy runs for Maya jobs: the module's launcher file by path, which puts our scripts and
    dependencies on ``sys.path`` itself (``-m`` resolves before Maya reads any ``.mod``, so it fails on a
    node that only has the module); ``-m audio2face_maya.batch`` for an install without the file (pip)."""
    path = Path(__file__).resolve().parents[3] / "bin" / "audio2face_batch.py"
    return str(path) if path.is_file() else LAUNCHER_MODULE


def _absolute(path: PathLike) -> Path:
    return Path(path).expanduser().resolve()


def make_plan(jobs_file: PathLike, chunk: int = 1, results: PathLike = "", python: str = "", mayapy: str = "",
              model: str = "", settings: str = "") -> FarmPlan:
    """Read the jobs file and split its rows: audio-only rows to the headless step, scene rows to mayapy.

    Raises:
        Audio2FaceError: an unreadable jobs file, a bad chunk size, or more tasks than a step may have.
    """
    file = _absolute(jobs_file)
    rows = read_rows(file)
    if chunk < 1:
        raise Audio2FaceError(f"--chunk must be at least 1, got {chunk}")
    plan = FarmPlan(
        jobs_file=file,
        results=_absolute(results) if str(results).strip() else file.with_name(f"{file.stem}.farm"),
        audio_rows=[i for i, row in enumerate(rows) if not is_scene_row(row)],
        maya_rows=[i for i, row in enumerate(rows) if is_scene_row(row)],
        chunk=chunk,
        model=str(_absolute(model)) if model else "",
        settings=str(_absolute(settings)) if settings else "",
    )
    if python:
        plan.python = python
    if mayapy:
        plan.mayapy = mayapy
    for tasks in (plan.audio_tasks, plan.maya_tasks):
        if len(tasks) > MAX_TASKS_PER_STEP:
            needed = -(-max(len(plan.audio_rows), len(plan.maya_rows)) // MAX_TASKS_PER_STEP)
            raise Audio2FaceError(f"{len(tasks)} tasks in one step; the most is {MAX_TASKS_PER_STEP}: "
                                  f"use --chunk {needed} or more", file)
    return plan
