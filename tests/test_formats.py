"""Curve files: round trips, Maya grammar (checked by the strict parsers), units, atomicity, errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import List

import numpy as np
import pytest
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.formats import SUPPORTED_EXTENSIONS, ma_format, npy_format, read_curves, write_curves
from audio2face.key_reduction import FIXED, reduce_curves
from maya_file_parsers import (
    MayaFileError,
    evaluate,
    keys_from_anim,
    keys_from_ma,
    parse_anim,
    parse_ma,
)

NAMES = ["jawOpen", "mouthSmile_L", "eyeBlink_L"]


def make_curves(frames: int = 120, fps: float = 30.0, start_frame: float = 1.0, seed: int = 0) -> Curves:
    rng = np.random.default_rng(seed)
    smooth = np.convolve(rng.normal(size=frames + 8), np.hanning(9) / 4.5, mode="same")[:frames]
    jaw = np.clip(np.abs(smooth), 0, 1)
    smile = 0.5 + 0.4 * np.sin(np.arange(frames) / 9.0)
    weights = np.stack([jaw, smile, np.zeros(frames)], axis=1).astype(np.float32)
    return Curves(list(NAMES), fps, weights, start_frame=start_frame, source={"audio": "take1.wav", "model": "m"})


def leftovers(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- round trips ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a.json", "a.csv", "a.anim", "a.ma", "BS_value.npy"])
def test_round_trip_keeps_names_and_weights(tmp_path: Path, name: str) -> None:
    curves = make_curves()
    written = write_curves(curves, tmp_path / name, blendshape_node="blendShape1")
    assert all(p.is_file() for p in written)
    back = read_curves(tmp_path / name)
    assert back.names == NAMES
    np.testing.assert_allclose(back.weights, curves.weights, rtol=0, atol=1e-7)
    assert back.fps == pytest.approx(30.0)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["a.json", "a.anim", "a.ma"])
def test_files_with_a_clock_keep_rate_and_start_frame(tmp_path: Path, name: str) -> None:
    curves = make_curves(fps=24.0, start_frame=1001.0)
    write_curves(curves, tmp_path / name)
    back = read_curves(tmp_path / name)
    assert (back.fps, back.start_frame, back.frame_count) == (24.0, 1001.0, 120)


def test_json_schema(tmp_path: Path) -> None:
    curves = reduce_curves(make_curves(), 0.01)
    write_curves(curves, tmp_path / "a.json")
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert data["format"] == "audio2face-curves" and data["format_version"] == 1
    assert (data["fps"], data["start_frame"], data["names"]) == (30.0, 1.0, NAMES)
    assert len(data["weights"]) == 120 and all(len(row) == 3 for row in data["weights"])
    assert data["source"]["audio"] == "take1.wav"
    key = data["keys"]["jawOpen"][0]
    assert set(key) == {"time", "value", "in_tangent", "out_tangent", "in_slope", "out_slope"}
    back = read_curves(tmp_path / "a.json")
    assert back.keys == curves.keys


def test_json_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"format": "audio2face-curves", "format_version": 2, "names": []}', encoding="utf-8")
    with pytest.raises(Audio2FaceError, match="newer"):
        read_curves(path)
    path.write_text('{"format": "something"}', encoding="utf-8")
    with pytest.raises(Audio2FaceError, match="a.json"):
        read_curves(path)
    path.write_text('{"format": "audio2face-curves", "format_version": 1, "names": ["a"], "fps": 30,'
                    ' "weights": [[NaN]]}', encoding="utf-8")
    with pytest.raises(Audio2FaceError, match="JSON"):
        read_curves(path)


def test_csv_layout_and_errors(tmp_path: Path) -> None:
    curves = make_curves(frames=3)
    write_curves(curves, tmp_path / "a.csv")
    lines = (tmp_path / "a.csv").read_text(encoding="utf-8").split("\n")
    assert lines[0] == ",".join(NAMES) and len(lines) == 5 and lines[-1] == ""
    back = read_curves(tmp_path / "a.csv", fps=24.0, start_frame=10.0)
    assert (back.fps, back.start_frame) == (24.0, 10.0)
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n3\n", encoding="utf-8")
    with pytest.raises(Audio2FaceError, match="line 3"):
        read_curves(tmp_path / "bad.csv")


def test_plain_npy_holds_only_numbers(tmp_path: Path) -> None:
    curves = make_curves()
    write_curves(curves, tmp_path / "w.npy")
    array = np.load(tmp_path / "w.npy", allow_pickle=False)
    assert array.dtype == np.float32 and array.shape == (120, 3)
    back = read_curves(tmp_path / "w.npy")
    assert back.names == ["channel_0", "channel_1", "channel_2"]


def test_facegood_pair_in_a_folder(tmp_path: Path) -> None:
    curves = make_curves()
    written = write_curves(curves, tmp_path)
    assert sorted(p.name for p in written) == ["BS_name.npy", "BS_value.npy"]
    names = np.load(tmp_path / "BS_name.npy", allow_pickle=False)
    assert names.dtype.kind == "U" and list(names) == NAMES
    assert read_curves(tmp_path).names == NAMES


def test_npy_never_unpickles(tmp_path: Path) -> None:
    np.save(tmp_path / "evil.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(Audio2FaceError, match="pickle"):
        read_curves(tmp_path / "evil.npy")


@pytest.mark.facegood
def test_reads_facegood_files(facegood: Path) -> None:
    predictions = sorted((facegood / "facegood_predictions").glob("*.csv"))
    curves = read_curves(predictions[0])
    assert len(curves.names) == 116 and curves.names[0] == "brow_lower_l"
    rows = predictions[0].read_text(encoding="utf-8").strip().count("\n")
    assert curves.frame_count == rows
    labels = read_curves(facegood / "bs_value" / "bs_value_1114_3_15.npy")
    expected = [line.strip() for line in (facegood / "bs_name.txt").read_text().splitlines() if line.strip()]
    assert labels.names == expected and labels.weights.shape == (1472, 116)


# --- Maya ASCII -------------------------------------------------------------------------------------------------


def test_ma_follows_the_grammar(tmp_path: Path) -> None:
    path = tmp_path / "face.ma"
    curves = make_curves()
    write_curves(curves, path)
    raw = path.read_bytes()
    assert b"\r" not in raw
    text = raw.decode("utf-8")
    parsed = parse_ma(text)
    assert parsed.comments[:3] == ["//Maya ASCII 2022 scene", "//Name: face.ma", "//Codeset: UTF-8"]
    assert parsed.requires == [("maya", "2022")]
    assert (parsed.linear_unit, parsed.angle_unit, parsed.time_unit) == ("centimeter", "degree", "ntsc")
    assert ("application", "maya") in parsed.file_info
    assert parsed.last_line == "// End of face.ma"
    assert parsed.connections == []
    assert list(parsed.curves) == NAMES
    for column, name in enumerate(NAMES):
        curve = parsed.curves[name]
        assert (curve.node_type, curve.tan, curve.wgt) == ("animCurveTU", 2, False)
        np.testing.assert_array_equal(curve.times(), curves.times())
        np.testing.assert_array_equal(curve.values().astype(np.float32), curves.weights[:, column])


def test_ma_connects_to_aliases_never_indices(tmp_path: Path) -> None:
    path = tmp_path / "face.ma"
    write_curves(make_curves(), path, blendshape_node="head:blendShape1")
    text = path.read_text(encoding="utf-8")
    assert ".w[" not in text
    parsed = parse_ma(text)
    assert parsed.connections == [
        (f"head_blendShape1_{name}.o", f":head:blendShape1.{name}", True) for name in NAMES
    ]


def test_ma_names_are_sanitized_and_aliases_checked(tmp_path: Path) -> None:
    weights = np.zeros((5, 3), np.float32)
    curves = Curves(["mouth-smile.L", "1up", "mouth_smile_L"], 30.0, weights)
    write_curves(curves, tmp_path / "a.ma")
    parsed = parse_ma((tmp_path / "a.ma").read_text(encoding="utf-8"))
    assert list(parsed.curves) == ["mouth_smile_L", "_1up", "mouth_smile_L2"]
    with pytest.raises(Audio2FaceError, match="attribute names.*mouth-smile.L"):
        write_curves(curves, tmp_path / "b.ma", blendshape_node="blendShape1")
    with pytest.raises(Audio2FaceError, match="node name"):
        write_curves(make_curves(), tmp_path / "c.ma", blendshape_node="blend shape")
    assert not (tmp_path / "b.ma").exists() and not (tmp_path / "c.ma").exists()


@pytest.mark.parametrize("frames, chunks", [(1, None), (250, None), (251, [(0, 249), (250, 250)]),
                                            (600, [(0, 249), (250, 499), (500, 599)])])
def test_ma_chunks_keys_like_maya(tmp_path: Path, frames: int, chunks: list) -> None:
    curves = Curves(["jawOpen"], 30.0, np.linspace(0, 1, frames, dtype=np.float32)[:, None])
    write_curves(curves, tmp_path / "a.ma")
    text = (tmp_path / "a.ma").read_text(encoding="utf-8")
    curve = parse_ma(text).curves["jawOpen"]
    assert curve.count == frames
    if chunks is None:
        assert [s[:2] for s in curve.ktv_statements] == [(0, frames - 1)]
        assert '".ktv";' not in text
    else:
        assert f'\tsetAttr -s {frames} ".ktv";' in text
        assert [s[:2] for s in curve.ktv_statements] == chunks
    np.testing.assert_array_equal(curve.values().astype(np.float32), curves.weights[:, 0])


def test_ma_numbers_are_written_as_maya_writes_them(tmp_path: Path) -> None:
    values = np.array([1.0, 0.5, -0.0, 1e-05, 0.3, 123456789.0], np.float32)
    write_curves(Curves(["a"], 30.0, values[:, None]), tmp_path / "a.ma")
    text = (tmp_path / "a.ma").read_text(encoding="utf-8")
    line = next(s for s in text.split("\n") if ".ktv[" in s)
    numbers = line.split('"')[2].strip().rstrip(";").split()[1::2]
    assert numbers[:4] == ["1", "0.5", "0", "1e-05"] or numbers[:4] == ["1", "0.5", "-0", "1e-05"]
    assert numbers[4:] == ["0.3", "123456790"]
    assert not re.search(r"\b(nan|inf)", " ".join(numbers), re.IGNORECASE)


FPS_UNITS = [(24.0, "film"), (25.0, "pal"), (30.0, "ntsc"), (23.976, "23.976fps"), (24000 / 1001, "23.976fps"),
             (29.97, "29.97fps"), (48.0, "show"), (50.0, "palf"), (60.0, "ntscf"), (120.0, "120fps")]


@pytest.mark.parametrize("fps, unit", FPS_UNITS)
def test_time_unit_follows_the_frame_rate(tmp_path: Path, fps: float, unit: str) -> None:
    curves = make_curves(fps=fps)
    write_curves(curves, tmp_path / "a.ma")
    parsed = parse_ma((tmp_path / "a.ma").read_text(encoding="utf-8"))
    assert parsed.time_unit == unit
    assert parsed.fps == pytest.approx(fps, abs=1e-3)
    if unit.endswith("fps"):
        with pytest.raises(Audio2FaceError, match=r"\.ma or \.json"):
            write_curves(curves, tmp_path / "a.anim")
        assert not (tmp_path / "a.anim").exists()
    else:
        write_curves(curves, tmp_path / "a.anim")
        assert parse_anim((tmp_path / "a.anim").read_text(encoding="utf-8")).header["timeUnit"] == unit


def test_rate_without_a_maya_unit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Audio2FaceError, match="31 fps"):
        write_curves(make_curves(fps=31.0), tmp_path / "a.ma")
    assert not (tmp_path / "a.ma").exists()


# --- .anim ------------------------------------------------------------------------------------------------------


def test_anim_follows_the_grammar(tmp_path: Path) -> None:
    path = tmp_path / "face.anim"
    curves = make_curves(start_frame=5.0)
    write_curves(curves, path, blendshape_node="blendShape1")
    parsed = parse_anim(path.read_text(encoding="utf-8"))
    assert parsed.header == {"animVersion": "1.1", "mayaVersion": "2022", "timeUnit": "ntsc", "linearUnit": "cm",
                             "angularUnit": "deg", "startTime": "5", "endTime": "124"}
    assert [(c.full_attr, c.leaf_attr, c.node, c.row, c.child_count, c.attr_index) for c in parsed.curves] == [
        (name, name, "blendShape1", 0, 0, index) for index, name in enumerate(NAMES)
    ]
    for column, curve in enumerate(parsed.curves):
        assert curve.data == {"input": "time", "output": "unitless", "weighted": "0",
                              "preInfinity": "constant", "postInfinity": "constant"}
        assert [k.time for k in curve.keys] == list(curves.times())
        assert [np.float32(k.value) for k in curve.keys] == list(curves.weights[:, column])
        assert all((k.in_type, k.out_type) == ("linear", "linear") for k in curve.keys)


def test_anim_without_node_uses_the_short_record(tmp_path: Path) -> None:
    write_curves(make_curves(), tmp_path / "a.anim")
    parsed = parse_anim((tmp_path / "a.anim").read_text(encoding="utf-8"))
    assert [(c.full_attr, c.leaf_attr, c.node) for c in parsed.curves] == [(n, None, None) for n in NAMES]


# --- sparse keys in Maya files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fps", [24.0, 30.0, 29.97])
@pytest.mark.parametrize("tolerance", [0.005, 0.02])
def test_reduced_keys_in_ma_evaluate_within_tolerance(tmp_path: Path, fps: float, tolerance: float) -> None:
    curves = reduce_curves(make_curves(frames=400, fps=fps, start_frame=101.0), tolerance)
    write_curves(curves, tmp_path / "a.ma", blendshape_node="blendShape1")
    parsed = parse_ma((tmp_path / "a.ma").read_text(encoding="utf-8"))
    frames = curves.times()
    fixed_seen = False
    for column, name in enumerate(NAMES):
        curve = parsed.curves[f"blendShape1_{name}"]
        assert curve.times()[0] == frames[0] and curve.times()[-1] == frames[-1]
        assert curve.count == len(curves.keys[name]) < frames.size
        fixed_seen |= 1 in (curve.column("kit") or [])
        error = np.abs(evaluate(keys_from_ma(curve), frames, parsed.fps) - curves.weights[:, column]).max()
        assert error <= tolerance
    assert fixed_seen


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_reduced_keys_in_anim_evaluate_within_tolerance(tmp_path: Path, fps: float) -> None:
    curves = reduce_curves(make_curves(frames=400, fps=fps), 0.01)
    write_curves(curves, tmp_path / "a.anim", blendshape_node="blendShape1")
    parsed = parse_anim((tmp_path / "a.anim").read_text(encoding="utf-8"))
    frames = curves.times()
    kinds = set()
    for column, curve in enumerate(parsed.curves):
        kinds |= {k.in_type for k in curve.keys} | {k.out_type for k in curve.keys}
        assert curve.keys[0].time == frames[0] and curve.keys[-1].time == frames[-1]
        error = np.abs(evaluate(keys_from_anim(curve, parsed.fps), frames, parsed.fps) - curves.weights[:, column])
        assert error.max() <= 0.01
    assert FIXED in kinds


def test_reduced_keys_read_back(tmp_path: Path) -> None:
    curves = reduce_curves(make_curves(frames=300), 0.01)
    for name in ("a.ma", "a.anim"):
        write_curves(curves, tmp_path / name, blendshape_node="blendShape1")
        back = read_curves(tmp_path / name)
        assert back.keys is not None
        assert [len(back.keys[n]) for n in NAMES] == [len(curves.keys[n]) for n in NAMES]
        assert np.abs(back.weights - curves.weights).max() <= 0.01


# --- errors and atomicity ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a.json", "a.csv", "a.npy", "a.anim", "a.ma", "BS_value.npy"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_weights_are_refused(tmp_path: Path, name: str, bad: float) -> None:
    curves = make_curves()
    curves.weights[7, 1] = bad
    with pytest.raises(Audio2FaceError, match=r"mouthSmile_L.*frame 8") as info:
        write_curves(curves, tmp_path / name)
    assert name in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_unknown_extension_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(Audio2FaceError, match=r"take\.txt.*\.json"):
        write_curves(make_curves(), tmp_path / "take.txt")
    (tmp_path / "take.txt").write_text("x")
    with pytest.raises(Audio2FaceError, match=r"take\.txt"):
        read_curves(tmp_path / "take.txt")
    assert SUPPORTED_EXTENSIONS[:5] == (".json", ".csv", ".npy", ".anim", ".ma")


def test_format_can_be_forced(tmp_path: Path) -> None:
    write_curves(make_curves(), tmp_path / "take.txt", fmt="csv")
    assert (tmp_path / "take.txt").read_text(encoding="utf-8").startswith("jawOpen,")


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "face.ma"
    write_curves(make_curves(seed=1), path)
    before = path.read_bytes()
    original = ma_format._curve_lines

    def failing(node, keys, fps, dense_times=None):  # type: ignore[no-untyped-def]
        yield from list(original(node, keys, fps, dense_times))[:3]
        raise OSError("disk full")

    monkeypatch.setattr(ma_format, "_curve_lines", failing)
    with pytest.raises(Audio2FaceError, match=r"face.ma: cannot write \(disk full\)"):
        write_curves(make_curves(seed=2), path)
    with pytest.raises(Audio2FaceError, match=r"new.ma: cannot write \(disk full\)"):
        write_curves(make_curves(seed=2), tmp_path / "new.ma")
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["face.ma"]


def test_failed_pair_write_replaces_neither_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_curves(make_curves(seed=1), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    calls = []
    real_save = np.save

    def save(handle, array, allow_pickle=False):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        real_save(handle, array, allow_pickle=allow_pickle)

    monkeypatch.setattr(npy_format.np, "save", save)
    with pytest.raises(Audio2FaceError, match="disk full"):
        write_curves(make_curves(seed=2), tmp_path / "BS_value.npy")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_strict_parsers_reject_what_maya_would_not_read(tmp_path: Path) -> None:
    write_curves(make_curves(frames=4), tmp_path / "a.ma")
    good = (tmp_path / "a.ma").read_text(encoding="utf-8")
    bad_texts = [
        good.replace("\n", "\r"),
        good.replace(" 0.5", " nan", 1) if " 0.5" in good else good.replace('".wgt" no;', '".wgt" nan;'),
        good.replace('setAttr ".wgt" no;', 'setAttr ".wgt" no'),
        good.replace("//Maya ASCII", "//Maya BINARY"),
        good.replace('fileInfo "application" "maya";', 'select -r pSphere1;'),
        good.replace("currentUnit -l", "currentUnit -q -l"),
    ]
    for text in bad_texts:
        with pytest.raises(MayaFileError):
            parse_ma(text)
    write_curves(make_curves(frames=4), tmp_path / "a.anim")
    anim = (tmp_path / "a.anim").read_text(encoding="utf-8")
    for text in [anim.replace("linear linear 1 1 0;", "linear linear 1 1;", 1),
                 anim.replace("linear linear 1 1 0;", "fixed linear 1 1 0;", 1),
                 anim.replace("timeUnit ntsc;", "timeUnit 29.97fps;"),
                 anim.replace("animVersion 1.1;\n", ""),
                 anim.replace("output unitless;", "output unitless")]:
        with pytest.raises(MayaFileError):
            parse_anim(text)


def test_bad_sparse_keys_are_refused(tmp_path: Path) -> None:
    from audio2face.key_reduction import Key

    curves = make_curves(frames=10)
    good = Key(1.0, 0.0, "linear", "linear", 0.0, 0.0)
    cases = {
        "tangent types": [good, Key(5.0, 0.1, "auto", "linear", 0.0, 0.0)],
        "increase": [good, Key(1.0, 0.1, "linear", "linear", 0.0, 0.0)],
    }
    for message, keys in cases.items():
        curves.keys = {"jawOpen": keys}
        for name in ("a.ma", "a.anim"):
            with pytest.raises(Audio2FaceError, match=message):
                write_curves(curves, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_ma_reader_refuses_tangents_it_did_not_write(tmp_path: Path) -> None:
    write_curves(make_curves(frames=5), tmp_path / "a.ma")
    path = tmp_path / "a.ma"
    path.write_text(path.read_text(encoding="utf-8").replace('".tan" 2', '".tan" 18'), encoding="utf-8")
    with pytest.raises(Audio2FaceError, match="linear and fixed"):
        read_curves(path)


def test_anim_files_of_the_earlier_weight_dot_alias_form_still_read(tmp_path):
    from audio2face.formats import read_curves, write_curves

    curves = Curves(["jawOpen"], 30.0, np.array([[0.0], [0.5], [1.0]], np.float32), start_frame=1)
    path = tmp_path / "a.anim"
    write_curves(curves, path, blendshape_node="blendShape1")
    text = path.read_text()
    assert "anim jawOpen jawOpen blendShape1 0 0 0;" in text
    old = tmp_path / "old.anim"
    old.write_text(text.replace("anim jawOpen jawOpen", "anim weight.jawOpen jawOpen"))
    np.testing.assert_allclose(read_curves(old).weights, read_curves(path).weights)
