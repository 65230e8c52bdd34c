"""Retargeting model channels onto rig targets."""

from __future__ import annotations

import json

import numpy as np
import pytest
from audio2face.errors import Audio2FaceError
from audio2face.retarget import arkit_mapping, auto_match, build_retargeter, load_mapping, parse_expr, save_mapping

FACEGOOD_SOME = ["mouth_stretch_c", "mouth_funnel_dl", "mouth_funnel_dr", "mouth_funnel_ul", "mouth_funnel_ur",
                 "mouth_pucker_l", "mouth_pucker_r", "jaw_thrust_c"]


def test_auto_match_exact_case_and_namespaces():
    matched = auto_match(["jawOpen", "MouthClose", "mouth_smile_L"], ["jawOpen", "mouthclose", "face:mouthSmile_l"])
    assert matched == {"jawOpen": "jawOpen", "mouthclose": "MouthClose", "face:mouthSmile_l": "mouth_smile_L"}


def test_arkit_rig_matches_facegood_channels_through_the_table():
    matched = auto_match(FACEGOOD_SOME, ["jawOpen", "mouthFunnel", "JawForward", "eyeBlinkLeft"])
    assert matched["jawOpen"] == "mouth_stretch_c"
    assert matched["mouthFunnel"] == "max(mouth_funnel_dl, mouth_funnel_dr, mouth_funnel_ul, mouth_funnel_ur)"
    assert matched["JawForward"] == "jaw_thrust_c"
    assert matched["eyeBlinkLeft"] is None


def test_arkit_table_has_52_targets():
    table = arkit_mapping()
    assert len(table) == 52
    assert table["tongueOut"] is None
    assert "browDownLeft" in table


def test_max_expression_and_gain_offset_and_unmatched_reported():
    channels = ["a", "b", "c"]
    r = build_retargeter(channels, ["x", "y", "z"], {"x": "max(a, b)", "y": {"expr": "c", "gain": 2, "offset": 0.1}})
    w = np.array([[0.1, 0.5, 0.2], [0.7, 0.3, 0.0]], np.float32)
    out = r.apply(w)
    np.testing.assert_allclose(out[:, 0], [0.5, 0.7])
    np.testing.assert_allclose(out[:, 1], [0.5, 0.1], atol=1e-6)
    np.testing.assert_allclose(out[:, 2], 0)
    assert r.unmatched == ["z"]


def test_identity_without_targets_or_mapping():
    r = build_retargeter(["a", "b"])
    w = np.random.default_rng(0).random((4, 2)).astype(np.float32)
    assert r.identity and r.apply(w) is w


def test_arkit_mapping_without_rig_gives_52_names():
    channels = [line.strip() for line in open(_bs_names())] if _bs_names() else None
    if channels is None:
        pytest.skip("FACEGOOD names not available")
    r = build_retargeter(channels, None, "arkit")
    assert len(r.targets) == 52 and r.unmatched == ["tongueOut"]


def _bs_names():
    from conftest import FACEGOOD

    path = FACEGOOD / "bs_name.txt"
    return path if path.is_file() else None


def test_mapping_file_round_trip(tmp_path):
    path = tmp_path / "map.json"
    save_mapping(path, {"jawOpen": "mouth_stretch_c", "pucker": {"expr": "max(a,b)", "gain": 0.5}, "none": None})
    loaded = load_mapping(path)
    assert loaded["jawOpen"].channels == ("mouth_stretch_c",)
    assert loaded["pucker"].op == "max" and loaded["pucker"].gain == 0.5
    assert loaded["none"] is None


@pytest.mark.parametrize(
    "content, message",
    [
        ("{", "cannot read mapping file"),
        ('{"targets": {"x": "__import__(1)"}}', "cannot read mapping expression"),
        ('{"targets": {"x": {"expr": "a", "gian": 1}}}', "unknown mapping keys"),
        ('{"targets": []}', "'targets' object"),
        ('{"format_version": 5, "targets": {}}', "unknown mapping format version"),
    ],
)
def test_bad_mapping_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(Audio2FaceError) as info:
        load_mapping(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_mapping_naming_unknown_channel_is_an_error():
    with pytest.raises(Audio2FaceError, match="does not have: zz"):
        build_retargeter(["a"], None, {"x": "zz"})


def test_parse_expr_never_evaluates():
    assert parse_expr("max(a, b)") == ("max", ("a", "b"))
    with pytest.raises(Audio2FaceError):
        parse_expr("a + b")
    json.dumps(parse_expr("a"))


def test_null_in_a_mapping_drives_nothing_even_when_a_channel_would_match():
    r = build_retargeter(["jawOpen", "smile"], ["jawOpen", "smile"], {"jawOpen": None})
    assert r.unmatched == ["jawOpen"]
    assert r.sources[1].channels == ("smile",), "targets the mapping leaves out are auto-matched"
