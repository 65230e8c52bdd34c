"""Strict parsers for ``.ma`` / ``.anim`` curve files and an independent animCurve evaluator, for tests.

Written from the grammar in ../shared/maya-facts.md (sections 2, 4, 5, 6) and nothing in
``audio2face.formats`` or ``audio2face.key_reduction``: a second reading of the same facts, so a writer bug is not
mirrored by its own reader. Anything the facts do not allow is an error here (unknown commands or flags,
nan/inf, CR-only line ends, a missing ``;``, a bad header, wrong field counts).

The evaluator follows Maya's non-weighted animCurve evaluation: a span whose out/in tangents are both
``linear`` is a straight line, otherwise the cubic with the two end slopes (in value per second, as Maya
stores tangents: x in seconds, y in value units), written in the polynomial form
``v(t) = ((c0 * u + c1) * u + c2) * u + v0`` with ``u`` the seconds since the span's first key.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np


class MayaFileError(ValueError):
    """The text breaks the grammar."""


# --- maya-facts section 2: time units ------------------------------------------------------------------------

TIME_UNIT_FPS: Dict[str, float] = {
    "game": 15.0, "film": 24.0, "pal": 25.0, "ntsc": 30.0, "show": 48.0, "palf": 50.0, "ntscf": 60.0,
    "23.976fps": 24000 / 1001, "29.97fps": 30000 / 1001, "29.97df": 30000 / 1001, "47.952fps": 48000 / 1001,
    "59.94fps": 60000 / 1001, "44100fps": 44100.0, "48000fps": 48000.0,
    "hour": 1 / 3600, "min": 1 / 60, "sec": 1.0, "millisec": 1000.0,
}
for _n in (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 40, 75, 80, 100, 120, 125, 150, 200, 240, 250, 300, 375, 400, 500,
           600, 750, 1200, 1500, 2000, 3000, 6000):
    TIME_UNIT_FPS[f"{_n}fps"] = float(_n)

ANIM_TIME_UNITS = {"game", "film", "pal", "ntsc", "show", "palf", "ntscf", "hour", "min", "sec", "millisec"}
LINEAR_UNITS_MA = {"mm", "millimeter", "cm", "centimeter", "m", "meter", "km", "kilometer", "in", "inch",
                   "ft", "foot", "yd", "yard", "mi", "mile"}
ANGLE_UNITS_MA = {"deg", "degree", "rad", "radian"}
ANIM_LINEAR_UNITS = {"mm", "cm", "m", "km", "in", "ft", "yd", "mi"}
ANIM_ANGULAR_UNITS = {"rad", "deg", "min", "sec"}

_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NODE = re.compile(r"^:?(?:[A-Za-z_][A-Za-z0-9_]*:)*[A-Za-z_][A-Za-z0-9_]*$")


def number(text: str, where: str) -> float:
    """A finite number in C/MEL syntax (``nan``, ``inf``, ``1.#INF`` are errors)."""
    if not _NUMBER.match(text):
        raise MayaFileError(f"{where}: {text!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise MayaFileError(f"{where}: {text!r} is not finite")
    return value


def integer(text: str, where: str) -> int:
    if not re.match(r"^\d+$", text):
        raise MayaFileError(f"{where}: {text!r} is not a non-negative integer")
    return int(text)


def check_line_ends(text: str) -> None:
    """LF or CRLF only: a CR not followed by LF is an error."""
    if re.search(r"\r(?!\n)", text):
        raise MayaFileError("CR-only line end")


# --- maya-facts section 5: .ma ---------------------------------------------------------------------------------

MA_TANGENT_CODES = {1: "fixed", 2: "linear", 3: "flat", 5: "step", 9: "spline", 10: "clamped", 16: "plateau",
                    17: "stepnext", 18: "auto"}
INFINITY_CODES = {0, 1, 3, 4, 5}
KEY_ARRAYS = {"kit": "int", "kot": "int", "ktl": "bool", "kwl": "bool", "kbd": "bool",
              "kix": "num", "kiy": "num", "kox": "num", "koy": "num"}
CHUNK = 250


@dataclasses.dataclass
class MaCurve:
    name: str
    node_type: str
    tan: Optional[int] = None
    wgt: Optional[bool] = None
    pre: int = 0
    pst: int = 0
    size: Optional[int] = None
    ktv_statements: List[Tuple[int, int, bool]] = dataclasses.field(default_factory=list)
    ktv: Dict[int, Tuple[float, float]] = dataclasses.field(default_factory=dict)
    arrays: Dict[str, Dict[int, object]] = dataclasses.field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.ktv)

    def times(self) -> np.ndarray:
        return np.array([self.ktv[i][0] for i in range(self.count)])

    def values(self) -> np.ndarray:
        return np.array([self.ktv[i][1] for i in range(self.count)])

    def column(self, attr: str) -> Optional[List[object]]:
        if attr not in self.arrays:
            return None
        return [self.arrays[attr].get(i) for i in range(self.count)]


@dataclasses.dataclass
class MaFile:
    version: str
    comments: List[str]
    requires: List[Tuple[str, str]]
    linear_unit: Optional[str]
    angle_unit: Optional[str]
    time_unit: Optional[str]
    file_info: List[Tuple[str, str]]
    curves: Dict[str, MaCurve]
    connections: List[Tuple[str, str, bool]]
    last_line: str

    @property
    def fps(self) -> float:
        if self.time_unit is None:
            raise MayaFileError("no currentUnit -t")
        return TIME_UNIT_FPS[self.time_unit]


@dataclasses.dataclass
class _Token:
    text: str
    quoted: bool
    line: int


def _mel_statements(text: str) -> List[List[_Token]]:
    """Tokens of each ``;``-terminated statement; comments (``//`` to line end) dropped."""
    statements: List[List[_Token]] = []
    current: List[_Token] = []
    i, line, size = 0, 1, len(text)
    while i < size:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = size if end < 0 else end
        elif c == ";":
            if not current:
                raise MayaFileError(f"line {line}: empty statement")
            statements.append(current)
            current = []
            i += 1
        elif c == '"':
            j, out = i + 1, []
            while True:
                if j >= size or text[j] == "\n":
                    raise MayaFileError(f"line {line}: unterminated string")
                if text[j] == "\\":
                    escape = text[j + 1 : j + 2]
                    out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(escape, escape))
                    j += 2
                    continue
                if text[j] == '"':
                    break
                out.append(text[j])
                j += 1
            current.append(_Token("".join(out), True, line))
            i = j + 1
        else:
            j = i
            while j < size and text[j] not in ' \t\r\n;"':
                j += 1
            current.append(_Token(text[i:j], False, line))
            i = j
    if current:
        raise MayaFileError(f"line {current[0].line}: statement without a closing ';'")
    return statements


def _word(token: _Token, where: str) -> str:
    if token.quoted:
        raise MayaFileError(f"{where}: expected a bare word, found a string")
    return token.text


def _string(token: _Token, where: str) -> str:
    if not token.quoted:
        raise MayaFileError(f"{where}: expected a quoted string, found {token.text!r}")
    return token.text


def _bool_word(text: str, where: str) -> bool:
    if text in ("yes", "true", "on"):
        return True
    if text in ("no", "false", "off"):
        return False
    raise MayaFileError(f"{where}: {text!r} is not a boolean (yes/no)")


_ATTR = re.compile(r"^\.([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)(?::(\d+))?\])?$")


def _set_attr(curve: MaCurve, tokens: List[_Token], where: str) -> None:
    size: Optional[int] = None
    position = 1
    while position < len(tokens) and not tokens[position].quoted and tokens[position].text.startswith("-"):
        flag = tokens[position].text
        if position + 1 >= len(tokens):
            raise MayaFileError(f"{where}: flag {flag} without a value")
        value = tokens[position + 1]
        if flag == "-s":
            size = integer(_word(value, where), where)
        elif flag == "-l":
            _bool_word(_word(value, where), where)
        elif flag == "-type":
            _string(value, where)
        else:
            raise MayaFileError(f"{where}: setAttr flag {flag!r} is not one Maya writes for curves")
        position += 2
    if position >= len(tokens):
        raise MayaFileError(f"{where}: setAttr without an attribute")
    match = _ATTR.match(_string(tokens[position], where))
    if not match:
        raise MayaFileError(f"{where}: bad attribute {tokens[position].text!r}")
    attr = match.group(1)
    has_index = match.group(2) is not None
    first = int(match.group(2) or 0)
    last = int(match.group(3)) if match.group(3) is not None else first
    if last < first:
        raise MayaFileError(f"{where}: range [{first}:{last}] runs backwards")
    items = [_word(t, where) for t in tokens[position + 1 :]]
    count = last - first + 1
    if attr in ("tan", "wgt", "pre", "pst"):
        if has_index or size is not None or len(items) != 1:
            raise MayaFileError(f"{where}: .{attr} takes exactly one value")
        if attr == "tan":
            code = integer(items[0], where)
            if code not in MA_TANGENT_CODES:
                raise MayaFileError(f"{where}: unknown tangent code {code}")
            curve.tan = code
        elif attr == "wgt":
            curve.wgt = _bool_word(items[0], where)
        else:
            code = integer(items[0], where)
            if code not in INFINITY_CODES:
                raise MayaFileError(f"{where}: unknown infinity code {code}")
            setattr(curve, attr, code)
        return
    if attr == "ktv":
        if not has_index:
            if size is None or items:
                raise MayaFileError(f"{where}: a bare .ktv must be a size line 'setAttr -s N \".ktv\";'")
            if curve.size is not None or curve.ktv:
                raise MayaFileError(f"{where}: .ktv size line must come first and once")
            curve.size = size
            return
        if len(items) != 2 * count:
            raise MayaFileError(f"{where}: .ktv[{first}:{last}] needs {2 * count} numbers, found {len(items)}")
        for offset in range(count):
            index = first + offset
            if index in curve.ktv:
                raise MayaFileError(f"{where}: key {index} set twice")
            curve.ktv[index] = (number(items[2 * offset], where), number(items[2 * offset + 1], where))
        curve.ktv_statements.append((first, last, size is not None))
        if size is not None:
            if curve.size is not None:
                raise MayaFileError(f"{where}: -s given on a .ktv chunk after a size line")
            curve.size = size
        return
    if attr not in KEY_ARRAYS:
        raise MayaFileError(f"{where}: attribute .{attr} is not an animCurve attribute")
    if not has_index:
        raise MayaFileError(f"{where}: .{attr} needs an index range")
    if len(items) != count:
        raise MayaFileError(f"{where}: .{attr}[{first}:{last}] needs {count} values, found {len(items)}")
    kind = KEY_ARRAYS[attr]
    target = curve.arrays.setdefault(attr, {})
    for offset, item in enumerate(items):
        if kind == "int":
            code = integer(item, where)
            if code not in MA_TANGENT_CODES:
                raise MayaFileError(f"{where}: unknown tangent code {code}")
            if attr == "kit" and code == 5:
                raise MayaFileError(f"{where}: step (5) is an out-tangent only")
            value: object = code
        elif kind == "bool":
            value = _bool_word(item, where)
        else:
            value = number(item, where)
        target[first + offset] = value
    if size is not None:
        target.setdefault("__size__", size)  # type: ignore[arg-type]


def _finish_curve(curve: MaCurve) -> None:
    where = f"curve {curve.name}"
    count = curve.count
    if count == 0:
        raise MayaFileError(f"{where}: no keys")
    if sorted(curve.ktv) != list(range(count)):
        raise MayaFileError(f"{where}: key indices are not 0..{count - 1}")
    times = curve.times()
    if np.any(np.diff(times) <= 0):
        raise MayaFileError(f"{where}: key times do not increase")
    statements = curve.ktv_statements
    if count > CHUNK:
        if curve.size != count or any(with_size for _, _, with_size in statements):
            raise MayaFileError(f"{where}: {count} keys need a size line 'setAttr -s {count} \".ktv\"' first")
        expected = [(a, min(a + CHUNK, count) - 1) for a in range(0, count, CHUNK)]
        if [(a, b) for a, b, _ in statements] != expected:
            raise MayaFileError(f"{where}: .ktv chunks {statements} are not Maya's chunks of {CHUNK}")
    else:
        if len(statements) != 1 or statements[0][:2] != (0, count - 1):
            raise MayaFileError(f"{where}: {count} keys belong in one .ktv statement")
        if count > 1 and curve.size != count:
            raise MayaFileError(f"{where}: .ktv[0:{count - 1}] needs -s {count}")
    for attr, values in curve.arrays.items():
        declared = values.pop("__size__", None)  # type: ignore[call-overload]
        if declared is not None and declared != count:
            raise MayaFileError(f"{where}: .{attr} says -s {declared} but the curve has {count} keys")
        if values and max(values) >= count:  # type: ignore[type-var]
            raise MayaFileError(f"{where}: .{attr} index past the last key")


def parse_ma(text: str) -> MaFile:
    """Parse a curves-only Maya ASCII file; raises ``MayaFileError`` on anything outside the grammar."""
    check_line_ends(text)
    lines = text.split("\n")
    header = re.match(r"^//Maya ASCII (\S+) scene\r?$", lines[0])
    if not header:
        raise MayaFileError("line 1 must be '//Maya ASCII <version> scene'")
    comments = [line.rstrip("\r") for line in lines if line.startswith("//")]
    for comment in comments[1:]:
        if comment.startswith(("//Name:", "//Last modified:", "//Codeset:", "// End of ")):
            continue
        raise MayaFileError(f"unexpected comment line {comment!r}")
    result = MaFile(header.group(1), comments, [], None, None, None, [], {}, [], "")
    current: Optional[MaCurve] = None
    seen_nodes = False
    for tokens in _mel_statements(text):
        where = f"line {tokens[0].line}"
        command = _word(tokens[0], where)
        args = tokens[1:]
        if command == "requires":
            if seen_nodes:
                raise MayaFileError(f"{where}: requires after nodes")
            if len(args) != 2 or args[1].quoted is False:
                raise MayaFileError(f"{where}: requires takes 'maya \"<ver>\"' or '\"<plugin>\" \"<ver>\"'")
            product = args[0].text
            if not args[0].quoted and product != "maya":
                raise MayaFileError(f"{where}: requires {product!r}")
            result.requires.append((product, args[1].text))
        elif command == "currentUnit":
            if seen_nodes:
                raise MayaFileError(f"{where}: currentUnit after nodes")
            if len(args) % 2:
                raise MayaFileError(f"{where}: currentUnit flags need values")
            for flag_token, value_token in zip(args[0::2], args[1::2]):
                flag, value = _word(flag_token, where), _word(value_token, where)
                if flag in ("-l", "-linear"):
                    if value not in LINEAR_UNITS_MA:
                        raise MayaFileError(f"{where}: unknown linear unit {value!r}")
                    result.linear_unit = value
                elif flag in ("-a", "-angle"):
                    if value not in ANGLE_UNITS_MA:
                        raise MayaFileError(f"{where}: unknown angle unit {value!r}")
                    result.angle_unit = value
                elif flag in ("-t", "-time"):
                    if value not in TIME_UNIT_FPS:
                        raise MayaFileError(f"{where}: unknown time unit {value!r}")
                    result.time_unit = value
                else:
                    raise MayaFileError(f"{where}: currentUnit flag {flag!r}")
        elif command == "fileInfo":
            if len(args) != 2 or not all(a.quoted for a in args):
                raise MayaFileError(f"{where}: fileInfo takes two strings")
            result.file_info.append((args[0].text, args[1].text))
        elif command == "createNode":
            seen_nodes = True
            if len(args) != 3 or args[1].text != "-n":
                raise MayaFileError(f"{where}: expected 'createNode <type> -n \"<name>\"'")
            node_type = _word(args[0], where)
            if not re.match(r"^animCurve(TU|TA|TL|TT|UU|UA|UL|UT)$", node_type):
                raise MayaFileError(f"{where}: node type {node_type!r} is not an animCurve")
            name = _string(args[2], where)
            if not _IDENT.match(name):
                raise MayaFileError(f"{where}: {name!r} is not a valid node name")
            if name in result.curves:
                raise MayaFileError(f"{where}: node {name!r} created twice")
            if current is not None:
                _finish_curve(current)
            current = MaCurve(name, node_type)
            result.curves[name] = current
        elif command == "rename":
            if current is None or len(args) != 2 or args[0].text != "-uid" or not args[1].quoted:
                raise MayaFileError(f"{where}: only 'rename -uid \"<uuid>\"' after createNode is allowed")
        elif command == "setAttr":
            if current is None:
                raise MayaFileError(f"{where}: setAttr before createNode")
            _set_attr(current, tokens, where)
        elif command == "connectAttr":
            force = False
            plugs = []
            for token in args:
                if not token.quoted and token.text in ("-f", "-force"):
                    force = True
                elif token.quoted:
                    plugs.append(token.text)
                else:
                    raise MayaFileError(f"{where}: connectAttr flag {token.text!r}")
            if len(plugs) != 2:
                raise MayaFileError(f"{where}: connectAttr takes a source and a destination plug")
            source, destination = plugs
            node, _, attr = source.partition(".")
            if node not in result.curves or attr not in ("o", "output"):
                raise MayaFileError(f"{where}: source {source!r} is not the output of a curve in this file")
            dst_node, dot, dst_attr = destination.rpartition(".")
            if not dot or not _NODE.match(dst_node) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?$", dst_attr):
                raise MayaFileError(f"{where}: bad destination plug {destination!r}")
            result.connections.append((source, destination, force))
        else:
            raise MayaFileError(f"{where}: command {command!r} is not allowed in a curves-only .ma file")
    if current is not None:
        _finish_curve(current)
    result.last_line = [line for line in lines if line.strip()][-1].rstrip("\r")
    return result


# --- maya-facts section 6: .anim -------------------------------------------------------------------------------

ANIM_TANGENTS = {"global", "fixed", "linear", "flat", "spline", "step", "slow", "fast", "clamped", "plateau",
                 "stepnext", "auto"}
ANIM_INFINITY = {"constant", "linear", "cycle", "cycleRelative", "oscillate"}


@dataclasses.dataclass
class AnimKey:
    time: float
    value: float
    in_type: str
    out_type: str
    tangents_locked: bool
    weights_locked: bool
    breakdown: bool
    in_angle: Optional[float] = None
    in_weight: Optional[float] = None
    out_angle: Optional[float] = None
    out_weight: Optional[float] = None


@dataclasses.dataclass
class AnimCurve:
    full_attr: str
    leaf_attr: Optional[str]
    node: Optional[str]
    row: int
    child_count: int
    attr_index: int
    data: Dict[str, str]
    keys: List[AnimKey]


@dataclasses.dataclass
class AnimFile:
    header: Dict[str, str]
    curves: List[AnimCurve]
    placeholders: List[str]

    @property
    def fps(self) -> float:
        return TIME_UNIT_FPS[self.header["timeUnit"]]


_ANIM_HEADER = {"animVersion", "mayaVersion", "timeUnit", "linearUnit", "angularUnit", "startTime", "endTime",
                "startUnitless", "endUnitless"}
_ANIM_DATA = {"input", "output", "weighted", "preInfinity", "postInfinity", "inputUnit", "outputUnit",
              "tangentAngleUnit"}


def _anim_lines(text: str) -> List[Tuple[int, str]]:
    check_line_ends(text)
    out = []
    for number_, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = re.split(r"//|#", raw, maxsplit=1)[0].strip()
        if not line:
            continue
        if "{" not in line and "}" not in line and not line.endswith(";"):
            raise MayaFileError(f"line {number_}: missing ';'")
        out.append((number_, line))
    return out


def _fields(line: str) -> List[str]:
    return line[:-1].split() if line.endswith(";") else line.split()


def parse_anim(text: str) -> AnimFile:
    """Parse an animImportExport file; raises ``MayaFileError`` on anything outside the grammar."""
    lines = _anim_lines(text)
    header: Dict[str, str] = {}
    position = 0
    while position < len(lines) and not lines[position][1].startswith("anim "):
        number_, line = lines[position]
        fields = _fields(line)
        keyword = fields[0]
        if keyword not in _ANIM_HEADER or len(fields) != 2:
            raise MayaFileError(f"line {number_}: {line!r} is not a header line")
        if keyword in header:
            raise MayaFileError(f"line {number_}: {keyword} given twice")
        if not header and keyword != "animVersion":
            raise MayaFileError(f"line {number_}: the file must start with animVersion")
        value = fields[1]
        if keyword == "animVersion" and value != "1.1":
            raise MayaFileError(f"line {number_}: animVersion {value} (expected 1.1)")
        if keyword == "timeUnit" and value not in ANIM_TIME_UNITS:
            raise MayaFileError(f"line {number_}: timeUnit {value!r} is not one the reader parses")
        if keyword == "linearUnit" and value not in ANIM_LINEAR_UNITS:
            raise MayaFileError(f"line {number_}: linearUnit {value!r}")
        if keyword == "angularUnit" and value not in ANIM_ANGULAR_UNITS:
            raise MayaFileError(f"line {number_}: angularUnit {value!r}")
        if keyword in ("startTime", "endTime", "startUnitless", "endUnitless"):
            number(value, f"line {number_}")
        header[keyword] = value
        position += 1
    if "animVersion" not in header:
        raise MayaFileError("animVersion is required")
    result = AnimFile(header, [], [])
    while position < len(lines):
        number_, line = lines[position]
        where = f"line {number_}"
        fields = _fields(line)
        if fields[0] != "anim":
            raise MayaFileError(f"{where}: expected an anim record, found {line!r}")
        names, numbers_ = fields[1:-3], fields[-3:]
        if len(names) not in (1, 3) or len(fields) < 5:
            raise MayaFileError(f"{where}: anim record needs 1 or 3 names and 3 integers")
        row, child, index = (integer(v, where) for v in numbers_)
        position += 1
        follows = position < len(lines) and lines[position][1] == "animData {"
        if not follows:
            if len(names) != 1:
                raise MayaFileError(f"{where}: an anim record with attribute names needs an animData block")
            result.placeholders.append(names[0])
            continue
        position += 1
        data: Dict[str, str] = {}
        while True:
            if position >= len(lines):
                raise MayaFileError(f"{where}: animData block not closed")
            number_, line = lines[position]
            if line == "keys {":
                position += 1
                break
            fields = _fields(line)
            if fields[0] not in _ANIM_DATA or len(fields) != 2:
                raise MayaFileError(f"line {number_}: {line!r} is not an animData line")
            data[fields[0]] = fields[1]
            position += 1
        checks = {"input": {"time", "unitless"}, "output": {"time", "linear", "angular", "unitless"},
                  "weighted": {"0", "1"}, "preInfinity": ANIM_INFINITY, "postInfinity": ANIM_INFINITY}
        for keyword, allowed in checks.items():
            if keyword in data and data[keyword] not in allowed:
                raise MayaFileError(f"{where}: {keyword} {data[keyword]!r}")
        keys: List[AnimKey] = []
        while True:
            if position >= len(lines):
                raise MayaFileError(f"{where}: keys block not closed")
            number_, line = lines[position]
            position += 1
            if line == "}":
                break
            keys.append(_anim_key(_fields(line), f"line {number_}"))
        if position >= len(lines) or lines[position][1] != "}":
            raise MayaFileError(f"{where}: animData block not closed with '}}'")
        position += 1
        full = names[0]
        leaf, node = (names[1], names[2]) if len(names) == 3 else (None, None)
        result.curves.append(AnimCurve(full, leaf, node, row, child, index, data, keys))
    return result


def _anim_key(fields: List[str], where: str) -> AnimKey:
    if len(fields) < 7:
        raise MayaFileError(f"{where}: a key needs at least 7 fields")
    in_type, out_type = fields[2], fields[3]
    for kind in (in_type, out_type):
        if kind not in ANIM_TANGENTS:
            raise MayaFileError(f"{where}: unknown tangent type {kind!r}")
    expected = 7 + 2 * (in_type == "fixed") + 2 * (out_type == "fixed")
    if len(fields) != expected:
        raise MayaFileError(f"{where}: {in_type}/{out_type} key needs {expected} fields, found {len(fields)}")
    flags = []
    for text in fields[4:7]:
        if text not in ("0", "1"):
            raise MayaFileError(f"{where}: flag {text!r} must be 0 or 1")
        flags.append(text == "1")
    key = AnimKey(number(fields[0], where), number(fields[1], where), in_type, out_type, *flags)
    rest = fields[7:]
    if in_type == "fixed":
        key.in_angle, key.in_weight = number(rest[0], where), number(rest[1], where)
        rest = rest[2:]
    if out_type == "fixed":
        key.out_angle, key.out_weight = number(rest[0], where), number(rest[1], where)
    return key


# --- evaluation (maya-facts section 4 + Maya's non-weighted Hermite) ----------------------------------------------


@dataclasses.dataclass
class EvalKey:
    """A key for :func:`evaluate`: time in frames, tangents as directions (dx seconds, dy value)."""

    frame: float
    value: float
    in_type: str
    out_type: str
    in_dx: float = 1.0
    in_dy: float = 0.0
    out_dx: float = 1.0
    out_dy: float = 0.0


def keys_from_ma(curve: MaCurve) -> List[EvalKey]:
    """EvalKeys of a parsed .ma curve (``.kit``/``.kot`` default to ``.tan``; only linear and fixed)."""
    default = curve.tan if curve.tan is not None else 2
    kit = curve.column("kit") or [None] * curve.count
    kot = curve.column("kot") or [None] * curve.count
    columns = {a: curve.column(a) for a in ("kix", "kiy", "kox", "koy")}
    keys = []
    for i, (time, value) in enumerate(zip(curve.times(), curve.values())):
        in_type = MA_TANGENT_CODES[kit[i] if kit[i] is not None else default]  # type: ignore[index]
        out_type = MA_TANGENT_CODES[kot[i] if kot[i] is not None else default]  # type: ignore[index]
        key = EvalKey(float(time), float(value), in_type, out_type)
        for side in ("in", "out"):
            if getattr(key, f"{side}_type") not in ("linear", "fixed"):
                raise NotImplementedError(f"tangent type {getattr(key, f'{side}_type')} is not evaluated here")
            if getattr(key, f"{side}_type") == "fixed":
                dx, dy = columns[f"k{side[0]}x"], columns[f"k{side[0]}y"]
                if dx is None or dy is None or dx[i] is None or dy[i] is None:
                    raise MayaFileError(f"curve {curve.name}: fixed tangent on key {i} without k{side[0]}x/y")
                setattr(key, f"{side}_dx", float(dx[i]))  # type: ignore[arg-type]
                setattr(key, f"{side}_dy", float(dy[i]))  # type: ignore[arg-type]
        keys.append(key)
    return keys


def keys_from_anim(curve: AnimCurve, fps: float, angular_unit: str = "deg") -> List[EvalKey]:
    """EvalKeys of a parsed .anim curve: a fixed angle is measured in UI units (value per frame)."""
    to_radians = {"deg": math.pi / 180, "rad": 1.0, "min": math.pi / 180 / 60, "sec": math.pi / 180 / 3600}
    scale = to_radians[curve.data.get("tangentAngleUnit", angular_unit)]
    keys = []
    for key in curve.keys:
        out = EvalKey(key.time, key.value, key.in_type, key.out_type)
        for side in ("in", "out"):
            kind = getattr(key, f"{side}_type")
            if kind not in ("linear", "fixed"):
                raise NotImplementedError(f"tangent type {kind} is not evaluated here")
            if kind == "fixed":
                per_frame = math.tan(getattr(key, f"{side}_angle") * scale)
                setattr(out, f"{side}_dx", 1.0 / fps)  # one frame, in seconds
                setattr(out, f"{side}_dy", per_frame)
        keys.append(out)
    return keys


def evaluate(keys: Sequence[EvalKey], frames: Sequence[float], fps: float) -> np.ndarray:
    """Values of the animCurve at ``frames`` (constant before the first and after the last key)."""
    result = np.empty(len(frames))
    seconds = [k.frame / fps for k in keys]
    for n, frame in enumerate(frames):
        t = frame / fps
        if t <= seconds[0]:
            result[n] = keys[0].value
            continue
        if t >= seconds[-1]:
            result[n] = keys[-1].value
            continue
        i = bisect.bisect_right(seconds, t) - 1
        a, b = keys[i], keys[i + 1]
        t0, t1 = seconds[i], seconds[i + 1]
        if t == t0:
            result[n] = a.value
            continue
        dx, dy = t1 - t0, b.value - a.value
        if a.out_type == "linear" and b.in_type == "linear":
            result[n] = a.value + dy * (t - t0) / dx
            continue
        m1 = dy / dx if a.out_type == "linear" else a.out_dy / a.out_dx
        m2 = dy / dx if b.in_type == "linear" else b.in_dy / b.in_dx
        c0 = (dx * (m1 + m2) - 2.0 * dy) / (dx * dx * dx)
        c1 = (3.0 * dy - dx * (2.0 * m1 + m2)) / (dx * dx)
        u = t - t0
        result[n] = ((c0 * u + c1) * u + m1) * u + a.value
    return result
