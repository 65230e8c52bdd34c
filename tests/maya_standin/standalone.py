"""The stand-in ``maya.standalone``: initialise once (batch mode), uninitialise once."""

from __future__ import annotations

from . import cmds as _cmds

state = {"initialized": False, "uninitialized": False, "name": None}


def initialize(name: str = "python") -> None:
    """Start batch mode; a second call (or a call inside GUI Maya) raises, as Maya's does."""
    if state["initialized"] or not _cmds.SCENE.batch_allowed:
        raise RuntimeError("maya.standalone.initialize: Maya is already initialized")
    state["initialized"] = True
    state["name"] = name
    _cmds.SCENE.batch = True


def uninitialize() -> None:
    if not state["initialized"] or state["uninitialized"]:
        raise RuntimeError("maya.standalone.uninitialize: not initialized")
    state["uninitialized"] = True
