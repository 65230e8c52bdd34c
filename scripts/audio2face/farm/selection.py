"""Which rows a farm task runs: range expressions like ``0-4,7`` (0-based row numbers of the jobs file)."""

from __future__ import annotations

from typing import Iterable, List, Sequence

from ..errors import Audio2FaceError


def parse_indices(text: str, count: int) -> List[int]:
    """Row numbers from ``"3"``, ``"0-4"`` or ``"0-2,5,7-9"`` (inclusive), each within ``0..count-1``.

    Raises:
        Audio2FaceError: not a range expression, or a row outside the jobs file.
    """
    picked = set()
    for part in str(text).replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            start, end = int(first), int(last) if last else int(first)
        except ValueError:
            raise Audio2FaceError(f"--jobs: {text!r} is not a list of rows like 0-4,7") from None
        if start > end:
            raise Audio2FaceError(f"--jobs: {part!r} runs backwards")
        if start < 0 or end >= count:
            raise Audio2FaceError(f"--jobs: {part!r} is outside rows 0..{count - 1} of the jobs file")
        picked.update(range(start, end + 1))
    if not picked:
        raise Audio2FaceError(f"--jobs: {text!r} names no rows")
    return sorted(picked)


def format_indices(indices: Iterable[int]) -> str:
    """The shortest range expression for ``indices`` (``[0, 1, 2, 5]`` -> ``"0-2,5"``)."""
    parts: List[str] = []
    run: List[int] = []
    for index in sorted(set(indices)):
        if run and index == run[-1] + 1:
            run.append(index)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [index]
    if run:
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ",".join(parts)


def chunked(indices: Sequence[int], size: int) -> List[List[int]]:
    """``indices`` in consecutive groups of ``size`` (the last may be shorter)."""
    if size < 1:
        raise Audio2FaceError(f"--chunk must be at least 1, got {size}")
    return [list(indices[i : i + size]) for i in range(0, len(indices), size)]
