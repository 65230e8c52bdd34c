"""Phone-level guidance: which phone is spoken when, and what the lips must do for it.

* :mod:`.segments`: ``PhoneSegment`` (a phone with start and end in seconds) and the viseme classes.
* :mod:`.registry`: languages plug in here (``register_language``): each brings a recogniser (audio ->
  phones), optionally an aligner (audio + transcript -> phones) and a table from its phones to visemes.
* :mod:`.sphinx`: US English through CMU PocketSphinx (the optional ``phones`` extra; the wheel ships the
  acoustic model, the phone language model and the pronouncing dictionary, so nothing is downloaded);
  :mod:`.phone_worker` recognises long audio on two cores (a helper process); :mod:`.english` is the language.
* :mod:`.guide`: pure numpy: viseme activations on the frame grid and how they bend the network's curves
  (``apply_guide``, with a strength knob).
* :mod:`.coverage`: which visemes a dataset's clips contain.
"""

from __future__ import annotations

from .guide import GuideSettings, acoustic_closures, apply_guide, viseme_activations
from .registry import Language, available_languages, get_language, register_language
from .segments import VISEMES, GuideInput, PhoneSegment, guide_input, guide_phones, recognise_phones

__all__ = [
    "VISEMES",
    "GuideSettings",
    "Language",
    "PhoneSegment",
    "acoustic_closures",
    "apply_guide",
    "available_languages",
    "get_language",
    "GuideInput",
    "guide_input",
    "guide_phones",
    "recognise_phones",
    "register_language",
    "viseme_activations",
]
