"""The Audio2Face shelf: MEL file grammar, idempotent install, one icon per button."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

pytest_plugins = ["ui_conftest"]

ROOT = Path(__file__).resolve().parents[1]
SHELF_FILE = ROOT / "shelf" / "shelf_Audio2Face.mel"
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

    def __init__(self, tables: List[Dict[str, Any]]) -> None:
        self.tables = tables
        self.shelves: Dict[str, List[str]] = {"Custom": [], "Animation": []}
        self.buttons: Dict[str, Dict[str, Any]] = {}
        self.current = "Animation"
        self.calls: List[str] = []

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


def test_shelf_file_is_what_the_buttons_say():
    from audio2face_maya import shelf

    assert SHELF_FILE.read_text(encoding="utf-8") == shelf.shelf_mel(), (
        "shelf/shelf_Audio2Face.mel is out of date: regenerate it with audio2face_maya.shelf.write_shelf_file('shelf')"
    )


def test_shelf_file_follows_the_shelf_grammar():
    """maya-facts section 8: ``global proc shelf_<Name> ()``, shelfButton blocks of known flags, MEL strings."""
    text = SHELF_FILE.read_text(encoding="utf-8")
    assert text.startswith("global proc shelf_Audio2Face () {\n") and text.rstrip().endswith("}")
    body = text.split("{", 1)[1].rsplit("}", 1)[0]
    blocks = [b.strip() for b in re.split(r"^\s*;\s*$", body, flags=re.MULTILINE) if b.strip()]
    assert len(blocks) == 4
    string = r'"(?:[^"\\\n]|\\.)*"'
    flag_line = re.compile(rf"^-(\w+) ({string})$")
    allowed = {"label", "annotation", "image", "image1", "imageOverlayLabel", "command", "sourceType", "style"}
    tables = _maya_flag_tables()
    for block in blocks:
        lines = [line.strip() for line in block.splitlines()]
        assert lines[0] == "shelfButton"
        flags = {}
        for line in lines[1:]:
            match = flag_line.match(line)
            assert match, f"not a -flag \"string\" line: {line!r}"
            flags[match.group(1)] = match.group(2)[1:-1]
        assert set(flags) <= allowed
        assert {"label", "command", "image", "sourceType"} <= set(flags)
        assert flags["sourceType"] == "python" and flags["style"] == "iconOnly"
        for table in tables:
            assert set(flags) <= set(table["shelfButton"]["flags"])
        assert (ICONS / flags["image"]).is_file(), f"missing icon {flags['image']}"
        compile(flags["command"].replace('\\"', '"'), "<shelf button>", "exec")


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
def test_batch_button_runs_the_job_file_in_a_separate_mayapy(tmp_path):
    from audio2face.errors import Audio2FaceError
    from audio2face_maya import shelf

    bin_dir = tmp_path / "Maya2025" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "maya").write_text("")
    with pytest.raises(Audio2FaceError, match="mayapy was not found"):
        shelf.mayapy_path(str(bin_dir / "maya"))
    mayapy = bin_dir / "mayapy"
    mayapy.write_text(f"#!{sys.executable}\nimport os, sys\nprint('args', sys.argv[1:])\n"
                      "print('cwd', os.getcwd())\nprint('path', os.environ['PYTHONPATH'])\n")
    mayapy.chmod(0o755)
    assert shelf.mayapy_path(str(bin_dir / "maya")) == mayapy
    job = tmp_path / "jobs" / "night.json"
    job.parent.mkdir()
    job.write_text("[]")
    process, log = shelf.start_batch(str(job), mayapy=str(mayapy))
    assert process.wait(30) == 0
    text = log.read_text(encoding="utf-8")
    assert log == job.with_name("night.json.log")
    assert f"args ['-m', 'audio2face_maya.batch', '{job.resolve()}']" in text
    assert f"cwd {job.parent}" in text
    assert str(ROOT / "scripts") in text.split("path ", 1)[1]
    with pytest.raises(Audio2FaceError, match="batch job file not found"):
        shelf.start_batch(str(tmp_path / "nope.json"), mayapy=str(mayapy))
