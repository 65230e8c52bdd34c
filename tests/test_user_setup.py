"""``scripts/userSetup.py``, the file Maya runs at start-up, against the Maya stand-in."""

from __future__ import annotations

import runpy

from audio2face_maya import plugin
from conftest import ROOT
from maya_standin import utils as standin_utils
from maya_standin.fixtures import maya, maya_batch  # noqa: F401 - fixtures

USER_SETUP = ROOT / "scripts" / "userSetup.py"


def test_user_setup_in_batch_does_nothing(maya_batch, capsys):  # noqa: F811
    runpy.run_path(str(USER_SETUP))
    assert not maya_batch.scene.deferred and not plugin.is_loaded()
    assert "skipped" not in capsys.readouterr().out


def test_user_setup_in_the_ui_loads_the_plugin_when_idle(maya):  # noqa: F811
    runpy.run_path(str(USER_SETUP))
    assert not plugin.is_loaded()
    standin_utils.run_idle()
    assert plugin.is_loaded()


def test_a_broken_install_never_stops_maya(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "audio2face_maya.startup", None)
    runpy.run_path(str(USER_SETUP))
    assert "Audio2Face: start-up skipped" in capsys.readouterr().out
