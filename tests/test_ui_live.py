"""The Generate tab's Live toggle and Record through the Maya stand-in (offscreen): the rig moves while live,
nothing enters the undo queue, every weight comes back on stop, and Record keys the take as one undo step."""

from __future__ import annotations

import threading
from typing import Iterator, List

import numpy as np
import pytest
from audio2face.errors import Audio2FaceError

pytest_plugins = ["ui_conftest"]

from maya_standin.fixtures import maya, plug_writes  # noqa: E402,F401

RIG = {0: "jawOpen", 2: "mouthFunnel", 3: "mouthClose", 5: "browInnerUp"}
ORIGINAL = {"jawOpen": 0.25, "mouthFunnel": 0.0, "mouthClose": 0.6, "browInnerUp": 0.3}


class SteppedSource:
    """16 kHz speech the test releases block by block (``step``); ``close`` ends it."""

    sample_rate = 16000.0
    channels = 1
    description = "test audio"

    def __init__(self, seconds: float = 2.0, block: int = 1600, fail_after: int = -1) -> None:
        from conftest import speech_like

        self.audio = speech_like(seconds, 16000, seed=9)
        self.block = block
        self.fail_after = fail_after
        self._allowed = threading.Semaphore(0)
        self._closed = threading.Event()

    def chunks(self) -> Iterator[np.ndarray]:
        for number, start in enumerate(range(0, self.audio.size, self.block)):
            if number == self.fail_after:
                raise Audio2FaceError("the microphone was unplugged")
            while not self._allowed.acquire(timeout=0.05):
                if self._closed.is_set():
                    return
            yield self.audio[start : start + self.block, None]

    def step(self, blocks: int = 1) -> None:
        for _ in range(blocks):
            self._allowed.release()

    def close(self) -> None:
        self._closed.set()


@pytest.fixture()
def tab(qtbot, maya, ui_store, ui_model, ui_speech):  # noqa: F811
    from audio2face_maya.host import MayaHost
    from ui_conftest import make_generate_tab, wait_idle

    node = maya.build_rig(RIG, name="face_bs")
    for name, value in ORIGINAL.items():
        maya.set_static(f"{node}.{name}", value)
    tab = make_generate_tab(qtbot, ui_store, ui_model, host=MayaHost())
    tab.knobs.silence_gate.setChecked(False)
    tab.load_audio(str(ui_speech))
    wait_idle(qtbot, tab)
    return tab


def weights(maya) -> dict:  # noqa: ANN001, F811
    return {name: maya.cmds.getAttr(f"face_bs.{name}") for name in ORIGINAL}


def test_live_moves_the_rig_off_the_undo_queue_and_puts_every_weight_back(qtbot, maya, tab, plug_writes):  # noqa: F811
    source = SteppedSource()
    tab.live.source_fn = lambda kind, audio: source
    before, queue = maya.snapshot(), list(maya.scene.undo_queue)
    tab.live.button.click()
    qtbot.waitUntil(lambda: tab.live.preview is not None, timeout=10000)
    assert tab.live.button.isChecked() and not tab.node_combo.isEnabled() and not tab.apply_button.isEnabled()
    source.step(9)
    qtbot.waitUntil(lambda: weights(maya)["jawOpen"] != ORIGINAL["jawOpen"], timeout=10000)
    first = weights(maya)
    assert first["browInnerUp"] == ORIGINAL["browInnerUp"], "no model channel drives it: untouched"
    trace = tab.plot.curves()
    assert trace is not None and trace.source.get("live") and trace.names == tab.live.preview.names
    source.step(5)
    qtbot.waitUntil(lambda: weights(maya) != first, timeout=10000)
    assert maya.scene.undo_queue == queue and not maya.scene.redo_queue
    with qtbot.waitSignal(tab.live.stopped, timeout=10000):
        tab.live.button.click()
    assert weights(maya) == ORIGINAL and maya.snapshot() == before
    assert maya.scene.undo_queue == queue
    assert plug_writes and set(plug_writes) == {threading.main_thread().name}
    text = tab.message.text()
    assert "every weight is back" in text and "Not driven (no model channel): browInnerUp" in text
    assert not tab.live.button.isChecked() and tab.node_combo.isEnabled() and tab.apply_button.isEnabled()
    assert tab.plot.curves() is tab.curves(), "the preview comes back after Live"


def test_record_keys_the_dropped_file_played_at_real_time_as_one_undo_step(qtbot, maya, tab, ui_speech):  # noqa: F811
    maya.cmds.currentTime(10)
    before, queue = maya.snapshot(), len(maya.scene.undo_queue)
    tab.live.record_check.setChecked(True)
    moved: List[float] = []
    tab.live.trace_changed.connect(lambda curves: moved.append(weights(maya)["jawOpen"]))
    with qtbot.waitSignal(tab.live.stopped, timeout=30000) as stopped:
        tab.live.button.click()  # the 1.5 s file ends by itself and Live stops
    preview = stopped.args[0]
    assert preview.error is None and preview.report is not None
    assert len(set(moved)) > 3, "the rig moved while the file played"
    assert len(maya.scene.undo_queue) == queue + 1, "the take is keyed as one undo step"
    take = tab.plot.curves()
    assert take.frame_count == 36 and take.start_frame == 10.0  # 1.5 s at the scene's 24 fps, from frame 10
    keys = maya.keys("face_bs.jawOpen")
    assert [k[0] for k in keys] == list(take.times())
    np.testing.assert_allclose([k[1] for k in keys], take.channel("jawOpen"), atol=1e-6)
    assert maya.keys("face_bs.browInnerUp") == []
    assert "Recorded 36 frames" in tab.message.text() and not tab.live.button.isChecked()
    assert maya.cmds.ls(type="audio"), "the dropped file is put on a sound node with the take"
    maya.cmds.undo()
    assert maya.snapshot() == before and weights(maya) == ORIGINAL


def test_a_failing_source_is_reported_in_plain_words_and_the_rig_restored(qtbot, maya, tab):  # noqa: F811
    source = SteppedSource(fail_after=8)
    tab.live.source_fn = lambda kind, audio: source
    source.step(20)
    with qtbot.waitSignal(tab.live.stopped, timeout=10000):
        tab.live.button.click()
    assert tab.message.level == "error" and "Live stopped: the microphone was unplugged" in tab.message.text()
    assert weights(maya) == ORIGINAL and not tab.live.button.isChecked()


def test_the_model_loads_off_the_ui_thread_and_stopping_meanwhile_cancels(qtbot, maya, tab):  # noqa: F811
    from audio2face.pipeline import get_bundle

    release = threading.Event()
    loaded_on: List[str] = []

    def slow_bundle(model, threads):  # noqa: ANN001, ANN202
        loaded_on.append(threading.current_thread().name)
        release.wait(10)
        return get_bundle(model, threads)

    tab.live.bundle_fn = slow_bundle
    tab.live.source_fn = lambda kind, audio: pytest.fail("no source is opened after a cancel")
    tab.live.button.click()
    assert tab.live.active and tab.live.preview is None and "loading" in tab.live.status.text()
    qtbot.waitUntil(lambda: bool(loaded_on))
    assert loaded_on != [threading.main_thread().name]
    tab.live.button.click()
    release.set()
    qtbot.waitUntil(lambda: not tab.live._jobs, timeout=10000)
    assert not tab.live.active and tab.live.preview is None and "cancelled" in tab.message.text()
    assert weights(maya) == ORIGINAL


def test_locked_weights_are_left_alone_and_named_on_stop(qtbot, maya, tab):  # noqa: F811
    maya.lock("face_bs.mouthClose")
    source = SteppedSource()
    tab.live.source_fn = lambda kind, audio: source
    tab.live.button.click()
    qtbot.waitUntil(lambda: tab.live.preview is not None, timeout=10000)
    source.step(9)
    qtbot.waitUntil(lambda: weights(maya)["jawOpen"] != ORIGINAL["jawOpen"], timeout=10000)
    assert weights(maya)["mouthClose"] == ORIGINAL["mouthClose"]
    tab.live.button.click()
    assert tab.message.level == "warning" and "Left alone: mouthClose (the weight is locked)" in tab.message.text()
    assert weights(maya) == ORIGINAL


def test_outside_maya_live_is_disabled_and_says_it_needs_maya(qtbot, ui_store, ui_model):
    from audio2face_maya.ui.live_controls import NEEDS_MAYA
    from ui_conftest import make_generate_tab

    tab = make_generate_tab(qtbot, ui_store, ui_model)
    assert not tab.live.button.isEnabled() and not tab.live.record_check.isEnabled()
    assert tab.live.toolTip() == NEEDS_MAYA
    with pytest.raises(Audio2FaceError, match="needs Maya"):
        tab.live.start()


# -- latency (the panel's `audio2face live --latency-ms`) -------------------------------------------
def _pick_default_model(tab) -> None:  # noqa: ANN001
    index = tab.model_combo.findData("")
    assert index >= 0, "the shipped default model is offered"
    tab.model_combo.setCurrentIndex(index)


def test_a_latency_budget_runs_the_low_latency_model_and_live_reports_its_latency(qtbot, maya, tab):  # noqa: F811
    from audio2face.streaming import shipped_models

    low = next(m for m in shipped_models() if m.name == "lowlatency")
    _pick_default_model(tab)
    assert "the default model" in tab.live.latency_info.text() and "290 ms" in tab.live.latency_info.text()
    tab.live.latency_spin.setValue(120)
    assert "Picks the lowlatency model" in tab.live.latency_info.text()
    assert "about 110 ms after their audio (80 ms lookahead" in tab.live.latency_info.text()
    loaded: List[object] = []
    real = tab.live.bundle_fn
    tab.live.bundle_fn = lambda model, threads: (loaded.append(model), real(model, threads))[1]
    with qtbot.waitSignal(tab.live.stopped, timeout=30000) as stopped:
        tab.live.button.click()  # the dropped 1.5 s file plays at real time and Live stops at its end
    preview = stopped.args[0]
    assert loaded == [str(low)]
    assert preview.error is None and preview.session.bundle.path == low and preview.session.lookahead_ms == 80.0
    assert preview.latency.count > 0
    assert "Latency from a frame's audio to its weights: p50" in tab.message.text()
    assert "Last run: p50" in tab.live.latency_info.text()


def test_a_latency_budget_with_a_model_of_ones_own_is_refused_as_the_cli_refuses(qtbot, maya, tab, ui_model):  # noqa: F811
    assert tab.current_model_path() == str(ui_model)
    assert "Runs the tiny model" in tab.live.latency_info.text()
    tab.live.latency_spin.setValue(300)
    assert tab.live.latency_info.text().startswith("Live cannot start: A latency budget picks one of the shipped")
    tab.live.bundle_fn = lambda model, threads: pytest.fail("no model is loaded")
    tab.live.button.click()
    assert tab.message.level == "error" and "leave out the model picked under Model and rig" in tab.message.text()
    assert not tab.live.button.isChecked() and not tab.live.active
    tab.live.latency_spin.setValue(0)  # off: the model picked above runs, as without --latency-ms
    assert tab.live.latency_budget() is None and tab.live.live_model(str(ui_model)) == str(ui_model)


def test_a_budget_no_shipped_model_meets_says_what_the_least_latency_is(qtbot, maya, tab):  # noqa: F811
    _pick_default_model(tab)
    tab.live.latency_spin.setValue(100)
    text = tab.live.latency_info.text()
    assert text.startswith("Live cannot start: no model streams within 100 ms") and "about 110 ms" in text


def test_the_latency_budget_is_remembered_and_reached_by_keyboard(qtbot, maya, tab, ui_store):  # noqa: F811
    from audio2face_maya.vendor.Qt import QtWidgets

    label = next(w for w in tab.live.findChildren(QtWidgets.QLabel) if w.buddy() is tab.live.latency_spin)
    assert label.text() == "&Latency"
    assert tab.live.latency_spin.focusPolicy() != 0
    tab.live.latency_spin.setValue(150)
    tab.save_settings()
    assert ui_store.get("generate/live_latency_ms") == 150


def test_the_live_and_transcript_controls_fit_a_400_px_side_dock_in_maya(qtbot, maya, ui_store, ui_model):  # noqa: F811
    from audio2face_maya.host import MayaHost
    from audio2face_maya.ui.panel import Audio2FacePanel

    maya.build_rig(RIG, name="face_bs")
    panel = Audio2FacePanel(host=MayaHost(), store=ui_store)
    qtbot.addWidget(panel)
    panel.resize(400, 700)
    panel.show()
    tab = panel.generate_tab
    tab.add_model(str(ui_model))
    tab.live.latency_spin.setValue(100)  # the longest text the latency line shows
    qtbot.waitUntil(lambda: panel.width() == 400)
    assert tab.sections["live"].is_expanded() and tab.sections["transcript"].is_expanded()
    assert tab.live.latency_spin.isVisible() and tab.transcript_box.edit.isVisible()
    assert panel.minimumSizeHint().width() <= 400
    qtbot.waitUntil(lambda: tab.scroll.widget().width() <= tab.scroll.viewport().width())
