"""The Audio2Face shelf: one mechanism across install, restart, update and uninstall; one icon per button."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

pytest_plugins = ["ui_conftest"]

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "icons"


def _maya_flag_tables() -> List[Dict[str, Any]]:
    """pymel's command tables for the oldest and newest Maya we support."""
    spec = importlib.util.find_spec("pymel")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pymel is not installed (its cache holds Maya's command tables)")
    tables = []
    for year in (2022, 2025):
        path = Path(list(spec.submodule_search_locations)[0]) / "cache" / f"mayaCmdsList{year}.py"
        module_spec = importlib.util.spec_from_file_location(f"maya_cmds_{year}", path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        data = module.data
        tables.append(data[0] if isinstance(data, (list, tuple)) else data)
    return tables


class FakeShelfUI:
    """Just enough of Maya's shelf UI to watch the installer; every flag is checked against Maya's tables."""

    def __init__(self, tables: List[Dict[str, Any]], prefs: Optional[Path] = None) -> None:
        self.tables = tables
        self.shelves: Dict[str, List[str]] = {"Custom": [], "Animation": []}
        self.buttons: Dict[str, Dict[str, Any]] = {}
        self.current = "Animation"
        self.calls: List[str] = []
        self.options: Dict[str, Any] = {}
        self.prefs = prefs

    def optionVar(self, **flags: Any) -> Any:  # noqa: N802
        self._check("optionVar", flags)
        if "exists" in flags:
            return flags["exists"] in self.options
        if "query" in flags:
            return self.options.get(flags["query"], 0)  # Maya answers 0 for a missing optionVar
        if "remove" in flags:
            self.options.pop(flags["remove"], None)
            return None
        for kind in ("intValue", "stringValue"):
            if kind in flags:
                name, value = flags[kind]
                self.options[name] = value
        return None

    def internalVar(self, **flags: Any) -> str:  # noqa: N802
        self._check("internalVar", flags)
        assert flags == {"userShelfDir": True}
        return str(self.prefs / "shelves") + "/"

    # -- what Maya itself does at exit and start (saveAllShelves, loading prefs/shelves) ------------
    def exit_maya(self) -> None:
        """``saveAllShelves``: every tab into prefs/shelves, the optionVars renumbered."""
        folder = self.prefs / "shelves"
        folder.mkdir(parents=True, exist_ok=True)
        self.options["numShelves"] = len(self.shelves)
        for i, (name, children) in enumerate(self.shelves.items(), 1):
            self.options[f"shelfName{i}"], self.options[f"shelfFile{i}"] = name, f"shelf_{name}"
            self.options[f"shelfLoad{i}"] = 1
            data = [self.buttons[c] for c in children if c in self.buttons]
            (folder / f"shelf_{name}.mel").write_text(json.dumps(data))
        self.shelves, self.buttons, self.current = {}, {}, None

    def start_maya(self) -> None:
        """Maya's start: the shelves the optionVars name, read back from prefs/shelves."""
        for i in range(1, int(self.options.get("numShelves", 0)) + 1):
            name = self.options[f"shelfName{i}"]
            path = self.prefs / "shelves" / f"{self.options[f'shelfFile{i}']}.mel"
            self.shelves[name] = []
            for flags in json.loads(path.read_text()) if path.is_file() else []:
                new = f"shelfButton{len(self.buttons) + 1}"
                self.buttons[new] = dict(flags)
                self.shelves[name].append(new)
        self.current = next(iter(self.shelves), None)

    def _check(self, command: str, flags: Dict[str, Any]) -> None:
        self.calls.append(command)
        for table in self.tables:
            known = table[command]["flags"]
            for flag in flags:
                assert flag in known, f"{command} has no flag {flag!r} in some Maya version"

    def about(self, **flags: Any) -> bool:
        self._check("about", flags)
        return False

    def tabLayout(self, name: str, **flags: Any) -> Optional[str]:  # noqa: N802 (Maya's name)
        self._check("tabLayout", flags)
        if flags.get("query"):
            return self.current
        if flags.get("edit") and "selectTab" in flags:
            self.current = flags["selectTab"]
        return None

    def shelfLayout(self, name: str, **flags: Any) -> Any:  # noqa: N802
        self._check("shelfLayout", flags)
        if flags.get("exists"):
            return name in self.shelves
        if flags.get("query"):
            return list(self.shelves[name]) or None  # Maya answers None, not []
        self.shelves[name] = []
        self.current = name  # creating a shelf makes it the current tab
        return name

    def objectTypeUI(self, name: str, **flags: Any) -> str:  # noqa: N802
        self._check("objectTypeUI", flags)
        return "shelfButton" if name in self.buttons else "separator"

    def shelfButton(self, name: Optional[str] = None, **flags: Any) -> Any:  # noqa: N802
        self._check("shelfButton", flags)
        if flags.get("query"):
            key = next(k for k in flags if k != "query")
            return self.buttons[name].get(key)
        if flags.get("edit"):
            self.buttons[name].update({k: v for k, v in flags.items() if k != "edit"})
            return None
        parent = flags.pop("parent")
        new = f"shelfButton{len(self.buttons) + 1}"
        self.buttons[new] = flags
        self.shelves[parent].append(new)
        return new

    def deleteUI(self, name: str, **flags: Any) -> None:  # noqa: N802
        self._check("deleteUI", flags)
        for children in self.shelves.values():
            if name in children:
                children.remove(name)
        self.buttons.pop(name, None)
        self.shelves.pop(name, None)


class FakeMel:
    def eval(self, text: str) -> str:
        assert "$gShelfTopLevel" in text
        return "ShelfLayout"


@pytest.fixture()
def fake_ui():
    return FakeShelfUI(_maya_flag_tables())


def test_installing_twice_creates_nothing_twice(fake_ui):
    from audio2face_maya import shelf

    first = shelf.install_shelf(fake_ui, FakeMel())
    assert len(first) == len(shelf.BUTTONS) == 4
    snapshot = {name: dict(flags) for name, flags in fake_ui.buttons.items()}
    second = shelf.install_shelf(fake_ui, FakeMel())
    assert second == first
    assert fake_ui.shelves["Audio2Face"] == first
    assert fake_ui.buttons == snapshot
    assert list(fake_ui.shelves) == ["Custom", "Animation", "Audio2Face"]
    assert fake_ui.current == "Animation", "installing does not switch the user's shelf tab"


def test_install_updates_old_buttons_keeps_user_buttons_and_drops_duplicates(fake_ui):
    from audio2face_maya import shelf

    fake_ui.shelves["Audio2Face"] = []
    for name, flags in (
        ("old1", {"label": "Audio2Face", "command": "import audio2face_maya.shelf as a2f_shelf; "
                  "a2f_shelf.open_panel()", "image": "old.png"}),
        ("old2", {"label": "A2F again", "command": "import audio2face_maya.shelf as a2f_shelf; "
                  "a2f_shelf.open_panel()"}),
        ("mine", {"label": "My tool", "command": "print('mine')"}),
    ):
        fake_ui.buttons[name] = flags
        fake_ui.shelves["Audio2Face"].append(name)
    names = shelf.install_shelf(fake_ui, FakeMel())
    assert names[0] == "old1" and fake_ui.buttons["old1"]["image"] == "audio2face_panel.png"
    assert "old2" not in fake_ui.buttons
    assert "mine" in fake_ui.shelves["Audio2Face"]
    assert len(fake_ui.shelves["Audio2Face"]) == 5


def test_buttons_use_only_flags_every_maya_knows_and_commands_that_compile():
    from audio2face_maya import shelf

    tables = _maya_flag_tables()
    for button in shelf.BUTTONS:
        flags = shelf._button_flags(button)
        for table in tables:
            assert set(flags) <= set(table["shelfButton"]["flags"])
        assert (ICONS / flags["image"]).is_file(), f"missing icon {flags['image']}"
        assert len(flags["imageOverlayLabel"]) <= 6
        compile(flags["command"], "<shelf button>", "exec")


def test_one_shelf_through_install_restart_update_and_uninstall(tmp_path, monkeypatch):
    """No shelf file on MAYA_SHELF_PATH: the runtime shelf, saved by Maya on exit, updated in place at start."""
    from audio2face_maya import install, shelf

    ui = FakeShelfUI(_maya_flag_tables(), prefs=tmp_path / "prefs")
    assert "MAYA_SHELF_PATH" not in install.render_mod("..")
    assert not (ROOT / "shelf").exists(), "a shipped shelf file would be a second mechanism"

    def ours() -> List[str]:
        return [name for name in ui.shelves if name == shelf.SHELF_NAME]

    shelf.install_shelf(ui, FakeMel())  # the installer, in the running session
    assert ours() == ["Audio2Face"] and len(ui.shelves["Audio2Face"]) == 4
    for _restart in range(3):  # Maya saves it, loads it again, start-up updates it in place
        ui.exit_maya()
        ui.start_maya()
        shelf.install_shelf(ui, FakeMel())
        assert ours() == ["Audio2Face"] and len(ui.shelves["Audio2Face"]) == 4
    # an update that renames a button: still one shelf, the button changed in place
    renamed = shelf.ShelfButton("open_panel", "Audio2Face 2", "new tip", "audio2face_panel.png", "A2F")
    monkeypatch.setattr(shelf, "BUTTONS", (renamed,) + shelf.BUTTONS[1:])
    shelf.install_shelf(ui, FakeMel())
    labels = [ui.buttons[b]["label"] for b in ui.shelves["Audio2Face"]]
    assert labels.count("Audio2Face 2") == 1 and "Audio2Face" not in labels and len(labels) == 4
    ui.exit_maya()
    ui.start_maya()
    assert shelf.uninstall_shelf(ui)
    assert ours() == [] and not (tmp_path / "prefs" / "shelves" / "shelf_Audio2Face.mel").exists()
    assert "Audio2Face" not in [v for k, v in ui.options.items() if k.startswith("shelfName")]
    assert ui.options["numShelves"] == 2 and ui.options["shelfName2"] == "Animation"
    ui.exit_maya()
    ui.start_maya()
    assert ours() == [] and list(ui.shelves) == ["Custom", "Animation"], "no dead shelf comes back"
    assert not shelf.uninstall_shelf(ui)


def test_every_button_runs_an_existing_action():
    from audio2face_maya import shelf

    for button in shelf.BUTTONS:
        assert callable(getattr(shelf, button.action))
        assert button.image.startswith("audio2face_")


def test_icons_are_a_complete_valid_set(qapp):
    from audio2face_maya.ui.icons import ICON_NAMES, icon_path
    from audio2face_maya.vendor.Qt import QtGui, QtSvg

    for name in ICON_NAMES:
        svg, png = ICONS / f"{name}.svg", ICONS / f"{name}.png"
        assert svg.is_file() and png.is_file(), name
        renderer = QtSvg.QSvgRenderer(str(svg))
        assert renderer.isValid() and renderer.defaultSize().width() == 32
        image = QtGui.QImage(str(png))
        assert (image.width(), image.height()) == (32, 32)
        assert icon_path(name) == svg


def test_install_refuses_batch_mode(fake_ui):
    from audio2face.errors import Audio2FaceError
    from audio2face_maya import shelf

    fake_ui.about = lambda **flags: True
    with pytest.raises(Audio2FaceError, match="batch"):
        shelf.install_shelf(fake_ui, FakeMel())


@pytest.mark.skipif(sys.platform == "win32", reason="uses a #! script as the stand-in mayapy")
def test_batch_button_runs_the_launcher_by_path_in_a_separate_mayapy(tmp_path, monkeypatch):
    from audio2face.errors import Audio2FaceError
    from audio2face_maya import shelf

    monkeypatch.delenv("MAYA_LOCATION", raising=False)
    bin_dir = tmp_path / "Maya2025" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "maya").write_text("")
    with pytest.raises(Audio2FaceError, match="mayapy was not found"):
        shelf.mayapy_path(str(bin_dir / "maya"))
    mayapy = bin_dir / "mayapy"
    mayapy.write_text(f"#!{sys.executable}\nimport os, sys\nprint('args', sys.argv[1:])\n"
                      "print('cwd', os.getcwd())\n")
    mayapy.chmod(0o755)
    assert shelf.mayapy_path(str(bin_dir / "maya")) == mayapy
    job = tmp_path / "jobs" / "night.json"
    job.parent.mkdir()
    job.write_text("[]")
    process, log = shelf.start_batch(str(job), mayapy=str(mayapy))
    assert process.wait(30) == 0
    text = log.read_text(encoding="utf-8")
    assert log == job.with_name("night.json.log")
    assert f"args ['{ROOT / 'bin' / 'audio2face_batch.py'}', '{job.resolve()}']" in text
    assert "-m" not in text.split("args ", 1)[1].splitlines()[0]
    assert f"cwd {job.parent}" in text
    with pytest.raises(Audio2FaceError, match="batch job file not found"):
        shelf.start_batch(str(tmp_path / "nope.json"), mayapy=str(mayapy))


@pytest.mark.parametrize("platform, executable, location, expected", [
    ("darwin", "/Applications/Autodesk/maya2025/Maya.app/Contents/MacOS/Maya", None,
     "/Applications/Autodesk/maya2025/Maya.app/Contents/bin/mayapy"),
    ("darwin", "/Applications/Autodesk/maya2025/Maya.app/Contents/MacOS/Maya",
     "/Applications/Autodesk/maya2025/Maya.app/Contents",
     "/Applications/Autodesk/maya2025/Maya.app/Contents/bin/mayapy"),
    ("linux", "/usr/autodesk/maya2024/bin/maya.bin", None, "/usr/autodesk/maya2024/bin/mayapy"),
    ("win32", "C:/Program Files/Autodesk/Maya2026/bin/maya.exe", None,
     "C:/Program Files/Autodesk/Maya2026/bin/mayapy.exe"),
])
def test_one_mayapy_finder_for_every_platform(tmp_path, platform, executable, location, expected):
    from audio2face_maya import install, mayapy, shelf

    def here(path: str) -> Path:
        return tmp_path / path.lstrip("/").replace(":", "")

    found = here(expected)
    found.parent.mkdir(parents=True)
    found.write_text("")
    env = {"MAYA_LOCATION": str(here(location))} if location else {}
    assert mayapy.find_mayapy(str(here(executable)), env, platform) == found
    assert install.find_mayapy is not None and shelf.mayapy_path.__module__ == "audio2face_maya.shelf"
    if platform == "darwin":  # the old "beside the GUI binary" lookup misses it
        assert not (here(executable).parent / "mayapy").exists()
