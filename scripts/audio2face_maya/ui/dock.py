"""The panel docked in Maya: a workspaceControl through ``MayaQWidgetDockableMixin``, one at a time.

Maya saves the control with its layout and, on the next start, runs ``UI_SCRIPT`` inside the restored
control, which calls ``show(restore=True)`` to rebuild the panel in place.

Closing the dock only hides it (``retain=True``): its widgets, their worker threads and a training
run go on, and the shelf button brings the same panel back. With ``retain=False`` Maya would delete
the widgets, and Qt aborts the whole process when a running ``QThread`` is destroyed. Work stops
only on an explicit stop in the panel, on ``close()`` (refused while work runs, never waiting on the
UI thread) or when Maya exits (``audio2face_maya.lifecycle``: ``show`` adds the exit hook).
"""

from __future__ import annotations

import logging
from typing import Any, List, Optional

from audio2face.errors import Audio2FaceError

from .. import lifecycle
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

            def dockCloseEventTriggered(self) -> None:  # noqa: N802 - the mixin calls it when the control closes
                """The control was closed: it is only hidden (retain=True); work goes on."""
                logger.info("Audio2Face panel hidden; background work continues (%s)", ", ".join(busy_work(self))
                            or "none")

            def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
                """Hide, never shut down: the panel outlives its dock until Maya exits."""
                event.ignore()
                self.hide()

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
        _panel.show(dockable=True, floating=True, area="right", retain=True, uiScript=UI_SCRIPT)
    lifecycle.add_exit_hook(shutdown_for_exit, first=True)
    if tab:
        _panel.show_tab(tab)
    return _panel


def current_panel() -> Optional[Any]:
    """The docked panel, if one is open."""
    return _panel


def busy_work(panel: Any) -> List[str]:
    """What runs in the panel: worker threads and the trainer, by name (empty when idle)."""
    from audio2face_maya.vendor.Qt import QtCore

    busy = []
    threads = list(panel.findChildren(QtCore.QThread))
    threads += [job for tab in (panel.generate_tab, panel.export_tab) for job in getattr(tab, "_jobs", [])]
    for thread in dict.fromkeys(threads):
        if thread.isRunning():
            busy.append(getattr(thread, "name", None) or type(thread).__name__)
    trainer = getattr(panel.train_tab, "trainer", None)
    if trainer is not None and trainer.running():
        busy.append("training")
    return busy


def close() -> None:
    """Remove the docked panel and forget its saved layout state.

    Raises:
        Audio2FaceError: work still runs in the panel (stop it first; nothing is waited for here).
    """
    global _panel
    if not interactive_maya():
        return
    from maya import cmds

    if _panel is not None:
        busy = busy_work(_panel)
        if busy:
            raise Audio2FaceError("the Audio2Face panel is still working (" + ", ".join(busy)
                                  + "): stop that first; closing the dock only hides it")
        _panel.shutdown()
    if _control_exists(cmds):
        cmds.deleteUI(WORKSPACE_CONTROL)
    if cmds.workspaceControlState(WORKSPACE_CONTROL, query=True, exists=True):
        cmds.workspaceControlState(WORKSPACE_CONTROL, remove=True)
    _panel = None


def shutdown_for_exit() -> None:
    """Maya is exiting: stop every job and the trainer (it saves a checkpoint) and save settings."""
    global _panel
    if _panel is not None:
        try:
            _panel.shutdown()
        finally:
            _panel = None
