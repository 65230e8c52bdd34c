"""Animation layers (issue 7): the curve that holds a plug's keys on a given layer.

A plug added to a layer gets an ``animBlendNodeAdditive`` between its old input and the attribute;
the layer's keys live on a curve connected to the blend node's input for that layer
(``animLayer -query -layeredPlug``), found with ``animLayer -query -findCurveForPlug``. Layer
creation and membership run as MEL through the recorder's MDGModifier, so the command that keys the
layer also undoes them. Facts and sources: docs/maya.md, "Animation layers".
"""

from __future__ import annotations

import logging
import re
from typing import Optional, Tuple

from audio2face.errors import Audio2FaceError

from .melcmd import mel_command
from .undo import ApiUndo

logger = logging.getLogger(__name__)

DEFAULT_LAYER = "audio2face"
ROOT_LAYER = "BaseAnimation"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _cmds():  # noqa: ANN202
    from maya import cmds

    return cmds


def check_layer_name(name: str) -> str:
    """A valid layer (node) name, or ``Audio2FaceError``."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise Audio2FaceError(f"invalid animation layer name {name!r}: use letters, digits and '_'")
    return name


def layer_exists(name: str) -> bool:
    """Whether an animation layer of that name exists."""
    return bool(_cmds().animLayer(name, query=True, exists=True))


def check_layer_usable(name: str) -> None:
    """Refuse a name taken by a node that is not an animation layer."""
    cmds = _cmds()
    check_layer_name(name)
    if not layer_exists(name) and cmds.objExists(name):
        raise Audio2FaceError(f"{name!r} is a {cmds.nodeType(name)} node, not an animation layer")


def ensure_layer(name: str, recorder: ApiUndo) -> bool:
    """Create the layer (and Maya's ``BaseAnimation`` root with it) if missing; returns whether it did."""
    check_layer_usable(name)
    if layer_exists(name):
        return False
    recorder.run_mel(mel_command("animLayer", name))
    if not layer_exists(name):
        raise Audio2FaceError(f"animation layer {name!r} could not be created")
    return True


def _first(value: object) -> Optional[str]:
    if isinstance(value, (list, tuple)):
        return str(value[0]) if value else None
    return str(value) if value else None


def find_curve(layer: str, plug: str) -> Optional[str]:
    """The curve holding ``plug``'s keys on ``layer``, or ``None``."""
    try:
        return _first(_cmds().animLayer(layer, query=True, findCurveForPlug=plug))
    except RuntimeError:  # a plug that is not on the layer
        return None


def layered_plug(layer: str, plug: str) -> Optional[str]:
    """The blend node input that carries ``layer``'s value for ``plug``, or ``None`` when not a member."""
    try:
        return _first(_cmds().animLayer(layer, query=True, layeredPlug=plug))
    except RuntimeError:
        return None


def curve_or_input(layer: str, plug: str, recorder: ApiUndo) -> Tuple[Optional[str], Optional[str]]:
    """(curve, None) when ``plug`` has a curve on ``layer``, else (None, the plug to create one on).

    Adds ``plug`` to the layer first when it is not a member yet.
    """
    curve = find_curve(layer, plug)
    if curve:
        return curve, None
    target = layered_plug(layer, plug)
    if not target:
        recorder.run_mel(mel_command("animLayer", layer, edit=True, attribute=plug))
        curve = find_curve(layer, plug)
        if curve:
            return curve, None
        target = layered_plug(layer, plug)
    if not target:
        raise Audio2FaceError(f"{plug} could not be added to animation layer {layer!r}")
    return None, target
