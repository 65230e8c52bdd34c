"""Generated hostile inputs for the fuzz tests (tests/test_fuzz_*.py): small, fast, seeded."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Iterator, List

import numpy as np


def wav_bytes(frames: int = 1000, rate: int = 16000, channels: int = 1, fill: float = 0.1) -> bytes:
    """A 16-bit PCM WAV file as bytes, with any rate written in its header (no check on it)."""
    data = (np.full(frames * channels, fill * 32767)).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, channels, rate & 0xFFFFFFFF, (rate * channels * 2) & 0xFFFFFFFF, channels * 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def write_wav(path: Path, frames: int = 1000, rate: int = 16000, channels: int = 1, fill: float = 0.1) -> Path:
    """``wav_bytes`` written to ``path``."""
    path.write_bytes(wav_bytes(frames, rate, channels, fill))
    return path


def mutated_wavs(count: int, seed: int = 0) -> Iterator[bytes]:
    """WAV files with random bytes of the header overwritten (rates, sizes, channel counts, formats)."""
    rng = np.random.default_rng(seed)
    good = bytearray(wav_bytes(frames=400))
    for _ in range(count):
        data = bytearray(good)
        for _ in range(int(rng.integers(1, 4))):
            offset = int(rng.integers(0, 44))
            data[offset] = int(rng.integers(0, 256))
        yield bytes(data)


def nested_json(depth: int, leaf: str = "1") -> str:
    """``[[[...1...]]]`` ``depth`` levels deep."""
    return "[" * depth + leaf + "]" * depth


BOM = "\ufeff"


def latin1_bytes(text: str) -> bytes:
    """``text`` encoded as Latin-1 (what an old Windows export gives): not UTF-8 when it has accents."""
    return text.encode("latin-1")


def names_with_trouble() -> List[str]:
    """Target names a hostile rig could have: a BOM, spaces, injection, empty, very long."""
    return [BOM + "jawOpen", "jaw Open", 'a";system("x");"', "", "x" * 5000]
