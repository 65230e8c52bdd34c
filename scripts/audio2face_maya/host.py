"""The host interface: the only way the panel talks to a scene.

``MayaHost`` keys curves on a rig in the running Maya session through the adapter modules;
``FileHost`` works without Maya and writes the curves to a file instead. ``current_host()``
picks the right one.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import List, Optional, Protocol, Sequence, Tuple, runtime_checkable

from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError

from .apply_options import APPLY_MODES, DEFAULT_LAYER, ApplyOptions, ApplyReport

__all__ = ["APPLY_MODES", "DEFAULT_LAYER", "ApplyOptions", "ApplyReport", "FileHost", "Host", "MayaHost",
           "current_host", "maya_available"]

logger = logging.getLogger(__name__)

@runtime_checkable
class Host(Protocol):
    """A place curves can go: a Maya scene or a file."""

    name: str

    def blendshape_nodes(self) -> List[str]:
        """All blendShape nodes available."""
        ...

    def selected_blendshape_nodes(self) -> List[str]:
        """blendShape nodes selected, directly or through a selected mesh's history."""
        ...

    def targets(self, node: str) -> List[str]:
        """Target names of ``node`` (aliases of its weights), in index order."""
        ...

    def scene_fps(self) -> Optional[float]:
        """The scene frame rate, or ``None`` when there is no scene."""
        ...

    def playback_range(self) -> Optional[Tuple[float, float]]:
        """The playback range (min, max) in frames, or ``None``."""
        ...

    def apply(self, curves: Curves, node: str, options: ApplyOptions) -> ApplyReport:
        """Put ``curves`` on ``node``'s targets."""
        ...

    def export_dataset(
        self, node: str, start: float, end: float, audio: Optional[str], folder: str, name: str
    ) -> Path:
        """Write one training clip (``node``'s weights over [start, end] and audio) into ``folder``."""
        ...


def _shifted(curves: Curves, start_frame: Optional[float]) -> Curves:
    """``curves`` moved to start at ``start_frame`` (sparse key times move with them)."""
    if start_frame is None or float(start_frame) == curves.start_frame:
        return curves
    delta = float(start_frame) - float(curves.start_frame)
    keys = None
    if curves.keys:
        keys = {name: [dataclasses.replace(k, time=float(k.time) + delta) for k in channel]
                for name, channel in curves.keys.items()}
    return dataclasses.replace(curves, start_frame=float(start_frame), keys=keys)


class FileHost:
    """A host without Maya: ``apply`` writes a curves file, nothing else touches a scene.

    Args:
        node: The blendShape node name written into files (``.ma`` connects to it by alias).
        target_names: Rig target names the user loaded (for auto-matching); ``None`` = the curves' own names.
    """

    name = "file"

    def __init__(self, node: str = "blendShape1", target_names: Optional[Sequence[str]] = None) -> None:
        self.node = node
        self._targets: Optional[List[str]] = list(target_names) if target_names is not None else None
        self._curve_names: List[str] = []

    def set_targets(self, names: Optional[Sequence[str]]) -> None:
        """Set (or with ``None`` clear) the rig target names."""
        self._targets = list(names) if names is not None else None

    def load_targets(self, path: str) -> List[str]:
        """Read rig target names from a text file (one per line) or any curves file ``read_curves`` reads."""
        file = Path(path)
        if not file.is_file():
            raise Audio2FaceError("target list file not found", file)
        if file.suffix.lower() in (".txt", ""):
            try:
                lines = file.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise Audio2FaceError(f"cannot read target names: {exc}", file) from None
            names = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        else:
            from audio2face.formats import read_curves

            names = list(read_curves(file).names)
        if not names:
            raise Audio2FaceError("no target names in file", file)
        self._targets = names
        return list(names)

    def blendshape_nodes(self) -> List[str]:
        """The one node name files are written for."""
        return [self.node]

    def selected_blendshape_nodes(self) -> List[str]:
        """The one node name files are written for."""
        return [self.node]

    def targets(self, node: str) -> List[str]:
        """The names the user loaded, else the names of the last curves applied (may be empty)."""
        if self._targets is not None:
            return list(self._targets)
        return list(self._curve_names)

    def scene_fps(self) -> Optional[float]:
        """No scene: ``None``."""
        return None

    def playback_range(self) -> Optional[Tuple[float, float]]:
        """No scene: ``None``."""
        return None

    def apply(self, curves: Curves, node: str, options: ApplyOptions) -> ApplyReport:
        """Write ``curves`` to ``options.output`` (format chosen by its extension)."""
        if not options.output:
            raise Audio2FaceError("no output file given: without Maya the curves are written to a file")
        from audio2face.formats import write_curves

        curves = _shifted(curves, options.start_frame)
        out = Path(options.output)
        write_curves(curves, out, blendshape_node=node or self.node)
        self._curve_names = list(curves.names)
        unmatched = set(curves.unmatched)
        report = ApplyReport(
            node=node or self.node,
            keyed=[n for n in curves.names if curves.is_driven(n)],
            unmatched=list(curves.unmatched),
            at_rest=[n for n in curves.rest_names() if n not in unmatched],
            key_count=_key_count(curves),
            output=str(out),
        )
        if options.layer:
            report.notes.append(f"animation layer {options.layer!r} ignored: layers need Maya")
        if options.sound:
            report.notes.append("sound is not written into curve files; load the audio in Maya")
        logger.info("%s", report.summary())
        return report

    def export_dataset(
        self, node: str, start: float, end: float, audio: Optional[str], folder: str, name: str
    ) -> Path:
        """Always raises: exporting training data reads a rig, which needs Maya."""
        raise Audio2FaceError(
            "exporting training data reads the weights of a rig and needs Maya; "
            "run it inside Maya or with mayapy <module>/bin/audio2face_batch.py",
            folder,
        )


def _key_count(curves: Curves) -> int:
    names = [n for n in curves.names if curves.is_driven(n)]
    if curves.keys:
        return sum(len(curves.keys[n]) if curves.keys.get(n) else curves.frame_count for n in names)
    return curves.frame_count * len(names)


class MayaHost:
    """The running Maya session (interactive or ``maya.standalone``)."""

    name = "maya"

    def blendshape_nodes(self) -> List[str]:
        """All blendShape nodes in the scene."""
        from . import scene

        return scene.blendshape_nodes()

    def selected_blendshape_nodes(self) -> List[str]:
        """blendShape nodes selected, or found in the history of selected meshes."""
        from . import scene

        return scene.selected_blendshape_nodes()

    def targets(self, node: str) -> List[str]:
        """Target names (aliases) of ``node`` in weight-index order."""
        from . import scene

        return list(scene.target_indices(node))

    def scene_fps(self) -> Optional[float]:
        """Frame rate of the scene's time unit."""
        from . import scene

        return scene.scene_fps()

    def playback_range(self) -> Optional[Tuple[float, float]]:
        """Playback range (min, max)."""
        from . import scene

        return scene.playback_range()

    def apply(self, curves: Curves, node: str, options: ApplyOptions) -> ApplyReport:
        """Key ``curves`` on ``node`` in one undo step."""
        from . import keying

        return keying.apply_curves(curves, node, options)

    def export_dataset(
        self, node: str, start: float, end: float, audio: Optional[str], folder: str, name: str
    ) -> Path:
        """Write ``node``'s weights over [start, end] and the audio as one clip of a dataset folder.

        Maya's progress window shows the frames read; Esc cancels (``Cancelled``, nothing written).
        """
        from . import dataset_export as export

        with export.progress_window(f"Audio2Face: reading {node}") as (progress, cancel):
            return export.export_clip(node, start, end, folder, name, audio=audio, progress=progress,
                                      cancel=cancel).folder


def maya_available() -> bool:
    """Whether ``maya.cmds`` imports and answers (interactive Maya or an initialised ``maya.standalone``)."""
    try:
        from maya import cmds
    except ImportError:
        return False
    about = getattr(cmds, "about", None)
    if about is None:  # mayapy before maya.standalone.initialize(): cmds has no commands yet
        return False
    try:
        about(version=True)
    except Exception:  # an uninitialised session raises its own errors
        return False
    return True


def current_host() -> Host:
    """``MayaHost`` inside Maya (interactive or standalone), else ``FileHost``."""
    if maya_available():
        return MayaHost()
    return FileHost()
