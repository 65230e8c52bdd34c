"""A language of the phone guide: its recogniser, aligner and phone-to-viseme table."""

from __future__ import annotations

import dataclasses
from typing import Callable, List, Mapping, Optional, Tuple

import numpy as np

from .phone import PhoneSegment

Recogniser = Callable[[np.ndarray, int, Optional[np.ndarray], float], List[PhoneSegment]]
Aligner = Callable[[np.ndarray, int, str], List[PhoneSegment]]


@dataclasses.dataclass(frozen=True)
class Language:
    """One language's phone guidance (module docstring)."""

    code: str
    name: str
    recognise: Recogniser
    visemes: Mapping[str, Tuple[str, float]]
    align: Optional[Aligner] = None
    requires: str = ""
    """What to install when it is missing (shown in errors)."""

    def viseme_of(self, segment: PhoneSegment) -> PhoneSegment:
        """The segment with its viseme and openness from this language's table."""
        viseme, openness = self.visemes.get(segment.phone, (None, 0.0))
        return dataclasses.replace(segment, viseme=viseme, openness=float(openness))
