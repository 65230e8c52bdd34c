"""The docked panel's logic (dock.py) against a fake of Maya's UI modules: one instance, restore, uiScript."""

from __future__ import annotations

import sys
import types
from typing import Any, Dict, List

import pytest

pytest_plugins = ["ui_conftest"]


class FakeMixin:
    """Shaped like Maya's MayaQWidgetDockableMixin: cooperative __init__, show(**dockable parameters)."""

    instances: List[FakeMixin] = []

    def __init__(self, parent: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, parent=parent, **kwargs)
        self.dock_parameters: Dict[str, Any] = {}
        FakeMixin.instances.append(self)

    def show(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102
        self.dock_parameters = kwargs
        FAKE_UI["controls"].add(self.objectName() + "WorkspaceControl")


FAKE_UI: Dict[str, Any] = {}


def _install_fake_maya(monkeypatch: pytest.MonkeyPatch) -> None:
    FAKE_UI.update(controls=set(), deleted=[], layouts=[], states={"audio2facePanelWorkspaceControl"})
    FakeMixin.instances = []
    cmds = types.ModuleType("maya.cmds")

    def workspace_control(name: str, query: bool = False, exists: bool = False, edit: bool = False, **flags: Any):
        if query and exists:
            return name in FAKE_UI["controls"]
        FAKE_UI.setdefault("edits", []).append((name, flags))
        return None

    def workspace_control_state(name: str, query: bool = False, exists: bool = False, remove: bool = False):
        if query and exists:
            return name in FAKE_UI["states"]
        FAKE_UI["states"].discard(name)

    def delete_ui(name: str, **flags: Any) -> None:
        FAKE_UI["controls"].discard(name)
        FAKE_UI["deleted"].append(name)

    cmds.about = lambda batch=False, **flags: False
    cmds.workspaceControl = workspace_control
    cmds.workspaceControlState = workspace_control_state
    cmds.deleteUI = delete_ui
    omui = types.ModuleType("maya.OpenMayaUI")

    class MQtUtil:
        getCurrentParent = staticmethod(lambda: 1234)
        findControl = staticmethod(lambda name: 5678 if name == "audio2facePanel" else 0)
        addWidgetToMayaLayout = staticmethod(lambda child, parent: FAKE_UI["layouts"].append((child, parent)))

    omui.MQtUtil = MQtUtil
    maya = types.ModuleType("maya")
    maya.__path__ = []
    maya.cmds, maya.OpenMayaUI = cmds, omui
    mixin = types.ModuleType("maya.app.general.mayaMixin")
    mixin.MayaQWidgetDockableMixin = FakeMixin
    for name, module in {"maya": maya, "maya.cmds": cmds, "maya.OpenMayaUI": omui,
                         "maya.app": types.ModuleType("maya.app"),
                         "maya.app.general": types.ModuleType("maya.app.general"),
                         "maya.app.general.mayaMixin": mixin}.items():
        monkeypatch.setitem(sys.modules, name, module)


@pytest.fixture()
def dock(monkeypatch, tmp_path, qtbot):
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui import dock as dock_module
    from audio2face_maya.ui import panel as panel_module
    from audio2face_maya.ui.settings_store import SETTINGS_ENV

    _install_fake_maya(monkeypatch)
    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "ui.ini"))
    monkeypatch.setattr(panel_module, "current_host", FileHost)
    monkeypatch.setattr(dock_module, "_panel", None)
    monkeypatch.setattr(dock_module, "_dockable_class", None)
    yield dock_module
    for widget in FakeMixin.instances:
        widget.shutdown()
        widget.deleteLater()


def test_show_docks_one_panel_with_a_stable_name_and_restore_script(dock):
    from audio2face_maya import ui

    FAKE_UI["controls"].add(dock.WORKSPACE_CONTROL)  # left over from an earlier session
    panel = ui.show()
    assert FAKE_UI["deleted"] == [dock.WORKSPACE_CONTROL], "a stale control is removed first"
    assert panel.objectName() == "audio2facePanel"
    assert dock.WORKSPACE_CONTROL == "audio2facePanelWorkspaceControl"
    params = panel.dock_parameters
    assert params["dockable"] is True and params["retain"] is True, "closing the dock must only hide it"
    assert params["uiScript"] == dock.UI_SCRIPT
    compile(dock.UI_SCRIPT, "<uiScript>", "exec")
    again = ui.show(tab="export")
    assert again is panel and len(FakeMixin.instances) == 1
    assert panel.tabs.currentWidget() is panel.export_tab
    assert (dock.WORKSPACE_CONTROL, {"restore": True, "visible": True}) in FAKE_UI["edits"]


def test_restore_rebuilds_the_panel_inside_the_saved_control(dock):
    panel = dock.show(restore=True)
    assert FAKE_UI["layouts"] == [(5678, 1234)]
    assert panel.dock_parameters == {}, "restoring does not create another workspaceControl"


def test_closing_the_dock_keeps_the_panel_its_threads_and_training(dock, qtbot):
    """retain=True: closing only hides; a running QThread is never destroyed, training goes on."""
    import threading

    from audio2face_maya.ui.workers import Job
    from audio2face_maya.vendor.Qt import QtCore

    panel = dock.show()
    release = threading.Event()
    job = Job(lambda progress, cancel: release.wait(20), name="export", parent=panel.export_tab)
    job.start()
    assert dock.busy_work(panel) == ["export"]
    panel.dockCloseEventTriggered()
    panel.close()  # what Qt sends when the control's close button hides it
    QtCore.QCoreApplication.processEvents()
    assert dock.current_panel() is panel and not panel._shut_down and job.isRunning()
    assert dock.show() is panel and len(FakeMixin.instances) == 1, "the shelf button brings the same panel back"
    with pytest.raises(Exception, match="still working .*export"):
        dock.close()  # refused, not waited for: the UI thread never blocks
    assert job.isRunning() and dock.current_panel() is panel
    release.set()
    assert job.wait(5000)
    dock.close()
    assert dock.current_panel() is None and dock.WORKSPACE_CONTROL not in FAKE_UI["states"]
    dock.show()
    assert len(FakeMixin.instances) == 2


def test_maya_exit_stops_the_panels_work(dock, monkeypatch):
    from audio2face_maya import lifecycle

    panel = dock.show()
    hooks = []
    lifecycle.add_exit_hook(lambda: hooks.append("live"))
    try:
        lifecycle.on_maya_exit()
    finally:
        lifecycle._exit_hooks.clear()
    assert panel._shut_down and dock.current_panel() is None and hooks == ["live"]


def test_mixin_first_cooperative_init_builds_the_panel(dock):
    cls = dock.dockable_panel_class()
    assert cls.__mro__[1] is FakeMixin, "Maya's mixin must come first"
    panel = cls()
    assert panel.generate_tab is not None and hasattr(panel, "dock_parameters")
