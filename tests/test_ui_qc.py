"""The Generate tab's QC section: after Generate it shows the shot's QC figures and picture (offscreen)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

pytest_plugins = ["ui_conftest"]

SILENCE = (1.2, 2.0)


@pytest.fixture()
def clip(tmp_path: Path) -> Path:
    """3 s of speech-like sound, silent from 1.2 to 2.0 s."""
    import soundfile as sf
    from conftest import speech_like

    path = tmp_path / "line07.wav"
    sf.write(str(path), speech_like(3.0, 16000, silence=(SILENCE,), seed=5), 16000, subtype="PCM_16")
    return path


def _jaw_in_silence(value: float):  # noqa: ANN202
    """The real pipeline (random tiny model), then the jaw set to ``value`` through the silence."""

    def finish(prediction, settings):  # noqa: ANN001, ANN202
        from audio2face import pipeline
        from audio2face.key_reduction import reduce_curves

        curves = pipeline.finish(prediction, settings)
        weights = curves.weights.copy()
        seconds = np.arange(curves.frame_count) / curves.fps
        weights[(seconds >= SILENCE[0]) & (seconds < SILENCE[1]), curves.names.index("jawOpen")] = value
        changed = dataclasses.replace(curves, weights=weights, keys=None)
        return reduce_curves(changed, settings.reduce) if settings.reduce is not None else changed

    return finish


def test_generate_shows_qc_figures_and_picture_and_flags_an_open_mouth(qtbot, ui_store, ui_model, clip, tmp_path):
    from ui_conftest import make_generate_tab, wait_idle

    tab = make_generate_tab(qtbot, ui_store, ui_model)
    tab.resize(800, 900)
    assert tab.views.tabText(1) == "QC" and not tab.qc_view.save_button.isEnabled()
    tab.state.finish_fn = _jaw_in_silence(0.7)
    tab.load_audio(str(clip))
    wait_idle(qtbot, tab)
    report = tab.qc_view.report()
    assert report is not None and report.shot == "line07"
    assert report.frames == tab.curves().frame_count, "the QC is of the previewed curves"
    spans = report.silence["spans"]
    assert len(spans) == 1 and report.score < 100
    assert tab.views.tabText(1) == f"QC {report.score:.0f}/100"
    fields = tab.qc_view.fields
    start, end = spans[0]["start_frame"], spans[0]["end_frame"]
    assert "1 span" in fields["silence"].text() and f"{start:g}-{end:g}" in fields["silence"].text()
    assert "mouth open in silence" in tab.qc_view.headline.text()
    assert "confidence" in fields["offset"].text() or "not measured" in fields["offset"].text()
    assert fields["keys"].text().startswith("a key on every frame")
    assert not tab.qc_view.picture_size().isEmpty()
    assert tab.qc_view.save_button.isEnabled()
    saved = tab.qc_view.save(str(tmp_path / "line07_qc.json"))
    assert json.loads(saved.read_text())["silence"]["spans"] == json.loads(json.dumps(spans))
    assert saved.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"


def test_a_clean_preview_is_not_flagged_and_reduced_keys_show_keys_per_second(qtbot, ui_store, ui_model, clip):
    from ui_conftest import make_generate_tab, wait_idle

    tab = make_generate_tab(qtbot, ui_store, ui_model)
    tab.knobs.reduce.setValue(0.02)
    tab.state.finish_fn = _jaw_in_silence(0.0)
    tab.load_audio(str(clip))
    wait_idle(qtbot, tab)
    report = tab.qc_view.report()
    assert report.silence["spans"] == [] and report.silence["checked_seconds"] > 0.3
    assert tab.qc_view.fields["silence"].text().startswith("none: the mouth stays under 0.1")
    keys = report.keys
    assert keys is not None and keys["tolerance"] == pytest.approx(0.02)
    assert f"{keys['keys_per_second']:.1f} keys/s" in tab.qc_view.fields["keys"].text()


def test_a_shot_too_short_for_qc_still_previews(qtbot, ui_store, ui_model, clip):
    from audio2face.curves import Curves
    from ui_conftest import make_generate_tab, wait_idle

    tab = make_generate_tab(qtbot, ui_store, ui_model)
    tab.state.finish_fn = lambda prediction, settings: Curves(["jawOpen"], 30.0, np.zeros((1, 1)))
    tab.load_audio(str(clip))
    wait_idle(qtbot, tab)
    assert tab.curves() is not None and tab.message.level != "error"
    assert tab.qc_view.report() is None and "QC needs at least 2" in tab.qc_view.headline.text()
    assert tab.views.tabText(1) == "QC"


def test_the_qc_picture_is_painted_by_qt_with_the_flag_colours(qtbot):
    from audio2face.curves import Curves
    from audio2face.qc import qc_report
    from audio2face.qc_plot import FLAG_BG
    from audio2face_maya.ui.qc_view import QcView, ShotQc
    from conftest import speech_like

    audio = speech_like(3.0, 16000, silence=(SILENCE,), seed=5)
    times = np.arange(90) / 30.0
    jaw = (0.5 + 0.4 * np.sin(times * 9)).astype(np.float32)
    view = QcView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    for value, red in ((0.0, False), (0.7, True)):
        weights = jaw.copy()
        weights[(times >= SILENCE[0]) & (times < SILENCE[1])] = value
        report = qc_report(audio, Curves(["jawOpen"], 30.0, weights[:, None]), sample_rate=16000)
        view.set_qc(ShotQc(report))
        image = view.picture.grab().toImage()
        colours = {image.pixelColor(x, y).getRgb()[:3] for x in range(0, image.width(), 2)
                   for y in range(0, image.height(), 2)}
        assert (tuple(FLAG_BG) in colours) is red
    assert not view.picture_size().isEmpty()
