"""Dataset layouts: writing clips in ours, reading ours and FACEGOOD's, and clear errors for bad data."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio2face.dataset import Clip, detect_layout, load_dataset, write_clip
from audio2face.errors import Audio2FaceError

FPS = 30.0
RATE = 16000
NAMES = ["jawOpen", "mouthSmile_L", "mouthSmile_R"]


def tone(seconds: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def weights(frames: int) -> np.ndarray:
    t = np.arange(frames)[:, None]
    return (0.5 + 0.4 * np.sin(t / 7.0 + np.arange(len(NAMES)))).astype(np.float32)


def make_clip(folder: Path, name: str = "shot010", seconds: float = 2.0, frames: int = 60, **kw) -> Path:
    return write_clip(folder, name, audio=tone(seconds), sample_rate=RATE, weights=weights(frames), names=NAMES,
                      fps=FPS, **kw)


def test_written_clip_reads_back(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = make_clip(folder, source={"scene": "shot.ma", "frames": [1, 60]}, audio_offset_frames=0.0)
    assert path == folder / "shot010.npy"
    clips = load_dataset(folder)
    assert detect_layout(folder) == "ours"
    assert len(clips) == 1
    clip = clips[0]
    assert isinstance(clip, Clip)
    assert clip.name == "shot010" and clip.names == NAMES and clip.fps == FPS
    assert clip.weights.dtype == np.float32
    np.testing.assert_allclose(clip.weights, weights(60))
    assert clip.audio_path == folder / "shot010.wav"
    assert clip.source["scene"] == "shot.ma"
    index = json.loads((folder / "dataset.json").read_text())
    assert index["format"] == "audio2face-dataset" and index["format_version"] == 1
    assert index["clips"][0]["weights"] == "shot010.npy"
    # the weights file holds no pickled objects
    np.load(folder / "shot010.npy", allow_pickle=False)


def test_audio_path_is_copied_and_second_clip_appended(tmp_path: Path) -> None:
    src = tmp_path / "take.FLAC"
    sf.write(src, tone(2.0, 44100), 44100)
    folder = tmp_path / "data"
    make_clip(folder, "a")
    write_clip(folder, "b", audio=src, weights=weights(60), names=NAMES, fps=FPS)
    assert (folder / "b.flac").is_file()
    assert src.is_file()
    assert [c.name for c in load_dataset(folder)] == ["a", "b"]


def test_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    make_clip(folder)
    with pytest.raises(Audio2FaceError, match="already has a clip named 'shot010'"):
        make_clip(folder)
    write_clip(folder, "shot010", audio=tone(2.0), sample_rate=RATE, weights=weights(60) * 0.5, names=NAMES,
               fps=FPS, overwrite=True)
    clips = load_dataset(folder)
    assert len(clips) == 1
    np.testing.assert_allclose(clips[0].weights, weights(60) * 0.5)


@pytest.mark.parametrize("name", ["", "../evil", "a/b", ".hidden", "sp ace"])
def test_rejects_unsafe_clip_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(Audio2FaceError, match="invalid clip name"):
        make_clip(tmp_path / "data", name)
    assert not (tmp_path / "data" / "dataset.json").exists()


def test_write_rejects_bad_weights(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    bad = weights(60)
    bad[3, 1] = np.nan
    with pytest.raises(Audio2FaceError, match="NaN"):
        write_clip(folder, "x", audio=tone(2.0), sample_rate=RATE, weights=bad, names=NAMES, fps=FPS)
    with pytest.raises(Audio2FaceError, match="do not match 2 names"):
        write_clip(folder, "x", audio=tone(2.0), sample_rate=RATE, weights=weights(60), names=NAMES[:2], fps=FPS)
    with pytest.raises(Audio2FaceError, match="sample_rate"):
        write_clip(folder, "x", audio=tone(2.0), weights=weights(60), names=NAMES, fps=FPS)
    assert not (folder / "dataset.json").exists()


def test_corrupt_weights_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    make_clip(folder)
    (folder / "shot010.npy").write_bytes(b"not an npy file at all")
    with pytest.raises(Audio2FaceError, match="corrupt") as info:
        load_dataset(folder)
    assert info.value.path == str(folder / "shot010.npy")


def test_pickled_weights_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    make_clip(folder)
    np.save(folder / "shot010.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(Audio2FaceError, match="shot010.npy"):
        load_dataset(folder)


def test_wrong_shape_and_name_count_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    make_clip(folder)
    np.save(folder / "shot010.npy", np.zeros(60, np.float32))
    with pytest.raises(Audio2FaceError, match="2-D array"):
        load_dataset(folder)
    np.save(folder / "shot010.npy", np.zeros((60, 5), np.float32))
    with pytest.raises(Audio2FaceError, match="5 columns but dataset.json lists 3 names") as info:
        load_dataset(folder)
    assert info.value.path.endswith("shot010.npy")


def test_nan_weights_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    make_clip(folder)
    bad = weights(60)
    bad[10, 2] = np.inf
    np.save(folder / "shot010.npy", bad)
    with pytest.raises(Audio2FaceError, match=r"NaN or infinite values \(first at row 10, column 2\)"):
        load_dataset(folder)


def test_missing_audio_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    make_clip(folder)
    (folder / "shot010.wav").unlink()
    with pytest.raises(Audio2FaceError, match="audio file not found") as info:
        load_dataset(folder)
    assert info.value.path == str(folder / "shot010.wav")


def test_unreadable_audio_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    make_clip(folder)
    (folder / "shot010.wav").write_bytes(b"RIFF garbage")
    with pytest.raises(Audio2FaceError, match="cannot read audio"):
        load_dataset(folder)


def test_corrupt_index_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    make_clip(folder)
    (folder / "dataset.json").write_text("{ not json")
    with pytest.raises(Audio2FaceError, match="cannot read dataset index") as info:
        load_dataset(folder)
    assert info.value.path.endswith("dataset.json")
    (folder / "dataset.json").write_text(json.dumps({"format": "audio2face-dataset", "format_version": 9,
                                                     "clips": []}))
    with pytest.raises(Audio2FaceError, match="format version 9"):
        load_dataset(folder)


def test_length_mismatch_beyond_one_second_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    make_clip(folder, seconds=2.0, frames=60 + 31)
    with pytest.raises(Audio2FaceError, match="more than 1 s") as info:
        load_dataset(folder)
    assert info.value.path.endswith("shot010.npy")


def test_small_mismatch_truncates_to_the_shorter_and_warns(tmp_path: Path, caplog) -> None:
    folder = tmp_path / "data"
    make_clip(folder, "longer_labels", seconds=2.0, frames=70)
    make_clip(folder, "longer_audio", seconds=2.5, frames=60)
    make_clip(folder, "close", seconds=2.0, frames=61)
    with caplog.at_level(logging.WARNING, logger="audio2face.dataset"):
        clips = {c.name: c for c in load_dataset(folder)}
    assert clips["longer_labels"].frame_count == 60
    assert clips["longer_audio"].frame_count == 60
    assert clips["close"].frame_count == 60
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "longer_labels.npy" in warned and "longer_audio.npy" in warned
    assert "close.npy" not in warned


def test_audio_offset_counts_toward_the_length(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    # the sound starts 30 frames (1 s) after the first exported frame: 1 s audio covers rows 0..59
    make_clip(folder, seconds=1.0, frames=60, audio_offset_frames=30.0)
    assert load_dataset(folder)[0].frame_count == 60


def test_mixed_up_clip_fps_is_caught(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    # labels exported at 60 fps but declared 30 fps: twice as long as the audio
    write_clip(folder, "x", audio=tone(2.0), sample_rate=RATE, weights=weights(120), names=NAMES, fps=30.0)
    with pytest.raises(Audio2FaceError, match="differ by 2.00 s"):
        load_dataset(folder)


def test_not_a_dataset_folder(tmp_path: Path) -> None:
    with pytest.raises(Audio2FaceError, match="not a dataset folder"):
        load_dataset(tmp_path)
    with pytest.raises(Audio2FaceError, match="dataset folder not found"):
        load_dataset(tmp_path / "missing")


def fake_facegood(folder: Path, frames: int = 60, names: int = 4) -> None:
    (folder / "wav").mkdir(parents=True)
    (folder / "bs_value").mkdir()
    np.save(folder / "bs_name.npy", np.array([f"bs_{i}" for i in range(names)]))
    sf.write(folder / "wav" / "take_01.wav", (tone(2.0) * 32767).astype(np.int16), RATE, subtype="PCM_16")
    np.save(folder / "bs_value" / "bs_value_take_01.npy", np.random.default_rng(0).random((frames, names)))


def test_facegood_layout_minimal(tmp_path: Path) -> None:
    fake_facegood(tmp_path)
    assert detect_layout(tmp_path) == "facegood"
    (clip,) = load_dataset(tmp_path)
    assert clip.name == "take_01" and clip.fps == 30.0 and clip.layout == "facegood"
    assert clip.names == ["bs_0", "bs_1", "bs_2", "bs_3"]
    assert clip.weights.dtype == np.float32 and clip.weights.shape == (60, 4)


def test_facegood_layout_missing_wav_is_named(tmp_path: Path) -> None:
    fake_facegood(tmp_path)
    (tmp_path / "wav" / "take_01.wav").unlink()
    with pytest.raises(Audio2FaceError, match="audio file not found") as info:
        load_dataset(tmp_path)
    assert info.value.path.endswith("take_01.wav")


def test_facegood_names_count_mismatch_is_named(tmp_path: Path) -> None:
    fake_facegood(tmp_path)
    np.save(tmp_path / "bs_name.npy", np.array(["a", "b", "c"]))
    with pytest.raises(Audio2FaceError, match="4 columns but bs_name lists 3 names"):
        load_dataset(tmp_path)


@pytest.mark.facegood
def test_real_facegood_data(facegood: Path) -> None:
    clips = load_dataset(facegood)
    assert [c.name for c in clips] == ["1114_2_01", "1114_2_02", "1114_2_03", "1114_2_04", "1114_3_15"]
    for clip in clips:
        assert clip.weights.shape[1] == 116 and len(clip.names) == 116
        assert clip.fps == 30.0
        seconds = sf.info(str(clip.audio_path)).duration
        assert abs(clip.frame_count - seconds * 30) <= 1
    assert "mouth_stretch_c" in clips[0].names
