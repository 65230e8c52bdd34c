"""pytest fixtures and scene builders for tests that run the Maya code against the stand-in.

Import the fixtures into a test module: ``from maya_standin.fixtures import maya, maya_batch  # noqa: F401``.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import pytest

from . import MODULE_NAMES, cmds, dg, install, om, oma, uninstall, utils

REPO = Path(__file__).resolve().parents[2]
PLUGIN_DIR = REPO / "maya_plugin"


@dataclass
class Session:
    """The installed stand-in: the scene plus helpers to build rigs the way a user's scene looks."""

    scene: dg.Scene

    @property
    def cmds(self):  # noqa: ANN201 - the stand-in module
        return cmds

    def build_rig(self, targets: Dict[int, str], name: str = "blendShape1", mesh: str = "face",
                  unaliased: Sequence[int] = ()) -> str:
        """A mesh deformed by a blendShape whose weights sit at the given sparse indices with aliases.

        Aliases are added in reverse index order (aliasAttr's query is not index-sorted).
        """
        scene = self.scene
        for full in (name, mesh):  # a rig in a namespace, as a referenced one is
            if ":" in full:
                scene.namespaces = getattr(scene, "namespaces", set()) | {full.rpartition(":")[0]}
        transform = scene.create_node("transform", mesh, None)
        shape = scene.create_node("mesh", f"{mesh}Shape", None, parent=transform)
        bs = scene.create_node("blendShape", name, None)
        for index in sorted(set(targets) | set(unaliased), reverse=True):
            scene.ensure_element(dg.Plug(bs, "weight", index), None)
            if index in targets:
                tgt = scene.create_node("transform", targets[index], None)
                tgt_shape = scene.create_node("mesh", f"{targets[index]}Shape", None, parent=tgt)
                scene.connect(dg.Plug(tgt_shape, "worldMesh", 0),
                              dg.Plug(bs, "inputTarget", 0, f".inputTargetGroup[{index}].inputTargetItem[6000]"
                                                             ".inputGeomTarget"), None)
                scene.set_alias(bs, targets[index], "weight", index, None)
        scene.connect(dg.Plug(bs, "outputGeometry", 0), dg.Plug(shape, "inMesh"), None)
        scene.modified = False
        return bs.name

    def key(self, plug: str, keys: Sequence[Tuple[float, float]], step: bool = False) -> str:
        """Hand animation: an animCurveTU with linear keys at scene frames (not on the undo queue)."""
        fn = oma.MFnAnimCurve()
        mplug = om.MSelectionList().add(plug).getPlug(0)
        fn.create(mplug, oma.MFnAnimCurve.kAnimCurveTU)
        unit = om.MTime.uiUnit()
        out = oma.MFnAnimCurve.kTangentStep if step else oma.MFnAnimCurve.kTangentLinear
        fn.addKeys([om.MTime(float(f), unit) for f, _ in keys], [v for _, v in keys],
                   oma.MFnAnimCurve.kTangentLinear, out, False, None)
        return fn.name()

    def keys(self, plug: str) -> List[Tuple[float, float]]:
        """(frame, value) of the keys driving ``plug`` directly; [] when none."""
        flat = cmds.keyframe(plug, query=True, timeChange=True, valueChange=True) or []
        return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]

    def drive(self, plug: str, value: float = 0.5) -> str:
        """Connect ``plug`` from a multDoubleLinear (a weight driven by something other than keys)."""
        scene = self.scene
        node = scene.create_node("multDoubleLinear", "driver", None)
        scene.set_value(dg.Plug(node, "input1"), value, None)
        scene.connect(dg.Plug(node, "output"), scene.plug(plug), None)
        return node.name

    def lock(self, plug: str) -> None:
        p = self.scene.plug(plug)
        self.scene.set_lock(p, True, None)

    def set_static(self, plug: str, value: float) -> None:
        self.scene.set_value(self.scene.plug(plug), float(value), None)

    def snapshot(self) -> dict:
        """Everything that undo must restore: nodes, values, connections, keys, aliases, time settings."""
        data = self.scene.to_json()
        data["nodes"] = sorted(data["nodes"], key=lambda n: n["name"])
        for node in data["nodes"]:
            node["values"] = sorted(node["values"], key=lambda v: (v[0], -1 if v[1] is None else v[1]))
            node["locked"] = sorted(node["locked"], key=str)
        data["connections"] = sorted(data["connections"], key=str)
        return data

    def save_scene(self, path: Path, maya_version: int = 2024) -> Path:
        """Write the scene to ``path`` (the stand-in's file form, saved by ``maya_version``) and start a new one."""
        dg.dump_scene(self.scene, str(path), maya_version)
        keep = (self.scene.batch, self.scene.batch_allowed, self.scene.plugins, self.scene.plugin_paths)
        self.scene.reset()
        self.scene.batch, self.scene.batch_allowed, self.scene.plugins, self.scene.plugin_paths = keep
        return path

    def run_idle(self) -> int:
        return utils.run_idle()


def _install(mode: str) -> Iterator[Session]:
    saved = {name: sys.modules.get(name) for name in MODULE_NAMES}
    scene = install(mode)
    scene.plugin_paths = [str(PLUGIN_DIR)]
    try:
        yield Session(scene)
    finally:
        for plugin in list(scene.plugins):
            scene.plugins.pop(plugin, None)
        uninstall(saved)


@pytest.fixture()
def maya(monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """Interactive Maya (UI available), with a new empty scene."""
    monkeypatch.delenv("MAYA_PLUG_IN_PATH", raising=False)
    yield from _install("gui")


@pytest.fixture()
def maya_batch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """An initialised mayapy (batch mode: UI commands fail)."""
    monkeypatch.delenv("MAYA_PLUG_IN_PATH", raising=False)
    yield from _install("batch")


@pytest.fixture()
def mayapy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """mayapy before ``maya.standalone.initialize`` (what ``mayapy -m audio2face_maya.batch`` starts in)."""
    monkeypatch.delenv("MAYA_PLUG_IN_PATH", raising=False)
    yield from _install("mayapy")


def plug_value(session: Session, plug: str, frame: Optional[float] = None) -> float:
    """``getAttr`` of a plug, at a frame when given."""
    if frame is None:
        return float(cmds.getAttr(plug))
    return float(cmds.getAttr(plug, time=frame))


@pytest.fixture()
def plug_writes(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The thread of every ``MPlug.setDouble`` (the direct plug set, on no undo queue), so tests can check that
    only the main thread touches the scene."""
    threads: List[str] = []
    real = om.MPlug.setDouble

    def recorded(self, value):  # noqa: ANN001
        threads.append(threading.current_thread().name)
        return real(self, value)

    monkeypatch.setattr(om.MPlug, "setDouble", recorded)
    return threads
