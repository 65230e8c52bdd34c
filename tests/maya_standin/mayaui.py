"""The stand-in ``maya.OpenMayaUI`` and ``maya.app.general.mayaMixin`` (the dockable mixin), over ``cmds.UI``.

The mixin behaves as Maya's: it must come first in the bases, passes ``parent`` on cooperatively, names
the control ``<objectName>WorkspaceControl``, makes it with ``retain`` (default True) and ``uiScript``,
and, like Maya, deletes the widgets of a control closed with ``retain=False`` (``cmds.destroy_control``).
"""

from __future__ import annotations

import types
import uuid
from typing import Any, Dict

from . import cmds


class MQtUtil:
    """Pointers are the widgets themselves (ints in Maya; the code under test only passes them on)."""

    parents: Dict[str, Any] = {}

    @staticmethod
    def mainWindow() -> Any:  # noqa: N802
        return None

    @staticmethod
    def getCurrentParent() -> Any:  # noqa: N802
        return MQtUtil.parents.get("current")

    @staticmethod
    def findControl(name: str) -> Any:  # noqa: N802
        for control in cmds.UI.controls.values():
            widget = control.get("widget") if isinstance(control, dict) else None
            if widget is not None and widget.objectName() == name:
                return id(widget)
        return MQtUtil.parents.get(name)

    @staticmethod
    def addWidgetToMayaLayout(child: int, parent: int) -> None:  # noqa: N802
        MQtUtil.parents.setdefault("layouts", []).append((child, parent))


class MayaQWidgetDockableMixin:
    """Maya's dockable mixin, reduced to what shows in behaviour."""

    def __init__(self, parent: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, parent=parent, **kwargs)  # type: ignore[call-arg]
        if not self.objectName():  # type: ignore[attr-defined]
            self.setObjectName(f"{type(self).__name__}_{uuid.uuid4()}")  # type: ignore[attr-defined]

    def show(self, *args: Any, dockable: bool = True, floating: bool = True, area: Any = None,
             retain: bool = True, uiScript: Any = None, **kwargs: Any) -> None:  # noqa: N803
        name = self.objectName() + "WorkspaceControl"  # type: ignore[attr-defined]
        if not cmds.workspaceControl(name, query=True, exists=True):
            cmds.workspaceControl(name, retain=retain, uiScript=uiScript or "", label=self.windowTitle())  # type: ignore[attr-defined]
        cmds.UI.controls[name]["widget"] = self
        self.dock_parameters = dict(dockable=dockable, floating=floating, area=area, retain=retain,
                                    uiScript=uiScript, **kwargs)
        super().show()  # type: ignore[misc]


def modules() -> Dict[str, types.ModuleType]:
    """Fresh ``maya.OpenMayaUI``, ``maya.app``, ``maya.app.general``, ``maya.app.general.mayaMixin``."""
    omui = types.ModuleType("maya.OpenMayaUI")
    omui.MQtUtil = MQtUtil  # type: ignore[attr-defined]
    app = types.ModuleType("maya.app")
    app.__path__ = []  # type: ignore[attr-defined]
    general = types.ModuleType("maya.app.general")
    general.__path__ = []  # type: ignore[attr-defined]
    mixin = types.ModuleType("maya.app.general.mayaMixin")
    mixin.MayaQWidgetDockableMixin = MayaQWidgetDockableMixin  # type: ignore[attr-defined]
    app.general, general.mayaMixin = general, mixin  # type: ignore[attr-defined]
    MQtUtil.parents = {}
    return {"maya.OpenMayaUI": omui, "maya.app": app, "maya.app.general": general,
            "maya.app.general.mayaMixin": mixin}
