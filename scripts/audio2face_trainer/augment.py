"""Audio augmentation for training: the rooms, microphones and lines a user's dialogue comes through.

Each augmented copy of a training clip draws, from its own seeded generator, a chain of:

* speed perturbation (tape-speed resampling by a factor in ``speed_range``: pitch and tempo together, as
  Kaldi's 0.9/1.0/1.1 recipe); the labels are resampled in time to match;
* synthetic room reverberation (probability ``p_reverb``): an impulse response of a direct path, a few
  early reflections and a diffuse exponentially decaying noise tail with an RT60 in ``rt60_range``;
* band-limiting (``p_band``): a telephone line (8 kHz, 300-3400 Hz) or a random low-pass/high-pass pair;
* codec-like damage (``p_codec``): G.711 mu-law 8-bit companding after band-limiting to 4 kHz;
* additive noise (``p_noise``) at an SNR in ``snr_range`` dB over the speech level: white, pink or brown,
  or a hum with harmonics;
* a music bed (``p_music``) at an SNR in ``music_snr_range`` dB: notes of a random scale with a random
  timbre, tempo and sustain, with or without drums (the labels stay as they are, so the pauses under the
  music keep the rest pose);
* gain in ``gain_db_range`` dB (then clipped to [-1, 1], as a hot recording clips).

Everything is numpy (FFT convolution and filtering) plus ``soxr`` for resampling, a core dependency.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Sequence, Tuple, Union

import numpy as np
import soxr

RATE = 16000


@dataclasses.dataclass(frozen=True)
class AugmentSettings:
    """Probabilities and ranges of the chain (module docstring)."""

    speed_range: Tuple[float, float] = (0.9, 1.1)
    p_reverb: float = 0.5
    rt60_range: Tuple[float, float] = (0.2, 1.0)
    p_band: float = 0.35
    p_codec: float = 0.15
    p_noise: float = 0.7
    snr_range: Tuple[float, float] = (5.0, 30.0)
    gain_db_range: Tuple[float, float] = (-12.0, 6.0)
    p_music: float = 0.3
    music_snr_range: Tuple[float, float] = (0.0, 20.0)


def speech_rms(samples: np.ndarray, rate: int = RATE) -> float:
    """RMS of the louder half of 20 ms blocks (the speech, not the pauses)."""
    hop = max(rate // 50, 1)
    n = samples.size // hop
    if n == 0:
        return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
    energy = np.mean(np.square(samples[: n * hop].reshape(n, hop), dtype=np.float64), axis=1)
    return float(np.sqrt(np.mean(energy[energy >= np.median(energy)])))


def coloured_noise(size: int, colour: str, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS noise: ``white``, ``pink`` (1/f power) or ``brown`` (1/f^2)."""
    white = rng.standard_normal(size)
    if colour == "white" or size < 2:
        noise = white
    else:
        spectrum = np.fft.rfft(white)
        f = np.arange(spectrum.size, dtype=np.float64)
        f[0] = 1.0
        spectrum /= f ** (0.5 if colour == "pink" else 1.0)
        spectrum[0] = 0.0
        noise = np.fft.irfft(spectrum, size)
    return noise / max(float(np.sqrt(np.mean(noise**2))), 1e-12)


def hum(size: int, rng: np.random.Generator, rate: int = RATE) -> np.ndarray:
    """Unit-RMS mains hum (50 or 60 Hz) with decaying odd and even harmonics."""
    t = np.arange(size) / rate
    base = 50.0 if rng.random() < 0.5 else 60.0
    out = sum(np.sin(2 * np.pi * base * k * t + rng.uniform(0, 2 * np.pi)) / k for k in range(1, 8))
    return out / max(float(np.sqrt(np.mean(out**2))), 1e-12)


def music(size: int, rng: np.random.Generator, rate: int = RATE) -> np.ndarray:
    """Unit-RMS synthetic music: notes of a random scale and timbre at a random tempo, optional drums."""
    out = np.zeros(size)
    beat = 60.0 / rng.uniform(70.0, 170.0)
    tonic = 110.0 * 2.0 ** (rng.integers(0, 12) / 12.0)
    scale = np.array([0, 2, 4, 5, 7, 9, 11] if rng.random() < 0.5 else [0, 2, 3, 5, 7, 8, 10])
    harmonics = np.arange(1, int(rng.integers(2, 9)) + 1)
    brightness = rng.uniform(0.5, 2.0)
    decay = rng.uniform(0.5, 6.0)
    for voice_octave in rng.choice([0, 1, 2], size=int(rng.integers(1, 4)), replace=False):
        step = beat * float(rng.choice([0.5, 1.0, 2.0]))
        start = 0.0
        while start * rate < size:
            lo = int(start * rate)
            length = min(int(step * rng.uniform(0.8, 1.6) * rate), size - lo)
            t = np.arange(length) / rate
            degree = int(rng.integers(0, scale.size))
            f0 = tonic * 2.0 ** (voice_octave + scale[degree] / 12.0)
            env = np.exp(-decay * t) * np.minimum(t / 0.01, 1.0)
            tone = sum(np.sin(2 * np.pi * f0 * h * t) / h**brightness for h in harmonics if f0 * h < rate / 2)
            out[lo : lo + length] += env * tone
            start += step
    if rng.random() < 0.6:
        t = np.arange(int(0.25 * rate)) / rate
        kick = np.sin(2 * np.pi * (50.0 + 100.0 * np.exp(-30.0 * t)) * t) * np.exp(-12.0 * t) * 2.0
        hat = rng.standard_normal(int(0.05 * rate)) * np.exp(-80.0 * t[: int(0.05 * rate)]) * 0.7
        for k, at in enumerate(np.arange(0.0, size / rate, beat / 2)):
            lo = int(at * rate)
            part = kick if k % 2 == 0 else hat
            out[lo : lo + part.size] += part[: size - lo]
    return out / max(float(np.sqrt(np.mean(out**2))), 1e-12)


def add_noise(samples: np.ndarray, snr_db: float, noise: np.ndarray) -> np.ndarray:
    """``samples`` plus ``noise`` (unit RMS) at ``snr_db`` below the speech level."""
    return samples + noise[: samples.size] * speech_rms(samples) * 10.0 ** (-snr_db / 20.0)


def room_impulse(rt60_s: float, rng: np.random.Generator, rate: int = RATE) -> np.ndarray:
    """A synthetic impulse response: direct path, early reflections, exponential diffuse tail."""
    length = max(int(rt60_s * rate), 16)
    t = np.arange(length) / rate
    tail = rng.standard_normal(length) * 10.0 ** (-3.0 * t / rt60_s)
    tail[: int(0.004 * rate)] = 0.0
    ir = tail * rng.uniform(0.2, 0.6) / max(float(np.sqrt(np.sum(tail**2))), 1e-12)
    for _ in range(rng.integers(2, 6)):
        ir[min(int(rng.uniform(0.002, 0.03) * rate), length - 1)] += rng.uniform(0.1, 0.5) * rng.choice([-1, 1])
    ir[0] = 1.0
    return ir


def convolve(samples: np.ndarray, ir: np.ndarray) -> np.ndarray:
    """FFT convolution, cut to the input's length."""
    n = 1 << int(np.ceil(np.log2(samples.size + ir.size)))
    return np.fft.irfft(np.fft.rfft(samples, n) * np.fft.rfft(ir, n), n)[: samples.size]


def band_pass(samples: np.ndarray, low_hz: float, high_hz: float, rate: int = RATE) -> np.ndarray:
    """Zero-phase band-pass with 100 Hz raised-cosine skirts (FFT of the whole signal)."""
    spectrum = np.fft.rfft(samples)
    f = np.fft.rfftfreq(samples.size, 1.0 / rate)
    skirt = 100.0
    gain = np.clip((f - (low_hz - skirt)) / skirt, 0, 1) * np.clip(((high_hz + skirt) - f) / skirt, 0, 1)
    gain = 0.5 - 0.5 * np.cos(np.pi * gain)
    return np.fft.irfft(spectrum * gain, samples.size)


def telephone(samples: np.ndarray, rate: int = RATE) -> np.ndarray:
    """8 kHz and 300-3400 Hz, back at ``rate``."""
    narrow = soxr.resample(band_pass(samples, 300.0, 3400.0, rate).astype(np.float32), rate, 8000)
    out = soxr.resample(narrow, 8000, rate).astype(np.float64)
    return np.pad(out, (0, max(samples.size - out.size, 0)))[: samples.size]


def mu_law(samples: np.ndarray, bits: int = 8, mu: float = 255.0) -> np.ndarray:
    """G.711-style companding and quantisation."""
    x = np.clip(samples, -1.0, 1.0)
    compressed = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    levels = 2 ** (bits - 1)
    quantised = np.round(compressed * levels) / levels
    return np.sign(quantised) * np.expm1(np.abs(quantised) * np.log1p(mu)) / mu


def change_speed(samples: np.ndarray, factor: float, rate: int = RATE) -> np.ndarray:
    """Play ``factor`` times faster (pitch and tempo together)."""
    if abs(factor - 1.0) < 1e-9:
        return samples
    return soxr.resample(samples.astype(np.float32), rate * factor, rate).astype(np.float64)


def resample_labels(weights: np.ndarray, factor: float) -> np.ndarray:
    """Labels of audio played ``factor`` times faster: row ``i`` takes the old time ``i * factor``."""
    if abs(factor - 1.0) < 1e-9:
        return weights
    count = max(int(np.floor((weights.shape[0] - 1) / factor)) + 1, 1)
    position = np.minimum(np.arange(count) * factor, weights.shape[0] - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, weights.shape[0] - 1)
    blend = (position - low)[:, None]
    return ((1 - blend) * weights[low] + blend * weights[high]).astype(weights.dtype)


def augment(
    samples: np.ndarray, rng: np.random.Generator, settings: AugmentSettings = AugmentSettings(), rate: int = RATE
) -> Tuple[np.ndarray, float, Dict[str, Any]]:
    """One draw of the chain: (float32 samples, speed factor, what was done)."""
    x = np.asarray(samples, dtype=np.float64)
    done: Dict[str, Any] = {}
    speed = float(rng.uniform(*settings.speed_range))
    x = change_speed(x, speed, rate)
    done["speed"] = round(speed, 4)
    if rng.random() < settings.p_reverb:
        rt60 = float(rng.uniform(*settings.rt60_range))
        x = convolve(x, room_impulse(rt60, rng, rate))
        done["rt60_s"] = round(rt60, 3)
    if rng.random() < settings.p_band:
        if rng.random() < 0.5:
            x = telephone(x, rate)
            done["band"] = "telephone"
        else:
            low, high = float(rng.uniform(50, 400)), float(rng.uniform(3000, 7500))
            x = band_pass(x, low, high, rate)
            done["band"] = [round(low), round(high)]
    if rng.random() < settings.p_codec:
        x = mu_law(band_pass(x, 0.0, 3900.0, rate) / max(float(np.abs(x).max()), 1e-9))
        done["codec"] = "mu-law"
    if rng.random() < settings.p_noise:
        snr = float(rng.uniform(*settings.snr_range))
        kind = str(rng.choice(["white", "pink", "brown", "hum"]))
        noise = hum(x.size, rng, rate) if kind == "hum" else coloured_noise(x.size, kind, rng)
        x = add_noise(x, snr, noise)
        done["noise"] = {"kind": kind, "snr_db": round(snr, 1)}
    if rng.random() < settings.p_music:
        snr = float(rng.uniform(*settings.music_snr_range))
        x = add_noise(x, snr, music(x.size, rng, rate))
        done["music_snr_db"] = round(snr, 1)
    peak = max(float(np.abs(x).max()), 1e-9)
    gain_db = float(rng.uniform(*settings.gain_db_range))
    x = np.clip(x / peak * 0.5 * 10.0 ** (gain_db / 20.0), -1.0, 1.0)
    done["gain_db"] = round(gain_db, 1)
    return x.astype(np.float32), speed, done


def augmented_copies(
    samples: np.ndarray,
    weights: np.ndarray,
    copies: int,
    seed: Union[int, Sequence[int]],
    settings: AugmentSettings = AugmentSettings(),
    rate: int = RATE,
) -> List[Tuple[np.ndarray, np.ndarray, Dict[str, Any]]]:
    """``copies`` draws of (samples, labels matched to them, description), draw ``k`` seeded ``[*seed, k]``."""
    base = [int(seed)] if isinstance(seed, (int, np.integer)) else [int(v) for v in seed]
    out = []
    for k in range(copies):
        rng = np.random.default_rng([*base, k])
        audio, speed, done = augment(samples, rng, settings, rate)
        out.append((audio, resample_labels(weights, speed), done))
    return out
