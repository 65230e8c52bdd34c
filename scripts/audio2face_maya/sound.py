"""Sound nodes for generated animation: reuse the node that already plays the file, else create one.

Created with an ``MDGModifier`` (``createNode('audio')`` and the ``filename``/``offset`` plugs, as a
``.ma`` file stores a sound node) so the plug-in command undoes it with the keys.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Tuple

from audio2face.errors import Audio2FaceError

from . import scene
from .undo import ApiUndo

logger = logging.getLogger(__name__)


def node_name_for(path: str) -> str:
    """A valid Maya node name from an audio file name (``vo-01.wav`` -> ``vo_01``)."""
    stem = re.sub(r"[^A-Za-z0-9_]", "_", Path(path).stem) or "audio"
    return stem if not stem[0].isdigit() else f"_{stem}"


def same_file(a: str, b: str) -> bool:
    """Whether two paths name the same file (normalised; missing files compare by text)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def check_audio_file(path: str) -> str:
    """The absolute path of an existing audio file; ``Audio2FaceError`` when it is missing."""
    if not path or not os.path.isfile(path):
        raise Audio2FaceError("audio file not found", path or "<empty path>")
    return os.path.abspath(path)


def _plug(name: str):  # noqa: ANN202 - MPlug
    import maya.api.OpenMaya as om

    return om.MSelectionList().add(name).getPlug(0)


def ensure_sound(path: str, start_frame: float, recorder: ApiUndo) -> Tuple[str, bool]:
    """A sound node whose file starts playing at ``start_frame``; returns (node, created).

    An existing node that plays the same file is moved (its ``sourceStart`` trim is kept, so the file's
    first sample still lands on ``start_frame``); otherwise a new node is made.
    """
    import maya.api.OpenMaya as om

    path = check_audio_file(path)
    unit = om.MTime.uiUnit()
    for info in scene.sound_nodes():
        if info.path and same_file(info.path, path):
            wanted = start_frame + info.source_start
            if abs(info.offset - wanted) > 1e-9:
                modifier = recorder.modifier()
                modifier.newPlugValueMTime(_plug(f"{info.node}.offset"), om.MTime(wanted, unit))
                modifier.doIt()
            return info.node, False
    modifier = recorder.modifier()
    obj = modifier.createNode("audio")
    modifier.renameNode(obj, node_name_for(path))
    modifier.doIt()
    name = om.MFnDependencyNode(obj).name()
    modifier = recorder.modifier()
    modifier.newPlugValueString(_plug(f"{name}.filename"), path)
    modifier.newPlugValueMTime(_plug(f"{name}.offset"), om.MTime(float(start_frame), unit))
    modifier.doIt()
    return name, True
