"""An OpenCue job for a jobs file, built with OpenCue's own PyOutline (``opencue-pyoutline``, the ``farm`` extra).

Layers (each only when the jobs file has such rows); frames are the jobs file's row numbers (0-based),
``chunk`` rows per frame chunk:

* ``animate_audio``: audio-only rows, the headless CLI, service ``shell`` (no Maya licence);
* ``animate_maya``: scene rows, the mayapy batch, service ``maya``;
* ``report``: one frame, after both layers (layer-on-layer dependencies): ``report.csv`` and ``.html``.

A chunk's command gets its rows as ``#FRAME_START#-#FRAME_END#`` (RQD replaces the tokens); rows of the
other kind inside that span are left alone by each runner. :func:`job_spec` serialises the outline to
the cuebot's XML job spec offline (PyOutline's own serialiser, no cuebot contacted); :func:`submit` sends
it to a cuebot.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shlex
import tempfile
from typing import Any, Iterator, List, Optional

from ..errors import Audio2FaceError
from .plan import FarmPlan
from .selection import format_indices

logger = logging.getLogger(__name__)

ROWS_TOKEN = "#FRAME_START#-#FRAME_END#"
LAYER_MEMORY = "2g"
"""Memory a frame reserves (a task stays under 1.5 GiB for a 10-minute shot; bench/farm.py)."""


def _outline() -> Any:
    try:
        import outline
        import outline.modules.shell
    except ImportError:
        raise Audio2FaceError("OpenCue needs the farm extra: pip install 'audio2face-maya[farm]'") from None
    return outline


def _task_args(plan: FarmPlan, on_failure: str) -> List[str]:
    args = [str(plan.jobs_file), "--jobs", ROWS_TOKEN, "--results", str(plan.results), "--on-failure", on_failure]
    if plan.model:
        args += ["--model", plan.model]
    if plan.settings:
        args += ["--settings", plan.settings]
    return args


def build_outline(plan: FarmPlan, show: str = "testing", shot: str = "audio2face", user: Optional[str] = None,
                  launcher: str = "-m audio2face_maya.batch", on_failure: str = "record",
                  audio_service: str = "shell", maya_service: str = "maya") -> Any:
    """The ``outline.Outline`` of the job (layers, frame ranges, chunks, services, env, dependencies).

    Args:
        launcher: What mayapy runs: ``-m audio2face_maya.batch`` or the path of the module's launcher file.
    """
    outline = _outline()
    shell = outline.modules.shell.Shell
    job = outline.Outline(re.sub(r"[^A-Za-z0-9_.-]", "_", plan.name), show=show, shot=shot, user=user)
    job.set_env("PYTHONUNBUFFERED", "1", pre=True)
    layers = []
    common = {"chunk": plan.chunk, "cores": 1, "memory": LAYER_MEMORY}
    if plan.audio_rows:
        command = [plan.python, "-m", "audio2face", "farm", "run-task", *_task_args(plan, on_failure)]
        layers.append(shell("animate_audio", command=shlex.join(command), range=format_indices(plan.audio_rows),
                            service=audio_service, **common))
    if plan.maya_rows:
        report = f"{plan.results}/batch-report-#FRAME_START#.json"
        command = [plan.mayapy, *shlex.split(launcher), *_task_args(plan, on_failure), "--report", report]
        layers.append(shell("animate_maya", command=shlex.join(command), range=format_indices(plan.maya_rows),
                            service=maya_service, **common))
    if not layers:
        raise Audio2FaceError("the jobs file holds no jobs", plan.jobs_file)
    for layer in layers:
        job.add_layer(layer)
    command = [plan.python, "-m", "audio2face", "farm", "report", str(plan.jobs_file), "--results", str(plan.results)]
    report_layer = shell("report", command=shlex.join(command), range="0", service=audio_service, cores=1)
    for layer in layers:
        report_layer.depend_on(layer, outline.depend.DependType.LayerOnLayer)
    job.add_layer(report_layer)
    return job


@contextlib.contextmanager
def _session_folder() -> Iterator[None]:
    """PyOutline makes a session folder when it sets a job up: keep it in a temporary folder."""
    import outline

    before = outline.config.get("outline", "session_dir", raw=True)
    with tempfile.TemporaryDirectory(prefix="a2f-outline-") as folder:
        outline.config.set("outline", "session_dir", folder)
        try:
            yield
        finally:
            outline.config.set("outline", "session_dir", before)


def job_spec(job: Any) -> str:
    """The OpenCue XML job spec of an outline, serialised by PyOutline without a cuebot."""
    from outline.cuerun import OutlineLauncher

    with _session_folder():
        return OutlineLauncher(job, nomail=True).serialize(use_pycuerun=False)


def submit(job: Any, cuebot: str) -> List[Any]:
    """Launch the job on a cuebot (``host`` or ``host:port``); returns PyCue's job objects."""
    from outline.cuerun import OutlineLauncher

    with _session_folder():
        try:
            return OutlineLauncher(job, nomail=True, server=cuebot).launch(use_pycuerun=False)
        except Exception as exc:  # PyCue raises its own connection and cuebot errors
            raise Audio2FaceError(f"OpenCue submission to {cuebot} failed: {type(exc).__name__}: {exc}") from None
