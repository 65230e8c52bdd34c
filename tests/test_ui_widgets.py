"""The panel's building blocks: settings store, plots, mapping table, drop zone."""

from __future__ import annotations

import numpy as np
import pytest

pytest_plugins = ["ui_conftest"]


def test_settings_store_round_trips_types_and_ignores_junk(tmp_path, qapp):
    from audio2face_maya.ui.settings_store import SettingsStore

    path = str(tmp_path / "a2f.ini")
    store = SettingsStore(path)
    store.set("f", 1.5)
    store.set("b", False)
    store.set("s", "x y")
    store.set("l", ["/a", "/b"])
    store.remember_path("recent", "/m1")
    store.remember_path("recent", "/m2")
    store.remember_path("recent", "/m1")
    store.sync()
    again = SettingsStore(path)
    assert again.get("f", 0.0) == 1.5 and again.get("b", True) is False and again.get("s", "") == "x y"
    assert again.paths("l") == ["/a", "/b"] and again.paths("recent") == ["/m1", "/m2"]
    assert again.get("f", "text") == "text", "a value of another type falls back to the default"
    assert again.get("missing", 7) == 7
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("junk=not json{\n")
    assert SettingsStore(path).get("junk", 3) == 3


def test_curve_plot_envelope_keeps_every_peak(qtbot):
    from audio2face.curves import Curves
    from audio2face_maya.ui.curve_plot import CurvePlot, envelope

    rng = np.random.default_rng(1)
    values = rng.random((5000, 3)).astype(np.float32)
    values[1234, 1] = 1.7
    rows, low, high = envelope(values, 200)
    assert len(rows) == low.shape[0] == high.shape[0] == 200
    assert high[:, 1].max() == pytest.approx(1.7) and low.min() == pytest.approx(values.min())
    plot = CurvePlot()
    qtbot.addWidget(plot)
    plot.resize(400, 200)
    curves = Curves(["a", "b", "c"], 30.0, values)
    plot.set_curves(curves)
    assert plot.value_range() == (0.0, pytest.approx(1.7))
    assert plot.coloured_names()[0] == "b"  # the widest range first
    plot.set_highlight(["c"])
    assert plot.coloured_names() == ["c"]
    image = plot.grab().toImage()
    assert image.width() == 400 and not image.isNull()


def test_loss_plot_collects_points_and_switches_to_log_scale(qtbot):
    from audio2face_maya.ui.loss_plot import LossPlot

    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.add_point(1, 2.0, 2.5)
    plot.add_point(2, 1.0, None)
    plot.add_point(3, float("nan"), 1.1)
    assert plot.series() == {"train": [(1.0, 2.0), (2.0, 1.0)], "val": [(1.0, 2.5), (3.0, 1.1)]}
    assert not plot.log_scale()
    plot.add_point(4, 0.01)
    assert plot.log_scale()
    plot.resize(300, 150)
    assert not plot.grab().isNull()
    plot.clear()
    assert plot.series() == {"train": [], "val": []}


def test_mapping_table_highlights_validates_and_round_trips_files(qtbot, tmp_path):
    from audio2face import retarget
    from audio2face_maya.ui.mapping_table import MappingTable

    table = MappingTable()
    qtbot.addWidget(table)
    channels = ["jaw_open", "mouth_funnel_l", "mouth_funnel_r"]
    targets = ["jawOpen", "mouthFunnel", "tongueOut"]
    table.set_rows(targets, channels, {"jawOpen": "jaw_open",
                                       "mouthFunnel": {"expr": "max(mouth_funnel_l, mouth_funnel_r)", "gain": 0.8}})
    assert table.unmatched() == ["tongueOut"]
    mapping = table.mapping()
    assert mapping["mouthFunnel"] == retarget.Source("max", ("mouth_funnel_l", "mouth_funnel_r"), 0.8, 0.0)
    changes = []
    table.mapping_changed.connect(lambda: changes.append(1))
    table.set_source("tongueOut", "nope")
    assert changes and table.invalid() == ["tongueOut"]
    assert "no channel nope" in table.item(2, 0).toolTip()
    table.set_source("tongueOut", None)
    path = tmp_path / "rig.json"
    table.save_file(str(path))
    assert retarget.load_mapping(path) == table.mapping()
    table.auto_match()
    assert table.source_text("mouthFunnel") is None  # no channel of that name: back to unmatched
    table.load_file(str(path))
    assert table.mapping()["mouthFunnel"].gain == pytest.approx(0.8)


def test_drop_zone_sorts_audio_from_other_files(qtbot, tmp_path):
    from audio2face_maya.ui.drop_zone import DropZone, split_paths

    wav, txt, folder = tmp_path / "a.WAV", tmp_path / "b.txt", tmp_path / "clips"
    wav.write_bytes(b"")
    txt.write_text("x")
    folder.mkdir()
    assert split_paths([str(wav), str(txt), str(folder)], "audio") == ([str(wav)], [str(txt), str(folder)])
    assert split_paths([str(wav), str(folder)], "folder") == ([str(folder)], [str(wav)])
    zone = DropZone("audio")
    qtbot.addWidget(zone)
    got, refused = [], []
    zone.paths_dropped.connect(got.append)
    zone.rejected.connect(refused.append)
    assert zone.offer([str(tmp_path / "gone.wav")]) is False
    assert refused == ["File not found: gone.wav."]
    assert zone.offer([str(wav), str(txt), str(wav)]) is True, "the audio files of a mixed drop are used"
    assert got == [[str(wav), str(wav)]], "every audio file is passed on (the Generate tab makes a batch)"


def test_eta_text():
    from audio2face_maya.ui.train_tab import format_eta

    assert (format_eta(None), format_eta(42), format_eta(125), format_eta(7300)) == ("", "42 s", "2 min 5 s",
                                                                                     "2 h 1 min")
