"""Rows of a jobs file (JSON or CSV) and the checks every kind of job shares.

JSON: a list of job objects, or ``{"defaults": {...}, "jobs": [...]}``. CSV: a header row naming the
fields, one job per row; empty cells are unset. The Maya batch (``audio2face_maya.jobs``) and the farm's
headless jobs (``audio2face.farm.audio_jobs``) both read their rows here; each then checks the fields
of its own kind.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from ..errors import Audio2FaceError, PathLike
from ..text_input import check_columns, load_json, read_csv

logger = logging.getLogger(__name__)

NUMBERS = {"start_frame", "strength", "smoothing_ms", "lip_open_offset", "time_offset_ms", "silence_db",
           "silence_release_ms", "reduce", "fps"}
INTEGERS = {"threads", "batch_size"}
BOOLS = {"overwrite", "sound", "qc", "silence_gate", "clamp"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def setting_names() -> set:
    """Settings a job row may carry: ``AnimateSettings`` and ``PostSettings`` fields, less the job's own."""
    from ..pipeline import AnimateSettings
    from ..post import PostSettings

    own = {f.name for f in dataclasses.fields(AnimateSettings)} - {"fps", "targets", "start_frame", "post"}
    return own | {f.name for f in dataclasses.fields(PostSettings)}


def convert(field: str, value: Any, where: str) -> Any:
    """A cell's value as its field's type (CSV cells are text); a wrong type is an error naming the job."""
    if isinstance(value, str):
        text = value.strip()
        if field in BOOLS:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise Audio2FaceError(f"{where}: {field} must be true or false, got {value!r}")
        if field in NUMBERS or field in INTEGERS:
            try:
                number = float(text)
            except ValueError:
                raise Audio2FaceError(f"{where}: {field} must be a number, got {value!r}") from None
            return int(number) if field in INTEGERS else number
        return text
    if field in BOOLS and not isinstance(value, bool):
        raise Audio2FaceError(f"{where}: {field} must be true or false, got {value!r}")
    if field in NUMBERS and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise Audio2FaceError(f"{where}: {field} must be a number, got {value!r}")
    return value


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
    """A settings file: a JSON object of job fields and settings applied under every row (``{}`` for none).

    Raises:
        Audio2FaceError: unreadable, not JSON, or not an object; the message names the file.
    """
    if not path or not str(path).strip():
        return {}
    file = Path(path)
    data = load_json(file, "settings file")
    if not isinstance(data, dict):
        raise Audio2FaceError("settings file must hold a JSON object of setting names and values", file)
    base = file.resolve().parent
    for field in ("model", "mapping"):  # relative to the settings file, like job paths to the jobs file
        value = data.get(field)
        if isinstance(value, str) and value.strip() and (field == "model" or value.lower().endswith(".json")):
            data[field] = str(resolve_path(base, value, field, str(file)))
    return data
