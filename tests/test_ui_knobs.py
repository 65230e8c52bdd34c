"""The panel's knobs come from the settings schema: every panel knob has a widget and reads back."""

from __future__ import annotations

import pytest
from audio2face.settings_io import animate_settings_from_dict, knobs_on
from test_settings_schema import SAMPLES, value_of

pytest_plugins = ["ui_conftest"]


def test_the_panel_shows_every_panel_knob_and_reads_it_back(qtbot):
    from audio2face_maya.ui.knobs import PostKnobs

    knobs = PostKnobs()
    qtbot.addWidget(knobs)
    knobs.set_emotion_presets(["open"])
    for entry in knobs_on("panel"):
        value = SAMPLES[entry.name]
        if entry.name in knobs.spins:
            knobs.spins[entry.name].setValue(value)
        elif entry.name in knobs.checks:
            knobs.checks[entry.name].setChecked(value)
        elif entry.name in knobs.texts:
            knobs.texts[entry.name].setText(value)
        else:
            assert entry.knob.kind == "emotion"
            knobs.emotion.setCurrentText(value)
    values = knobs.values()
    assert set(values) == {k.name for k in knobs_on("panel")}
    settings = animate_settings_from_dict(values)
    for entry in knobs_on("panel"):
        expected = SAMPLES[entry.name]
        got = value_of(settings, entry.name)
        assert got == pytest.approx(expected, abs=10 ** -(entry.knob.panel.decimals if entry.knob.panel else 6)), \
            entry.name


def test_a_knob_off_the_panel_is_not_shown_and_the_silence_knobs_are(qtbot):
    from audio2face_maya.ui.knobs import PostKnobs

    knobs = PostKnobs()
    qtbot.addWidget(knobs)
    assert {"silence_db", "silence_release_ms", "silence_anticipation_ms", "silence_ramp_ms"} <= set(knobs.spins)
    assert "model" not in knobs.values() and "gains" not in knobs.values()
    assert knobs.spins["smoothing_ms"].maximum() == 1000.0 and knobs.spins["silence_db"].suffix() == " dB"
    assert knobs.reduce_tolerance() is None and "key_rest_targets" not in knobs.values()  # the tab's own box
