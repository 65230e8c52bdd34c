"""Audio-only jobs: rows with ``audio`` and ``output`` (a curve file) and no ``scene``; no Maya needed.

Fields: ``audio`` and ``output`` (required; ``.json``, ``.csv``, ``.npy``, ``.anim`` or ``.ma`` curves),
``name``, ``overwrite``, ``qc`` (default true: ``<output stem>_qc.json``/``.png`` beside the output),
``node`` (the blendShape node named in ``.ma``/``.anim`` files), ``start_frame``, ``fps``, plus any
``AnimateSettings``/``PostSettings`` field, as in the Maya batch's jobs.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from ..errors import Audio2FaceError
from ..formats import SUPPORTED_EXTENSIONS
from .rows import PATH_SETTINGS, checked_settings, job_label, resolve_path, row_values, set_values

logger = logging.getLogger(__name__)

AUDIO_JOB_FIELDS = ("audio", "output", "name", "overwrite", "qc", "node", "start_frame", "fps")


@dataclasses.dataclass
class AudioJob:
    """One checked audio-only job."""

    index: int
    name: str
    audio: Path
    output: Path
    overwrite: bool = False
    qc: bool = True
    node: Optional[str] = None
    settings: Dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def qc_paths(self) -> Tuple[Path, Path]:
        """``<output stem>_qc.json`` and ``.png`` beside the output (as the Maya batch writes them)."""
        json_path = self.output.with_name(f"{self.output.stem}_qc.json")
        return json_path, json_path.with_suffix(".png")


@dataclasses.dataclass
class RowError:
    """A row that could not be read as a job; reported as failed."""

    index: int
    name: str
    error: str


def make_audio_job(index: int, fields: Mapping[str, Any], base: Path) -> Union[AudioJob, RowError]:
    """Check one audio-only row; a problem gives a ``RowError`` naming it."""
    label, where = job_label(index, fields)
    try:
        if "scene" in set_values(fields):
            raise Audio2FaceError(f"{where}: names a scene: it is a Maya job (run it with the mayapy batch)")
        values = row_values(fields, AUDIO_JOB_FIELDS, ("audio", "output"), where)
        audio = resolve_path(base, values["audio"], "audio", where)
        output = resolve_path(base, values["output"], "output", where)
        if output.suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise Audio2FaceError(f"{where}: output must be a curve file ({', '.join(SUPPORTED_EXTENSIONS)})", output)
        settings = {k: v for k, v in values.items() if k not in AUDIO_JOB_FIELDS}
        for field in PATH_SETTINGS:  # relative to the jobs file, like every path of a job
            if field in settings:
                settings[field] = str(resolve_path(base, settings[field], field, where))
        for field in ("start_frame", "fps"):
            if field in values:
                settings[field] = values[field]
        settings = checked_settings(settings, where)
        return AudioJob(index=index, name=str(values.get("name") or audio.stem), audio=audio, output=output,
                        overwrite=bool(values.get("overwrite", False)), qc=bool(values.get("qc", True)),
                        node=values.get("node") or None, settings=settings)
    except Audio2FaceError as exc:
        return RowError(index=index, name=label, error=str(exc))
    except (TypeError, ValueError) as exc:
        return RowError(index=index, name=label, error=f"{where}: {exc}")


def load_audio_jobs(rows: List[Dict[str, Any]], base: Path) -> List[Union[AudioJob, RowError]]:
    """Check every row as an audio-only job."""
    return [make_audio_job(i, row, base) for i, row in enumerate(rows)]
