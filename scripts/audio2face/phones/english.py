"""US English: PocketSphinx's phone loop and aligner (``sphinx``), recognition on two cores (``phone_worker``)."""

from __future__ import annotations

from .language import Language
from .phone_worker import recognise
from .sphinx import VISEMES, align

ENGLISH = Language(code="en-us", name="US English (CMU PocketSphinx)", recognise=recognise, align=align,
                   visemes=VISEMES, requires="pip install 'audio2face-maya[phones]'")
"""US English, registered by ``registry`` when the guide first asks for a language."""
