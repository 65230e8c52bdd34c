"""The Maya live preview through the stand-in: weights move while live, the undo queue stays untouched,
everything is restored on stop, and Record keys the take as one undo step."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator, List

import numpy as np
import pytest
from audio2face.bundle import load_bundle
from audio2face.errors import Audio2FaceError
from audio2face.pipeline import AnimateSettings
from audio2face.post import PostSettings
from audio2face.streaming import LiveFrame
from audio2face_maya.host import ApplyOptions, MayaHost
from audio2face_maya.live_preview import MANUAL, LivePreview
from conftest import speech_like
from maya_standin.fixtures import maya, plug_writes  # noqa: F401 - fixtures

RIG = {0: "jawOpen", 2: "mouthFunnel", 3: "mouthSmileLeft", 6: "mouthSmileRight", 7: "mouthClose", 9: "browInnerUp"}
ORIGINAL = {"jawOpen": 0.25, "mouthFunnel": 0.0, "mouthSmileLeft": 0.1, "mouthSmileRight": 0.0, "mouthClose": 0.6,
            "browInnerUp": 0.3}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory):
    from bundle_factory import make_bundle

    return load_bundle(make_bundle(tmp_path_factory.mktemp("live_preview") / "tiny_model"))


class SteppedSource:
    """A 16 kHz source the test releases block by block (``step``); ``close`` ends it."""

    sample_rate = 16000.0
    channels = 1
    description = "test audio"

    def __init__(self, seconds: float = 2.0, block: int = 1600) -> None:
        self.audio = speech_like(seconds, 16000, seed=21)
        self.block = block
        self._allowed = threading.Semaphore(0)
        self._closed = threading.Event()
        self.read = 0

    def chunks(self) -> Iterator[np.ndarray]:
        for start in range(0, self.audio.size, self.block):
            while not self._allowed.acquire(timeout=0.05):
                if self._closed.is_set():
                    return
            self.read = start + self.block
            yield self.audio[start : start + self.block, None]

    def step(self, blocks: int = 1) -> None:
        for _ in range(blocks):
            self._allowed.release()

    def close(self) -> None:
        self._closed.set()


def build(maya) -> str:  # noqa: ANN001, F811
    node = maya.build_rig(RIG)
    for name, value in ORIGINAL.items():
        maya.set_static(f"{node}.{name}", value)
    return node


def weights(maya, node: str) -> dict:  # noqa: ANN001, F811
    return {name: maya.cmds.getAttr(f"{node}.{name}") for name in ORIGINAL}


def wait_for(condition, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def settings(bundle) -> AnimateSettings:  # noqa: ANN001
    return AnimateSettings(model=str(bundle.path), post=PostSettings(silence_gate=False))


def test_weights_move_while_live_without_undo_and_come_back_on_stop(maya, bundle, plug_writes):  # noqa: F811
    node = build(maya)
    before = maya.snapshot()
    queue = list(maya.scene.undo_queue)
    seen: List[LiveFrame] = []
    preview = LivePreview(MayaHost(), node, bundle, settings(bundle))
    preview.add_frame_callback(seen.append)
    source = SteppedSource()
    preview.start(source)
    assert preview.unmatched == ["browInnerUp"]
    source.step(8)  # 0.8 s of audio: the first frames are complete
    wait_for(lambda: maya.scene.deferred)
    assert maya.run_idle() >= 1
    assert seen, "a frame was applied on the main thread"
    live = weights(maya, node)
    frame = seen[-1]
    for column, name in enumerate(preview.names):
        if name != "browInnerUp":
            assert live[name] == pytest.approx(float(frame.weights[column]), abs=1e-6)
    assert live["jawOpen"] != ORIGINAL["jawOpen"]
    assert live["browInnerUp"] == ORIGINAL["browInnerUp"]  # no channel drives it: untouched
    source.step(4)
    wait_for(lambda: maya.scene.deferred)
    maya.run_idle()
    assert seen[-1].index > frame.index and weights(maya, node) != live
    assert maya.scene.undo_queue == queue and not maya.scene.redo_queue
    assert preview.stop() is None
    assert weights(maya, node) == ORIGINAL
    assert maya.snapshot() == before
    assert maya.scene.undo_queue == queue
    assert plug_writes and set(plug_writes) == {threading.main_thread().name}


def test_record_keys_the_take_as_one_undo_step(maya, bundle, plug_writes):  # noqa: F811
    node = build(maya)
    maya.cmds.currentTime(10)
    before = maya.snapshot()
    queue = len(maya.scene.undo_queue)
    seen: List[LiveFrame] = []
    finished: List[bool] = []
    preview = LivePreview(MayaHost(), node, bundle, settings(bundle), record=True, schedule=MANUAL)
    preview.add_frame_callback(seen.append)
    preview.add_finished_callback(lambda: finished.append(True))
    source = SteppedSource(seconds=1.0)
    preview.start(source)
    source.step(100)  # the whole second: the source ends by itself
    wait_for(lambda: preview.finished)
    assert preview.tick() and finished == [True]
    assert len(maya.scene.undo_queue) == queue
    curves = preview.stop()
    assert curves is not None and curves.frame_count == 24  # 1 s at the scene's 24 fps
    assert [f.index for f in seen] == [23]  # a tick writes the newest frame, never a backlog
    assert curves.start_frame == 10.0 and curves.fps == 24.0  # the stand-in scene is at film rate
    assert len(maya.scene.undo_queue) == queue + 1, "the take is keyed as one undo step"
    assert preview.report is not None and "browInnerUp" not in preview.report.keyed
    keys = maya.keys(f"{node}.jawOpen")
    assert [k[0] for k in keys] == [10.0 + i for i in range(curves.frame_count)]
    np.testing.assert_allclose([k[1] for k in keys], curves.channel("jawOpen"), atol=1e-6)
    np.testing.assert_allclose(seen[-1].weights, curves.weights[-1], atol=0)
    assert maya.keys(f"{node}.browInnerUp") == []
    maya.cmds.undo()
    assert maya.snapshot() == before
    assert weights(maya, node) == ORIGINAL


def test_locked_and_driven_weights_are_left_alone(maya, bundle, plug_writes):  # noqa: F811
    node = build(maya)
    maya.lock(f"{node}.mouthClose")
    maya.drive(f"{node}.mouthFunnel", 0.4)
    preview = LivePreview(MayaHost(), node, bundle, settings(bundle), schedule=MANUAL)
    source = SteppedSource()
    preview.start(source)
    assert set(preview.skipped) == {"mouthClose", "mouthFunnel"}
    assert "locked" in preview.skipped["mouthClose"]
    source.step(10)
    wait_for(lambda: preview.frames_recorded > 0)
    assert preview.tick()
    assert maya.cmds.getAttr(f"{node}.mouthClose") == ORIGINAL["mouthClose"]
    assert maya.cmds.getAttr(f"{node}.mouthFunnel") == pytest.approx(0.4)
    assert maya.cmds.getAttr(f"{node}.jawOpen") != ORIGINAL["jawOpen"]
    preview.stop()
    assert maya.cmds.getAttr(f"{node}.jawOpen") == ORIGINAL["jawOpen"]


def test_a_failing_source_is_reported_and_the_rig_restored(maya, bundle, plug_writes):  # noqa: F811
    node = build(maya)

    class Broken(SteppedSource):
        def chunks(self) -> Iterator[np.ndarray]:
            yield self.audio[:8000, None]
            yield self.audio[8000:16000, None]
            raise Audio2FaceError("the microphone was unplugged")

    finished: List[bool] = []
    preview = LivePreview(MayaHost(), node, bundle, settings(bundle))
    preview.add_finished_callback(lambda: finished.append(True))
    preview.start(Broken())
    wait_for(lambda: preview.finished)
    maya.run_idle()
    assert finished == [True] and preview.error == "the microphone was unplugged"
    assert weights(maya, node)["jawOpen"] != ORIGINAL["jawOpen"]
    preview.stop()
    assert weights(maya, node) == ORIGINAL


def test_live_preview_needs_maya_and_a_drivable_rig(maya, bundle, plug_writes, tmp_path: Path):  # noqa: F811
    from audio2face_maya.host import FileHost

    with pytest.raises(Audio2FaceError, match="needs Maya"):
        LivePreview(FileHost(), "blendShape1", bundle)
    node = maya.build_rig({0: "eyeBlink", 1: "browDown"})
    with pytest.raises(Audio2FaceError, match="can be driven"):
        LivePreview(MayaHost(), node, bundle, settings(bundle)).start(SteppedSource())
    assert ApplyOptions().mode == "range"


def test_a_weight_locked_while_live_is_dropped_not_fatal(maya, bundle, plug_writes):  # noqa: F811
    node = build(maya)
    preview = LivePreview(MayaHost(), node, bundle, settings(bundle), schedule=MANUAL)
    source = SteppedSource()
    preview.start(source)
    source.step(9)
    wait_for(lambda: preview.frames_recorded > 0)
    maya.lock(f"{node}.jawOpen")
    assert preview.tick()
    assert "jawOpen" in preview.skipped
    assert maya.cmds.getAttr(f"{node}.mouthClose") != ORIGINAL["mouthClose"]
    preview.stop()
    assert maya.cmds.getAttr(f"{node}.mouthClose") == ORIGINAL["mouthClose"]


def test_a_recorded_take_gets_sparse_keys_when_key_reduction_is_on(maya, bundle, plug_writes):  # noqa: F811
    node = build(maya)
    reduced = AnimateSettings(model=str(bundle.path), post=PostSettings(silence_gate=False, smoothing_ms=40.0),
                              reduce=0.02)
    preview = LivePreview(MayaHost(), node, bundle, reduced, record=True, schedule=MANUAL)
    source = SteppedSource(seconds=2.0)
    preview.start(source)
    source.step(100)
    wait_for(lambda: preview.finished)
    curves = preview.stop()
    assert curves is not None and curves.keys is not None
    keys = maya.keys(f"{node}.jawOpen")
    assert 2 <= len(keys) < curves.frame_count, "fewer keys than frames"
    assert keys[0][0] == curves.start_frame and keys[-1][0] == curves.end_frame
    for frame, value in zip(curves.times(), curves.channel("jawOpen")):
        assert abs(maya.cmds.getAttr(f"{node}.jawOpen", time=float(frame)) - value) <= 0.02 + 1e-5


def _live(maya, node, bundle, source):  # noqa: ANN001, ANN202, F811
    preview = LivePreview(MayaHost(), node, bundle, settings(bundle), schedule=MANUAL)
    preview.start(source)
    source.step(8)
    wait_for(lambda: preview._latest is not None)
    assert preview.tick()
    return preview


def test_a_keyed_weight_is_muted_while_live_and_its_curve_comes_back(maya, bundle, plug_writes):  # noqa: F811
    node = build(maya)
    curve = maya.key(f"{node}.jawOpen", [(1, 0.0), (10, 1.0)])
    maya.cmds.currentTime(5)
    keyed_value = maya.cmds.getAttr(f"{node}.jawOpen")
    before, queue = maya.snapshot(), list(maya.scene.undo_queue)
    source = SteppedSource()
    preview = _live(maya, node, bundle, source)
    frame_value = maya.cmds.getAttr(f"{node}.jawOpen")
    assert maya.cmds.listConnections(f"{node}.jawOpen", source=True, destination=False) is None, "curve muted"
    assert frame_value != pytest.approx(keyed_value), "the live value shows, not the curve's"
    assert maya.cmds.keyframe(curve, query=True, keyframeCount=True) == 2, "the keys are untouched"
    preview.stop()
    assert maya.cmds.listConnections(f"{node}.jawOpen", source=True, destination=False) == [curve]
    assert maya.cmds.getAttr(f"{node}.jawOpen") == pytest.approx(keyed_value)
    assert maya.snapshot() == before and maya.scene.undo_queue == queue


@pytest.mark.parametrize("event", ["new", "open", "save", "exit"])
def test_the_preview_stops_before_the_scene_changes(maya, bundle, tmp_path, event):  # noqa: F811
    from maya_standin import om as standin_om

    build(maya)
    maya.save_scene(tmp_path / "other.ma")
    node = build(maya)
    curve = maya.key(f"{node}.mouthClose", [(1, 0.6), (10, 0.6)])
    source = SteppedSource()
    preview = _live(maya, node, bundle, source)
    if event == "new":
        maya.cmds.file(newFile=True, force=True)
    elif event == "open":
        maya.cmds.file(str(tmp_path / "other.ma"), open=True, force=True)
    elif event == "save":
        maya.cmds.file(rename=str(tmp_path / "saved.ma"))
        maya.cmds.file(save=True, type="mayaAscii")
        saved = maya.scene.__class__()
        from maya_standin import dg

        dg.load_scene(saved, str(tmp_path / "saved.ma"))
        plug = saved.plug(f"{node}.mouthClose")
        assert saved.inputs.get(plug) is not None and saved.inputs[plug].node.name == curve, "saved with its curve"
        assert saved.static_value(saved.plug(f"{node}.jawOpen")) == ORIGINAL["jawOpen"], "saved as it was"
    else:
        standin_om.fire_scene_message(standin_om.MSceneMessage.kMayaExiting)
    assert not preview.running and "stopped" in (preview.error or "")
    assert not standin_om._Callbacks.table, "every callback removed"
    source.step(20)
    time.sleep(0.1)
    assert not preview.tick() and preview.stop() is None  # nothing is written to a dead or changed scene


def test_deleting_the_node_while_live_stops_without_touching_it(maya, bundle):  # noqa: F811
    from maya_standin import om as standin_om

    node = build(maya)
    source = SteppedSource()
    preview = _live(maya, node, bundle, source)
    modifier = standin_om.MDGModifier()
    modifier.deleteNode(standin_om.MSelectionList().add(node).getDependNode(0))
    modifier.doIt()
    assert not preview.running and "deleted" in preview.error
    source.step(10)
    time.sleep(0.1)
    assert not preview.tick()


def test_targets_the_model_never_moves_are_left_alone_live(maya, tmp_path, plug_writes):  # noqa: F811
    import json

    from bundle_factory import make_bundle

    folder = make_bundle(tmp_path / "still_mouth")
    meta = json.loads((folder / "model.json").read_text())
    meta["animated_channels"] = ["jawOpen", "mouthFunnel"]
    (folder / "model.json").write_text(json.dumps(meta))
    still = load_bundle(folder)
    node = build(maya)
    preview = LivePreview(MayaHost(), node, still, settings(still), schedule=MANUAL)
    source = SteppedSource()
    preview.start(source)
    assert preview.at_rest == ["mouthSmileLeft", "mouthSmileRight", "mouthClose"]
    source.step(8)
    wait_for(preview.tick)  # a frame reached the rig
    live = weights(maya, node)
    assert live["jawOpen"] != ORIGINAL["jawOpen"]
    for name in ("mouthSmileLeft", "mouthSmileRight", "mouthClose", "browInnerUp"):
        assert live[name] == ORIGINAL[name], name
    source.close()
    preview.stop()
