"""The Maya stand-in rejects what Maya rejects and returns what Maya returns (else the other tests prove nothing)."""

from __future__ import annotations

import pytest
from maya_standin.fixtures import maya, maya_batch  # noqa: F401 - fixtures

pytest_plugins = ["ui_conftest"]


def test_unknown_flags_and_bad_objects_raise_type_error(maya):  # noqa: F811
    cmds = maya.cmds
    with pytest.raises(TypeError, match="Invalid flag"):
        cmds.ls(typ="blendShape", bogus=True)
    with pytest.raises(TypeError):
        cmds.getAttr(object())
    with pytest.raises(RuntimeError, match="query"):
        cmds.file(sceneName=True)  # a query-only flag in create mode


def test_empty_results_are_none_where_maya_returns_none(maya):  # noqa: F811
    cmds = maya.cmds
    bs = cmds.createNode("blendShape", name="bs")
    assert cmds.listAttr(f"{bs}.weight", multi=True) is None
    assert cmds.aliasAttr(bs, query=True) is None
    assert cmds.listConnections(f"{bs}.envelope") is None
    assert cmds.listHistory("bs") == ["bs"]
    assert cmds.keyframe(f"{bs}.envelope", query=True, timeChange=True) is None
    assert cmds.ls(type="audio") == []
    assert sorted(cmds.ls([])) == sorted(cmds.ls())  # ls([]) lists everything
    with pytest.raises(TypeError):
        cmds.listHistory([])


def test_missing_objects_raise_like_maya(maya):  # noqa: F811
    cmds = maya.cmds
    with pytest.raises(ValueError, match="No object matches name"):
        cmds.getAttr("nothing.weight")
    with pytest.raises(RuntimeError, match="No object matches name"):
        cmds.nodeType("nothing")
    with pytest.raises(RuntimeError, match="setAttr: No object matches name"):
        cmds.setAttr("nothing.tx", 1)


def test_aliases_and_sparse_indices(maya):  # noqa: F811
    cmds = maya.cmds
    bs = maya.build_rig({0: "jawOpen", 3: "smile"})
    assert cmds.getAttr(f"{bs}.weight", multiIndices=True) == [0, 3]
    assert cmds.aliasAttr(bs, query=True) == ["smile", "weight[3]", "jawOpen", "weight[0]"]
    maya.set_static(f"{bs}.w[3]", 0.7)
    assert cmds.getAttr(f"{bs}.smile") == cmds.getAttr(f"{bs}.weight[3]") == 0.7
    assert cmds.getAttr(f"{bs}.weight") == [(0.0, 0.7)]


def test_locked_and_connected_attributes_refuse_changes(maya):  # noqa: F811
    import maya.api.OpenMaya as om
    import maya.api.OpenMayaAnim as oma

    bs = maya.build_rig({0: "jawOpen", 1: "smile"})
    maya.lock(f"{bs}.jawOpen")
    with pytest.raises(RuntimeError, match="locked"):
        maya.cmds.setAttr(f"{bs}.jawOpen", 1.0)
    maya.key(f"{bs}.smile", [(1, 0), (5, 1)])
    plug = om.MSelectionList().add(f"{bs}.smile").getPlug(0)
    with pytest.raises(RuntimeError, match="incoming connection"):
        oma.MFnAnimCurve().create(plug, oma.MFnAnimCurve.kAnimCurveTU)
    with pytest.raises(RuntimeError, match="Object does not exist"):
        om.MSelectionList().add(f"{bs}.nothing")


def test_api_edits_without_a_change_are_not_undone(maya):  # noqa: F811
    import maya.api.OpenMaya as om
    import maya.api.OpenMayaAnim as oma

    bs = maya.build_rig({0: "jawOpen"})
    curve = maya.key(f"{bs}.jawOpen", [(1, 0.0), (9, 1.0)])
    fn = oma.MFnAnimCurve(om.MSelectionList().add(curve).getDependNode(0))
    maya.cmds.currentUnit(time="film")  # something on the undo queue
    fn.remove(0)  # no MAnimCurveChange: not undoable
    maya.cmds.undo()
    assert maya.keys(f"{bs}.jawOpen") == [(9.0, 1.0)]
    change = oma.MAnimCurveChange()
    fn.remove(0, change)
    change.undoIt()
    assert maya.keys(f"{bs}.jawOpen") == [(9.0, 1.0)]


def test_plug_set_double_is_a_direct_set_on_no_undo_queue(maya):  # noqa: F811
    import maya.api.OpenMaya as om

    bs = maya.build_rig({0: "jawOpen", 1: "smile", 2: "funnel"})
    maya.cmds.currentUnit(time="film")  # something on the undo queue
    queue = list(maya.scene.undo_queue)
    plug = om.MSelectionList().add(f"{bs}.jawOpen").getPlug(0)
    assert plug.setDouble(0.75) is plug
    assert maya.cmds.getAttr(f"{bs}.jawOpen") == 0.75 and plug.asDouble() == 0.75
    assert maya.scene.undo_queue == queue
    maya.cmds.undo()  # undoes the unit change only; the direct set stays
    assert maya.cmds.getAttr(f"{bs}.jawOpen") == 0.75
    maya.lock(f"{bs}.smile")
    with pytest.raises(RuntimeError, match="locked"):
        om.MSelectionList().add(f"{bs}.smile").getPlug(0).setDouble(1.0)
    assert maya.cmds.getAttr(f"{bs}.smile") == 0.0
    with pytest.raises(TypeError):
        plug.setDouble("1")
    maya.key(f"{bs}.funnel", [(1, 0.2), (9, 0.2)])
    keyed = om.MSelectionList().add(f"{bs}.funnel").getPlug(0)
    keyed.setDouble(0.9)  # allowed on a destination; its input wins when it is evaluated
    assert keyed.asDouble() == pytest.approx(0.2) and maya.keys(f"{bs}.funnel") == [(1.0, 0.2), (9.0, 0.2)]


def test_undo_chunks_group_commands_and_must_be_closed(maya):  # noqa: F811
    cmds = maya.cmds
    cmds.undoInfo(openChunk=True, chunkName="two nodes")
    cmds.createNode("transform", name="a")
    cmds.createNode("transform", name="b")
    with pytest.raises(RuntimeError, match="chunk is still open"):
        cmds.undo()
    cmds.undoInfo(closeChunk=True)
    assert [e.name for e in maya.scene.undo_queue] == ["two nodes"]
    cmds.undo()
    assert not cmds.objExists("a") and not cmds.objExists("b")
    cmds.redo()
    assert cmds.objExists("a") and cmds.objExists("b")
    with pytest.raises(RuntimeError):
        cmds.undoInfo(closeChunk=True)


def test_time_units_move_keys_in_real_time_unless_told_not_to(maya):  # noqa: F811
    bs = maya.build_rig({0: "jawOpen"})
    maya.key(f"{bs}.jawOpen", [(12, 1.0)])
    maya.cmds.currentUnit(time="ntsc")
    assert maya.keys(f"{bs}.jawOpen") == [(15.0, 1.0)]
    maya.cmds.currentUnit(time="film", updateAnimation=False)
    assert maya.keys(f"{bs}.jawOpen") == [(15.0, 1.0)]
    with pytest.raises(RuntimeError, match="Invalid time unit"):
        maya.cmds.currentUnit(time="fast")


def test_ui_commands_fail_in_batch(maya_batch):  # noqa: F811
    from maya import mel

    with pytest.raises(RuntimeError, match="undeclared variable"):
        mel.eval("$tmpVar=$gPlayBackSlider")
    with pytest.raises(RuntimeError, match="batch"):
        maya_batch.cmds.timeControl("timeControl1", query=True, sound=True)


def test_mel_parses_command_syntax_and_rejects_unknown_procedures(maya):  # noqa: F811
    from maya import mel

    mel.eval('playbackOptions -minTime 5 -max 50;')
    assert maya.cmds.playbackOptions(query=True, minTime=True) == 5.0
    assert maya.cmds.playbackOptions(query=True, maxTime=True) == 50.0
    with pytest.raises(RuntimeError, match="Cannot find procedure"):
        mel.eval("noSuchProc -x 1;")
    with pytest.raises(RuntimeError, match="Invalid flag"):
        mel.eval("playbackOptions -bogus 3;")


def test_plugin_syntax_enforces_flag_name_lengths(maya):  # noqa: F811
    import maya.api.OpenMaya as om

    syntax = om.MSyntax()
    with pytest.raises(RuntimeError, match="at most 3 letters"):
        syntax.addFlag("-node", "-nodeName", om.MSyntax.kString)
    with pytest.raises(RuntimeError, match="at least 4"):
        syntax.addFlag("-n", "-nd", om.MSyntax.kString)


def test_stand_in_refuses_what_a_stock_maya_refuses(maya, tmp_path):  # noqa: F811
    """The behaviours the "works in a stock Maya" issue slipped through, now refused as Maya refuses them."""
    from maya_standin import cmds as standin_cmds
    from maya_standin import om

    cmds = maya.cmds
    # a scene saved by a newer Maya opens only with ignoreVersion
    maya.build_rig({0: "jawOpen"})
    maya.save_scene(tmp_path / "newer.ma", maya_version=2026)
    with pytest.raises(RuntimeError, match="ignoreVersion"):
        cmds.file(str(tmp_path / "newer.ma"), open=True, force=True)
    cmds.file(str(tmp_path / "newer.ma"), open=True, force=True, ignoreVersion=True)
    # handles to the old scene die with File > New
    plug = om.MSelectionList().add("blendShape1.jawOpen").getPlug(0)
    handle = om.MObjectHandle(om.MSelectionList().add("blendShape1").getDependNode(0))
    cmds.file(newFile=True, force=True)
    assert not handle.isValid()
    with pytest.raises(RuntimeError, match="no longer exists"):
        plug.setDouble(0.5)
    # timeControl is undoable: a bare edit is a step of its own
    node = cmds.sound(file=str(tmp_path / "a.wav"))
    before = len(maya.scene.undo_queue)
    cmds.timeControl(standin_cmds.SLIDER, edit=True, sound=node, displaySound=True)
    assert len(maya.scene.undo_queue) == before + 1
    # shelves and workspace controls need the UI; the same shelf name twice is refused
    with pytest.raises(RuntimeError, match="not unique"):
        cmds.shelfLayout("Tools", parent="ShelfLayout")
        cmds.shelfLayout("Tools", parent="ShelfLayout")


def test_closing_a_non_retained_control_destroys_its_widgets_and_a_running_thread_aborts(maya, qapp):  # noqa: F811
    import threading

    from audio2face_maya.vendor.Qt import QtCore, QtWidgets
    from maya_standin import cmds as standin_cmds
    from maya_standin.mayaui import MayaQWidgetDockableMixin

    class Panel(MayaQWidgetDockableMixin, QtWidgets.QWidget):
        pass

    panel = Panel()
    panel.setObjectName("testPanel")
    panel.show(retain=False)
    release = threading.Event()
    thread = QtCore.QThread(panel)
    thread.run = lambda: release.wait(10)
    thread.start()
    try:
        with pytest.raises(standin_cmds.QtAbort):
            standin_cmds.workspaceControl("testPanelWorkspaceControl", edit=True, close=True)
    finally:
        release.set()
        thread.wait(5000)


def test_batch_mode_has_no_ui_commands(maya_batch):  # noqa: F811
    with pytest.raises(RuntimeError, match="batch"):
        maya_batch.cmds.shelfLayout("Audio2Face", exists=True)
    with pytest.raises(RuntimeError, match="batch"):
        maya_batch.cmds.workspaceControl("x", query=True, exists=True)
