"""Hostile audio: lying headers, absurd rates, NaN blocks, closed stdin, clips shorter than a frame.

Every case ends in a one-line ``Audio2FaceError`` naming the input (or, where the input is usable, in a
result), never a traceback and never work the file does not hold (docs/errors.md lists them).
"""

from __future__ import annotations

import io
import json
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from audio2face.audio import load_audio, prepare_samples
from audio2face.bundle import load_bundle
from audio2face.cli import main
from audio2face.errors import Audio2FaceError
from audio2face.live.inputs import FileSource, PcmSource, open_input
from audio2face.pipeline import AnimateSettings
from audio2face.streaming import StreamSession
from fuzz_factory import mutated_wavs, write_wav


def one_line_error(capsys: pytest.CaptureFixture, code: int, *needles: str) -> str:
    """The run failed with exit 1 and one error line on stderr (besides progress), naming every needle."""
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("audio2face: error: ")]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], err
    return lines[0]


# --- item 1: the work is bounded by what the file holds ------------------------------------------------


@pytest.mark.parametrize("rate", [1, 10, 999, 2_000_000, 0x7FFFFFFF])
def test_a_header_rate_no_recording_has_is_refused(tmp_path: Path, rate: int) -> None:
    # 1000 frames at 1 Hz would be resampled to 16 million samples (a 400 KB file: 12 GB)
    path = write_wav(tmp_path / "lying.wav", frames=1000, rate=rate)
    with pytest.raises(Audio2FaceError, match="sample rate") as info:
        load_audio(path)
    assert str(path) in str(info.value)


def test_real_rates_still_load(tmp_path: Path) -> None:
    for rate in (8000, 11025, 44100, 96000, 192000):
        samples = load_audio(write_wav(tmp_path / f"r{rate}.wav", frames=rate // 10, rate=rate))
        assert abs(samples.size - 1600) <= 2


def test_the_cli_refuses_a_lying_header_in_one_line(tmp_path: Path, tiny_bundle: Path, capsys) -> None:
    path = write_wav(tmp_path / "lying.wav", frames=1000, rate=1)
    code = main(["animate", str(path), "--model", str(tiny_bundle), "--out", str(tmp_path / "o.json")])
    one_line_error(capsys, code, "lying.wav", "sample rate 1 Hz")
    assert not (tmp_path / "o.json").exists()


def test_live_refuses_a_lying_header(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "lying.wav", frames=1000, rate=1)
    with pytest.raises(Audio2FaceError, match="lying.wav: sample rate 1"):
        FileSource(path)


def test_in_memory_samples_at_an_absurd_rate_are_refused() -> None:
    with pytest.raises(Audio2FaceError, match="sample rate"):
        prepare_samples(np.zeros(1000, np.float32), 1, 16000, source="sound1")
    with pytest.raises(Audio2FaceError, match="sample rate"):
        StreamSession(AnimateSettings(), sample_rate=2_000_000)


def test_a_bundle_feature_rate_of_a_megahertz_is_refused(tiny_bundle: Path) -> None:
    meta = json.loads((tiny_bundle / "model.json").read_text())
    meta["features"]["sample_rate"] = 1_000_000
    (tiny_bundle / "model.json").write_text(json.dumps(meta))
    with pytest.raises(Audio2FaceError, match="sample_rate.*1000000") as info:
        load_bundle(tiny_bundle)
    assert "model.json" in str(info.value)


def test_mutated_headers_end_in_a_result_or_a_one_line_error(tmp_path: Path) -> None:
    """80 WAVs with random header bytes: never another exception, never more than a few MB of memory."""
    path = tmp_path / "fuzz.wav"
    outcomes = {"loaded": 0, "refused": 0}
    tracemalloc.start()
    try:
        for data in mutated_wavs(80, seed=16):
            path.write_bytes(data)
            tracemalloc.reset_peak()
            try:
                samples = load_audio(path)
            except Audio2FaceError as exc:
                assert "\n" not in str(exc) and str(path) in str(exc)
                outcomes["refused"] += 1
            else:
                assert samples.dtype == np.float32 and samples.size <= 400 * 16
                outcomes["loaded"] += 1
            assert tracemalloc.get_traced_memory()[1] < 32 << 20
    finally:
        tracemalloc.stop()
    assert outcomes["loaded"] and outcomes["refused"]


# --- item 5: a glitching device must not end a performance ----------------------------------------------


def test_an_all_nan_block_does_not_stop_a_live_stream(tiny_bundle: Path, caplog) -> None:
    session = StreamSession(AnimateSettings(model=str(tiny_bundle)), sample_rate=16000)
    rng = np.random.default_rng(0)
    frames = []
    for block in range(60):
        chunk = (0.1 * rng.standard_normal(320)).astype(np.float32)
        if block == 20:
            chunk[:] = np.nan
        if block == 21:
            chunk[::3] = np.inf
        frames += session.push(chunk)
    frames += session.finish()
    assert [f.index for f in frames] == list(range(len(frames))) and len(frames) == int(60 * 0.02 * 30)
    assert all(np.isfinite(f.weights).all() for f in frames)
    assert "NaN or infinite" in caplog.text


def test_nan_pcm_on_stdin_streams_on(tiny_bundle: Path, monkeypatch, capsys) -> None:
    audio = (0.1 * np.random.default_rng(1).standard_normal(16000)).astype("<f4")
    audio[3200:3520] = np.nan
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(audio.tobytes())))
    code = main(["live", "--input", "-", "--pcm", "f32", "--send", "jsonl", "--model", str(tiny_bundle)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(out.splitlines()) == 30


# --- live flags and stdin ---------------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["0", "-8000", "nan", "1"])
def test_live_rate_that_is_no_rate_is_refused(tiny_bundle: Path, rate: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\0" * 640)))
    code = main(["live", "--input", "-", "--rate", rate, "--send", "jsonl", "--model", str(tiny_bundle)])
    one_line_error(capsys, code, "--rate", "sample rate")


def test_live_stdin_closed_is_a_one_line_error(tiny_bundle: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # what Python gives a process started with `0<&-`
    code = main(["live", "--input", "-", "--send", "jsonl", "--model", str(tiny_bundle)])
    one_line_error(capsys, code, "stdin is closed")
    with pytest.raises(Audio2FaceError, match="stdin"):
        list(PcmSource(closed_buffer()).chunks())
    wrapper = io.TextIOWrapper(io.BytesIO())
    wrapper.buffer.close()
    monkeypatch.setattr(sys, "stdin", wrapper)
    with pytest.raises(Audio2FaceError, match="stdin is closed"):
        open_input("-")


def closed_buffer() -> io.BytesIO:
    """A byte stream already closed."""
    stream = io.BytesIO()
    stream.close()
    return stream


# --- clips and flags ----------------------------------------------------------------------------------


def test_audio_shorter_than_one_frame_is_an_error_not_an_empty_file(
    tmp_path: Path, tiny_bundle: Path, capsys
) -> None:
    path = write_wav(tmp_path / "blip.wav", frames=400, rate=16000)  # 25 ms < one frame at 30 fps
    code = main(["animate", str(path), "--model", str(tiny_bundle), "--out", str(tmp_path / "blip.json")])
    one_line_error(capsys, code, "blip.wav", "shorter than one frame")
    assert not (tmp_path / "blip.json").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_start_frame_that_is_not_a_number_is_refused(tmp_path: Path, tiny_bundle: Path, speech_wav: Path,
                                                     value: str, capsys) -> None:
    code = main(["animate", str(speech_wav), "--model", str(tiny_bundle), f"--start-frame={value}",
                 "--out", str(tmp_path / "o.json")])
    one_line_error(capsys, code, "--start-frame")
    assert not (tmp_path / "o.json").exists()


def test_a_dataset_clip_with_a_lying_header_is_refused_at_load(tmp_path: Path) -> None:
    from audio2face.dataset import load_dataset, write_clip

    lying = write_wav(tmp_path / "lying.wav", frames=2, rate=1)  # "2 seconds" at 1 Hz
    write_clip(tmp_path / "data", "clip", audio=lying, weights=np.zeros((60, 1)), names=["jaw"], fps=30.0)
    with pytest.raises(Audio2FaceError, match="clip.wav: sample rate 1 Hz"):
        load_dataset(tmp_path / "data")
