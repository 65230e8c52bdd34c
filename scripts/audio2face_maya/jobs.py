"""Batch jobs: read a JSON or CSV list of jobs and check each one on its own.

JSON: a list of job objects, or ``{"defaults": {...}, "jobs": [...]}``. CSV: a header row naming the
fields, one job per row; empty cells are unset. Job fields: ``scene`` and ``audio`` (required),
``node``, ``output``, ``name``, ``overwrite``, ``mode``, ``layer``, ``start_frame``, ``sound``, ``qc``, plus
any ``AnimateSettings``/``PostSettings`` field (``model``, ``mapping``, ``emotion``, ``strength``,
``smoothing_ms``, ``reduce``...). Relative paths are relative to the jobs file. A bad job becomes a
``JobError`` for the report; only an unreadable file stops the batch.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

from audio2face.errors import Audio2FaceError, PathLike

from .host import APPLY_MODES

logger = logging.getLogger(__name__)

JOB_FIELDS = ("scene", "audio", "node", "output", "name", "overwrite", "mode", "layer", "start_frame", "sound",
              "qc")
PATH_FIELDS = ("scene", "audio", "output", "model")
_NUMBERS = {"start_frame", "strength", "smoothing_ms", "lip_open_offset", "time_offset_ms", "silence_db",
            "silence_release_ms", "reduce", "guide_strength"}
_INTEGERS = {"threads", "batch_size"}
_BOOLS = {"overwrite", "sound", "qc", "silence_gate", "clamp"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
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


def _setting_names() -> set:
    from audio2face.pipeline import AnimateSettings
    from audio2face.post import PostSettings

    own = {f.name for f in dataclasses.fields(AnimateSettings)} - {"fps", "targets", "start_frame", "post"}
    return own | {f.name for f in dataclasses.fields(PostSettings)}


def _convert(field: str, value: Any, where: str) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if field in _BOOLS:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise Audio2FaceError(f"{where}: {field} must be true or false, got {value!r}")
        if field in _NUMBERS or field in _INTEGERS:
            try:
                number = float(text)
            except ValueError:
                raise Audio2FaceError(f"{where}: {field} must be a number, got {value!r}") from None
            return int(number) if field in _INTEGERS else number
        return text
    if field in _BOOLS and not isinstance(value, bool):
        raise Audio2FaceError(f"{where}: {field} must be true or false, got {value!r}")
    if field in _NUMBERS and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise Audio2FaceError(f"{where}: {field} must be a number, got {value!r}")
    return value


def _path(base: Path, value: Any, field: str, where: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise Audio2FaceError(f"{where}: {field} must be a file path")
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else base / path


def make_job(index: int, fields: Mapping[str, Any], base: Path) -> Union[Job, JobError]:
    """Check one job's fields; a problem gives a ``JobError`` naming it."""
    from audio2face.settings_io import animate_settings_from_dict

    label = str(fields.get("name") or f"job {index}")
    where = f"job {index} ({label})" if fields.get("name") else f"job {index}"
    try:
        values = {k: v for k, v in fields.items() if v is not None and v != ""}
        known = set(JOB_FIELDS) | _setting_names()
        unknown = sorted(set(values) - known)
        if unknown:
            raise Audio2FaceError(f"{where}: unknown fields: {', '.join(unknown)}")
        values = {k: _convert(k, v, where) for k, v in values.items()}
        for required in ("scene", "audio"):
            if required not in values:
                raise Audio2FaceError(f"{where}: {required} is required")
        scene_path = _path(base, values["scene"], "scene", where)
        audio = _path(base, values["audio"], "audio", where)
        overwrite = bool(values.get("overwrite", False))
        if "output" in values:
            output = _path(base, values["output"], "output", where)
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
        if "model" in settings:
            settings["model"] = str(_path(base, settings["model"], "model", where))
        animate_settings_from_dict(settings, where=where)  # checks names and values now
        name = str(values.get("name") or f"{scene_path.stem}-{audio.stem}")
        return Job(index=index, name=name, scene=scene_path, audio=audio, output=output,
                   node=values.get("node") or None, overwrite=overwrite, mode=mode,
                   layer=values.get("layer") or None, start_frame=values.get("start_frame"),
                   sound=bool(values.get("sound", True)), qc=bool(values.get("qc", True)), settings=settings)
    except Audio2FaceError as exc:
        return JobError(index=index, name=label, error=str(exc))
    except (TypeError, ValueError) as exc:
        return JobError(index=index, name=label, error=f"{where}: {exc}")


def _read_json(path: Path) -> List[Dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise Audio2FaceError(f"cannot read jobs: {exc}", path) from None
    except json.JSONDecodeError as exc:
        raise Audio2FaceError(f"jobs file is not valid JSON: {exc}", path) from None
    defaults: Dict[str, Any] = {}
    if isinstance(data, dict):
        defaults = data.get("defaults") or {}
        data = data.get("jobs")
        if not isinstance(defaults, dict):
            raise Audio2FaceError("'defaults' must be an object", path)
    if not isinstance(data, list):
        raise Audio2FaceError("jobs must be a list of objects (or {\"defaults\": {...}, \"jobs\": [...]})", path)
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise Audio2FaceError(f"job {i} is not an object", path)
        out.append({**defaults, **item})
    return out


def _read_csv(path: Path) -> List[Dict[str, Any]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames:
                raise Audio2FaceError("CSV jobs file has no header row", path)
            rows = []
            for row in reader:
                if None in row:
                    raise Audio2FaceError(f"CSV line {reader.line_num} has more cells than the header", path)
                if any((v or "").strip() for v in row.values()):
                    rows.append({k.strip(): (v if v is None else v.strip()) for k, v in row.items()})
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise Audio2FaceError(f"cannot read jobs: {exc}", path) from None


def load_jobs(path: PathLike) -> List[Union[Job, JobError]]:
    """Read and check every job of a ``.json`` or ``.csv`` file.

    Raises:
        Audio2FaceError: the file is missing, unreadable, of an unknown kind, or holds no jobs.
    """
    file = Path(path)
    if not file.is_file():
        raise Audio2FaceError("jobs file not found", file)
    suffix = file.suffix.lower()
    if suffix == ".json":
        rows = _read_json(file)
    elif suffix == ".csv":
        rows = _read_csv(file)
    else:
        raise Audio2FaceError("jobs file must be .json or .csv", file)
    if not rows:
        raise Audio2FaceError("the jobs file holds no jobs", file)
    base = file.resolve().parent
    return [make_job(i, row, base) for i, row in enumerate(rows)]
