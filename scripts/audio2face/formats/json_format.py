"""``.json``: the full ``Curves`` (names, rate, start frame, weights, source, optional sparse keys).

Schema (``format_version`` 1)::

    {"format": "audio2face-curves", "format_version": 1, "fps": 30.0, "start_frame": 1.0,
     "names": ["jawOpen", ...], "source": {...},
     "driven": ["jawOpen", ...],                    optional: the names to key (the rest stay at rest)
     "unmatched": ["browInnerUp", ...],             optional: rig targets no model channel drives
     "weights": [[w_jawOpen, ...], ...],            one list per frame, in ``names`` order
     "keys": {"jawOpen": [{"time": 1.0, "value": 0.0, "in_tangent": "linear", "out_tangent": "fixed",
                           "in_slope": 0.0, "out_slope": 0.02}, ...]}}   optional

Key times are scene frames, slopes are value units per frame (see ``audio2face.key_reduction``). With
secondary head or gaze-control motion, ``"rotations": {"head_ctrl": {"rotateY": [deg per frame], ...}}`` is added.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

from ..atomic import atomic_open
from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from ..key_reduction import Key
from ..text_input import load_json
from .numbers import format_rows, require_finite
from .registry import OutputFormat

logger = logging.getLogger(__name__)

FORMAT = "audio2face-curves"
FORMAT_VERSION = 1


def _jsonable(value: Any) -> Any:
    """Plain JSON types (numpy scalars/arrays converted, nan/inf -> None, other objects -> str)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def write(curves: Curves, path: PathLike, *, blendshape_node: Optional[str] = None) -> List[Path]:
    """Write ``curves`` as JSON (``blendshape_node`` is not used by this format)."""
    require_finite(curves, path)
    head = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "fps": float(curves.fps),
        "start_frame": float(curves.start_frame),
        "names": list(curves.names),
        "source": _jsonable(curves.source),
    }
    if curves.driven is not None:
        head["driven"] = list(curves.driven)
    if curves.unmatched:
        head["unmatched"] = list(curves.unmatched)
    if curves.secondary is not None and curves.secondary.rotations:
        head["rotations"] = _jsonable(curves.secondary.rotations)
    parts = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False, allow_nan=False)}" for k, v in head.items()]
    keys_text = ""
    if curves.keys is not None:
        keys = {name: [k.to_dict() for k in curves.keys[name]] for name in curves.names if name in curves.keys}
        keys_text = ',\n  "keys": ' + json.dumps(keys, ensure_ascii=False, allow_nan=False)
    with atomic_open(path, "w") as handle:
        handle.write("{\n" + ",\n".join(parts) + ',\n  "weights": [')
        separator = "\n"
        for block in format_rows(curves.weights):
            for row in block:
                handle.write(separator + "    [" + ", ".join(row) + "]")
                separator = ",\n"
        handle.write("\n  ]" if curves.frame_count else "]")
        handle.write(keys_text + "\n}\n")
    return [Path(path)]


def read(path: PathLike) -> Curves:
    """Read a file written by :func:`write`.

    Raises:
        Audio2FaceError: not an audio2face-curves file, a newer version, or inconsistent content.
    """
    data = load_json(path, "curves file")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise Audio2FaceError(f'not an audio2face curves file (expected "format": "{FORMAT}")', path)
    version = data.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise Audio2FaceError(f"bad format_version {version!r}", path)
    if version > FORMAT_VERSION:
        raise Audio2FaceError(f"format_version {version} is newer than this tool reads ({FORMAT_VERSION})", path)
    names = data.get("names")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise Audio2FaceError('"names" must be a list of strings', path)
    try:
        fps = float(data["fps"])
        start_frame = float(data.get("start_frame", 1.0))
        weights = np.asarray(data.get("weights", []), dtype=np.float64)
    except (KeyError, TypeError, ValueError) as exc:
        raise Audio2FaceError(f'bad "fps", "start_frame" or "weights": {exc}', path) from None
    if weights.size == 0:
        weights = np.zeros((0, len(names)))
    if weights.ndim != 2 or weights.shape[1] != len(names):
        raise Audio2FaceError(f'"weights" must be a list of frames with {len(names)} numbers each', path)
    source = data.get("source") or {}
    if not isinstance(source, dict):
        raise Audio2FaceError('"source" must be an object', path)
    driven, unmatched = data.get("driven"), data.get("unmatched") or []
    if driven is not None and (not isinstance(driven, list) or not set(driven) <= set(names)):
        raise Audio2FaceError('"driven" must list names from "names"', path)
    if not isinstance(unmatched, list) or not all(isinstance(n, str) for n in unmatched):
        raise Audio2FaceError('"unmatched" must be a list of names', path)
    keys: Optional[Dict[str, List[Key]]] = None
    if data.get("keys") is not None:
        raw = data["keys"]
        if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
            raise Audio2FaceError('"keys" must map names to lists of keys', path)
        unknown = sorted(set(raw) - set(names))
        if unknown:
            raise Audio2FaceError(f'"keys" names channels that are not in "names": {", ".join(unknown)}', path)
        try:
            keys = {name: [Key.from_dict(k) for k in items] for name, items in raw.items()}
        except Audio2FaceError as exc:
            raise Audio2FaceError(str(exc), path) from None
    try:
        return Curves(names, fps, weights.astype(np.float32), start_frame=start_frame, source=source, keys=keys,
                      driven=driven, unmatched=list(unmatched))
    except Audio2FaceError as exc:
        raise Audio2FaceError(str(exc), path) from None


OUTPUT_FORMAT = OutputFormat("json", (".json",), "Curves JSON", write, read, order=10)
