"""A phone segment and the viseme classes: the data every part of the phone guide shares."""

from __future__ import annotations

import dataclasses
from typing import Optional

VISEMES = ("closed", "labiodental", "rounded", "open", "narrow", "rest")
"""What the lips do: ``closed`` (p b m: lips pressed), ``labiodental`` (f v: lower lip to the upper teeth),
``rounded`` (u w o: lips pushed forward), ``open`` (other vowels: the jaw opens by the phone's openness),
``narrow`` (other consonants: the jaw half closes between vowels), ``rest`` (silence). Phones a language
maps to none of them leave the network's curves alone."""


@dataclasses.dataclass(frozen=True)
class PhoneSegment:
    """One phone: its label in the language's phone set, start and end in seconds, its viseme.

    Attributes:
        phone: e.g. ``"B"`` (ARPAbet for US English).
        start_s: Start time in seconds.
        end_s: End time in seconds (> start).
        viseme: One of ``VISEMES`` or ``None``.
        openness: For ``open`` and ``rounded`` vowels, how far the jaw opens (0..1 of a wide "ah").
    """

    phone: str
    start_s: float
    end_s: float
    viseme: Optional[str] = None
    openness: float = 0.0
