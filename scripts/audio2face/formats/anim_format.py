"""``.anim``: animImportExport (animVersion 1.1) curves for a blendShape's weights (maya-facts section 6).

::

    animVersion 1.1;
    mayaVersion 2022;
    timeUnit ntsc;
    linearUnit cm;
    angularUnit deg;
    startTime 1;
    endTime 24;
    anim jawOpen jawOpen blendShape1 0 0 0;
    animData {
      input time;
      output unitless;
      weighted 0;
      preInfinity constant;
      postInfinity constant;
      keys {
        1 0 linear linear 1 1 0;
        12 0.85 fixed fixed 1 1 0 1.5 1 1.5 1;
      }
    }

Key line: ``time value inType outType tanLocked weightLocked breakdown``, then ``inAngle inWeight`` only
when inType is ``fixed``, then ``outAngle outWeight`` only when outType is ``fixed``. The angle is in
``angularUnit`` (degrees) in Maya's UI space: tan(angle) = slope in value units per frame of ``timeUnit``.
The weight of a non-weighted curve's tangent is not used by Maya; we write 1.

Only the named time units (game, film, pal, ntsc, show, palf, ntscf) are written: the animImportExport reader
parses no others. The attribute is named by its alias as both full and leaf name (``jawOpen jawOpen``), the
form the one public generator writes and the only one a paste can find on the node (``weight.jawOpen`` is
no plug path: ``weight`` is a multi, not a compound); docs/maya.md, ".anim". Without a blendShape node the
records omit the leaf attribute and node names (``anim jawOpen 0 0 0;``). The reader takes either form.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np

from ..atomic import atomic_open
from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from ..key_reduction import FIXED, LINEAR, Key
from ..timeunits import anim_time_unit, unit_fps
from .curve_keys import KeyArrays, curves_from_keys, key_arrays
from .maya_names import check_aliases, check_node_name
from .numbers import format_double, format_doubles, format_float32_array, require_finite
from .registry import OutputFormat

logger = logging.getLogger(__name__)

ANIM_VERSION = "1.1"
MAYA_VERSION = "2022"
WEIGHT_ATTRIBUTE = ""
"""Parent written before the alias in the full attribute name: none (``jawOpen``, not ``weight.jawOpen``)."""


def _key_lines(keys: KeyArrays, dense_times: List[str]) -> Iterator[str]:
    times = dense_times if keys.dense else format_doubles(keys.times)
    values = format_float32_array(keys.values)
    if keys.dense:
        for time, value in zip(times, values):
            yield f"    {time} {value} linear linear 1 1 0;"
        return
    assert keys.in_types is not None and keys.out_types is not None
    in_angles = format_doubles(np.degrees(np.arctan(keys.in_slopes)))
    out_angles = format_doubles(np.degrees(np.arctan(keys.out_slopes)))
    for i, (time, value) in enumerate(zip(times, values)):
        kind_in, kind_out = keys.in_types[i], keys.out_types[i]
        locked = int(kind_in == kind_out and (kind_in == LINEAR or keys.in_slopes[i] == keys.out_slopes[i]))
        fields = [time, value, kind_in, kind_out, str(locked), "1", "0"]
        if kind_in == FIXED:
            fields += [in_angles[i], "1"]
        if kind_out == FIXED:
            fields += [out_angles[i], "1"]
        yield "    " + " ".join(fields) + ";"


def _key_range(curves: Curves, name: str, path: PathLike) -> Tuple[float, float]:
    keys = (curves.keys or {}).get(name)
    if keys:
        return keys[0].time, keys[-1].time
    if keys is not None:
        raise Audio2FaceError(f"channel {name!r} has an empty key list", path)
    return curves.start_frame, curves.end_frame


def write(
    curves: Curves,
    path: PathLike,
    *,
    blendshape_node: Optional[str] = None,
    maya_version: str = MAYA_VERSION,
) -> List[Path]:
    """Write ``curves`` as an ``.anim`` file (select the blendShape node before importing it in Maya).

    Raises:
        Audio2FaceError: nan/inf, no frames, a frame rate without a named unit, a bad node name, or target
            names that are not valid attribute names.
    """
    curves = curves.keyed()  # targets left at rest are not keyed (their existing animation stays)
    require_finite(curves, path)
    if curves.frame_count == 0 or not curves.names:
        raise Audio2FaceError("no frames or no channels to write", path)
    unit = anim_time_unit(curves.fps, path)
    if blendshape_node is not None:
        check_node_name(blendshape_node, path)
    check_aliases(curves.names, path)
    ends = [_key_range(curves, name, path) for name in curves.names]
    start, end = min(e[0] for e in ends), max(e[1] for e in ends)
    dense_times = format_doubles(curves.times())
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(
            f"animVersion {ANIM_VERSION};\nmayaVersion {maya_version};\ntimeUnit {unit};\n"
            f"linearUnit cm;\nangularUnit deg;\nstartTime {format_double(start)};\nendTime {format_double(end)};\n"
        )
        for index, name in enumerate(curves.names):
            names = f" {name} {blendshape_node}" if blendshape_node is not None else ""
            full = f"{WEIGHT_ATTRIBUTE}.{name}" if WEIGHT_ATTRIBUTE else name
            handle.write(f"anim {full}{names} 0 0 {index};\n")
            handle.write(
                "animData {\n  input time;\n  output unitless;\n  weighted 0;\n"
                "  preInfinity constant;\n  postInfinity constant;\n  keys {\n"
            )
            handle.write("\n".join(_key_lines(key_arrays(curves, name, path), dense_times)) + "\n")
            handle.write("  }\n}\n")
    return [Path(path)]


# --- reading (files written by ``write``) -------------------------------------------------------------------

_COMMENT = re.compile(r"(//|#).*$")


def _key_from_fields(fields: List[str], path: PathLike, line: int) -> Key:
    time, value, kind_in, kind_out = float(fields[0]), float(fields[1]), fields[2], fields[3]
    if kind_in not in (LINEAR, FIXED) or kind_out not in (LINEAR, FIXED):
        raise Audio2FaceError(f"line {line}: only linear and fixed tangents as audio2face writes them are read", path)
    rest = fields[7:]
    in_slope = out_slope = math.nan
    if kind_in == FIXED:
        in_slope, rest = math.tan(math.radians(float(rest[0]))), rest[2:]
    if kind_out == FIXED:
        out_slope = math.tan(math.radians(float(rest[0])))
    return Key(time, value, kind_in, kind_out, in_slope, out_slope)


def _fill_linear_slopes(keys: List[Key]) -> List[Key]:
    filled = []
    for i, key in enumerate(keys):
        before = keys[i - 1] if i > 0 else None
        after = keys[i + 1] if i + 1 < len(keys) else None
        chord_in = (key.value - before.value) / (key.time - before.time) if before else None
        chord_out = (after.value - key.value) / (after.time - key.time) if after else None
        chord_in = chord_in if chord_in is not None else (chord_out or 0.0)
        chord_out = chord_out if chord_out is not None else chord_in
        filled.append(
            Key(
                key.time,
                key.value,
                key.in_tangent,
                key.out_tangent,
                chord_in if key.in_tangent == LINEAR else key.in_slope,
                chord_out if key.out_tangent == LINEAR else key.out_slope,
            )
        )
    return filled


def read(path: PathLike) -> Curves:
    """Read an ``.anim`` written by :func:`write` back into ``Curves`` (weights sampled at whole frames).

    Channel names are the attribute leaf names (the part after ``weight.``).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise Audio2FaceError(f"cannot read: {exc.strerror or exc}", path) from None
    except UnicodeDecodeError as exc:
        raise Audio2FaceError(f"not UTF-8 text: {exc}", path) from None
    fps: Optional[float] = None
    channel_keys: Dict[str, List[Key]] = {}
    current: Optional[List[Key]] = None
    in_keys = False
    try:
        for number, raw in enumerate(lines, start=1):
            line = _COMMENT.sub("", raw).strip()
            if not line:
                continue
            fields = line.rstrip(";").split()
            if fields[0] == "timeUnit":
                fps = unit_fps(fields[1], path)
            elif fields[0] == "anim":
                leaf = fields[1].split(".")[-1]
                current = channel_keys.setdefault(leaf, [])
            elif fields[0] == "keys":
                in_keys = True
            elif line == "}":
                in_keys = False
            elif in_keys and current is not None:
                current.append(_key_from_fields(fields, path, number))
    except (IndexError, ValueError):
        raise Audio2FaceError(f"line {number}: not an .anim line as audio2face writes them", path) from None
    if fps is None:
        raise Audio2FaceError("no timeUnit line", path)
    if not channel_keys or not all(channel_keys.values()):
        raise Audio2FaceError("no keyed curves", path)
    filled = {name: _fill_linear_slopes(keys) for name, keys in channel_keys.items()}
    try:
        return curves_from_keys(list(filled), fps, filled, {"file": str(path)}, path)
    except Audio2FaceError as exc:
        raise Audio2FaceError(str(exc), path) from None


OUTPUT_FORMAT = OutputFormat("anim", (".anim",), "Maya anim", write, read, order=40)
