"""Shared fixtures: paths to the FACEGOOD data, tiny model bundles, a speech-like test signal."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

# float32 results of the same sums taken in other blocks differ in the last bits: numpy picks its SIMD
# path by length and alignment (AVX-512 machines most of all), so "the same" means equal to this.
FLOAT_ROUNDING = 1e-6
ROOT = Path(__file__).resolve().parents[1]
FACEGOOD = ROOT.parent / "shared" / "facegood"
TESTS = Path(__file__).resolve().parent

for path in (str(ROOT / "scripts"), str(TESTS)):
    if path not in sys.path:
        sys.path.insert(0, path)


@pytest.fixture(scope="session")
def facegood() -> Path:
    """The FACEGOOD data folder; skips the test when it is absent."""
    if not (FACEGOOD / "wav").is_dir():
        pytest.skip(f"FACEGOOD data not found at {FACEGOOD} (see ../shared/facegood/README.md)")
    return FACEGOOD


@pytest.fixture()
def tiny_bundle(tmp_path: Path) -> Path:
    """A small random-weight bundle with ARKit-style channel names and a 4-value emotion input."""
    from bundle_factory import make_bundle

    return make_bundle(tmp_path / "tiny_model")


def speech_like(seconds: float = 2.0, rate: int = 16000, silence: tuple = (), seed: int = 0) -> np.ndarray:
    """Syllable-rate amplitude-modulated harmonic noise, zero inside the given (start, end) second ranges."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = 120 + 20 * np.sin(2 * np.pi * 0.7 * t)
    voice = sum(np.sin(2 * np.pi * k * np.cumsum(f0) / rate) / k for k in range(1, 8))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4.0 * t) ** 2
    signal = 0.2 * envelope * voice + 0.01 * rng.standard_normal(t.size)
    for start, end in silence:
        signal[int(start * rate) : int(end * rate)] = 0.0
    return signal.astype(np.float32)


@pytest.fixture()
def speech_wav(tmp_path: Path) -> Path:
    """A 2 s speech-like 16-bit 44.1 kHz stereo wav with a silence from 1.0 to 1.6 s."""
    import soundfile as sf

    mono = speech_like(2.0, 44100, silence=((1.0, 1.6),))
    path = tmp_path / "speech.wav"
    sf.write(path, np.stack([mono, mono * 0.9], axis=1), 44100, subtype="PCM_16")
    return path


try:
    import pytestqt  # noqa: F401 - provides the qapp fixture
except ImportError:  # the Python 3.9 run of the core and adapter tests has no Qt

    @pytest.fixture()
    def qapp():  # noqa: ANN201
        pytest.skip("needs pytest-qt and a Qt binding (pip install '.[dev]')")

    @pytest.fixture()
    def qtbot():  # noqa: ANN201
        pytest.skip("needs pytest-qt and a Qt binding (pip install '.[dev]')")
