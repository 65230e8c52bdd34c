"""Reading the text files users hand us (JSON, CSV, name lists): one behaviour for all of them.

Every file is read as UTF-8 with an optional byte-order mark (Windows Notepad writes one); anything else
(a Latin-1 export, a binary file) is a one-line ``Audio2FaceError`` naming the file and the byte, never a
traceback. JSON objects with a repeated key and CSV headers with a repeated column are refused instead
of the last one silently winning, and JSON nested too deeply for the parser (100000 brackets) is an error.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .errors import Audio2FaceError, PathLike

ENCODING = "utf-8-sig"


def read_text(path: PathLike, what: str = "file") -> str:
    """The whole file as text (BOM dropped; CRLF kept as in the file).

    Args:
        path: The file.
        what: What it is, for the error ("mapping file", "target list"...).

    Raises:
        Audio2FaceError: missing, a folder, unreadable, or not UTF-8.
    """
    source = Path(os.fspath(path))
    try:
        data = source.read_bytes()
    except IsADirectoryError:
        raise Audio2FaceError(f"is a folder, not a {what}", source) from None
    except FileNotFoundError:
        raise Audio2FaceError(f"{what} not found", source) from None
    except OSError as exc:
        raise Audio2FaceError(f"cannot read {what} ({exc.strerror or exc})", source) from None
    return decode(data, source, what)


def decode(data: bytes, source: Optional[PathLike], what: str = "file") -> str:
    """``data`` as UTF-8 text (BOM dropped), or an error naming the first bad byte."""
    try:
        return data.decode(ENCODING)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Audio2FaceError(
            f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save it as UTF-8", source
        ) from None


def _no_duplicates(where: Path, what: str):  # noqa: ANN202 - a json object_pairs_hook
    def hook(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
        result: Dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise Audio2FaceError(f"{what} has the key {key!r} twice (which one is meant?)", where)
            result[key] = value
        return result

    return hook


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str, source: Optional[PathLike], what: str = "JSON file") -> Any:
    """Parse JSON text strictly: no NaN/Infinity, no repeated keys, no nesting past the parser's limit."""
    where = Path(os.fspath(source)) if source is not None else None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates(where, what), parse_constant=_reject_constant)
    except RecursionError:
        raise Audio2FaceError(f"{what} is nested too deeply", where) from None
    except ValueError as exc:  # JSONDecodeError, and NaN/Infinity
        raise Audio2FaceError(f"cannot read {what}: not valid JSON ({exc})", where) from None


def load_json(path: PathLike, what: str = "JSON file") -> Any:
    """Read and parse a JSON file (see :func:`parse_json`)."""
    return parse_json(read_text(path, what), path, what)


def read_lines(path: PathLike, what: str = "file") -> List[str]:
    """Non-empty lines, stripped, without ``#`` comment lines."""
    lines = [line.strip() for line in read_text(path, what).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def read_csv(path: PathLike, what: str = "CSV file") -> List[List[str]]:
    """All rows of a CSV file (header first)."""
    source = Path(os.fspath(path))
    try:
        return list(csv.reader(io.StringIO(read_text(source, what), newline="")))
    except csv.Error as exc:
        raise Audio2FaceError(f"{what} is not valid CSV ({exc})", source) from None


def check_columns(header: Sequence[str], source: Optional[PathLike], what: str = "CSV file") -> None:
    """Refuse a header naming a column twice (the last would silently win)."""
    seen = set()
    for name in header:
        if name in seen:
            raise Audio2FaceError(f"{what} has the column {name!r} twice", source)
        seen.add(name)
