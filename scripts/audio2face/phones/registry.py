"""Languages that get phone guidance, and how a new one plugs in.

A language is a code (``"en-us"``), a recogniser ``recognise(samples, sample_rate, speech, fps) ->
[PhoneSegment]`` (its phone labels), an optional aligner ``align(samples, sample_rate, transcript) ->
[PhoneSegment]``, and a table from its phones to ``(viseme, openness)``. ``register_language`` adds one
(e.g. from a plug-in package at import time); US English comes from :mod:`.english`.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

from ..errors import Audio2FaceError
from .language import Language
from .phone import VISEMES, PhoneSegment

__all__ = ["ACOUSTIC_ONLY", "Language", "available_languages", "get_language", "register_language"]

_LANGUAGES: Dict[str, Language] = {}


def register_language(language: Language) -> None:
    """Add (or replace) a language."""
    bad = sorted({v for v, _ in language.visemes.values()} - set(VISEMES))
    if bad:
        raise Audio2FaceError(f"language {language.code}: unknown visemes {', '.join(bad)}")
    _LANGUAGES[language.code.lower()] = language


ACOUSTIC_ONLY = "none"
"""The language code for audio in a language with no recogniser: no phones, only the acoustic closures
(``guide.acoustic_closures``), which need no language."""


def _no_phones(samples: np.ndarray, sample_rate: int, speech: Optional[np.ndarray], fps: float) -> List[PhoneSegment]:
    return []


def _load_builtin() -> None:
    from .english import ENGLISH

    _LANGUAGES.setdefault(ENGLISH.code, ENGLISH)

    if ACOUSTIC_ONLY not in _LANGUAGES:
        _LANGUAGES[ACOUSTIC_ONLY] = Language(ACOUSTIC_ONLY, "any language: acoustic closures only", _no_phones, {})


def available_languages() -> List[str]:
    """Codes of the registered languages."""
    _load_builtin()
    return sorted(_LANGUAGES)


def get_language(code: str) -> Language:
    """The registered language, or ``Audio2FaceError`` naming the ones there are."""
    _load_builtin()
    try:
        return _LANGUAGES[code.lower()]
    except KeyError:
        raise Audio2FaceError(
            f"no phone guidance for language {code!r} (available: {', '.join(sorted(_LANGUAGES)) or 'none'})"
        ) from None
