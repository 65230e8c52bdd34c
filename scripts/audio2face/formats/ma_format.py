"""``.ma``: Maya ASCII holding one ``animCurveTU`` per target, optionally connected to a blendShape by alias.

Head (and gaze-control) rotations of the secondary motion are ``animCurveTA`` curves in degrees (the
file's ``currentUnit -a degree``) connected to ``<node>.rotateX/Y/Z``; ``read`` skips them.

Written the way Maya writes such nodes (maya-facts section 5)::

    //Maya ASCII 2022 scene
    //Name: face.ma
    //Codeset: UTF-8
    requires maya "2022";
    currentUnit -l centimeter -a degree -t ntsc;
    fileInfo "application" "maya";
    createNode animCurveTU -n "blendShape1_jawOpen";
    \tsetAttr ".tan" 2;
    \tsetAttr ".wgt" no;
    \tsetAttr -s 3 ".ktv[0:2]"  1 0 12 0.85 24 0;
    connectAttr -f "blendShape1_jawOpen.o" "blendShape1.jawOpen";
    // End of face.ma

Key times are frames in the ``currentUnit -t`` unit, which is the curves' frame rate. A curve of more than
250 keys gets a size line ``setAttr -s N ".ktv";`` and chunks of 250 keys. Sparse keys add per-key tangent
types (``.kit``/``.kot``: 2 linear, 1 fixed), ``.ktl`` (tangents locked unless broken) and, when any tangent
is fixed, the tangent vectors ``.kix/.kiy/.kox/.koy``: x in seconds (the span to the neighbouring key in
frames / fps), y in value units (slope per frame x span in frames), so slope per frame = y / (x * fps).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np

from ..atomic import atomic_open
from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from ..key_reduction import FIXED, LINEAR, Key
from ..timeunits import maya_time_unit, unit_fps
from .curve_keys import KeyArrays, chord_slopes, curves_from_keys, dense_key_arrays, key_arrays
from .maya_names import check_aliases, check_node_name, curve_node_names
from .numbers import format_doubles, format_float32_array, require_finite
from .registry import OutputFormat

logger = logging.getLogger(__name__)

MAYA_VERSION = "2022"
"""Version written in the header: the oldest supported Maya, so every supported Maya opens it quietly."""

CHUNK = 250
"""Keys per ``.ktv`` statement once a curve passes this many (as Maya writes)."""

TANGENT_CODES = {FIXED: 1, LINEAR: 2}
"""animCurve node tangent enum values in ``.ma`` (not MFnAnimCurve.TangentType)."""

_PER_LINE = {"ktv": 8, "kit": 32, "kot": 32, "ktl": 24, "float": 6}
"""Items per line of a wrapped statement (lines of about 100 characters, as Maya wraps them)."""


def _wrapped(items: List[str], head: str, line_break: str, per_line: int) -> str:
    """``head`` + items separated by spaces, ``per_line`` items to a line."""
    lines = [" ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return head + line_break.join(lines)


def _pairs(times: List[str], values: List[str]) -> List[str]:
    return [f"{t} {v}" for t, v in zip(times, values)]


def _ktv_lines(times: List[str], values: List[str]) -> Iterator[str]:
    count = len(times)
    pairs = _pairs(times, values)
    per_line = _PER_LINE["ktv"]
    if count == 1:
        yield f'\tsetAttr ".ktv[0]"  {pairs[0]};'
        return
    if count <= CHUNK:
        yield _wrapped(pairs, f'\tsetAttr -s {count} ".ktv[0:{count - 1}]"  ', "\n\t\t ", per_line) + ";"
        return
    yield f'\tsetAttr -s {count} ".ktv";'
    for first in range(0, count, CHUNK):
        last = min(first + CHUNK, count) - 1
        gap = "  " if first == 0 else " "
        head = f'\tsetAttr ".ktv[{first}:{last}]"{gap}'
        yield _wrapped(pairs[first : last + 1], head, "\n\t\t ", per_line) + ";"


def _array_line(attr: str, items: List[str], gap: str = "  ") -> str:
    count = len(items)
    if count == 1:
        return f'\tsetAttr ".{attr}[0]"{gap}{items[0]};'
    per_line = _PER_LINE.get(attr, _PER_LINE["float"])
    return _wrapped(items, f'\tsetAttr -s {count} ".{attr}[0:{count - 1}]"{gap}', " \n\t\t", per_line) + ";"


def _tangent_vectors(keys: KeyArrays, fps: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(kix, kiy, kox, koy): x = span in seconds, y = slope x span (value units)."""
    in_span, out_span = keys.in_segments(), keys.out_segments()
    in_slopes, out_slopes = keys.in_slopes.copy(), keys.out_slopes.copy()
    chord_in, chord_out = chord_slopes(keys.times, keys.values)
    assert keys.in_types is not None and keys.out_types is not None
    in_linear = np.array([t == LINEAR for t in keys.in_types])
    out_linear = np.array([t == LINEAR for t in keys.out_types])
    in_slopes[in_linear] = chord_in[in_linear]
    out_slopes[out_linear] = chord_out[out_linear]
    return in_span / fps, in_slopes * in_span, out_span / fps, out_slopes * out_span


def _curve_lines(
    node: str, keys: KeyArrays, fps: float, dense_times: Optional[List[str]] = None, node_type: str = "animCurveTU"
) -> Iterator[str]:
    yield f'createNode {node_type} -n "{node}";'
    yield f'\tsetAttr ".tan" {TANGENT_CODES[FIXED] if keys.any_fixed else TANGENT_CODES[LINEAR]};'
    yield '\tsetAttr ".wgt" no;'
    times = dense_times if keys.dense and dense_times is not None else format_doubles(keys.times)
    values = format_float32_array(keys.values)
    yield from _ktv_lines(times, values)
    if keys.dense:
        return
    assert keys.in_types is not None and keys.out_types is not None
    yield _array_line("kit", [str(TANGENT_CODES[t]) for t in keys.in_types])
    yield _array_line("kot", [str(TANGENT_CODES[t]) for t in keys.out_types])
    locked = [
        "yes" if a == b and (a == LINEAR or si == so) else "no"
        for a, b, si, so in zip(keys.in_types, keys.out_types, keys.in_slopes, keys.out_slopes)
    ]
    yield _array_line("ktl", locked, gap=" ")
    if keys.any_fixed:
        for attr, column in zip(("kix", "kiy", "kox", "koy"), _tangent_vectors(keys, fps)):
            yield _array_line(attr, format_doubles(column))


def _rotation_curves(curves: Curves, taken: set, path: PathLike) -> List[Tuple[str, str, KeyArrays]]:
    """(curve node, plug, keys) of the secondary motion's rotation curves (degrees, the file's angle unit)."""
    motion = curves.secondary
    out: List[Tuple[str, str, KeyArrays]] = []
    for node, attrs in (motion.rotations if motion is not None else {}).items():
        check_node_name(node, path)
        for attr, values in attrs.items():
            name = curve_node_names([attr], node)[attr]
            while name in taken:
                name += "_"
            taken.add(name)
            out.append((name, f"{absolute_node_name(node)}.{attr}", dense_key_arrays(curves.times(), values)))
    return out


def _file_label(path: PathLike) -> str:
    return re.sub(r"[\r\n]", "_", Path(path).name)


def absolute_node_name(node: str) -> str:
    """A namespaced node as an absolute name (``:char:blendShape1``): it then names the referenced rig
    even when the file is imported into a namespace of its own. Names without a namespace stay as they are."""
    return node if ":" not in node or node.startswith(":") else ":" + node


def write(
    curves: Curves,
    path: PathLike,
    *,
    blendshape_node: Optional[str] = None,
    maya_version: str = MAYA_VERSION,
) -> List[Path]:
    """Write ``curves`` as Maya ASCII animCurves (connected to ``blendshape_node`` by alias when given).

    Raises:
        Audio2FaceError: nan/inf, no frames, a frame rate Maya has no unit for, a bad node name, or
            target names that cannot be aliases (when connecting).
    """
    curves = curves.keyed()  # targets left at rest are not keyed (their existing animation stays)
    require_finite(curves, path)
    if curves.frame_count == 0 or not curves.names:
        raise Audio2FaceError("no frames or no channels to write", path)
    unit = maya_time_unit(curves.fps, path)
    if blendshape_node is not None:
        check_node_name(blendshape_node, path)
        check_aliases(curves.names, path)
    nodes = curve_node_names(curves.names, blendshape_node)
    rotations = _rotation_curves(curves, set(nodes.values()), path)
    dense_times = format_doubles(curves.times())
    label = _file_label(path)
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(
            f"//Maya ASCII {maya_version} scene\n//Name: {label}\n//Codeset: UTF-8\n"
            f'requires maya "{maya_version}";\n'
            f"currentUnit -l centimeter -a degree -t {unit};\n"
            'fileInfo "application" "maya";\n'
        )
        for name in curves.names:
            keys = key_arrays(curves, name, path)
            handle.write("\n".join(_curve_lines(nodes[name], keys, curves.fps, dense_times)) + "\n")
        if blendshape_node is not None:
            target = absolute_node_name(blendshape_node)
            for name in curves.names:
                handle.write(f'connectAttr -f "{nodes[name]}.o" "{target}.{name}";\n')
        for curve_node, plug, keys in rotations:
            handle.write("\n".join(_curve_lines(curve_node, keys, curves.fps, dense_times, "animCurveTA")) + "\n")
            handle.write(f'connectAttr -f "{curve_node}.o" "{plug}";\n')
        handle.write(f"// End of {label}\n")
    return [Path(path)]


# --- reading (files written by ``write``) -------------------------------------------------------------------

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|;|[^\s;"]+')
_RANGE = re.compile(r"^\.(\w+)(?:\[(\d+)(?::(\d+))?\])?$")


def _statements(text: str) -> Iterator[List[str]]:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    tokens: List[str] = []
    for token in _TOKEN.findall("\n".join(lines)):
        if token == ";":
            if tokens:
                yield tokens
            tokens = []
        else:
            tokens.append(token[1:-1] if token.startswith('"') else token)
    if tokens:
        yield tokens


class _CurveData:
    def __init__(self) -> None:
        self.tan = TANGENT_CODES[LINEAR]
        self.arrays: Dict[str, Dict[int, str]] = {}

    def put(self, attr: str, first: int, items: List[str]) -> None:
        target = self.arrays.setdefault(attr, {})
        for offset, item in enumerate(items):
            target[first + offset] = item


def _set_attr(curve: _CurveData, words: List[str], path: PathLike) -> None:
    position = 1
    while position < len(words) and words[position] in ("-s", "-l", "-type"):
        position += 2
    match = _RANGE.match(words[position]) if position < len(words) else None
    if not match:
        raise Audio2FaceError(f"unexpected setAttr: {' '.join(words)[:80]}", path)
    attr, first = match.group(1), int(match.group(2) or 0)
    items = words[position + 1 :]
    if attr == "tan":
        curve.tan = int(items[0])
    elif attr == "ktv":
        if match.group(2) is not None:
            curve.put("ktv_t", first, items[0::2])
            curve.put("ktv_v", first, items[1::2])
    elif attr in ("kit", "kot", "ktl", "kix", "kiy", "kox", "koy"):
        curve.put(attr, first, items)


def _keys_of(curve: _CurveData, fps: float, name: str, path: PathLike) -> List[Key]:
    count = len(curve.arrays.get("ktv_t", {}))
    if count == 0:
        raise Audio2FaceError(f"curve {name!r} has no keys", path)

    def column(attr: str, default: Optional[str]) -> List[str]:
        found = curve.arrays.get(attr, {})
        return [found.get(i, default) for i in range(count)]  # type: ignore[misc]

    try:
        times = np.array([float(x) for x in column("ktv_t", None)])
        values = np.array([float(x) for x in column("ktv_v", None)])
        codes = {FIXED: TANGENT_CODES[FIXED], LINEAR: TANGENT_CODES[LINEAR]}
        by_code = {code: kind for kind, code in codes.items()}
        in_types = [by_code[int(c)] for c in column("kit", str(curve.tan))]
        out_types = [by_code[int(c)] for c in column("kot", str(curve.tan))]
        kix = np.array([float(x) for x in column("kix", "1")])
        kiy = np.array([float(x) for x in column("kiy", "0")])
        kox = np.array([float(x) for x in column("kox", "1")])
        koy = np.array([float(x) for x in column("koy", "0")])
    except (KeyError, TypeError, ValueError):
        raise Audio2FaceError(
            f"curve {name!r}: only linear and fixed tangents as audio2face writes them can be read", path
        ) from None
    chord_in, chord_out = chord_slopes(times, values)
    keys = []
    for i in range(count):
        in_slope = chord_in[i] if in_types[i] == LINEAR else kiy[i] / (kix[i] * fps)
        out_slope = chord_out[i] if out_types[i] == LINEAR else koy[i] / (kox[i] * fps)
        keys.append(
            Key(float(times[i]), float(values[i]), in_types[i], out_types[i], float(in_slope), float(out_slope))
        )
    return keys


def read(path: PathLike) -> Curves:
    """Read a ``.ma`` written by :func:`write` back into ``Curves`` (weights sampled at whole frames).

    Channel names are the connected aliases, else the curve node names.

    Raises:
        Audio2FaceError: not such a file (unknown content, tangent types other than linear/fixed...).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise Audio2FaceError(f"cannot read: {exc.strerror or exc}", path) from None
    except UnicodeDecodeError as exc:
        raise Audio2FaceError(f"not UTF-8 text: {exc}", path) from None
    if not text.startswith("//Maya ASCII "):
        raise Audio2FaceError("not a Maya ASCII file", path)
    fps: Optional[float] = None
    curves: Dict[str, _CurveData] = {}
    aliases: Dict[str, str] = {}
    skipped: set = set()
    current: Optional[_CurveData] = None
    for words in _statements(text):
        command = words[0]
        if command == "currentUnit" and "-t" in words:
            fps = unit_fps(words[words.index("-t") + 1], path)
        elif command == "createNode":
            if words[1] not in ("animCurveTU", "animCurveTA") or "-n" not in words:
                raise Audio2FaceError(f"unexpected node: {' '.join(words)[:80]}", path)
            if words[1] == "animCurveTA":  # secondary motion's rotation curves: not blendShape weights
                current = _CurveData()
                skipped.add(words[words.index("-n") + 1])
                continue
            current = curves.setdefault(words[words.index("-n") + 1], _CurveData())
        elif command == "setAttr":
            if current is None:
                raise Audio2FaceError("setAttr before any createNode", path)
            _set_attr(current, words, path)
        elif command == "connectAttr":
            source, target = [w for w in words[1:] if not w.startswith("-")][:2]
            if source.rsplit(".", 1)[0] not in skipped:
                aliases[source.rsplit(".", 1)[0]] = target.rsplit(".", 1)[1]
    if fps is None:
        raise Audio2FaceError("no currentUnit -t line", path)
    if not curves:
        raise Audio2FaceError("no animCurveTU nodes", path)
    names = [aliases.get(node, node) for node in curves]
    channel_keys = {aliases.get(node, node): _keys_of(data, fps, node, path) for node, data in curves.items()}
    try:
        return curves_from_keys(names, fps, channel_keys, {"file": str(path)}, path)
    except Audio2FaceError as exc:
        raise Audio2FaceError(str(exc), path) from None


OUTPUT_FORMAT = OutputFormat("ma", (".ma",), "Maya ASCII", write, read, order=50)
