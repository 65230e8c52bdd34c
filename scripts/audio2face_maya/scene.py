"""Scene queries: blendShape nodes and their targets, frame rate, playback range, sound nodes.

Every query goes through ``maya.cmds`` with the forms documented in docs/maya.md: targets are read
from ``aliasAttr`` and ``getAttr(..., multiIndices=True)`` (sparse indices, never ``range(n)``),
empty results may be ``None``, and nothing here changes the scene.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Tuple

from audio2face import timeunits
from audio2face.errors import Audio2FaceError

logger = logging.getLogger(__name__)

_WEIGHT_ELEMENT = re.compile(r"^(?:weight|w)\[(\d+)\]$")


def _cmds():  # noqa: ANN202 - maya.cmds has no importable type
    from maya import cmds

    return cmds


def is_batch() -> bool:
    """Whether Maya runs without its UI (mayapy / ``maya -batch``)."""
    return bool(_cmds().about(batch=True))


def node_exists(name: str) -> bool:
    """Whether a node (or plug) of that name exists."""
    return bool(_cmds().objExists(name))


def require_blendshape(node: str) -> str:
    """Return ``node`` if it is a blendShape node; raise ``Audio2FaceError`` naming the problem otherwise."""
    cmds = _cmds()
    if not node or not cmds.objExists(node):
        raise Audio2FaceError(f"no node named {node!r} in the scene")
    kind = cmds.nodeType(node)
    if kind != "blendShape":
        raise Audio2FaceError(f"{node!r} is a {kind} node, not a blendShape node")
    return node


def blendshape_nodes() -> List[str]:
    """Every blendShape node in the scene."""
    return list(_cmds().ls(type="blendShape") or [])


def blendshapes_of(name: str) -> List[str]:
    """blendShape nodes deforming ``name`` (a transform or shape), found through its history.

    ``pruneDagObjects`` stops the walk at DAG nodes, so blendShapes that drive the *target* meshes are
    not returned. An empty history is never passed on to ``ls`` (``ls([])`` lists everything).
    """
    cmds = _cmds()
    if cmds.nodeType(name) == "blendShape":
        return [name]
    history = cmds.listHistory(name, pruneDagObjects=True) or []
    if not history:
        return []
    return list(cmds.ls(history, type="blendShape") or [])


def selected_blendshape_nodes() -> List[str]:
    """blendShape nodes selected directly or through a selected mesh, in selection order."""
    cmds = _cmds()
    found: List[str] = []
    for name in cmds.ls(selection=True, objectsOnly=True) or []:
        for node in blendshapes_of(name):
            if node not in found:
                found.append(node)
    return found


def _namespaced(node: str) -> str:
    """``node``, or the one blendShape whose name without namespaces is ``node``'s (a referenced rig:
    a job names ``face_bs``, the scene holds ``char:face_bs``)."""
    if node_exists(node):
        return node
    leaf = node.rsplit(":", 1)[-1]
    matches = [n for n in blendshape_nodes() if n.rsplit("|", 1)[-1].rsplit(":", 1)[-1] == leaf]
    if len(matches) > 1:
        raise Audio2FaceError(f"{node!r} matches several blendShape nodes in namespaces ({', '.join(matches)}): "
                              "name one with its namespace")
    return matches[0] if matches else node


def resolve_node(node: Optional[str]) -> str:
    """The blendShape node to work on: ``node`` if given, else the single one selected (or in the scene)."""
    if node:
        return require_blendshape(_namespaced(node))
    selected = selected_blendshape_nodes()
    if len(selected) == 1:
        return selected[0]
    if len(selected) > 1:
        raise Audio2FaceError(f"several blendShape nodes are selected ({', '.join(selected)}): name one")
    every = blendshape_nodes()
    if len(every) == 1:
        return every[0]
    if not every:
        raise Audio2FaceError("the scene has no blendShape node")
    raise Audio2FaceError(f"the scene has several blendShape nodes ({', '.join(every)}): select or name one")


def target_indices(node: str) -> OrderedDict[str, int]:
    """Target name -> ``weight`` index, in index order.

    A target's name is its alias (``jawOpen`` for ``weight[3]``); a weight without an alias is named
    ``weight[i]``. Indices come from ``getAttr(node.weight, multiIndices=True)``: they may have holes.
    """
    cmds = _cmds()
    require_blendshape(node)
    indices = cmds.getAttr(f"{node}.weight", multiIndices=True) or []
    aliases = cmds.aliasAttr(node, query=True) or []
    by_index: Dict[int, str] = {}
    for alias, attribute in zip(aliases[0::2], aliases[1::2]):
        match = _WEIGHT_ELEMENT.match(str(attribute))
        if match:
            by_index[int(match.group(1))] = str(alias)
    names: OrderedDict[str, int] = OrderedDict()
    for index in sorted(int(i) for i in indices):
        names[by_index.get(index, f"weight[{index}]")] = index
    return names


def targets(node: str) -> List[str]:
    """Target names of ``node`` in weight-index order."""
    return list(target_indices(node))


def weight_plug(node: str, name: str) -> str:
    """The plug of a target: ``node.alias`` (or ``node.weight[i]`` for a weight without an alias)."""
    return f"{node}.{name}"


def time_unit() -> str:
    """The scene's time unit name (``film``, ``ntsc``, ``23.976fps``...)."""
    return str(_cmds().currentUnit(query=True, time=True))


def scene_fps() -> float:
    """Frames per second of the scene's time unit."""
    return timeunits.unit_fps(time_unit())


def playback_range() -> Tuple[float, float]:
    """(min, max) of the playback range, in frames."""
    cmds = _cmds()
    return (float(cmds.playbackOptions(query=True, minTime=True)),
            float(cmds.playbackOptions(query=True, maxTime=True)))


@dataclasses.dataclass
class SoundInfo:
    """A sound node.

    Attributes:
        node: The ``audio`` node.
        path: Its file.
        offset: Scene frame at which it starts playing.
        source_start: Frame within the file where playback starts (trimmed head).
    """

    node: str
    path: str
    offset: float
    source_start: float = 0.0

    @property
    def file_start_frame(self) -> float:
        """Scene frame at which the file's first sample plays."""
        return self.offset - self.source_start


def sound_info(node: str) -> SoundInfo:
    """File and timing of a sound node."""
    cmds = _cmds()
    if not cmds.objExists(node) or cmds.nodeType(node) != "audio":
        raise Audio2FaceError(f"{node!r} is not a sound (audio) node")
    return SoundInfo(
        node=node,
        path=str(cmds.sound(node, query=True, file=True) or ""),
        offset=float(cmds.sound(node, query=True, offset=True) or 0.0),
        source_start=float(cmds.sound(node, query=True, sourceStart=True) or 0.0),
    )


def sound_nodes() -> List[SoundInfo]:
    """Every sound node with its file and offset."""
    return [sound_info(n) for n in _cmds().ls(type="audio") or []]


def time_slider() -> Optional[str]:
    """The time slider control (``$gPlayBackSlider``), or ``None`` without a UI."""
    if is_batch():
        return None
    from maya import mel

    try:
        return str(mel.eval("$tmpVar=$gPlayBackSlider"))
    except RuntimeError:
        return None


def time_slider_sound() -> Optional[str]:
    """The sound node shown on the time slider, or ``None``."""
    slider = time_slider()
    if not slider:
        return None
    node = _cmds().timeControl(slider, query=True, sound=True)
    return str(node) if node else None


def show_sound_on_time_slider(node: str, recorder: Optional[Any] = None) -> bool:
    """Show ``node`` on the time slider (interactive Maya only); returns whether it did.

    ``timeControl`` is undoable: called from a plug-in command's ``doIt`` it would be an undo step of
    its own, so with a ``recorder`` (``undo.ApiUndo``) it runs through the command's modifier instead.
    """
    slider = time_slider()
    if not slider:
        return False
    if recorder is not None:
        from .melcmd import mel_command

        recorder.run_mel(mel_command("timeControl", slider, edit=True, sound=node, displaySound=1))
    else:
        _cmds().timeControl(slider, edit=True, sound=node, displaySound=True)
    return True
