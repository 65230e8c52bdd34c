"""Generate tab: drop speech, preview curves off the UI thread, edit the mapping, cancel, apply."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

pytest_plugins = ["ui_conftest"]


@pytest.fixture()
def tab(qtbot, ui_store, ui_model):
    from ui_conftest import make_generate_tab

    tab = make_generate_tab(qtbot, ui_store, ui_model)
    yield tab
    tab.shutdown()


def _direct(audio, **settings):
    from audio2face import pipeline

    return pipeline.animate(str(audio), pipeline.AnimateSettings(**settings))


def test_drop_with_file_urls_starts_generation_and_fills_preview(qtbot, tab, ui_speech, ui_model, drop):
    assert tab.plot.curves() is None and not tab.apply_button.isEnabled()
    with qtbot.waitSignal(tab.curves_ready, timeout=30000) as blocker:
        entered, dropped = drop(tab.drop_zone, [ui_speech])
        assert tab.job() is not None, "generation starts on the drop"
    assert entered and dropped
    curves = blocker.args[0]
    assert tab.plot.curves() is curves
    assert tab.audio_path == str(ui_speech)
    expected = _direct(ui_speech, model=str(ui_model))
    assert curves.names == expected.names
    assert curves.weights.shape == expected.weights.shape
    assert np.allclose(curves.weights, expected.weights, atol=1e-5)
    assert tab.apply_button.isEnabled()
    assert tab.progress.value() == tab.progress.maximum()
    assert f"{curves.frame_count} frames" in tab.message.text()
    assert tab.plot.coloured_names(), "the most active curves are drawn in colour"


def test_drop_of_non_audio_file_is_rejected_with_a_message(qtbot, tab, tmp_path, drop):
    notes = tmp_path / "notes.txt"
    notes.write_text("not audio")
    entered, dropped = drop(tab.drop_zone, [notes])
    assert entered and not dropped
    assert tab.job() is None and tab.audio_path is None
    assert tab.message.level == "error"
    assert "Not an audio file: notes.txt" in tab.message.text()
    assert tab.plot.curves() is None


def test_unreadable_audio_is_reported_in_plain_words(qtbot, tab, tmp_path, drop):
    from ui_conftest import wait_idle

    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF0000WAVEjunk" * 4)
    drop(tab.drop_zone, [broken])
    wait_idle(qtbot, tab)
    assert tab.message.level == "error"
    assert "broken.wav" in tab.message.text()
    assert "Traceback" not in tab.message.text()
    assert tab.plot.curves() is None and not tab.apply_button.isEnabled()


def test_mapping_edits_change_what_gets_keyed(qtbot, tab, ui_speech, ui_model, tmp_path):
    from audio2face.formats import read_curves

    tab.load_target_names(_targets_file(tmp_path, ["JawOpen", "mouthFunnel", "browInnerUp"]))
    table = tab.mapping_table
    assert table.targets() == ["JawOpen", "mouthFunnel", "browInnerUp"]
    assert table.source_text("JawOpen") == "jawOpen"  # auto-matched ignoring case
    assert table.unmatched() == ["browInnerUp"]
    assert table.item(2, 0).background().color() != table.item(0, 0).background().color()

    first = tmp_path / "first.json"
    tab.set_output(str(first))
    with qtbot.waitSignal(tab.applied, timeout=30000):
        tab.load_audio(str(ui_speech), apply_when_done=True)
    before = read_curves(first)

    table.set_source("browInnerUp", "mouthClose")  # as a user picks it
    table.set_source("JawOpen", None)
    assert table.unmatched() == ["JawOpen"]
    assert not tab.apply_button.isEnabled(), "the preview no longer matches the mapping"
    second = tmp_path / "second.json"
    tab.set_output(str(second))
    with qtbot.waitSignal(tab.curves_ready, timeout=30000):
        tab.generate_button.click()
    assert tab.apply_button.isEnabled()
    with qtbot.waitSignal(tab.applied, timeout=30000):
        tab.apply_button.click()
    after = read_curves(second)

    identity = _direct(ui_speech, model=str(ui_model))
    assert before.unmatched == ["browInnerUp"] and after.unmatched == ["JawOpen"], "an unmatched target is not keyed"
    assert not before.is_driven("browInnerUp") and after.is_driven("browInnerUp") and not after.is_driven("JawOpen")
    assert np.allclose(before.channel("JawOpen"), identity.channel("jawOpen"), atol=1e-4)
    assert np.allclose(after.channel("browInnerUp"), identity.channel("mouthClose"), atol=1e-4)
    assert np.allclose(after.channel("mouthFunnel"), before.channel("mouthFunnel"), atol=1e-6)
    assert "1 unmatched" in tab.message.text()


def test_cancel_stops_a_long_job(qtbot, tab, tmp_path, ui_speech):
    from audio2face import pipeline
    from ui_conftest import wait_idle, write_speech

    long_clip = write_speech(tmp_path / "long.wav", seconds=12.0)
    calls = []

    def slow_predict(audio, settings, progress, cancel):
        def slow_progress(done, total):
            calls.append(done)
            time.sleep(0.05)
            progress(done, total)

        small_batches = dataclasses.replace(settings, batch_size=8)
        return pipeline.predict(audio, small_batches, progress=slow_progress, cancel=cancel)

    tab.state.predict_fn = slow_predict
    out = tmp_path / "never.json"
    tab.set_output(str(out))
    tab.load_audio(str(long_clip), apply_when_done=True)
    job = tab.job()
    qtbot.waitUntil(lambda: len(calls) >= 2, timeout=20000)
    assert tab.cancel_button.isEnabled()
    with qtbot.waitSignal(job.cancelled, timeout=20000):
        tab.cancel_button.click()
    wait_idle(qtbot, tab)
    full_run = 1 + int(np.ceil(12.0 * 30 / 8))  # one call for the features, one per inference batch
    assert len(calls) < 10 < full_run, "the job stopped soon after the cancel instead of running to the end"
    assert tab.curves() is None and tab.plot.curves() is None
    assert not out.exists(), "nothing is written after a cancel"
    assert "Cancelled" in tab.message.text()
    assert not tab.cancel_button.isEnabled() and tab.progress.value() == 0


def test_ui_stays_responsive_while_generating(qtbot, tab, tmp_path):
    from audio2face import pipeline
    from ui_conftest import wait_idle

    def slow_predict(audio, settings, progress, cancel):
        time.sleep(0.6)
        return pipeline.predict(audio, settings, progress=progress, cancel=cancel)

    from ui_conftest import write_speech

    clip = write_speech(tmp_path / "clip.wav", seconds=1.0)
    tab.state.predict_fn = slow_predict
    ticks = []
    from audio2face_maya.vendor.Qt import QtCore

    timer = QtCore.QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    tab.load_audio(str(clip))
    wait_idle(qtbot, tab)
    timer.stop()
    assert tab.curves() is not None
    assert len(ticks) >= 10, "the event loop kept running while the worker thread computed"


def test_knobs_map_one_to_one_onto_post_settings(qtbot, tab):
    knobs = tab.knobs
    knobs.spins["strength"].setValue(0.7)
    knobs.spins["smoothing_ms"].setValue(40)
    knobs.spins["lip_open_offset"].setValue(0.1)
    knobs.spins["time_offset_ms"].setValue(-30)
    knobs.silence_gate.setChecked(False)
    knobs.emotion.setCurrentText("open")
    knobs.reduce.setValue(0.005)
    settings = tab.animate_settings()
    post = settings.post
    assert (post.strength, post.smoothing_ms, post.lip_open_offset, post.time_offset_ms, post.silence_gate) == (
        0.7, 40.0, 0.1, -30.0, False)
    assert settings.emotion == "open" and settings.reduce == pytest.approx(0.005)
    knobs.reduce.setValue(0.0)
    knobs.emotion.setCurrentText("neutral")
    assert tab.animate_settings().reduce is None and tab.animate_settings().emotion is None


def test_live_preview_follows_the_knobs(qtbot, tab, ui_speech):
    from ui_conftest import wait_idle

    with qtbot.waitSignal(tab.curves_ready, timeout=30000):
        tab.load_audio(str(ui_speech))
    assert np.any(tab.curves().weights > 0.01)
    tab.live_check.setChecked(True)
    with qtbot.waitSignal(tab.curves_ready, timeout=30000) as blocker:
        tab.knobs.spins["strength"].setValue(0.0)
    wait_idle(qtbot, tab)
    assert np.allclose(blocker.args[0].weights, 0.0, atol=1e-6)
    assert tab.plot.curves() is blocker.args[0]


def test_settings_persist_between_sessions(qtbot, ui_store, ui_model, tmp_path):
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.generate_tab import GenerateTab
    from audio2face_maya.ui.settings_store import SettingsStore
    from ui_conftest import make_generate_tab

    first = make_generate_tab(qtbot, ui_store, ui_model)
    first.knobs.spins["strength"].setValue(1.4)
    first.knobs.spins["time_offset_ms"].setValue(25)
    first.knobs.silence_gate.setChecked(False)
    first.set_output(str(tmp_path / "shot.anim"))
    first.start_frame.setValue(101)
    first.shutdown()

    again = SettingsStore(ui_store.file_name)  # a new session reading the same file
    second = GenerateTab(FileHost(), again)
    qtbot.addWidget(second)
    assert second.knobs.spins["strength"].value() == pytest.approx(1.4)
    assert second.knobs.spins["time_offset_ms"].value() == pytest.approx(25)
    assert not second.knobs.silence_gate.isChecked()
    assert second.state.output_dir == str(tmp_path) and second.state.output_extension == ".anim"
    assert second.start_frame.value() == 101
    assert second.current_model_path() == str(ui_model)


def test_bad_inputs_are_plain_messages(qtbot, tab, tmp_path):
    from audio2face_maya.ui.messages import guarded

    guarded(tab.message, lambda: tab.add_model(str(tmp_path)))()
    assert tab.message.level == "error" and "not a model bundle" in tab.message.text()
    tab.mapping_table.set_source(tab.mapping_table.targets()[0], "max(jawOpen, nope)")
    assert tab.mapping_table.invalid() == [tab.mapping_table.targets()[0]]
    tab.audio_path = None
    tab.generate_button.click()
    assert "drop a speech file first" in tab.message.text()


def _targets_file(folder, names):
    path = folder / "targets.txt"
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    return str(path)
