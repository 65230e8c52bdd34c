"""``Curves``: the one value that crosses every boundary of the data path."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from .errors import Audio2FaceError


@dataclasses.dataclass
class Curves:
    """Per-frame weights for named channels.

    Attributes:
        names: Channel (or rig target) names, one per column of ``weights``.
        fps: Frames per second of the rows.
        weights: float32 array of shape (frames, len(names)).
        start_frame: Scene frame of row 0.
        source: Free-form provenance (audio path, model, settings...).
        keys: Optional reduced keys per channel (see ``audio2face.key_reduction``);
            writers that support sparse keys use them, others use ``weights``.
        driven: Names the model really animates; the others stay at rest and are not keyed (writers of
            keys skip them, table writers mark them). ``None`` = all of them (also what
            ``AnimateSettings.key_rest_targets`` asks for).
        unmatched: Rig targets no model channel drives (left unkeyed).
        secondary: What the secondary-motion stage added (``audio2face.secondary.SecondaryMotion``): already
            in ``weights``, kept apart for its own animation layer; ``None`` when it did not run.
    """

    names: List[str]
    fps: float
    weights: np.ndarray
    start_frame: float = 1.0
    source: Dict[str, Any] = dataclasses.field(default_factory=dict)
    keys: Optional[Dict[str, Any]] = None
    driven: Optional[List[str]] = None
    unmatched: List[str] = dataclasses.field(default_factory=list)
    secondary: Optional[Any] = None

    def __post_init__(self) -> None:
        self.names = [str(n) for n in self.names]
        self.weights = np.asarray(self.weights, dtype=np.float32)
        if self.weights.ndim != 2:
            self.weights = self.weights.reshape(-1, len(self.names))
        if self.weights.shape[1] != len(self.names):
            raise Audio2FaceError(
                f"curves have {self.weights.shape[1]} columns but {len(self.names)} names"
            )
        if len(set(self.names)) != len(self.names):
            dupes = sorted({n for n in self.names if self.names.count(n) > 1})
            raise Audio2FaceError(f"duplicate channel names: {', '.join(dupes)}")
        if not (self.fps > 0 and np.isfinite(self.fps)):
            raise Audio2FaceError(f"frame rate must be positive, got {self.fps}")

    @property
    def frame_count(self) -> int:
        """Number of frames (rows)."""
        return int(self.weights.shape[0])

    @property
    def end_frame(self) -> float:
        """Scene frame of the last row (``start_frame`` when empty)."""
        return self.start_frame + max(self.frame_count - 1, 0)

    def channel(self, name: str) -> np.ndarray:
        """One channel's values by name."""
        try:
            return self.weights[:, self.names.index(name)]
        except ValueError:
            raise Audio2FaceError(f"no channel named {name!r}") from None

    def select(self, names: Sequence[str]) -> Curves:
        """A copy holding only ``names``, in that order."""
        cols = [self.names.index(n) for n in names]
        kept = set(names)
        return dataclasses.replace(
            self,
            names=list(names),
            weights=self.weights[:, cols].copy(),
            keys=None,
            driven=None if self.driven is None else [n for n in self.driven if n in kept],
            unmatched=[n for n in self.unmatched if n in kept],
            secondary=None if self.secondary is None else self.secondary.restricted(kept),
        )

    def keyed(self) -> Curves:
        """The curves to key: only the driven names (with their reduced keys); ``self`` when all are driven.

        Rig targets no model channel drives (``unmatched``) are never keyed, even when ``driven`` is ``None``:
        the model knows nothing of them, so their existing animation stays (as the Maya adapter keys).
        """
        names = [n for n in self.names if self.is_driven(n)]
        if len(names) == len(self.names):
            return self
        keyed = self.select(names)
        if self.keys:
            keyed.keys = {n: k for n, k in self.keys.items() if n in keyed.names}
        return keyed

    def rest_names(self) -> List[str]:
        """Names not driven (``driven`` is set and leaves them out): keyed only when asked."""
        if self.driven is None:
            return []
        driven = set(self.driven)
        return [n for n in self.names if n not in driven]

    def is_driven(self, name: str) -> bool:
        """Whether ``name`` is animated (to be keyed) rather than left at rest or driven by no channel."""
        return name not in self.unmatched and (self.driven is None or name in self.driven)

    def times(self) -> np.ndarray:
        """Scene frame numbers of the rows."""
        return self.start_frame + np.arange(self.frame_count, dtype=np.float64)
