"""Phone segments, viseme classes, and the one entry point that turns audio into phone segments."""

from __future__ import annotations

import dataclasses
import logging
from typing import List, Optional

import numpy as np

from .phone import VISEMES, PhoneSegment

logger = logging.getLogger(__name__)

SPEECH_GRID_FPS = 50.0
"""Frame rate of the speech mask that picks the stretches to recognise: 20 ms steps under the recogniser's
150 ms padding; the detector costs less than half of what it does at 100 fps (its background window is
quadratic in the rate), about 4 s less per hour of audio."""

__all__ = ["VISEMES", "GuideInput", "PhoneSegment", "guide_input", "guide_phones", "recognise_phones"]


def recognise_phones(
    samples: np.ndarray,
    sample_rate: int,
    language: str = "en-us",
    transcript: Optional[str] = None,
    speech: Optional[np.ndarray] = None,
    fps: float = 100.0,
) -> List[PhoneSegment]:
    """Phone segments of mono ``samples``: aligned to ``transcript`` when given, else recognised.

    Args:
        samples: Mono float samples.
        sample_rate: Their rate.
        language: A registered language code (``registry.available_languages()``).
        transcript: The line's text; the phones are then aligned to it (the best route).
        speech: Optional boolean mask on a ``fps`` grid, True where there is speech: recognition only runs
            there (faster, and no phones are invented in pauses).
        fps: Rate of ``speech``.

    Raises:
        Audio2FaceError: unknown language, or its recogniser is not installed.
    """
    from .registry import get_language

    lang = get_language(language)
    if transcript is not None and transcript.strip():
        if lang.align is None:
            logger.warning("no transcript aligner for %s; recognising the phones instead", language)
        else:
            return [lang.viseme_of(s) for s in lang.align(samples, sample_rate, transcript)]
    return [lang.viseme_of(s) for s in lang.recognise(samples, sample_rate, speech, fps)]


@dataclasses.dataclass
class GuideInput:
    """What the guide works from: phones, acoustic closures (without an alignment), whether aligned."""

    phones: List[PhoneSegment]
    closures: Optional[np.ndarray]
    aligned: bool


def guide_phones(
    samples: np.ndarray,
    sample_rate: int,
    language: str = "en-us",
    transcript: Optional[str] = None,
    vad_method: str = "robust",
) -> List[PhoneSegment]:
    """Phones for the guide (``guide_input``'s)."""
    return guide_input(samples, sample_rate, 0.0, 0, language, transcript, vad_method).phones


def guide_input(
    samples: np.ndarray,
    sample_rate: int,
    fps: float,
    frames: int,
    language: str = "en-us",
    transcript: Optional[str] = None,
    vad_method: str = "robust",
) -> GuideInput:
    """Phones aligned to ``transcript``, else recognised on the speech the detector finds (``audio2face.vad``),
    plus, when not aligned, ``guide.acoustic_closures`` on ``frames`` frames at ``fps`` (none when ``frames``
    is 0).

    A transcript that cannot be aligned falls back to recognition with a warning. A missing recogniser
    only warns (no phones: the curves stay the network's, bar the acoustic closures).
    """
    from ..errors import Audio2FaceError
    from ..vad import VadSettings, silent_frames
    from .guide import acoustic_closures

    closures = acoustic_closures(samples, sample_rate, fps, frames) if frames > 0 else None
    if transcript is not None and transcript.strip():
        try:
            return GuideInput(recognise_phones(samples, sample_rate, language, transcript), None, True)
        except Audio2FaceError as exc:
            logger.warning("phone guide: %s; recognising the phones instead", exc)
    grid = SPEECH_GRID_FPS
    count = int(np.ceil(np.asarray(samples).size / sample_rate * grid))
    speech = ~silent_frames(samples, sample_rate, grid, count, VadSettings(method=vad_method))
    try:
        phones = recognise_phones(samples, sample_rate, language, None, speech, grid)
    except Audio2FaceError as exc:
        logger.warning("phone guide: %s", exc)
        phones = []
    return GuideInput(_in_speech(phones, speech, grid), closures, False)


def _in_speech(phones: List[PhoneSegment], speech: np.ndarray, grid: float) -> List[PhoneSegment]:
    """The recognised phones that lie mostly in speech (a music bed or a reverb tail makes up phones)."""
    if speech.size == 0:
        return phones
    kept = []
    for seg in phones:
        lo = int(np.clip(np.floor(seg.start_s * grid), 0, speech.size - 1))
        hi = int(np.clip(np.ceil(seg.end_s * grid), lo + 1, speech.size))
        if speech[lo:hi].mean() >= 0.5:
            kept.append(seg)
    return kept
