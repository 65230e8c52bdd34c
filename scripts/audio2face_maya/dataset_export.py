"""Training-data export: a blendShape node's weights on whole frames plus the audio, as a dataset clip.

Weights are read with one ``getAttr(node.weight, time=frame)`` per frame, which evaluates every
target's weight at once through whatever drives it (keys, layers, driven keys, expressions or a
constant) without moving the current time: O(frames) DG evaluations instead of O(targets x frames)
(bench/maya_export.py). Progress is reported and cancel checked every frame; the plug-in command
shows them in Maya's progress window (``progress_window``). The audio
is a file or a sound node; a sound node's offset and trimmed head (``sourceStart``) give the clip's
``audio_offset_frames`` (docs/architecture.md). Besides our dataset layout, FACEGOOD's
``BS_name.npy``/``BS_value.npy`` pair is written to ``<folder>/facegood/<clip>/``.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.progress import CancelToken, ProgressFn, check, report

from . import scene

logger = logging.getLogger(__name__)

FACEGOOD_FOLDER = "facegood"


@dataclasses.dataclass
class ExportResult:
    """What ``export_clip`` wrote."""

    folder: Path
    clip: str
    weights_path: Path
    names: List[str]
    frames: int
    fps: float
    audio: Optional[str]
    audio_offset_frames: float
    facegood: Optional[Path] = None
    notes: List[str] = dataclasses.field(default_factory=list)


def frame_range(start: float, end: float) -> np.ndarray:
    """The whole frames in [start, end]."""
    first, last = math.ceil(start - 1e-9), math.floor(end + 1e-9)
    if last < first:
        raise Audio2FaceError(f"the frame range {start:g}-{end:g} holds no whole frame")
    return np.arange(first, last + 1, dtype=np.float64)


def sample_weights(
    node: str,
    frames: np.ndarray,
    *,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> Tuple[List[str], np.ndarray]:
    """Every target's weight at each frame: (names, float32 array (frames, targets)).

    One ``getAttr node.weight -time f`` per frame returns all elements in ``getAttr -mi`` order. If
    the answer ever has another length (the only way its form could surprise us), that frame is read
    target by target instead, so the result is right either way.
    """
    from maya import cmds

    by_name = scene.target_indices(node)
    names = list(by_name)
    if not names:
        raise Audio2FaceError(f"{node} has no targets")
    order = sorted(int(i) for i in (cmds.getAttr(f"{node}.weight", multiIndices=True) or []))
    columns = [order.index(by_name[name]) for name in names]
    weights = np.zeros((len(frames), len(names)), dtype=np.float32)
    whole = f"{node}.weight"
    for row, frame in enumerate(frames):
        check(cancel)
        # maya-stubs types getAttr's time flag as int; Maya takes any time value
        values = _flat(cmds.getAttr(whole, time=float(frame)))  # type: ignore[arg-type]
        if len(values) == len(order):
            weights[row] = [values[c] for c in columns]
        else:
            weights[row] = [float(cmds.getAttr(scene.weight_plug(node, name), time=float(frame)))  # type: ignore[arg-type]
                            for name in names]
        report(progress, row + 1, len(frames))
    return names, weights


def _flat(value: Any) -> List[float]:
    """``getAttr`` of a multi: ``[(v0, v1, ...)]``; one element may come back as a bare number."""
    if isinstance(value, (int, float)):
        return [float(value)]
    out: List[float] = []
    for item in value or []:
        if isinstance(item, (list, tuple)):
            out.extend(float(v) for v in item)
        else:
            out.append(float(item))
    return out


class progress_window:  # noqa: N801 - used as a context manager, like a function
    """Maya's progress window (``cmds.progressWindow``, Esc cancels) as ``(progress, cancel)``.

    In batch mode there is no window: progress goes nowhere and nothing cancels.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.cancel = CancelToken()
        self._open = False

    def __enter__(self) -> Tuple[ProgressFn, CancelToken]:
        from maya import cmds

        if not scene.is_batch():
            cmds.progressWindow(title=self.title, progress=0, maxValue=100, status="", isInterruptable=True)
            self._open = True
        return self._progress, self.cancel

    def _progress(self, done: int, total: int) -> None:
        if not self._open:
            return
        from maya import cmds

        if cmds.progressWindow(query=True, isCancelled=True):
            self.cancel.cancel()
        percent = int(100 * done / max(total, 1))
        cmds.progressWindow(edit=True, progress=percent, status=f"{done}/{total} frames")

    def __exit__(self, *exc: Any) -> None:
        if self._open:
            from maya import cmds

            cmds.progressWindow(endProgress=True)
            self._open = False


def resolve_audio(audio: Optional[str], first_frame: float) -> Tuple[Optional[str], float, List[str]]:
    """(audio file, audio_offset_frames relative to ``first_frame``, notes).

    ``audio`` may be a file (taken to start at ``first_frame``), a sound node, or ``None``: then the
    sound on the time slider, else the scene's only sound node, else no audio.
    """
    notes: List[str] = []
    if audio and os.path.isfile(audio):
        return os.path.abspath(audio), 0.0, notes
    node = audio
    if not node:
        node = scene.time_slider_sound()
        if not node:
            sounds = scene.sound_nodes()
            if len(sounds) > 1:
                raise Audio2FaceError(
                    "the scene has several sound nodes (" + ", ".join(s.node for s in sounds) + "): name one"
                )
            node = sounds[0].node if sounds else None
    if not node:
        return None, 0.0, ["no audio: the scene has no sound node and none was given"]
    if not scene.node_exists(node):
        raise Audio2FaceError("audio file or sound node not found", node)
    info = scene.sound_info(node)
    if not info.path or not os.path.isfile(info.path):
        raise Audio2FaceError(f"the file of sound node {node!r} was not found", info.path or node)
    notes.append(f"audio from sound node {node!r} (starts at frame {info.file_start_frame:g})")
    return os.path.abspath(info.path), info.file_start_frame - first_frame, notes


def export_clip(
    node: str,
    start: float,
    end: float,
    folder: str,
    name: str,
    *,
    audio: Optional[str] = None,
    facegood: bool = True,
    overwrite: bool = False,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> ExportResult:
    """Write ``node``'s weights over [start, end] and the audio as clip ``name`` of the dataset ``folder``.

    Raises:
        Audio2FaceError: not a blendShape, an empty range, a missing audio file, a clip that exists
            (without ``overwrite``), or what the dataset writer refuses.
    """
    from audio2face.dataset import write_clip

    scene.require_blendshape(node)
    frames = frame_range(start, end)
    if len(frames) < 2:
        raise Audio2FaceError(f"a training clip needs at least 2 frames; {start:g}-{end:g} has {len(frames)}")
    audio_path, offset, notes = resolve_audio(audio, float(frames[0]))
    if audio_path is None:
        raise Audio2FaceError("a training clip needs audio: give an audio file or a sound node")
    names, weights = sample_weights(node, frames, progress=progress, cancel=cancel)
    fps = scene.scene_fps()
    source: Dict[str, Any] = {
        "scene": _scene_name(), "node": node, "start_frame": float(frames[0]), "end_frame": float(frames[-1]),
        "time_unit": scene.time_unit(), "audio": audio_path,
    }
    weights_path = write_clip(Path(folder), name, audio=audio_path, weights=weights, names=names, fps=fps,
                              audio_offset_frames=offset, source=source, overwrite=overwrite)
    result = ExportResult(folder=Path(folder), clip=name, weights_path=Path(weights_path), names=names,
                          frames=len(frames), fps=fps, audio=audio_path, audio_offset_frames=offset, notes=notes)
    if facegood:
        result.facegood = write_facegood_pair(Path(folder), name, names, weights, fps, float(frames[0]),
                                              overwrite=overwrite)
    logger.info("exported %d frames of %d targets from %s to %s", len(frames), len(names), node, folder)
    return result


def write_facegood_pair(folder: Path, name: str, names: List[str], weights: np.ndarray, fps: float,
                        start_frame: float, overwrite: bool = False) -> Path:
    """Write ``BS_name.npy`` and ``BS_value.npy`` (FACEGOOD's pair) into ``folder/facegood/<name>/``."""
    from audio2face.formats import write_curves

    target = folder / FACEGOOD_FOLDER / name
    values = target / "BS_value.npy"
    if values.exists() and not overwrite:
        raise Audio2FaceError("FACEGOOD pair already exists (pass overwrite)", values)
    target.mkdir(parents=True, exist_ok=True)
    write_curves(Curves(list(names), fps, weights, start_frame=start_frame), values)
    return target


def _scene_name() -> str:
    from maya import cmds

    return str(cmds.file(query=True, sceneName=True) or "")
