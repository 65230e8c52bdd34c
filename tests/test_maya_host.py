"""The host interface the panel codes against: FileHost without Maya, options checking, host choice."""

from __future__ import annotations

import numpy as np
import pytest
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face_maya import host


def test_apply_options_defaults_and_checks():
    options = host.ApplyOptions()
    assert (options.mode, options.start_frame, options.sound, options.layer) == ("range", None, None, None)
    assert options.set_time_slider is True
    with pytest.raises(Audio2FaceError, match="apply mode"):
        host.ApplyOptions(mode="merge")
    with pytest.raises(Audio2FaceError, match="layer"):
        host.ApplyOptions(layer="  ")


def test_file_host_targets_come_from_the_loaded_names(tmp_path):
    file_host = host.FileHost()
    assert file_host.targets("blendShape1") == []
    names = tmp_path / "targets.txt"
    names.write_text("# rig\njawOpen\n\nmouthSmile_L\n", encoding="utf-8")
    assert file_host.load_targets(str(names)) == ["jawOpen", "mouthSmile_L"]
    assert file_host.targets("anything") == ["jawOpen", "mouthSmile_L"]
    assert file_host.scene_fps() is None and file_host.playback_range() is None
    with pytest.raises(Audio2FaceError, match="not found"):
        file_host.load_targets(str(tmp_path / "missing.txt"))


def test_file_host_needs_an_output_and_cannot_export(tmp_path):
    curves = Curves(["jawOpen"], 30.0, np.zeros((3, 1), np.float32))
    file_host = host.FileHost()
    with pytest.raises(Audio2FaceError, match="no output file"):
        file_host.apply(curves, "blendShape1", host.ApplyOptions())
    with pytest.raises(Audio2FaceError, match="needs Maya"):
        file_host.export_dataset("blendShape1", 1, 10, None, str(tmp_path), "clip")


def test_current_host_is_the_file_host_without_maya(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "maya", None)
    assert isinstance(host.current_host(), host.FileHost)
    assert isinstance(host.FileHost(), host.Host) and isinstance(host.MayaHost(), host.Host)


def test_report_summary_names_what_happened():
    report = host.ApplyReport(
        node="bs", keyed=["a", "b"], skipped={"c": "locked"}, unmatched=["d"], key_count=20
    )
    assert report.summary() == "bs: 20 keys on 2 targets, 1 skipped, 1 unmatched"


def test_file_host_writes_the_curves_file_and_reports(tmp_path):
    from audio2face.formats import read_curves

    curves = Curves(["jawOpen", "mouthClose"], 30.0, np.linspace(0, 1, 8, dtype=np.float32)[:, None].repeat(2, 1),
                    unmatched=["browUp"])
    file_host = host.FileHost(node="face_bs")
    out = tmp_path / "take.json"
    report = file_host.apply(curves, "face_bs", host.ApplyOptions(output=str(out), start_frame=101, layer="lipsync"))
    assert report.output == str(out) and report.key_count == 16 and report.unmatched == ["browUp"]
    assert any("layers need Maya" in note for note in report.notes)
    back = read_curves(out)
    assert back.names == ["jawOpen", "mouthClose"] and back.start_frame == 101.0
    np.testing.assert_allclose(back.weights, curves.weights, atol=1e-6)
    assert file_host.targets("face_bs") == ["jawOpen", "mouthClose"]


def test_current_host_is_maya_inside_maya_and_in_an_initialised_mayapy():
    from maya_standin.fixtures import _install

    for mode, expected in (("gui", host.MayaHost), ("batch", host.MayaHost), ("mayapy", host.FileHost)):
        session = _install(mode)
        next(session)
        try:
            assert isinstance(host.current_host(), expected), mode
        finally:
            session.close()


def test_file_host_moves_sparse_keys_with_the_start_frame(tmp_path):
    from audio2face.formats import read_curves
    from audio2face.key_reduction import reduce_curves

    dense = Curves(["jawOpen"], 24.0, np.r_[np.zeros(10), np.linspace(0, 1, 10)].astype(np.float32)[:, None])
    curves = reduce_curves(dense, 0.01)
    out = tmp_path / "take.ma"
    report = host.FileHost().apply(curves, "face_bs", host.ApplyOptions(output=str(out), start_frame=50))
    assert report.key_count == len(curves.keys["jawOpen"]) < 20
    back = read_curves(out)
    assert back.start_frame == 50.0
    np.testing.assert_allclose(back.weights[:, 0], dense.weights[:, 0], atol=0.011)
