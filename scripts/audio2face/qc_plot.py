"""The QC picture of a shot, drawn with numpy alone (so it renders in mayapy without extra packages).

From top to bottom: the figures as text, the waveform over speech (green) and silence (grey) segments,
the jaw-open channel (black; the reference's in blue) with the open-in-silence threshold (dashed orange),
the checked silence shaded grey and the flagged spans in red (``FLAG``: the curve, and a marker atop the
panel so short spans show on long clips), then the other mouth channels;
one time axis in seconds. Text uses a built-in 5x7 bitmap font (upper case); the PNG is encoded with zlib.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import struct
import textwrap
import zlib
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .errors import Audio2FaceError

logger = logging.getLogger(__name__)

Colour = Tuple[int, int, int]

WIDTH = 1600
BACKGROUND: Colour = (255, 255, 255)
TEXT: Colour = (25, 25, 25)
AXIS: Colour = (110, 110, 110)
GRID: Colour = (222, 222, 222)
SPEECH_BG: Colour = (220, 243, 220)
SILENCE_BG: Colour = (228, 228, 228)
SPEECH_BAR: Colour = (70, 165, 70)
SILENCE_BAR: Colour = (175, 175, 175)
CHECKED_BG: Colour = (238, 238, 238)
WAVE: Colour = (55, 85, 140)
JAW: Colour = (20, 20, 20)
REFERENCE: Colour = (70, 130, 220)
THRESHOLD: Colour = (235, 140, 0)
FLAG: Colour = (215, 25, 30)
FLAG_BG: Colour = (255, 214, 214)
BAR_HEIGHT = 8
"""Height of the speech/silence bar under the waveform and of the flag markers atop the jaw panel."""
PALETTE: Tuple[Colour, ...] = (
    (31, 119, 180), (44, 160, 44), (148, 103, 189), (140, 86, 75), (227, 119, 194),
    (127, 127, 127), (188, 189, 34), (23, 190, 207), (255, 160, 60), (90, 90, 200),
)
"""Mouth-channel colours (none is ``FLAG``)."""

FONT_SCALE = 2
GLYPH_W, GLYPH_H = 5, 7
ADVANCE = (GLYPH_W + 1) * FONT_SCALE
LINE = (GLYPH_H + 3) * FONT_SCALE

_FONT = {
    'A': "0e11111f111111", 'B': "1e11111e11111e", 'C': "0e11101010110e", 'D': "1e11111111111e",
    'E': "1f10101e10101f", 'F': "1f10101e101010", 'G': "0e11101711110f", 'H': "1111111f111111",
    'I': "0e04040404040e", 'J': "0702020202120c", 'K': "11121418141211", 'L': "1010101010101f",
    'M': "111b1515111111", 'N': "11111915131111", 'O': "0e11111111110e", 'P': "1e11111e101010",
    'Q': "0e11111115120d", 'R': "1e11111e141211", 'S': "0f10100e01011e", 'T': "1f040404040404",
    'U': "1111111111110e", 'V': "11111111110a04", 'W': "1111111515150a", 'X': "11110a040a1111",
    'Y': "1111110a040404", 'Z': "1f01020408101f", '0': "0e11131519110e", '1': "040c040404040e",
    '2': "0e11010204081f", '3': "1f02040201110e", '4': "02060a121f0202", '5': "1f101e0101110e",
    '6': "0608101e11110e", '7': "1f010204080808", '8': "0e11110e11110e", '9': "0e11110f01020c",
    '.': "00000000000c0c", ',': "000000000c0408", ':': "000c0c000c0c00", ';': "000c0c000c0408",
    '-': "0000001f000000", '+': "0004041f040400", '_': "0000000000001f", '/': "00010204081000",
    '(': "02040808080402", ')': "08040202020408", '%': "18190204081303", '=': "00001f001f0000",
    '<': "02040810080402", '>': "08040201020408", "'": "0c040800000000", '"': "0a0a0a00000000",
    '?': "0e110102040004", '!': "04040404040004", '#': "0a0a1f0a1f0a0a", '*': "0004150e150400",
    '[': "0e08080808080e", ']': "0e02020202020e", '|': "04040404040404", ' ': "00000000000000",
}
"""5x7 glyphs: seven rows of five bits (leftmost pixel = 0x10), as hex."""


def _glyph(char: str) -> np.ndarray:
    code = _FONT.get(char.upper(), _FONT["?"])
    rows = [int(code[i : i + 2], 16) for i in range(0, 14, 2)]
    bits = np.array([[(row >> (4 - col)) & 1 for col in range(GLYPH_W)] for row in rows], dtype=bool)
    return np.kron(bits, np.ones((FONT_SCALE, FONT_SCALE), dtype=bool)).astype(bool)


_GLYPHS: Dict[str, np.ndarray] = {}


def draw_text(image: np.ndarray, x: int, y: int, text: str, colour: Colour = TEXT) -> int:
    """Draw ``text`` (upper case) with its top-left corner at (x, y); returns the x after it."""
    height, width = image.shape[:2]
    for char in text:
        glyph = _GLYPHS.get(char.upper())
        if glyph is None:
            glyph = _GLYPHS[char.upper()] = _glyph(char)
        x1, y1 = min(x + glyph.shape[1], width), min(y + glyph.shape[0], height)
        if x >= 0 and y >= 0 and x1 > x and y1 > y:
            region = image[y:y1, x:x1]
            region[glyph[: y1 - y, : x1 - x]] = colour
        x += ADVANCE
    return x


def text_width(text: str) -> int:
    """Pixel width of ``text``."""
    return len(text) * ADVANCE


# --- layout -------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class PlotLayout:
    """Where things are: panels as (top, bottom) rows (bottom exclusive), the plot columns and the time span."""

    width: int
    height: int
    left: int
    right: int
    seconds: float
    panels: Dict[str, Tuple[int, int]]

    def x_of(self, seconds: Any) -> Any:
        """Pixel column (float) of a time in seconds."""
        return self.left + np.asarray(seconds, dtype=np.float64) / self.seconds * (self.right - self.left)

    def columns_of(self, start_s: float, end_s: float) -> Tuple[int, int]:
        """Plot columns [first, last) covering a time span."""
        first = int(math.floor(float(self.x_of(start_s))))
        last = max(int(math.ceil(float(self.x_of(end_s)))), first + 1)
        return max(first, self.left), min(last, self.right)


def _layout(text_lines: int, seconds: float, width: int = WIDTH) -> PlotLayout:
    y = 10 + LINE * text_lines + 8
    panels: Dict[str, Tuple[int, int]] = {}
    for name, height in (("waveform", 150), ("jaw", 210), ("mouth", 190)):
        y += LINE
        panels[name] = (y, y + height)
        y += height + 6
    return PlotLayout(width, y + LINE + 8, 64, width - 16, max(seconds, 1e-6), panels)


# --- drawing ------------------------------------------------------------------------------------------------


def column_ranges(xs: np.ndarray, values: np.ndarray, columns: int) -> Tuple[np.ndarray, np.ndarray]:
    """Per plot column (0..columns-1), the min and max of the polyline through (xs, values); NaN where absent.

    ``xs`` are increasing positions in columns; each column holds the points inside it and the line's values
    at its two edges, so neighbouring columns join up.
    """
    xs = np.asarray(xs, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    edges = np.interp(np.arange(columns + 1, dtype=np.float64), xs, values, left=np.nan, right=np.nan)
    lo = np.fmin(edges[:-1], edges[1:])
    hi = np.fmax(edges[:-1], edges[1:])
    cols = np.floor(xs).astype(np.int64)
    keep = (cols >= 0) & (cols < columns)
    cols, kept = cols[keep], values[keep]
    if cols.size:
        starts = np.flatnonzero(np.concatenate([[True], cols[1:] != cols[:-1]]))
        where = cols[starts]
        lo[where] = np.fmin(lo[where], np.minimum.reduceat(kept, starts))
        hi[where] = np.fmax(hi[where], np.maximum.reduceat(kept, starts))
    return lo, hi


def _fill_columns(image: np.ndarray, panel: Tuple[int, int], first: int, last: int, colour: Colour) -> None:
    image[panel[0] : panel[1], first:last] = colour


def waveform_ranges(samples: np.ndarray, rate: float, layout: PlotLayout) -> Tuple[np.ndarray, np.ndarray]:
    """Per plot column, the min and max sample in its time span (no copy of the samples; NaN where none)."""
    columns = layout.right - layout.left
    shown = min(samples.size, int(math.ceil(layout.seconds * rate)))
    edges = np.round(np.linspace(0.0, layout.seconds * rate, columns + 1)).astype(np.int64)
    edges = np.minimum(edges, shown)
    lo = np.full(columns, np.nan)
    hi = np.full(columns, np.nan)
    filled = np.flatnonzero(edges[1:] > edges[:-1])
    if filled.size:
        starts = edges[filled]
        lo[filled] = np.minimum.reduceat(samples[:shown], starts)
        hi[filled] = np.maximum.reduceat(samples[:shown], starts)
    return lo, hi


def _draw_series(
    image: np.ndarray,
    layout: PlotLayout,
    panel: Tuple[int, int],
    times: np.ndarray,
    values: np.ndarray,
    value_range: Tuple[float, float],
    colour: Colour,
    thickness: int = 1,
    column_colours: Optional[np.ndarray] = None,
) -> None:
    """Draw a polyline in a panel; ``column_colours`` (columns, 3) overrides the colour per column."""
    if values.size == 0:
        return
    lo, hi = column_ranges(layout.x_of(times) - layout.left, values, layout.right - layout.left)
    _draw_ranges(image, layout, panel, lo, hi, value_range, colour, thickness, column_colours)


def _draw_ranges(
    image: np.ndarray,
    layout: PlotLayout,
    panel: Tuple[int, int],
    lo: np.ndarray,
    hi: np.ndarray,
    value_range: Tuple[float, float],
    colour: Colour,
    thickness: int = 1,
    column_colours: Optional[np.ndarray] = None,
) -> None:
    """Fill each plot column from its ``lo`` to its ``hi`` value (NaN: nothing)."""
    top, bottom = panel
    vmin, vmax = value_range
    span = (vmax - vmin) or 1.0

    def row(v: np.ndarray) -> np.ndarray:
        return bottom - 1 - (np.clip(v, vmin, vmax) - vmin) / span * (bottom - top - 1)

    ok = np.isfinite(lo) & np.isfinite(hi)
    upper = np.where(ok, np.round(row(np.where(ok, hi, vmin))) - (thickness - 1) // 2, np.inf)
    lower = np.where(ok, np.round(row(np.where(ok, lo, vmin))) + thickness // 2, -np.inf)
    rows = np.arange(top, bottom, dtype=np.float64)[:, None]
    mask = (rows >= upper[None, :]) & (rows <= lower[None, :])
    region = image[top:bottom, layout.left : layout.right]
    if column_colours is None:
        region[mask] = colour
    else:
        colours = np.broadcast_to(column_colours[None, :, :], region.shape)
        region[mask] = colours[mask]


def _frame(image: np.ndarray, layout: PlotLayout, panel: Tuple[int, int]) -> None:
    top, bottom = panel
    image[top, layout.left - 1 : layout.right + 1] = AXIS
    image[bottom, layout.left - 1 : layout.right + 1] = AXIS
    image[top : bottom + 1, layout.left - 1] = AXIS
    image[top : bottom + 1, layout.right] = AXIS


def _tick_step(seconds: float) -> float:
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600):
        if seconds / step <= 16:
            return float(step)
    return 1200.0


def _time_grid(image: np.ndarray, layout: PlotLayout) -> None:
    step = _tick_step(layout.seconds)
    count = int(math.floor(layout.seconds / step + 1e-9))
    axis_y = layout.panels["mouth"][1] + 6
    for number in range(count + 1):
        t = number * step
        x = int(round(float(layout.x_of(t))))
        x = min(x, layout.right - 1)
        for top, bottom in layout.panels.values():
            image[top:bottom, x] = GRID
        image[axis_y - 5 : axis_y - 1, x] = AXIS
        label = f"{t:g}"
        draw_text(image, x - text_width(label) // 2, axis_y, label, AXIS)
    draw_text(image, 10, axis_y, "SEC", AXIS)


def _value_axis(image: np.ndarray, layout: PlotLayout, panel: Tuple[int, int], vmin: float, vmax: float) -> None:
    top, bottom = panel
    for value in (vmin, (vmin + vmax) / 2, vmax):
        y = int(round(bottom - 1 - (value - vmin) / ((vmax - vmin) or 1.0) * (bottom - top - 1)))
        image[y, layout.left : layout.right : 2] = GRID
        label = f"{value:.2g}"
        draw_text(image, layout.left - 6 - text_width(label), y - GLYPH_H * FONT_SCALE // 2, label, AXIS)


def _mask_spans(mask: np.ndarray) -> List[Tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], np.asarray(mask, dtype=np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _weights_range(*arrays: Optional[np.ndarray]) -> Tuple[float, float]:
    values = [a[np.isfinite(a)] for a in arrays if a is not None and a.size]
    low = min([0.0] + [float(v.min()) for v in values if v.size])
    high = max([1.0] + [float(v.max()) for v in values if v.size])
    return low, high


# --- the picture --------------------------------------------------------------------------------------------


def render(report: Dict[str, Any], width: int = WIDTH) -> Tuple[np.ndarray, PlotLayout]:
    """Draw a report made by ``audio2face.qc.qc_report``: an RGB uint8 array (height, width, 3) and its layout."""
    from .qc import SERIES_KEY, summary_lines

    series = report.get(SERIES_KEY)
    if not series:
        raise Audio2FaceError("this report has no plot data; make it with qc_report to draw it")
    fps = float(series["fps"])
    silent = np.asarray(series["silent"], dtype=bool)
    frames = silent.size
    seconds = frames / fps
    chars = max((width - 20) // ADVANCE, 20)
    lines: List[str] = []
    for line in summary_lines(report):
        lines.extend(textwrap.wrap(line, chars, subsequent_indent="  ") or [""])
    layout = _layout(len(lines), seconds, width)
    image = np.empty((layout.height, width, 3), dtype=np.uint8)
    image[:] = BACKGROUND
    for number, line in enumerate(lines):
        draw_text(image, 10, 10 + number * LINE, line, TEXT if number else JAW)
    times = np.arange(frames) / fps

    # waveform over speech / silence
    wave = layout.panels["waveform"]
    image[wave[0] : wave[1], layout.left : layout.right] = SPEECH_BG
    for start, end in _mask_spans(silent):
        _fill_columns(image, wave, *layout.columns_of(start / fps, end / fps), SILENCE_BG)
    jaw_panel = layout.panels["jaw"]
    checked = np.asarray(series["checked"], dtype=bool)
    for start, end in _mask_spans(checked):
        _fill_columns(image, jaw_panel, *layout.columns_of(start / fps, end / fps), CHECKED_BG)
    flagged = np.asarray(series["flagged"], dtype=bool)
    flag_columns = np.zeros(layout.right - layout.left, dtype=bool)
    markers = []
    for start, end in _mask_spans(flagged):
        first, last = layout.columns_of(start / fps, end / fps)
        flag_columns[first - layout.left : last - layout.left] = True
        _fill_columns(image, jaw_panel, first, last, FLAG_BG)
        centre = (first + last) // 2
        markers.append((min(first, centre - 1), max(last, centre + 2)))  # visible even for a one-frame span
    _time_grid(image, layout)
    bar = (wave[1] - BAR_HEIGHT, wave[1])
    image[bar[0] : bar[1], layout.left : layout.right] = SPEECH_BAR
    for start, end in _mask_spans(silent):
        _fill_columns(image, bar, *layout.columns_of(start / fps, end / fps), SILENCE_BAR)
    for first, last in markers:
        _fill_columns(image, (jaw_panel[0] + 1, jaw_panel[0] + 1 + BAR_HEIGHT), first, last, FLAG)

    low, high = waveform_ranges(np.asarray(series["samples"]), float(series["sample_rate"]), layout)
    peak = float(np.nanmax(np.abs(np.concatenate([low, high])))) if np.isfinite(low).any() else 0.0
    if peak > 0:
        above_bar = (wave[0], wave[1] - BAR_HEIGHT - 1)
        _draw_ranges(image, layout, above_bar, low / peak, high / peak, (-1.0, 1.0), WAVE)
    peak_db = 20 * math.log10(peak) if peak > 0 else float("-inf")
    draw_text(
        image, layout.left, wave[0] - LINE + 2,
        f"AUDIO (PEAK {peak_db:.1f} DBFS) AND VOICE ACTIVITY: SPEECH = GREEN, SILENCE = GREY", TEXT,
    )

    jaw = series.get("jaw")
    reference_jaw = series.get("reference_jaw")
    jaw_range = _weights_range(
        np.asarray(jaw) if jaw is not None else None,
        np.asarray(reference_jaw) if reference_jaw is not None else None,
    )
    _value_axis(image, layout, jaw_panel, *jaw_range)
    threshold = float((report.get("silence") or {}).get("threshold") or 0.0)
    y = int(round(jaw_panel[1] - 1 - (threshold - jaw_range[0]) / (jaw_range[1] - jaw_range[0])
                  * (jaw_panel[1] - jaw_panel[0] - 1)))
    dashes = np.arange(layout.left, layout.right)
    image[y, dashes[(dashes // 8) % 2 == 0]] = THRESHOLD
    if reference_jaw is not None:
        ref = np.asarray(reference_jaw, dtype=np.float64)
        _draw_series(image, layout, jaw_panel, times[: ref.size], ref, jaw_range, REFERENCE)
    title = f"JAW OPEN ({report.get('jaw_channel') or 'NONE'}); RED = OPEN IN SILENCE, DASHED = THRESHOLD"
    if reference_jaw is not None:
        title += ", BLUE = REFERENCE"
    draw_text(image, layout.left, jaw_panel[0] - LINE + 2, title, TEXT)
    if jaw is not None:
        per_column = np.empty((layout.right - layout.left, 3), dtype=np.uint8)
        per_column[:] = JAW
        per_column[flag_columns] = FLAG
        _draw_series(image, layout, jaw_panel, times, np.asarray(jaw, np.float64), jaw_range, JAW, 2, per_column)

    mouth_panel = layout.panels["mouth"]
    mouth = np.asarray(series.get("mouth"), dtype=np.float64).reshape(frames, -1)
    names: Sequence[str] = series.get("mouth_names") or []
    moving = [c for c in np.argsort(-mouth.std(axis=0)) if np.ptp(mouth[:, c]) > 1e-3] if mouth.size else []
    mouth_range = _weights_range(mouth[:, moving] if moving else None)
    _value_axis(image, layout, mouth_panel, *mouth_range)
    for rank, column in reversed(list(enumerate(moving))):
        _draw_series(image, layout, mouth_panel, times, mouth[:, column], mouth_range, PALETTE[rank % len(PALETTE)])
    x = draw_text(image, layout.left, mouth_panel[0] - LINE + 2, f"OTHER MOUTH CHANNELS ({len(moving)} MOVING): ")
    for rank, column in enumerate(moving[: len(PALETTE)]):
        label = str(names[column]) if column < len(names) else f"#{column}"
        if x + text_width(label) > layout.right:
            break
        x = draw_text(image, x, mouth_panel[0] - LINE + 2, label + " ", PALETTE[rank])
    for panel in layout.panels.values():
        _frame(image, layout, panel)
    return image, layout


# --- PNG ----------------------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(rgb: np.ndarray) -> bytes:
    """PNG bytes of an RGB uint8 array (height, width, 3): 8-bit truecolour, filter 0, zlib level 6."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ValueError(f"expected an RGB array (height, width, 3), got shape {rgb.shape}")
    height, width = rgb.shape[:2]
    raw = np.zeros((height, 1 + width * 3), dtype=np.uint8)
    raw[:, 1:] = rgb.reshape(height, width * 3)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"tEXt", b"Software\x00audio2face qc")
        + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + _chunk(b"IEND", b"")
    )


def render_png(report: Dict[str, Any], width: int = WIDTH) -> bytes:
    """The report's picture as PNG bytes."""
    image, _ = render(report, width)
    return encode_png(image)
