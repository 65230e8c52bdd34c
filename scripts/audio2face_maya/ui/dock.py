"""The panel docked in Maya: a workspaceControl through ``MayaQWidgetDockableMixin``, one at a time.

Maya saves the control with its layout and, on the next start, runs ``UI_SCRIPT`` inside the restored
control, which calls ``show(restore=True)`` to rebuild the panel in place.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from audio2face.errors import Audio2FaceError

from .panel import PANEL_OBJECT_NAME, Audio2FacePanel

logger = logging.getLogger(__name__)

WORKSPACE_CONTROL = PANEL_OBJECT_NAME + "WorkspaceControl"
UI_SCRIPT = "import audio2face_maya.ui.dock as _a2f_dock; _a2f_dock.show(restore=True)"

_panel: Optional[Any] = None
_dockable_class: Optional[type] = None


def interactive_maya() -> bool:
    """Whether this is Maya with its interface (not mayapy, not batch)."""
    try:
        from maya import cmds
    except ImportError:
        return False
    try:
        return not cmds.about(batch=True)
    except Exception:  # maya without an initialised session
        return False


def dockable_panel_class() -> type:
    """``Audio2FacePanel`` with Maya's dockable mixin first (the order the mixin requires)."""
    global _dockable_class
    if _dockable_class is None:
        from maya.app.general.mayaMixin import MayaQWidgetDockableMixin

        class DockablePanel(MayaQWidgetDockableMixin, Audio2FacePanel):
            """The panel as a Maya workspaceControl."""

            def dockCloseEventTriggered(self) -> None:  # called by the mixin when the control closes
                self.shutdown()
                global _panel
                _panel = None

        _dockable_class = DockablePanel
    return _dockable_class


def _control_exists(cmds: Any) -> bool:
    return bool(cmds.workspaceControl(WORKSPACE_CONTROL, query=True, exists=True))


def show(restore: bool = False, tab: Optional[str] = None) -> Any:
    """Open (or bring forward) the docked panel; ``restore=True`` is Maya rebuilding a saved layout."""
    global _panel
    if not interactive_maya():
        raise Audio2FaceError("the docked panel needs Maya's interface (not batch or mayapy)")
    from maya import OpenMayaUI as omui
    from maya import cmds

    if restore:
        parent = omui.MQtUtil.getCurrentParent()
        if _panel is None:
            _panel = dockable_panel_class()()
        pointer = omui.MQtUtil.findControl(_panel.objectName())
        omui.MQtUtil.addWidgetToMayaLayout(int(pointer), int(parent))
    elif _panel is not None and _control_exists(cmds):
        cmds.workspaceControl(WORKSPACE_CONTROL, edit=True, restore=True, visible=True)
        _panel.raise_()
    else:
        if _control_exists(cmds):  # a stale control from an earlier session or a reloaded module
            cmds.deleteUI(WORKSPACE_CONTROL)
        _panel = dockable_panel_class()()
        _panel.show(dockable=True, floating=True, area="right", retain=False, uiScript=UI_SCRIPT)
    if tab:
        _panel.show_tab(tab)
    return _panel


def current_panel() -> Optional[Any]:
    """The docked panel, if one is open."""
    return _panel


def close() -> None:
    """Close the docked panel and forget its saved layout state."""
    global _panel
    if not interactive_maya():
        return
    from maya import cmds

    if _panel is not None:
        _panel.shutdown()
    if _control_exists(cmds):
        cmds.deleteUI(WORKSPACE_CONTROL)
    if cmds.workspaceControlState(WORKSPACE_CONTROL, query=True, exists=True):
        cmds.workspaceControlState(WORKSPACE_CONTROL, remove=True)
    _panel = None
