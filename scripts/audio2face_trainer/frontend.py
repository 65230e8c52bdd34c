"""The fixed spectral front end of our recipe: LPC polynomials to log spectral envelopes (numpy only).

Each sub-frame's prediction polynomial ``A(z) = sum_k a_k z^-k`` (``a_0 = 1``) is evaluated at ``bins``
frequencies spread evenly over (0, Nyquist); the feature is ``-log(|A(w)|^2 + floor)``, the log of the
all-pole spectral envelope up to the (unknown) gain. Formants become peaks whose position moves smoothly
along the frequency axis, which the formant convolutions can follow; the raw coefficients relate to them
only through the roots of ``A``. The ONNX export computes the same in float64 (``export.py``).
"""

from __future__ import annotations

from typing import Tuple

import numpy as np


def dft_matrices(order: int, bins: int) -> Tuple[np.ndarray, np.ndarray]:
    """Cosine and sine matrices (order, bins) that evaluate ``A`` at the bin centres."""
    omega = np.pi * (np.arange(bins) + 0.5) / bins
    k = np.arange(order)[:, None]
    return np.cos(k * omega[None, :]), np.sin(k * omega[None, :])


def log_envelope(lpc: np.ndarray, bins: int, floor: float) -> np.ndarray:
    """(frames, order, subframes) LPC coefficients -> (frames, bins, subframes) float64 log envelopes."""
    cos, sin = dft_matrices(lpc.shape[1], bins)
    coefficients = np.asarray(lpc, dtype=np.float64)
    real = np.einsum("kb,nks->nbs", cos, coefficients)
    imag = np.einsum("kb,nks->nbs", sin, coefficients)
    return -np.log(real * real + imag * imag + floor)
