"""Batch jobs: read a JSON or CSV list of jobs and check each one on its own.

JSON: a list of job objects, or ``{"defaults": {...}, "jobs": [...]}``. CSV: a header row naming the
fields, one job per row; empty cells are unset. Job fields: ``scene`` and ``audio`` (required),
``node``, ``output``, ``name``, ``overwrite``, ``mode``, ``layer``, ``sound``, ``qc``, plus every knob of
the settings schema on the ``job`` surface (``audio2face.settings_io.knobs_on("job")``: ``model``,
``mapping``, ``emotion``, ``start_frame``, ``strength``, ``smoothing_ms``, ``silence_ramp_ms``, ``reduce``...),
typed and range-checked by its knob. Relative paths are relative to the jobs file. A bad job becomes a
``JobError`` for the report; only an unreadable file stops the batch.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

from audio2face.errors import Audio2FaceError, PathLike
from audio2face.farm.rows import PATH_SETTINGS, checked_settings, job_label, read_rows, resolve_path, row_values

from .apply_options import APPLY_MODES

logger = logging.getLogger(__name__)

JOB_FIELDS = ("scene", "audio", "node", "output", "name", "overwrite", "mode", "layer", "sound", "qc", "curves")
"""Fields of a job that are not knobs (every knob on the ``job`` surface is a field too)."""
PATH_FIELDS = ("scene", "audio", "output", "model")
SCENE_SUFFIXES = {".ma": "mayaAscii", ".mb": "mayaBinary"}


@dataclasses.dataclass
class Job:
    """One checked job."""

    index: int
    name: str
    scene: Path
    audio: Path
    output: Path
    node: Optional[str] = None
    overwrite: bool = False
    mode: str = "range"
    layer: Optional[str] = None
    start_frame: Optional[float] = None
    sound: bool = True
    qc: bool = True
    settings: Dict[str, Any] = dataclasses.field(default_factory=dict)
    curves: List[Path] = dataclasses.field(default_factory=list)
    """Curve files written from the same curves as the keys (any format of ``audio2face.formats``: .json,
    .usdc, .glb...), all or none."""

    @property
    def replaces_source(self) -> bool:
        """Whether the output is the source scene itself."""
        return self.output.resolve() == self.scene.resolve()


@dataclasses.dataclass
class JobError:
    """A job that could not be read; reported as failed."""

    index: int
    name: str
    error: str


def curve_files(base: Path, value: Any, where: str) -> List[Path]:
    """The ``curves`` field: curve files (a JSON list, or paths separated by ``;`` in a CSV cell), each of a
    registered format whose library is installed.

    Raises:
        Audio2FaceError: an unknown extension or a format whose extra is missing, naming the file.
    """
    from audio2face.formats import output_format
    from audio2face.formats.registry import import_extra

    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    paths = [resolve_path(base, item, "curves", where) for item in items if str(item).strip()]
    for path in paths:
        fmt = output_format(path)
        if fmt.extra_module:
            import_extra(fmt, path)
    return paths


def make_job(index: int, fields: Mapping[str, Any], base: Path) -> Union[Job, JobError]:
    """Check one job's fields; a problem gives a ``JobError`` naming it."""
    label, where = job_label(index, fields)
    try:
        values = row_values(fields, JOB_FIELDS, ("scene", "audio"), where)
        scene_path = resolve_path(base, values["scene"], "scene", where)
        audio = resolve_path(base, values["audio"], "audio", where)
        overwrite = bool(values.get("overwrite", False))
        if "output" in values:
            output = resolve_path(base, values["output"], "output", where)
        elif overwrite:
            output = scene_path
        else:
            raise Audio2FaceError(f"{where}: no output scene (give output, or overwrite=true to replace the source)")
        if output.suffix.lower() not in SCENE_SUFFIXES:
            raise Audio2FaceError(f"{where}: output must be a .ma or .mb scene", output)
        mode = values.get("mode", "range")
        if mode not in APPLY_MODES:
            raise Audio2FaceError(f"{where}: mode must be one of {', '.join(APPLY_MODES)}, got {mode!r}")
        settings = {k: v for k, v in values.items() if k not in JOB_FIELDS}
        for field in PATH_SETTINGS:  # relative to the jobs file, like every path of a job
            if field in settings:
                settings[field] = str(resolve_path(base, settings[field], field, where))
        settings = checked_settings(settings, where)
        start_frame = settings.pop("start_frame", None)
        name = str(values.get("name") or f"{scene_path.stem}-{audio.stem}")
        return Job(index=index, name=name, scene=scene_path, audio=audio, output=output,
                   node=values.get("node") or None, overwrite=overwrite, mode=mode,
                   layer=values.get("layer") or None, start_frame=start_frame,
                   sound=bool(values.get("sound", True)), qc=bool(values.get("qc", True)), settings=settings,
                   curves=curve_files(base, values.get("curves"), where))
    except Audio2FaceError as exc:
        return JobError(index=index, name=label, error=str(exc))
    except (TypeError, ValueError) as exc:
        return JobError(index=index, name=label, error=f"{where}: {exc}")


def load_jobs(path: PathLike, defaults: Optional[Mapping[str, Any]] = None) -> List[Union[Job, JobError]]:
    """Read and check every job of a ``.json`` or ``.csv`` file (``defaults`` under each row's fields).

    Raises:
        Audio2FaceError: the file is missing, unreadable, of an unknown kind, or holds no jobs.
    """
    rows = read_rows(path, defaults)
    base = Path(path).resolve().parent
    return [make_job(i, row, base) for i, row in enumerate(rows)]
