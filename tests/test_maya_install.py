"""The module file, the installer (drag-and-drop and Python), dependency installation and userSetup start-up."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from audio2face_maya import install, plugin, shelf, startup
from maya_standin import utils as standin_utils
from maya_standin.fixtures import maya, maya_batch  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[1]
SPECIFIER = re.compile(r"^\+ MAYAVERSION:(\d{4}) PLATFORM:(win64|linux|mac) (\w+) (\d+\.\d+\.\d+) (\S+)$")
ENV_LINE = re.compile(r"^([A-Z_][A-Z0-9_]*)(\+:=|:=|\+=|=)(\S*)$")
FOLDER_LINE = re.compile(r"^(?:\[r\] )?(scripts|icons|plug-ins|presets): (\S+)$")


def parse_mod(text: str, mod_folder: Path):
    """Autodesk's module rules: '+ ' starts a block, a blank line ends it; env and folder lines inside."""
    blocks, current = [], None
    for line in text.split("\n"):
        if line.startswith("+ "):
            match = SPECIFIER.match(line)
            assert match, f"bad specifier line: {line!r}"
            version, platform, name, _ver, path = match.groups()
            root = (mod_folder / path).resolve()
            current = {"version": version, "platform": platform, "name": name, "root": root, "env": {},
                       "folders": {}}
            blocks.append(current)
        elif not line.strip():
            current = None
        else:
            assert current is not None, f"line outside a block is ignored by Maya: {line!r}"
            env, folder = ENV_LINE.match(line), FOLDER_LINE.match(line)
            assert env or folder, f"not module syntax: {line!r}"
            if env:
                var, op, value = env.groups()
                item = str(current["root"] / value) if ":=" in op else value
                current["env"].setdefault(var, []).append(item.rstrip("/"))
            else:
                current["folders"][folder.group(1)] = current["root"] / folder.group(2)
    return blocks


def test_the_shipped_mod_file_is_the_rendered_one_and_valid():
    text = (ROOT / "mod" / "audio2face.mod").read_text(encoding="utf-8")
    assert text == install.render_mod("..")
    assert "#" not in text and "//" not in text and "\r" not in text
    blocks = parse_mod(text, ROOT / "mod")
    assert {(b["version"], b["platform"]) for b in blocks} == {
        (v, p) for v in install.MAYA_VERSIONS for p in install.PLATFORMS}
    for block in blocks:
        assert block["root"] == ROOT
        env = block["env"]
        assert str(ROOT / "scripts") in env["PYTHONPATH"]
        assert str(ROOT / install.deps_folder(block["version"], block["platform"])) in env["PYTHONPATH"]
        assert (Path(env["MAYA_PLUG_IN_PATH"][0]) / plugin.PLUGIN_FILE).is_file()
        assert "MAYA_SHELF_PATH" not in env, "one shelf mechanism: the shelf is built at start-up"
        assert block["folders"]["icons"] == ROOT / "icons" and (ROOT / "icons").is_dir()
        assert env["AUDIO2FACE_ROOT"] == [str(ROOT)]


def test_runtime_requirements_match_pyproject():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert sorted(re.findall(r'"([^"]+)"', block)) == sorted(install.RUNTIME_REQUIREMENTS)


class FakeMayapy:
    """Answers the installer's two mayapy calls: the import probe and pip."""

    def __init__(self, present, pip_rc=0, pip_err=""):
        self.present, self.pip_rc, self.pip_err, self.calls = present, pip_rc, pip_err, []

    def __call__(self, command, **kwargs):
        self.calls.append(list(command))
        assert kwargs.get("check") is False and "shell" not in kwargs
        if command[1] == "-c":
            return subprocess.CompletedProcess(command, 0, json.dumps(self.present) + "\n", "")
        return subprocess.CompletedProcess(command, self.pip_rc, "", self.pip_err)


@pytest.fixture()
def module(tmp_path):
    root = tmp_path / "Audio2Face"
    for folder in ("scripts", "maya_plugin"):
        (root / folder).mkdir(parents=True)
    mayapy = tmp_path / "bin" / "mayapy"
    mayapy.parent.mkdir()
    mayapy.write_text("")
    return root, mayapy


def test_install_in_maya_writes_the_mod_installs_deps_and_loads_everything(maya, module, tmp_path,  # noqa: F811
                                                                          monkeypatch):
    root, mayapy = module
    maya.scene.user_app_dir = str(tmp_path / "prefs")
    shelves = []
    monkeypatch.setattr(shelf, "install_shelf", lambda: shelves.append(1) or ["b1"])
    fake = FakeMayapy({"numpy": "1.26.4", "onnxruntime": None, "soundfile": None, "soxr": None})
    result = install.install(root, mayapy=mayapy, runner=fake)
    mod_file = tmp_path / "prefs" / "modules" / "audio2face.mod"
    assert result.mod_file == mod_file
    blocks = parse_mod(mod_file.read_text(), mod_file.parent)
    assert all(b["root"] == root.resolve() for b in blocks)
    pip = fake.calls[-1]
    target = tmp_path / "prefs" / "audio2face" / "deps" / f"maya2024-{install.current_platform()}"
    assert pip[:3] == [str(mayapy), "-m", "pip"] and pip[pip.index("--target") + 1] == str(target)
    assert "onnxruntime>=1.14" in pip and "numpy==1.26.4" in pip and "numpy>=1.21" not in pip
    assert maya.scene.loaded_modules == [str(mod_file)]
    assert plugin.is_loaded() and shelves == [1] and result.loaded and not result.warnings


def test_offline_pip_gives_instructions_and_the_module_still_loads(maya, module, tmp_path, monkeypatch):  # noqa: F811
    root, mayapy = module
    maya.scene.user_app_dir = str(tmp_path / "prefs")
    monkeypatch.setattr(shelf, "install_shelf", lambda: [])
    fake = FakeMayapy({"numpy": None, "onnxruntime": None, "soundfile": None, "soxr": None}, pip_rc=1,
                      pip_err="ERROR: Could not find a version that satisfies the requirement numpy>=1.21")
    result = install.install(root, mayapy=mayapy, runner=fake)
    text = "\n".join(result.warnings)
    assert "offline" in text and "--no-index --find-links audio2face-wheels" in text
    assert str(tmp_path / "prefs" / "audio2face" / "deps") in text and "Could not find a version" in text
    assert result.loaded


def test_dependencies_already_present_are_not_installed_again(module):
    root, mayapy = module
    fake = FakeMayapy({"numpy": "1.26", "onnxruntime": "1.17", "soundfile": "0.12", "soxr": "0.3"})
    result = install.install_dependencies(root / "deps" / "x", mayapy, fake)
    assert result.ok and len(fake.calls) == 1 and "already available" in result.message


def test_without_mayapy_the_message_says_what_to_run(module, monkeypatch):
    root, _mayapy = module
    monkeypatch.delenv("MAYA_LOCATION", raising=False)
    result = install.install_dependencies(root / "deps" / "x", None)
    assert not result.ok and "mayapy -m pip install --target" in result.message


def test_uninstall_removes_the_mod_and_unloads(maya, module, tmp_path, monkeypatch):  # noqa: F811
    root, mayapy = module
    maya.scene.user_app_dir = str(tmp_path / "prefs")
    monkeypatch.setattr(shelf, "install_shelf", lambda: [])
    shelves = [1]
    monkeypatch.setattr(shelf, "uninstall_shelf", lambda: bool(shelves and shelves.pop()))
    install.install(root, mayapy=mayapy, runner=FakeMayapy(dict.fromkeys(["numpy", "onnxruntime", "soundfile",
                                                                          "soxr"], "1")))
    done = install.uninstall()
    assert not (tmp_path / "prefs" / "modules" / "audio2face.mod").exists()
    assert not plugin.is_loaded()
    assert any("shelf" in line for line in done)
    assert install.uninstall() == ["nothing to remove: Audio2Face was not installed for this user"]


def test_install_mel_finds_its_folder_and_hands_over_to_python(maya, tmp_path, monkeypatch):  # noqa: F811
    from maya_standin import mel

    text = (ROOT / "install.mel").read_text(encoding="utf-8")
    assert "global proc audio2faceInstallLocator()" in text
    assert '`whatIs "audio2faceInstallLocator"`' in text
    assert '"Mel procedure found in: "' in text and "size($prefix) + 1" in text
    assert text.rstrip().endswith("audio2faceInstall();")
    literals = re.findall(r'^\s+python\("((?:[^"\\]|\\.)*)"\);', text, flags=re.M)
    assert len(literals) == 1
    literal = literals[0]
    code = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), literal)
    calls = []
    monkeypatch.setattr(install, "install_from_drop", lambda root: calls.append(root) or True)
    mel._GLOBALS["gAudio2FaceInstallPath"] = (ROOT / "install.mel").as_posix()
    exec(compile(code, "install.mel:python", "exec"), {})  # noqa: S102 - the installer's own code
    assert [Path(c) for c in calls] == [ROOT]


def test_install_from_drop_reports_in_the_script_editor(maya, tmp_path, monkeypatch):  # noqa: F811
    maya.scene.user_app_dir = str(tmp_path / "prefs")
    monkeypatch.delenv("MAYA_LOCATION", raising=False)
    monkeypatch.setattr(shelf, "install_shelf", lambda: [])
    assert install.install_from_drop(str(ROOT))
    install._current_jobs[-1].thread.join(30)
    standin_utils.run_idle()
    infos = [m for level, m in maya.scene.log if level == "info"]
    warnings = [m for level, m in maya.scene.log if level == "warning"]
    assert any("wrote" in m and "audio2face.mod" in m for m in infos)
    assert any("mayapy was not found" in m for m in warnings)
    assert not (ROOT / "deps").exists()
    assert not install.install_from_drop(str(tmp_path))  # not a module folder
    assert any(level == "error" and "not an Audio2Face module folder" in m for level, m in maya.scene.log)


def test_user_setup_does_nothing_in_batch(maya_batch):  # noqa: F811
    assert startup.main() is False
    assert not maya_batch.scene.deferred and not plugin.is_loaded()


def test_user_setup_defers_loading_until_maya_is_idle(maya):  # noqa: F811
    assert startup.main() is True
    assert not plugin.is_loaded()
    assert standin_utils.run_idle() == 1
    assert plugin.is_loaded()


def test_a_line_break_in_the_install_path_cannot_add_lines_to_the_mod(tmp_path):
    from audio2face.errors import Audio2FaceError

    for bad in ("/opt/a2f\nPYTHONPATH+=/evil", "/opt/a2f\r+ MAYAVERSION:2024 Evil 1.0 /evil", "/opt/a\x00b"):
        with pytest.raises(Audio2FaceError, match="line break or control character"):
            install.render_mod(bad)
        with pytest.raises(Audio2FaceError, match="line break or control character"):
            install.render_mod("/opt/ok", user_deps_root=bad)
    root = tmp_path / "new\nline"
    (root / "scripts").mkdir(parents=True)
    (root / "maya_plugin").mkdir()
    with pytest.raises(Audio2FaceError):
        install.install(root, tmp_path / "modules", deps=False, load=False)
    assert not (tmp_path / "modules" / "audio2face.mod").exists()


def test_pip_runs_off_the_ui_thread_into_a_per_user_folder_without_a_console(maya, module, tmp_path,  # noqa: F811
                                                                             monkeypatch):
    import threading

    root, mayapy = module
    root.chmod(0o555)  # a read-only site install: nothing may be written into the module folder
    maya.scene.user_app_dir = str(tmp_path / "prefs")
    monkeypatch.setattr(shelf, "install_shelf", lambda: [])
    release, seen = threading.Event(), []

    def slow_pip(command, **kwargs):
        seen.append((threading.current_thread().name, kwargs.get("creationflags")))
        if command[1] == "-m":
            assert release.wait(30), "pip was never released"
        return FakeMayapy({"numpy": "1.26.4", "onnxruntime": None, "soundfile": None, "soxr": None})(command, **kwargs)

    try:
        result = install.install(root, mayapy=mayapy, runner=slow_pip, background=True)
        assert result.loaded and result.deps_job is not None and result.deps_job.running  # returned while pip runs
        release.set()
        result.deps_job.thread.join(30)
    finally:
        root.chmod(0o755)
    assert all(name == "audio2face-pip" for name, _flags in seen) and len(seen) == 2
    assert all(flags == install.NO_WINDOW for _name, flags in seen)
    assert standin_utils.run_idle() >= 2  # progress lines and the outcome reach the main thread
    infos = [m for level, m in maya.scene.log if level == "info"]
    assert any("pip is installing" in m for m in infos) and any("installed into" in m for m in infos)
    target = tmp_path / "prefs" / "audio2face" / "deps" / f"maya2024-{install.current_platform()}"
    assert result.deps_job.result.target == target and not (root / "deps").exists()
    mod_text = result.mod_file.read_text()
    assert f"PYTHONPATH+={(tmp_path / 'prefs' / 'audio2face' / 'deps').as_posix()}/maya2024-" in mod_text


def test_a_background_install_can_be_cancelled(tmp_path):
    import sys as _sys
    import threading

    mayapy = tmp_path / "mayapy"
    mayapy.write_text("")
    calls = []

    def probe_then_hang(command, **kwargs):
        calls.append(command)
        if command[1] == "-c":
            return subprocess.CompletedProcess(command, 0, json.dumps(dict.fromkeys(install._IMPORT_NAMES)) + "\n", "")
        return install._run_cancellable([_sys.executable, "-c", "import time; time.sleep(60)"], **kwargs)

    done = threading.Event()
    job = install.DependencyInstall(tmp_path / "deps", mayapy, None, on_done=lambda r: done.set(),
                                    schedule=lambda fn: fn())
    job.runner = lambda command, **kw: probe_then_hang(command, cancel=job._cancel, **kw)
    job.start()
    for _ in range(100):
        if len(calls) == 2:
            break
        threading.Event().wait(0.05)
    job.cancel()
    assert done.wait(20) and not job.result.ok and "cancelled" in job.result.message
