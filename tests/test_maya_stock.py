"""A stock Maya, from nothing: what a user who drags install.mel into a fresh Maya gets.

The installer writes the ``.mod``; "Maya" (the stand-in) starts, reads the module folder the way Maya
does, puts what the module says on sys.path and the environment, runs every ``userSetup.py`` on those
paths, builds the shelf when idle; the shelf's button opens the docked panel with only PySide
importable (no top-level ``Qt``); closing the dock keeps a running job alive; a trainer starts from an
environment holding Maya's variables; the batch launcher runs by path; Maya exits cleanly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from audio2face_maya import install, paths
from maya_standin import cmds as standin_cmds
from maya_standin import modules as maya_modules
from maya_standin import om as standin_om
from maya_standin.fixtures import maya  # noqa: F401 - fixture

pytest_plugins = ["ui_conftest"]

ROOT = Path(__file__).resolve().parents[1]
FAKE_TRAINER = (str(ROOT / "tests" / "fake_trainer.py"),)


def test_a_stock_maya_gets_a_working_shelf_panel_trainer_and_batch(maya, qapp, tmp_path, monkeypatch):  # noqa: F811
    app_dir = tmp_path / "maya"
    maya.scene.user_app_dir = str(app_dir)
    monkeypatch.setitem(sys.modules, "Qt", None)  # Maya ships PySide, never Qt.py
    monkeypatch.setenv("MAYA_APP_DIR", str(app_dir))
    from audio2face_maya import lifecycle
    from audio2face_maya.ui import dock

    monkeypatch.setattr(lifecycle, "_callback_id", None)  # a new Maya process: nothing registered yet
    monkeypatch.setattr(dock, "_panel", None)

    # install.mel, in an earlier session: the .mod in the user's modules folder
    mod_file = install.write_mod(app_dir / "modules", ROOT, paths.user_deps_root(app_dir))

    # Maya starts: the module folder read as Maya reads it
    (module,) = maya_modules.load_modules([app_dir / "modules"], "2024", install.current_platform())
    assert module.name == "Audio2Face" and module.root == ROOT and mod_file.parent == app_dir / "modules"
    python_path = module.env["PYTHONPATH"]
    assert str(ROOT / "scripts") in python_path
    assert str(paths.user_deps_dir(app_dir, "2024", install.current_platform())) in python_path
    assert "MAYA_SHELF_PATH" not in module.env, "one shelf mechanism"
    assert (Path(module.env["MAYA_PLUG_IN_PATH"][0]) / "audio2face_plugin.py").is_file()
    icons = Path(module.env["XBMLANGPATH"][-1])
    monkeypatch.setenv("MAYA_PLUG_IN_PATH", os.pathsep.join(module.env["MAYA_PLUG_IN_PATH"]))
    maya.scene.plugin_paths = []

    ran = maya_modules.run_user_setups(python_path)
    assert ran == [str(ROOT / "scripts" / "userSetup.py")]
    assert maya.run_idle() >= 1
    from audio2face_maya import plugin, shelf

    assert plugin.is_loaded()
    buttons = standin_cmds.UI.tabs.get(shelf.SHELF_NAME)
    assert buttons and len(buttons) == len(shelf.BUTTONS)
    for button in buttons:
        assert (icons / standin_cmds.UI.buttons[button]["image"]).is_file()

    # the shelf's first button, as Maya runs it
    command = standin_cmds.UI.buttons[buttons[0]]["command"]
    exec(compile(command, "<shelf button>", "exec"), {})  # noqa: S102 - the button's own Python

    panel = dock.current_panel()
    assert panel is not None and panel.dock_parameters["retain"] is True
    from audio2face_maya.ui.workers import Job

    release = threading.Event()
    job = Job(lambda progress, cancel: release.wait(20), name="export", parent=panel.export_tab)
    job.start()
    standin_cmds.workspaceControl(dock.WORKSPACE_CONTROL, edit=True, close=True)  # the user closes the dock
    assert job.isRunning() and dock.current_panel() is panel
    release.set()
    assert job.wait(5000)

    # a trainer started from inside Maya: Maya's variables must not reach the TensorFlow Python
    from audio2face.training import TrainerClient

    maya_env = dict(os.environ, PYTHONHOME=str(tmp_path / "autodesk" / "maya2024"),
                    PYTHONPATH=os.pathsep.join(python_path), MAYA_LOCATION=str(tmp_path / "autodesk" / "maya2024"))
    client = TrainerClient([tmp_path], tmp_path / "model", epochs=1, program=FAKE_TRAINER, env=maya_env)
    client.start()
    events = list(client.events())
    assert events and events[-1]["event"] == "done"
    assert client.wait() == 0

    # the batch launcher, by path, in a fresh interpreter that knows nothing of the module
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([sys.executable, "-I", str(ROOT / "bin" / "audio2face_batch.py"), "--help"],
                          env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-500:]

    # Maya exits: the panel's work stops, nothing is left running
    standin_om.fire_scene_message(standin_om.MSceneMessage.kMayaExiting)
    assert dock.current_panel() is None and panel._shut_down
