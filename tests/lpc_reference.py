"""A deliberately literal reference of FACEGOOD's LPC features, loop by loop, in float64.

It follows their ``step1_LPC.py`` (padding, window positions, sub-frame filling, Hann window) and their
``LPC.cpp`` (``autocorr`` then ``levinson`` of order 31, giving 32 coefficients), as
``../shared/facegood/README.md`` describes them, with plain Python loops and sums in the C code's order.
It is slow (about 30 ms a frame) and independent of ``audio2face.features`` on purpose: tests and the
benchmark compare against it. Use short excerpts.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import numpy as np

RATE = 16000
CHUNK_MS = 260
SUBFRAMES = 64
SUBFRAME_LENGTH = 256
HOP = 128
ORDER = 32


def reference_features(
    signal: Sequence[float], fps: float = 30.0, frames: Optional[Sequence[int]] = None
) -> np.ndarray:
    """FACEGOOD's features of 16 kHz mono ``signal`` at ``fps``: float64 ``(frames, 32, 64)``.

    ``frames`` picks some frame numbers only (each frame is computed on its own, so this is the same
    recipe, just cheaper); by default all ``int(len / 16000 * fps)`` frames.
    """
    frames_step = 1000.0 / fps
    rate_khz = int(RATE / 1000)
    frame_total = int(len(signal) / RATE * fps)
    picked = list(range(frame_total)) if frames is None else [int(i) for i in frames]
    zeros = [0.0] * (CHUNK_MS * rate_khz)
    padded = zeros + [float(v) for v in signal] + zeros
    hanning = [float(v) for v in np.hanning(SUBFRAME_LENGTH)]
    out = np.zeros((len(picked), ORDER, SUBFRAMES), dtype=np.float64)
    for row, i in enumerate(picked):
        low = int(i * frames_step * rate_khz)
        high = int((i * frames_step + CHUNK_MS * 2) * rate_khz)
        audio_frame = padded[low:high]
        for k in range(SUBFRAMES):
            frame = [0.0] * SUBFRAME_LENGTH
            for j in range(SUBFRAME_LENGTH):
                if k * HOP + j < len(audio_frame):
                    frame[j] = audio_frame[k * HOP + j]
                else:
                    frame[j] = 0.0
            windowed = [frame[j] * hanning[j] for j in range(SUBFRAME_LENGTH)]
            out[row, :, k] = lpc(windowed, ORDER)
    return out


def lpc(x: Sequence[float], order: int) -> List[float]:
    """``LPC(in, size, order, out)``: ``levinson(autocorr(x, order - 1), order - 1)``."""
    return levinson(autocorr(x, order - 1), order - 1)


def autocorr(x: Sequence[float], order: int) -> List[float]:
    """Lags 0..order, each summed from ``j = 0`` upward."""
    r = []
    for i in range(order + 1):
        total = 0.0
        for j in range(len(x) - i):
            total += x[j] * x[j + i]
        r.append(total)
    return r


def levinson(r2: Sequence[float], order: int) -> List[float]:
    """Levinson-Durbin exactly as FACEGOOD's C: ``R[0] *= 1 + 1e-9``, early exits on ``R[0] <= 0`` and ``|k| >= 1``."""
    r = list(r2)
    r[0] = r[0] * (1.0 + 1.0e-9)
    a = [0.0] * (order + 1)
    a[0] = 1.0
    alfa = r[0]
    if alfa <= 0:
        return [1.0] + [0.0] * order
    for m in range(1, order + 1):
        s = 0.0
        for j in range(1, m):
            s = s + a[j] * r[m - j]
        k = -(r[m] + s) / alfa
        if abs(k) >= 1.0:
            for j in range(m, order + 1):
                a[j] = 0.0
            break
        updated = list(a)
        for j in range(1, m):
            updated[j] = a[j] + k * a[m - j]
        a = updated
        a[m] = k
        alfa = alfa * (1 - k * k)
    return a
