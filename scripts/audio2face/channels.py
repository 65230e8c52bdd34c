"""Roles of well-known channel names (jaw open, mouth) across naming schemes."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence

JAW_OPEN = ("mouth_stretch_c", "jawOpen", "jaw_open", "mouthOpen", "mouth_open")
"""Channels that open the jaw: FACEGOOD's ``mouth_stretch_c``, ARKit's ``jawOpen`` and common variants."""

_MOUTH = re.compile(r"(mouth|jaw|lip|chin|cheek_puff|cheekpuff|tongue)", re.IGNORECASE)


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", re.split(r"[:|.]", name)[-1].lower())


def jaw_open_index(names: Sequence[str]) -> Optional[int]:
    """Column of the jaw-open channel, or ``None``."""
    wanted = [_norm(n) for n in JAW_OPEN]
    normed = [_norm(n) for n in names]
    for key in wanted:
        if key in normed:
            return normed.index(key)
    return None


def mouth_indices(names: Sequence[str]) -> List[int]:
    """Columns of the mouth-region channels (mouth, jaw, lips, chin)."""
    return [i for i, n in enumerate(names) if _MOUTH.search(re.split(r"[:|.]", n)[-1])]
