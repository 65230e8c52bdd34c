"""Install and uninstall the Maya module: the ``.mod`` file, the core's dependencies, loading without a restart.

``install.mel`` (dragged onto the viewport) finds its folder and calls ``install_from_drop``. The
installer writes ``audio2face.mod`` (pointing at this checkout) into the user's modules folder
(``<MAYA_APP_DIR>/modules``), loads the module, the plug-in and the shelf in the running session, and
then installs the core's runtime dependencies for Maya's own Python in the background (never on
Maya's UI thread, no console window on Windows) with ``mayapy -m pip install --target
<MAYA_APP_DIR>/audio2face/deps/maya<version>-<platform>``: a per-user folder, so a read-only module
folder works, which the ``.mod`` puts on PYTHONPATH (``audio2face_maya.paths``). The ``.mod`` syntax
follows Autodesk's module documentation; see docs/maya.md, "Modules".
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from audio2face import __version__
from audio2face.atomic import atomic_open
from audio2face.errors import Audio2FaceError

from . import paths
from .mayapy import find_mayapy as _find_mayapy
from .paths import MAYA_VERSIONS, PLATFORMS, current_platform, module_root  # noqa: F401 - re-exported

logger = logging.getLogger(__name__)

MODULE_NAME = "Audio2Face"
MOD_FILE = "audio2face.mod"
RUNTIME_REQUIREMENTS = ("numpy>=1.21", "onnxruntime>=1.14", "soundfile>=0.12", "soxr>=0.3")
"""The core's runtime dependencies (``[project] dependencies`` in pyproject.toml)."""
_IMPORT_NAMES = {"numpy": "numpy", "onnxruntime": "onnxruntime", "soundfile": "soundfile", "soxr": "soxr"}
PIP_TIMEOUT_S = 900

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0x08000000) if os.name == "nt" else 0
"""``creationflags`` for every child process: no console window pops up over Maya on Windows."""


def deps_folder(version: str, platform: str) -> str:
    """Module-relative folder of the dependencies for one Maya version and platform (a site install's)."""
    return f"deps/{paths.deps_name(version, platform)}"


def _check_mod_path(text: str, what: str) -> str:
    """A path as the ``.mod`` holds it: forward slashes; refuse what would break the file's lines."""
    if any(ch in text for ch in "\r\n\x00") or any(ord(ch) < 32 for ch in text):
        raise Audio2FaceError(f"the {what} holds a line break or control character; a .mod file cannot hold it",
                              text)
    if text != text.strip():
        raise Audio2FaceError(f"the {what} starts or ends with spaces; Maya's .mod reader trims them", text)
    return text


def render_mod(module_path: str = "..", version: str = __version__, user_deps_root: Optional[str] = None) -> str:
    """The ``.mod`` text: one block per Maya version and platform, separated by blank lines.

    Each block appends ``scripts`` (also a default module folder), the module's dependency folder
    (``deps_folder``), the per-user one when ``user_deps_root`` (``<MAYA_APP_DIR>/audio2face/deps``)
    is given, and the plug-in folder to their search paths and overrides ``icons``. No shelf path:
    the shelf is made at start-up by ``audio2face_maya.shelf`` (one mechanism). No comments: Autodesk
    documents no comment syntax for module files.

    Raises:
        Audio2FaceError: a path holding a line break or control character (it would add lines).
    """
    _check_mod_path(module_path, "module folder")
    if user_deps_root is not None:
        _check_mod_path(user_deps_root, "dependency folder")
    blocks = []
    for maya_version in MAYA_VERSIONS:
        for platform in PLATFORMS:
            lines = [
                f"+ MAYAVERSION:{maya_version} PLATFORM:{platform} {MODULE_NAME} {version} {module_path}",
                "AUDIO2FACE_ROOT:=",
                "PYTHONPATH+:=scripts",
                f"PYTHONPATH+:={deps_folder(maya_version, platform)}",
            ]
            if user_deps_root is not None:
                lines.append(f"PYTHONPATH+={user_deps_root}/{paths.deps_name(maya_version, platform)}")
            lines += ["MAYA_PLUG_IN_PATH+:=maya_plugin", "scripts: scripts", "icons: icons"]
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def maya_version() -> str:
    """The running Maya's version year (``cmds.about(version=True)``, e.g. ``2024``)."""
    from maya import cmds

    text = str(cmds.about(version=True))
    digits = "".join(ch for ch in text if ch.isdigit())[:4]
    if len(digits) != 4:
        raise Audio2FaceError(f"cannot read Maya's version from {text!r}")
    return digits


def user_app_dir() -> Path:
    """``MAYA_APP_DIR`` (Maya's user folder): from Maya when it runs, else the environment or the default."""
    try:
        from maya import cmds

        return Path(cmds.internalVar(userAppDir=True))
    except Exception:  # no Maya: fall back to the documented locations
        return paths.default_app_dir()


def user_modules_dir() -> Path:
    """``<MAYA_APP_DIR>/modules``: on every Maya version's default module path."""
    return user_app_dir() / "modules"


def user_deps_root() -> Path:
    """``<MAYA_APP_DIR>/audio2face/deps``: where the installer puts the dependencies (per user)."""
    return paths.user_deps_root(user_app_dir())


def write_mod(modules_dir: Path, root: Path, deps_root: Optional[Path] = None) -> Path:
    """Write ``audio2face.mod`` pointing at ``root`` (absolute, forward slashes) atomically."""
    text = render_mod(root.resolve().as_posix(), user_deps_root=deps_root.as_posix() if deps_root else None)
    modules_dir.mkdir(parents=True, exist_ok=True)
    path = modules_dir / MOD_FILE
    with atomic_open(path, "w") as handle:
        handle.write(text)
    return path


# --------------------------------------------------------------------------- dependencies


def find_mayapy(executable: Optional[str] = None) -> Optional[Path]:
    """``mayapy`` of the running Maya (``audio2face_maya.mayapy``: MAYA_LOCATION, beside Maya, macOS bundle)."""
    return _find_mayapy(executable)


_PROBE = (
    "import importlib, json\n"
    "out = dict()\n"
    "for name in {names!r}:\n"
    "    try:\n"
    "        out[name] = getattr(importlib.import_module(name), '__version__', '?')\n"
    "    except Exception:\n"
    "        out[name] = None\n"
    "print(json.dumps(out))\n"
)


def installed_versions(mayapy: Path, extra_path: Optional[Path] = None, runner: Runner = subprocess.run
                       ) -> Dict[str, Optional[str]]:
    """Version of each dependency importable by ``mayapy`` (``None`` when missing)."""
    env = dict(os.environ)
    if extra_path is not None:
        rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join([str(extra_path), *rest])
    names = sorted(_IMPORT_NAMES.values())
    done = runner([str(mayapy), "-c", _PROBE.format(names=names)], capture_output=True, text=True, env=env,
                  timeout=120, check=False, creationflags=NO_WINDOW)
    if done.returncode != 0:
        raise Audio2FaceError(f"mayapy could not run ({done.stderr.strip()[-300:]})", mayapy)
    try:
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        raise Audio2FaceError("unexpected answer from mayapy", mayapy) from None


def offline_help(mayapy: Path, target: Path, requirements: Sequence[str]) -> str:
    """What to do when pip cannot reach the package index."""
    packages = " ".join(f'"{r}"' for r in requirements)
    return (
        "pip could not download the dependencies (is this machine offline, or behind a proxy?).\n"
        "Either set pip's proxy (PIP_PROXY / --proxy) and run the installer again, or on a machine with "
        "internet access and the same Maya version and operating system run:\n"
        f'  "{mayapy}" -m pip download --only-binary=:all: -d audio2face-wheels {packages}\n'
        "copy the audio2face-wheels folder to this machine and run:\n"
        f'  "{mayapy}" -m pip install --no-index --find-links audio2face-wheels --target "{target}" {packages}\n'
        "then restart Maya."
    )


@dataclasses.dataclass
class DepsResult:
    """What the dependency step did."""

    target: Path
    installed: List[str] = dataclasses.field(default_factory=list)
    already: List[str] = dataclasses.field(default_factory=list)
    ok: bool = True
    message: str = ""


def install_dependencies(target: Path, mayapy: Optional[Path] = None, runner: Runner = subprocess.run,
                         requirements: Sequence[str] = RUNTIME_REQUIREMENTS,
                         say: Callable[[str], None] = lambda text: None) -> DepsResult:
    """``mayapy -m pip install --target <target>`` the dependencies mayapy cannot import yet.

    Packages Maya already ships are skipped, except that numpy is pinned to Maya's own version when
    other packages need it, so the copy in ``target`` is the same numpy. Never raises for pip
    failures: the result carries the message (with the offline instructions). Blocks for up to
    ``PIP_TIMEOUT_S``: in Maya, run it through ``DependencyInstall`` (a worker thread). ``say`` gets
    one line per step.
    """
    result = DepsResult(target=target)
    mayapy = mayapy or find_mayapy()
    if mayapy is None:
        result.ok = False
        result.message = ("mayapy was not found beside Maya's executable or in $MAYA_LOCATION/bin; install the "
                          f"dependencies by hand: mayapy -m pip install --target \"{target}\" "
                          + " ".join(requirements))
        return result
    say(f"asking {mayapy} which dependencies it has")
    versions = installed_versions(mayapy, target if target.is_dir() else None, runner)
    wanted: List[str] = []
    for requirement in requirements:
        name = requirement.split(">")[0].split("=")[0].split("<")[0].strip()
        if versions.get(_IMPORT_NAMES.get(name, name)):
            result.already.append(name)
        else:
            wanted.append(requirement)
    if not wanted:
        result.message = "dependencies already available to mayapy: " + ", ".join(result.already)
        return result
    if "numpy" in result.already and versions.get("numpy") not in (None, "?"):
        wanted.append(f"numpy=={versions['numpy']}")  # same numpy as Maya's, should pip pull one in
    target.mkdir(parents=True, exist_ok=True)
    command = [str(mayapy), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
               "--upgrade", "--target", str(target), *wanted]
    logger.info("running %s", " ".join(command))
    say("pip is installing " + ", ".join(wanted) + f" into {target} (this can take minutes)")
    try:
        done = runner(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False,
                      creationflags=NO_WINDOW)
    except (OSError, subprocess.TimeoutExpired) as exc:
        result.ok = False
        result.message = f"pip did not finish ({exc}).\n" + offline_help(mayapy, target, wanted)
        return result
    if done.returncode != 0:
        result.ok = False
        tail = (done.stderr or done.stdout or "").strip()[-600:]
        result.message = f"pip failed:\n{tail}\n\n" + offline_help(mayapy, target, wanted)
        return result
    result.installed = [w for w in wanted if not w.startswith("numpy==")]
    result.message = "installed into " + str(target) + ": " + ", ".join(result.installed)
    return result


# --------------------------------------------------------------------------- install / uninstall


@dataclasses.dataclass
class InstallResult:
    """What ``install`` did, for the user."""

    mod_file: Path
    root: Path
    deps: Optional[DepsResult] = None
    loaded: bool = False
    deps_job: Optional[DependencyInstall] = None
    messages: List[str] = dataclasses.field(default_factory=list)
    warnings: List[str] = dataclasses.field(default_factory=list)


def _add_to_sys_path(*folders: Path) -> None:
    for folder in folders:
        text = str(folder)
        if folder.is_dir() and text not in sys.path:
            sys.path.append(text)


def _run_cancellable(command: Sequence[str], *, cancel: threading.Event, timeout: float,
                     **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``subprocess.run`` that kills the child when ``cancel`` is set (checked every 0.2 s)."""
    kwargs.pop("check", None)
    kwargs.pop("capture_output", None)
    process = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)  # noqa: S603
    deadline = time.monotonic() + timeout
    while True:
        try:
            out, err = process.communicate(timeout=0.2)
            return subprocess.CompletedProcess(list(command), process.returncode, out, err)
        except subprocess.TimeoutExpired:
            if cancel.is_set() or time.monotonic() > deadline:
                process.kill()
                process.communicate()
                if cancel.is_set():
                    raise OSError("cancelled") from None
                raise


class DependencyInstall:
    """``install_dependencies`` in a worker thread: Maya's UI stays responsive while pip runs.

    Progress lines and the outcome reach Maya's main thread through ``maya.utils.executeDeferred``
    (``schedule``); ``cancel()`` kills pip. ``on_done(result)`` runs on the main thread.
    """

    def __init__(self, target: Path, mayapy: Optional[Path], runner: Optional[Runner] = None,
                 say: Callable[[str], None] = lambda text: None,
                 on_done: Callable[[DepsResult], None] = lambda result: None,
                 schedule: Optional[Callable[[Callable[[], Any]], Any]] = None) -> None:
        self.target, self.mayapy = target, mayapy
        self._cancel = threading.Event()
        self.runner: Runner = runner or functools.partial(_run_cancellable, cancel=self._cancel)
        self._say, self._on_done = say, on_done
        self._schedule = schedule or _deferred
        self.lines: List[str] = []
        self.result: Optional[DepsResult] = None
        self.thread = threading.Thread(target=self._run, name="audio2face-pip", daemon=True)

    def start(self) -> DependencyInstall:
        """Start the worker; returns at once."""
        self.thread.start()
        return self

    def cancel(self) -> None:
        """Stop pip (the next install tries again)."""
        self._cancel.set()

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def _post(self, fn: Callable[[], Any]) -> None:
        try:
            self._schedule(fn)
        except Exception:  # a closing Maya refuses deferred work; nothing is left to tell
            logger.debug("could not reach Maya's main thread", exc_info=True)

    def _line(self, text: str) -> None:
        self.lines.append(text)
        self._post(lambda: self._say(text))

    def _run(self) -> None:
        try:
            result = install_dependencies(self.target, self.mayapy, self.runner, say=self._line)
        except Exception as exc:  # the probe failing, a bug: reported, never raised into a thread
            result = DepsResult(target=self.target, ok=False, message=f"dependencies not installed: {exc}")
        if self._cancel.is_set():
            result.ok, result.message = False, "dependency installation cancelled; run the installer again"
        self.result = result
        self._post(lambda: self._on_done(result))


def _deferred(fn: Callable[[], Any]) -> Any:
    import maya.utils

    return maya.utils.executeDeferred(fn)


def install(root: Optional[Path] = None, modules_dir: Optional[Path] = None, *, deps: bool = True,
            load: bool = True, mayapy: Optional[Path] = None, runner: Optional[Runner] = None,
            background: bool = False) -> InstallResult:
    """Install the module for the running Maya (or, without Maya, just write the ``.mod``).

    Args:
        root: The module folder (default: this checkout). It may be read-only: nothing is written there.
        modules_dir: Where to write ``audio2face.mod`` (default ``<MAYA_APP_DIR>/modules``).
        deps: Install the core's dependencies with mayapy's pip into ``<MAYA_APP_DIR>/audio2face/deps``.
        load: Load the module, plug-in and shelf in this session (interactive Maya only).
        mayapy: The mayapy to use (default: ``audio2face_maya.mayapy.find_mayapy``).
        runner: ``subprocess.run``-like (tests pass a fake; default: one ``cancel`` can stop).
        background: Run pip in a worker thread (``result.deps_job``) and return at once; the module
            is loaded again when it finishes. Without it the call waits for pip.
    """
    root = (root or module_root()).resolve()
    for needed in ("scripts", "maya_plugin"):
        if not (root / needed).is_dir():
            raise Audio2FaceError(f"not an Audio2Face module folder (no {needed}/)", root)
    target_dir = modules_dir or user_modules_dir()
    deps_root = user_deps_root()
    mod_file = write_mod(Path(target_dir), root, deps_root)
    result = InstallResult(mod_file=mod_file, root=root)
    result.messages.append(f"wrote {mod_file}")
    in_maya = _maya_running()
    version = maya_version() if in_maya else None
    deps_dir = deps_root / paths.deps_name(version, current_platform()) if version else None
    if deps_dir is not None:
        _add_to_sys_path(deps_dir, root / deps_folder(str(version), current_platform()))
    if deps and deps_dir is not None and not background:
        result.deps = install_dependencies(deps_dir, mayapy, runner or subprocess.run)
        (result.messages if result.deps.ok else result.warnings).append(result.deps.message)
        _add_to_sys_path(deps_dir)
    elif deps and deps_dir is None:
        result.warnings.append("not running in Maya: dependencies were not installed (run the installer in Maya)")
    if load and in_maya:
        result.loaded = _load_now(mod_file, root, result)
    if deps and deps_dir is not None and background:
        result.deps_job = DependencyInstall(deps_dir, mayapy, runner, say=_info,
                                            on_done=functools.partial(_deps_done, mod_file, root)).start()
        result.messages.append("installing the dependencies in the background; Maya stays usable "
                               "(cancel: audio2face_maya.install.cancel())")
    return result


def _info(text: str) -> None:
    import maya.api.OpenMaya as om

    om.MGlobal.displayInfo(f"Audio2Face: {text}")


def _deps_done(mod_file: Path, root: Path, deps_result: DepsResult) -> None:
    """Main thread, after the background pip: report, put the folder on sys.path, load what could not load."""
    import maya.api.OpenMaya as om

    (om.MGlobal.displayInfo if deps_result.ok else om.MGlobal.displayWarning)(f"Audio2Face: {deps_result.message}")
    if not deps_result.ok:
        return
    _add_to_sys_path(deps_result.target)
    from . import plugin

    if not plugin.is_loaded():
        result = InstallResult(mod_file=mod_file, root=root)
        _load_now(mod_file, root, result)
        for line in result.messages:
            om.MGlobal.displayInfo(f"Audio2Face: {line}")
        for line in result.warnings:
            om.MGlobal.displayWarning(f"Audio2Face: {line}")
    om.MGlobal.displayInfo("Audio2Face: ready")


_current_jobs: List[DependencyInstall] = []


def cancel() -> bool:
    """Cancel a background dependency installation; returns whether one was running."""
    running = [job for job in _current_jobs if job.running]
    for job in running:
        job.cancel()
    return bool(running)


def _maya_running() -> bool:
    from .host import maya_available

    return maya_available()


def _load_now(mod_file: Path, root: Path, result: InstallResult) -> bool:
    """Load the module, the plug-in and (with a UI) the shelf without restarting Maya."""
    from maya import cmds

    from . import plugin

    try:
        cmds.loadModule(load=str(mod_file))
    except RuntimeError as exc:
        result.warnings.append(f"loadModule failed ({exc}); the module loads at the next start")
    _add_to_sys_path(root / "scripts")
    try:
        plugin.ensure_loaded()
        result.messages.append("loaded the plug-in (audio2faceAnimate, audio2faceExport)")
    except Audio2FaceError as exc:
        result.warnings.append(str(exc))
        return False
    if not cmds.about(batch=True):
        try:
            from . import shelf

            shelf.install_shelf()
            result.messages.append("added the Audio2Face shelf")
        except Exception as exc:  # the shelf is a convenience; the commands work without it
            result.warnings.append(f"the shelf could not be added now ({exc}); it appears at the next start")
    return True


def uninstall(modules_dir: Optional[Path] = None, *, remove_deps: bool = False, root: Optional[Path] = None
              ) -> List[str]:
    """Remove ``audio2face.mod`` (and optionally the dependency folders); unload the plug-in and shelf.

    Returns:
        What was done, one line each.
    """
    done: List[str] = []
    mod_file = Path(modules_dir or user_modules_dir()) / MOD_FILE
    if mod_file.is_file():
        mod_file.unlink()
        done.append(f"removed {mod_file}")
    if _maya_running():
        from maya import cmds

        from . import plugin

        if plugin.is_loaded():
            try:
                cmds.unloadPlugin(plugin.PLUGIN_FILE, force=True)
                done.append("unloaded the plug-in")
            except RuntimeError as exc:
                done.append(f"could not unload the plug-in now ({exc}); it is gone after a restart")
        if not cmds.about(batch=True):
            try:
                from . import shelf

                if shelf.uninstall_shelf():
                    done.append("removed the Audio2Face shelf")
            except Exception as exc:  # the UI may be gone; the .mod removal is what matters
                done.append(f"could not remove the shelf now ({exc})")
    if remove_deps:
        import shutil

        for deps in (user_deps_root(), (root or module_root()) / "deps"):
            if deps.is_dir():
                try:
                    shutil.rmtree(deps)
                    done.append(f"removed {deps}")
                except OSError as exc:  # a read-only site install: its deps are the administrator's
                    done.append(f"could not remove {deps} ({exc})")
    if not done:
        done.append("nothing to remove: Audio2Face was not installed for this user")
    return done


def install_from_drop(root: str) -> bool:
    """Entry point of ``install.mel``: install, then tell the user what happened in the Script Editor."""
    import maya.api.OpenMaya as om

    try:
        result = install(Path(root), background=True)
    except Audio2FaceError as exc:
        om.MGlobal.displayError(f"Audio2Face install failed: {exc}")
        return False
    if result.deps_job is not None:
        _current_jobs.append(result.deps_job)
    for line in result.messages:
        om.MGlobal.displayInfo(f"Audio2Face: {line}")
    for line in result.warnings:
        om.MGlobal.displayWarning(f"Audio2Face: {line}")
    om.MGlobal.displayInfo("Audio2Face: installed" + (" and loaded" if result.loaded else "")
                           + ". To uninstall: import audio2face_maya.install as i; i.uninstall()")
    return True


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m audio2face_maya.install [--uninstall] [--modules DIR] [--no-deps]`` outside Maya."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m audio2face_maya.install",
                                     description="Write (or remove) the Audio2Face Maya module file.")
    parser.add_argument("--uninstall", action="store_true")
    parser.add_argument("--modules", default=None, help="modules folder (default: <MAYA_APP_DIR>/modules)")
    parser.add_argument("--mayapy", default=None, help="install the dependencies with this mayapy")
    parser.add_argument("--maya-version", default=None, choices=MAYA_VERSIONS,
                        help="the Maya version of --mayapy (names the dependency folder)")
    args = parser.parse_args(argv)
    modules = Path(args.modules) if args.modules else None
    try:
        if args.uninstall:
            for line in uninstall(modules):
                print(line)
            return 0
        result = install(modules_dir=modules, deps=False, load=False)
        for line in result.messages:
            print(line)
        if args.mayapy:
            if not args.maya_version:
                raise Audio2FaceError("--mayapy needs --maya-version")
            target = paths.user_deps_dir(user_app_dir(), args.maya_version, current_platform())
            deps = install_dependencies(target, Path(args.mayapy))
            print(deps.message)
            return 0 if deps.ok else 1
    except Audio2FaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
