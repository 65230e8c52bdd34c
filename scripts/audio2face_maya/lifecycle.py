"""What the panel and live preview do when Maya exits: one ``MSceneMessage.kMayaExiting`` callback.

Registered once by start-up (``audio2face_maya.startup``); it runs the exit hooks: the docked panel adds
one that stops its work (the trainer saves a checkpoint first), a live preview one, so nothing outlives Maya
half-done. The adapter never imports the panel: the panel registers itself here.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, List, Optional

logger = logging.getLogger(__name__)

_callback_id: Optional[Any] = None
_exit_hooks: List[Callable[[], None]] = []


def add_exit_hook(hook: Callable[[], None], first: bool = False) -> None:
    """Run ``hook()`` when Maya exits; ``first`` puts it before the others (the panel's)."""
    if hook not in _exit_hooks:
        _exit_hooks.insert(0, hook) if first else _exit_hooks.append(hook)


def remove_exit_hook(hook: Callable[[], None]) -> None:
    if hook in _exit_hooks:
        _exit_hooks.remove(hook)


def on_maya_exit(*_args: Any) -> None:
    """The callback: every hook in order (the panel's first); one failure never stops the rest."""
    for step in list(_exit_hooks):
        try:
            step()
        except Exception:  # Maya is closing: log and go on
            logger.exception("Audio2Face exit step failed")


def register_maya_exit() -> bool:
    """Register ``on_maya_exit`` once; returns whether this call registered it."""
    global _callback_id
    if _callback_id is not None:
        return False
    import maya.api.OpenMaya as om

    _callback_id = om.MSceneMessage.addCallback(om.MSceneMessage.kMayaExiting, on_maya_exit)
    return True
