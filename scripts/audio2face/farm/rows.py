"""Rows of a jobs file (JSON or CSV) and the checks every kind of job shares.

JSON: a list of job objects, or ``{"defaults": {...}, "jobs": [...]}``. CSV: a header row naming the
fields, one job per row; empty cells are unset. The Maya batch (``audio2face_maya.jobs``) and the farm's
headless jobs (``audio2face.farm.audio_jobs``) both read their rows here; each then checks the fields
of its own kind.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ..errors import Audio2FaceError, PathLike
from ..schema import Knob
from ..text_input import check_columns, load_json, read_csv

logger = logging.getLogger(__name__)

PATH_SETTINGS = ("model", "transcript")
"""Settings that name a file or folder (resolved against the jobs file's folder)."""
JOB_BOOLS = {"overwrite", "sound", "qc"}
"""Job fields (not settings) that are switches."""
_BOOL = Knob(label="job switch", help="true or false", kind="bool")


def setting_names() -> set:
    """Settings a job row may carry: the knobs of the schema on the ``job`` surface."""
    from ..settings_io import knobs_on

    return {k.name for k in knobs_on("job")}


def convert(field: str, value: Any, where: str) -> Any:
    """A job field's value (CSV cells are text); settings are parsed and range-checked by their knobs later
    (``settings_io.animate_settings_from_dict``), a job switch here; a wrong type is an error naming the job."""
    if field in JOB_BOOLS:
        try:
            return _BOOL.parse(field, value) if isinstance(value, str) else _BOOL.check(field, value)
        except Audio2FaceError as exc:
            raise Audio2FaceError(f"{where}: {exc}") from None
    if field in setting_names():
        return value
    return value.strip() if isinstance(value, str) else value


def row_values(fields: Mapping[str, Any], own: Sequence[str], required: Sequence[str], where: str) -> Dict[str, Any]:
    """A row's set fields, each its kind's value: only the job's ``own`` fields and settings, ``required`` present.

    Raises:
        Audio2FaceError: an unknown field, a bad switch or a missing required field, naming the job.
    """
    values = set_values(fields)
    unknown = sorted(set(values) - set(own) - setting_names())
    if unknown:
        raise Audio2FaceError(f"{where}: unknown fields: {', '.join(unknown)}")
    values = {k: convert(k, v, where) for k, v in values.items()}
    for name in required:
        if name not in values:
            raise Audio2FaceError(f"{where}: {name} is required")
    return values


def checked_settings(settings: Mapping[str, Any], where: str) -> Dict[str, Any]:
    """A row's settings parsed (CSV cells are text) and range-checked by their knobs, as plain values.

    Raises:
        Audio2FaceError: an unknown setting or a bad value, naming the job.
    """
    from ..settings_io import animate_settings_from_dict, settings_to_dict

    checked = animate_settings_from_dict(settings, where=where)
    return {k: v for k, v in settings_to_dict(checked).items() if k in settings}


def resolve_path(base: Path, value: Any, field: str, where: str) -> Path:
    """A path field, relative to the jobs file's folder unless absolute."""
    if not isinstance(value, str) or not value.strip():
        raise Audio2FaceError(f"{where}: {field} must be a file path")
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else base / path


def set_values(fields: Mapping[str, Any]) -> Dict[str, Any]:
    """The fields that are set (empty CSV cells and ``null`` are unset)."""
    return {k: v for k, v in fields.items() if v is not None and v != ""}


def job_label(index: int, fields: Mapping[str, Any]) -> tuple:
    """(label, where): the job's name (or ``job I``) and how errors name it."""
    label = str(fields.get("name") or f"job {index}")
    return label, (f"job {index} ({label})" if fields.get("name") else f"job {index}")


def is_scene_row(fields: Mapping[str, Any]) -> bool:
    """Whether a row is a Maya job (it names a scene); rows without one are audio-only jobs."""
    return bool(set_values(fields).get("scene"))


def _read_json(path: Path) -> List[Dict[str, Any]]:
    data = load_json(path, "jobs file")
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
    table = [row for row in read_csv(path, "jobs file") if row]
    if not table:
        raise Audio2FaceError("CSV jobs file has no header row", path)
    header = [cell.strip() for cell in table[0]]
    check_columns(header, path, "CSV jobs file")
    rows = []
    for number, cells in enumerate(table[1:], start=1):
        if len(cells) > len(header):
            raise Audio2FaceError(f"CSV row {number} has more cells than the header", path)
        if any(v.strip() for v in cells):
            padded: List[Optional[str]] = [v.strip() for v in cells] + [None] * (len(header) - len(cells))
            rows.append(dict(zip(header, padded)))
    return rows


def read_rows(path: PathLike, defaults: Optional[Mapping[str, Any]] = None) -> List[Dict[str, Any]]:
    """Every row of a ``.json`` or ``.csv`` jobs file, ``defaults`` under each row's own fields.

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
    if defaults:
        rows = [{**defaults, **set_values(row)} for row in rows]
    return rows


def read_settings_file(path: Optional[PathLike]) -> Dict[str, Any]:
    """A settings file applied under every row (``{}`` for none): the CLI's and panel's settings file
    (``settings_io``), or a plain JSON object of job fields and settings.

    Raises:
        Audio2FaceError: unreadable, not JSON, or not an object; the message names the file.
    """
    from ..settings_io import SETTINGS_FORMAT, read_settings_values

    if not path or not str(path).strip():
        return {}
    file = Path(path)
    data = load_json(file, "settings file")
    if isinstance(data, dict) and data.get("format") == SETTINGS_FORMAT:  # a settings file of the CLI and panel
        data = read_settings_values(file)
    if not isinstance(data, dict):
        raise Audio2FaceError("settings file must hold a JSON object of setting names and values", file)
    base = file.resolve().parent
    for field in ("model", "mapping"):  # relative to the settings file, like job paths to the jobs file
        value = data.get(field)
        if isinstance(value, str) and value.strip() and (field == "model" or value.lower().endswith(".json")):
            data[field] = str(resolve_path(base, value, field, str(file)))
    return data
