"""An in-memory stand-in for the parts of Maya this project calls (tests only).

``install(mode)`` puts it into ``sys.modules`` as ``maya``, ``maya.cmds``, ``maya.mel``,
``maya.utils``, ``maya.standalone``, ``maya.api``, ``maya.api.OpenMaya`` and
``maya.api.OpenMayaAnim`` with a fresh scene; ``uninstall()`` takes it out again. Use the
``maya`` fixture from ``maya_standin.fixtures``.
"""

from __future__ import annotations

import sys
import types
from typing import Dict, Optional

from . import cmds, dg, mayaui, mel, om, oma, standalone, utils

MODULE_NAMES = ("maya", "maya.cmds", "maya.mel", "maya.utils", "maya.standalone", "maya.api",
                "maya.api.OpenMaya", "maya.api.OpenMayaAnim", "maya.OpenMayaUI", "maya.app", "maya.app.general",
                "maya.app.general.mayaMixin")


def install(mode: str = "gui") -> dg.Scene:
    """Install the stand-in with a new scene.

    Args:
        mode: ``"gui"`` (interactive Maya), ``"batch"`` (an initialised mayapy) or ``"mayapy"``
            (mayapy before ``maya.standalone.initialize``).
    """
    if mode not in ("gui", "batch", "mayapy"):
        raise ValueError(mode)
    scene = dg.Scene()
    scene.batch = mode == "batch"
    scene.batch_allowed = mode == "mayapy"
    cmds.SCENE = scene
    cmds._Context.capture = []
    standalone.state.update(initialized=mode == "batch", uninitialized=False, name=None)
    mel._GLOBALS.clear()
    cmds.UI.reset()
    om._Callbacks.table = {}
    scene.node_removed_hooks.append(om._node_removed)
    maya = types.ModuleType("maya")
    maya.__path__ = []  # a package
    api = types.ModuleType("maya.api")
    api.__path__ = []
    modules: Dict[str, types.ModuleType] = {
        "maya": maya, "maya.cmds": cmds, "maya.mel": mel, "maya.utils": utils, "maya.standalone": standalone,
        "maya.api": api, "maya.api.OpenMaya": om, "maya.api.OpenMayaAnim": oma,
    }
    maya.cmds, maya.mel, maya.utils, maya.standalone, maya.api = cmds, mel, utils, standalone, api
    api.OpenMaya, api.OpenMayaAnim = om, oma
    if mode == "gui":  # the interface modules exist only with a UI
        ui_modules = mayaui.modules()
        modules.update(ui_modules)
        maya.OpenMayaUI, maya.app = ui_modules["maya.OpenMayaUI"], ui_modules["maya.app"]
    sys.modules.update(modules)
    return scene


def uninstall(saved: Optional[Dict[str, Optional[types.ModuleType]]] = None) -> None:
    """Remove the stand-in modules (restoring ``saved`` entries)."""
    for name in MODULE_NAMES:
        sys.modules.pop(name, None)
    for name, module in (saved or {}).items():
        if module is not None:
            sys.modules[name] = module
