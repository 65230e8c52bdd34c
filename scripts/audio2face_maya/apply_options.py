"""How curves go onto a rig and what happened: the values the host, the keying and the commands share.

Kept apart from ``host`` and ``keying`` so that neither imports the other for its types.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional

from audio2face.errors import Audio2FaceError

APPLY_MODES = ("range", "curve")
"""``range``: replace only the keys inside the new keys' frame range; ``curve``: replace the whole curve."""

DEFAULT_LAYER = "audio2face"
"""Name suggested for the animation layer (issue 7); ``ApplyOptions.layer=None`` keys the base layer."""

SECONDARY_LAYER = "audio2face_secondary"
"""The animation layer of the secondary motion (blinks, eye darts, brows) on targets the model does not move."""


@dataclasses.dataclass
class ApplyOptions:
    """How curves are put on a blendShape node.

    Attributes:
        mode: ``"range"`` replaces the keys inside the new keys' range, ``"curve"`` replaces whole curves.
        start_frame: Scene frame of the first row; ``None`` keeps ``curves.start_frame``.
        sound: Audio file to put on a sound node (and on the time slider); ``None`` = no sound node.
        layer: Animation layer to key on (created if missing); ``None`` = the base layer.
        output: File to write (``FileHost`` only).
        set_time_slider: Show the sound on the time slider and fit the playback range to the keys
            (interactive Maya only; ignored in batch).
        secondary_layer: Animation layer for the secondary motion's own targets (``Curves.secondary.own``),
            so an animator can mute or replace it; ``None`` keys them with the rest.
    """

    mode: str = "range"
    start_frame: Optional[float] = None
    sound: Optional[str] = None
    layer: Optional[str] = None
    output: Optional[str] = None
    set_time_slider: bool = True
    secondary_layer: Optional[str] = SECONDARY_LAYER

    def __post_init__(self) -> None:
        if self.mode not in APPLY_MODES:
            raise Audio2FaceError(f"apply mode must be one of {', '.join(APPLY_MODES)}, got {self.mode!r}")
        if self.layer is not None and not str(self.layer).strip():
            raise Audio2FaceError("animation layer name is empty")


@dataclasses.dataclass
class ApplyReport:
    """What ``Host.apply`` did.

    Attributes:
        node: The blendShape node (or the node name written into the file).
        keyed: Targets that received keys.
        skipped: Targets left alone, target -> reason (locked, driven by a connection...).
        unmatched: Rig targets no channel drives.
        at_rest: Targets fed only by channels the model never moves: not keyed, their animation stays.
        key_count: Keys written in total.
        output: File written (``FileHost``), else ``None``.
        notes: Plain-language remarks (frame-rate resampling, sound node created...).
    """

    node: str
    keyed: List[str] = dataclasses.field(default_factory=list)
    skipped: Dict[str, str] = dataclasses.field(default_factory=dict)
    unmatched: List[str] = dataclasses.field(default_factory=list)
    at_rest: List[str] = dataclasses.field(default_factory=list)
    key_count: int = 0
    output: Optional[str] = None
    notes: List[str] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        """One line for a status bar or a log."""
        text = f"{self.node}: {self.key_count} keys on {len(self.keyed)} targets"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        if self.unmatched:
            text += f", {len(self.unmatched)} unmatched"
        if self.at_rest:
            text += f", {len(self.at_rest)} left at rest"
        if self.output:
            text += f" -> {self.output}"
        return text
