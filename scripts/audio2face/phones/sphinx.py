"""US English phones through CMU PocketSphinx (``pip install audio2face[phones]``).

Recognition without a transcript runs PocketSphinx's phone-loop decoder (``allphone`` with the shipped
phone language model, as Rhubarb Lip Sync does) on each stretch of speech. With a transcript, the words
are force-aligned (an FSG over the line's words with optional silences), then a second pass aligns their
phones. Phones are ARPAbet without stress marks (``AA``, ``B``, ...); ``SIL`` and fillers are silence.
Recognition of a whole clip (on two cores) is ``phone_worker.recognise``; the language is ``english.ENGLISH``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from typing import Any, List, Optional, Tuple

import numpy as np

from ..errors import Audio2FaceError
from .phone import PhoneSegment

logger = logging.getLogger(__name__)

RATE = 16000
FRAME_S = 0.01
"""PocketSphinx's frame: segment times are in 10 ms steps."""
REGION_PAD_S = 0.15
REGION_MERGE_S = 0.3
REGION_MAX_S = 30.0
DECODER_OPTIONS = {"beam": 1e-10, "pbeam": 1e-6, "lw": 2.0, "ds": 2, "topn": 2, "bestpath": False}
"""Phone-loop search, tuned for cost (``bench/guide_cost.py``) at the same articulation
(``bench/articulation.py``): every second 10 ms frame scored (``ds``; every third lost closures), the two
best Gaussians of each codebook (``topn``; PocketSphinx's default is 4) and a phone-exit beam (``pbeam``)
of 1e-6: a phone that ends that far below the best one starts no successor, which shrinks the phone-LM
lookups and the codebooks to score, most of the cost (1e-5 was cheaper still but lost phones of short
lines). About 0.6 of the CPU of the previous ``pbeam`` 1e-10, ``topn`` 4, for the same bilabial, labiodental
and rounding figures on the benchmark's clean voices and as good or better under noise, telephone and
reverb. ``bestpath`` off, which otherwise may end the search early."""

# ARPAbet -> (viseme, openness of the jaw as a share of a wide "ah")
VISEMES = {
    "P": ("closed", 0.0), "B": ("closed", 0.0), "M": ("closed", 0.0),
    "F": ("labiodental", 0.0), "V": ("labiodental", 0.0),
    "UW": ("rounded", 0.35), "UH": ("rounded", 0.45), "W": ("rounded", 0.25), "OW": ("rounded", 0.6),
    "AO": ("rounded", 0.75), "OY": ("rounded", 0.6),
    "AA": ("open", 1.0), "AE": ("open", 0.85), "AH": ("open", 0.7), "AW": ("open", 0.85), "AY": ("open", 0.85),
    "EH": ("open", 0.6), "ER": ("open", 0.45), "EY": ("open", 0.5), "IH": ("open", 0.4), "IY": ("open", 0.3),
    "SIL": ("rest", 0.0),
    **{c: ("narrow", 0.0) for c in ("T", "D", "K", "G", "N", "NG", "S", "Z", "SH", "ZH", "CH", "JH", "TH", "DH", "L",
                                    "R", "Y", "HH")},
}


def _pocketsphinx() -> Any:
    try:
        import pocketsphinx
    except ImportError:
        raise Audio2FaceError(
            "phone guidance for en-us needs PocketSphinx: pip install 'audio2face[phones]'"
        ) from None
    return pocketsphinx


def installed() -> bool:
    """Whether PocketSphinx can be imported."""
    try:
        _pocketsphinx()
    except Audio2FaceError:
        return False
    return True


def _model_file(*parts: str) -> str:
    return os.path.join(_pocketsphinx().get_model_path(), *parts)


def new_phone_decoder() -> Any:
    """A fresh phone-loop decoder (about 0.1 s). A decoder keeps some state from one stretch to the next, so
    each recognition starts on its own: the same audio gives the same phones, call after call."""
    ps = _pocketsphinx()
    return ps.Decoder(
        hmm=_model_file("en-us", "en-us"), allphone=_model_file("en-us", "en-us-phone.lm.bin"),
        loglevel="FATAL", **DECODER_OPTIONS,
    )


WIDE_BEAMS = {"beam": 1e-80, "wbeam": 1e-60, "pbeam": 1e-80}
"""The aligner's second try: accents far from the dictionary's (British voices on the benchmark) need wider
beams for the search to reach the last word."""


@functools.lru_cache(maxsize=2)
def _word_decoder(wide: bool = False) -> Any:
    ps = _pocketsphinx()
    return ps.Decoder(
        hmm=_model_file("en-us", "en-us"), dict=_model_file("en-us", "cmudict-en-us.dict"), lm=None,
        loglevel="FATAL", bestpath=False, **(WIDE_BEAMS if wide else {}),
    )


def _pcm(samples: np.ndarray, sample_rate: int, seed: int = 0) -> np.ndarray:
    """16 kHz int16 PCM of float ``samples`` with +-2 LSB of dither seeded by ``seed``."""
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    if sample_rate != RATE:
        import soxr

        samples = soxr.resample(samples, sample_rate, RATE)
    pcm = np.clip(samples, -1.0, 1.0) * np.float32(32767.0)
    # +-2 LSB of fixed-seed noise: stretches of digital silence otherwise stall the aligner's search
    pcm += np.random.default_rng(seed).integers(-2, 3, pcm.size).astype(np.float32)
    return np.clip(pcm, -32768, 32767).astype(np.int16)


def region_pcm(samples: np.ndarray, sample_rate: int, start_s: float, end_s: float) -> np.ndarray:
    """``_pcm`` of one stretch only (the memory of a stretch, not of the clip), dithered by its own start."""
    first = int(start_s * sample_rate)
    return _pcm(samples[first : int(end_s * sample_rate)], sample_rate, seed=first)


def _clean_phone(name: str) -> Optional[str]:
    name = re.sub(r"\d", "", name.upper())
    if name.startswith("+") or name in ("SIL", "<SIL>", "</S>", "<S>", "NULL"):
        return "SIL"
    return name or None


def speech_regions(speech: Optional[np.ndarray], fps: float, seconds: float) -> List[Tuple[float, float]]:
    """Stretches (start_s, end_s) to decode: the speech frames, padded, merged, at most REGION_MAX_S each."""
    if speech is None:
        spans = [(0.0, seconds)]
    else:
        from ..vad import runs

        spans = [(a / fps - REGION_PAD_S, b / fps + REGION_PAD_S) for a, b in runs(np.asarray(speech, bool))]
    merged: List[Tuple[float, float]] = []
    for start, end in spans:
        start, end = max(start, 0.0), min(end, seconds)
        if merged and start - merged[-1][1] < REGION_MERGE_S:
            merged[-1] = (merged[-1][0], end)
        elif end > start:
            merged.append((start, end))
    out: List[Tuple[float, float]] = []
    for start, end in merged:
        while end - start > REGION_MAX_S:
            out.append((start, start + REGION_MAX_S))
            start += REGION_MAX_S
        out.append((start, end))
    return out


def decode_region(decoder: Any, pcm: np.ndarray, start_s: float) -> List[PhoneSegment]:
    """Phone-loop recognition of one stretch (16 kHz int16 ``pcm`` starting at ``start_s``)."""
    if pcm.size < RATE // 20:
        return []
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    out = []
    for seg in decoder.seg():
        phone = _clean_phone(seg.word)
        if phone:
            start, end = start_s + seg.start_frame * FRAME_S, start_s + (seg.end_frame + 1) * FRAME_S
            out.append(PhoneSegment(phone, start, end))
    return out


def normalise_transcript(text: str) -> List[str]:
    """Lower-case words with letters, digits and apostrophes (punctuation dropped)."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def _align_pass(decoder: Any, text: str, pcm: bytes) -> Any:
    """Word alignment, then phone alignment within the words; the alignment or ``None``."""
    decoder.set_align_text(text)
    for second_pass in (False, True):
        if second_pass:
            decoder.set_alignment()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
    return decoder.get_alignment()


def align(samples: np.ndarray, sample_rate: int, transcript: str) -> List[PhoneSegment]:
    """Force-align the transcript's words, then their phones; words not in the dictionary are skipped.

    Raises:
        Audio2FaceError: none of the words is in the dictionary, or the alignment fails.
    """
    decoder = _word_decoder()
    words = normalise_transcript(transcript)
    known = [w for w in words if decoder.lookup_word(w) is not None]
    unknown = sorted(set(words) - set(known))
    if unknown:
        logger.warning("transcript words not in the pronouncing dictionary, skipped: %s", ", ".join(unknown))
    if not known:
        raise Audio2FaceError("no word of the transcript is in the en-us pronouncing dictionary")
    pcm = _pcm(samples, sample_rate).tobytes()  # one utterance: the aligner needs the whole line
    alignment, problem = None, ""
    for attempt, wide in enumerate((False, True, True)):
        if attempt == 2:  # a decoder that failed may keep state that fails the next search: start afresh
            _word_decoder.cache_clear()
        try:
            alignment = _align_pass(_word_decoder(wide), " ".join(known), pcm)
        except RuntimeError as exc:
            problem = str(exc)
        if alignment is not None:
            break
        logger.info("alignment failed (try %d of 3)", attempt + 1)
    if alignment is None:
        raise Audio2FaceError(f"the transcript could not be aligned to the audio ({problem or 'no path'})")
    out: List[PhoneSegment] = []
    for word in alignment:
        for phone in word:
            name = _clean_phone(phone.name)
            if name and phone.duration > 0:
                start = phone.start * FRAME_S
                out.append(PhoneSegment(name, start, start + phone.duration * FRAME_S))
    return out
