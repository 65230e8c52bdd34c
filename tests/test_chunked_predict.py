"""``predict`` on a file decodes and computes features chunk by chunk: the same numbers as the whole clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio2face import vad
from audio2face.audio import load_audio, stream_audio
from audio2face.errors import Audio2FaceError, Cancelled
from audio2face.features import FeatureParams, compute_features, frame_count, iter_stream_feature_chunks
from audio2face.pipeline import AnimateSettings, CompactSamples, finish, predict
from audio2face.post import PostSettings
from audio2face.progress import CancelToken
from conftest import FLOAT_ROUNDING, ROOT, speech_like

LOW_LATENCY = str(ROOT / "scripts" / "audio2face" / "models" / "lowlatency")


def cut(samples: np.ndarray, sizes) -> list:
    parts, position, turn = [], 0, 0
    while position < samples.size:
        size = sizes[turn % len(sizes)]
        parts.append(samples[position : position + size])
        position, turn = position + size, turn + 1
    return parts


@pytest.mark.parametrize("lookahead", [None, 80.0, 0.0])
@pytest.mark.parametrize("fps", [23.976, 30.0, 60.0])
def test_features_of_streamed_blocks_equal_the_whole_clip(lookahead, fps):
    samples = speech_like(4.3, seed=3)
    params = FeatureParams(lookahead_ms=lookahead)
    whole = compute_features(samples, fps, params)
    for sizes, chunk in (([samples.size], 7), ([1000], 64), ([1, 5000, 77], 1024)):
        got = np.full_like(whole, np.nan)
        for first, part in iter_stream_feature_chunks(iter(cut(samples, sizes)), fps, params, chunk_frames=chunk):
            assert np.isnan(got[first : first + part.shape[0]]).all(), "each frame once"
            got[first : first + part.shape[0]] = part
        assert not np.isnan(got).any(), (sizes, chunk)
        np.testing.assert_allclose(got, whole, rtol=0, atol=FLOAT_ROUNDING, err_msg=str((sizes, chunk)))


def test_streaming_levels_equal_the_whole_clip(monkeypatch):
    monkeypatch.setattr(vad, "ENERGY_BLOCK", 1 << 13)
    for seconds, fps in ((3.2, 30.0), (2.05, 29.97), (0.004, 24.0)):
        samples = speech_like(max(seconds, 0.01), seed=2)[: int(seconds * 16000)].astype(np.float32)
        frames = frame_count(samples.size, fps)
        whole = vad.frame_levels_db(samples, 16000, fps, frames)
        for size in (333, 8192, 100_000):
            meter = vad.StreamingLevels(16000, fps)
            for part in cut(samples, [size]):
                meter.add(part)
            assert np.array_equal(meter.levels(frames), whole)


@pytest.mark.parametrize("fps", [23.976, 30.0, 60.0, 12.5])
def test_streaming_band_energies_equal_the_whole_clip(monkeypatch, fps):
    monkeypatch.setattr(vad, "BAND_BLOCK_FRAMES", 37)  # many blocks in a short clip
    monkeypatch.setattr(vad, "BAND_BLOCK_SAMPLES", 1 << 14)  # and fewer frames a block at 12.5 fps
    for seconds in (0.004, 0.02, 0.05, 3.3):  # the first ones shorter than one analysis window (512 samples)
        samples = speech_like(1.0, seed=5)[: int(seconds * 16000)]
        frames = frame_count(samples.size, fps)
        for extra in (0, 3):  # frames past the audio's end analyse zeros, as in the whole clip
            whole = vad.band_energies(samples, 16000, fps, frames + extra)
            for sizes in ([333], [4097], [100_000], [1, 999, 50]):
                meter = vad.StreamingBands(16000, fps)
                for part in cut(samples, sizes):
                    meter.add(part)
                got = meter.energies(frames + extra)
                assert got.shape == (frames + extra, vad.BANDS)
                np.testing.assert_allclose(got, whole, rtol=FLOAT_ROUNDING, atol=vad.LEVEL_EPS,
                                           err_msg=str((seconds, sizes, extra)))


def test_streaming_band_energies_hold_about_one_block_of_audio(monkeypatch):
    monkeypatch.setattr(vad, "BAND_BLOCK_FRAMES", 60)  # 2 s at 30 fps
    fps = 30.0
    samples = speech_like(30.0, seed=6)
    meter = vad.StreamingBands(16000, fps)
    held = 0
    for part in cut(samples, [16000]):
        meter.add(part)
        held = max(held, meter._held.size + sum(p.size for p in meter._pending))
    assert held <= (60 + 1) * 16000 / fps + meter.analyser.window + 16000 < samples.size / 5
    frames = frame_count(samples.size, fps)
    np.testing.assert_allclose(meter.energies(frames), vad.band_energies(samples, 16000, fps, frames),
                               rtol=FLOAT_ROUNDING, atol=vad.LEVEL_EPS)


def test_compact_samples_are_exact_and_fall_back_to_float():
    pcm = (np.arange(-32768, 32768, 7, dtype=np.int64).astype(np.float32) / 32768).astype(np.float32)
    store = CompactSamples(10)
    store.append(pcm[:5000])
    store.append(pcm[5000:])
    assert store.compact and store.size == pcm.size and np.array_equal(store.array(), pcm)
    store.append(np.array([0.1], np.float32))
    assert not store.compact and np.array_equal(store.array(), np.concatenate([pcm, [np.float32(0.1)]]))


def test_stream_audio_gives_load_audio_block_by_block(tmp_path: Path):
    mono = speech_like(2.5, 44100, seed=9)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([mono, -0.3 * mono], axis=1), 44100, subtype="PCM_24")
    blocks = list(stream_audio(path, 16000, block_frames=4096))
    assert len(blocks) > 5
    assert np.array_equal(np.concatenate(blocks), load_audio(path, 16000))
    with pytest.raises(Audio2FaceError, match="not found"):
        stream_audio(tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0), 16000)
    with pytest.raises(Audio2FaceError, match="zero length"):
        list(stream_audio(empty))


@pytest.mark.parametrize("model, rate, subtype", [(None, 16000, "PCM_16"), (None, 44100, "PCM_16"),
                                                  (LOW_LATENCY, 16000, "PCM_16"), (None, 16000, "FLOAT")])
def test_predict_on_a_file_equals_predict_on_its_samples(tmp_path: Path, model, rate, subtype):
    path = tmp_path / "speech.wav"
    sf.write(path, speech_like(7.0, rate, silence=((2.0, 3.2),), seed=4), rate, subtype=subtype)
    settings = AnimateSettings(model=model, fps=29.97, post=PostSettings(smoothing_ms=20.0))
    streamed = predict(path, settings)
    samples = load_audio(path, 16000)
    whole = predict(samples, settings, sample_rate=16000)
    assert streamed.sample_count == samples.size and np.array_equal(streamed.samples, samples)
    assert streamed.levels is not None and whole.levels is None
    assert streamed.bands is not None and whole.bands is None
    np.testing.assert_allclose(streamed.bands, vad.band_energies(samples, 16000, 29.97, whole.raw.shape[0]),
                               rtol=FLOAT_ROUNDING, atol=vad.LEVEL_EPS)
    assert np.array_equal(streamed.raw, whole.raw)
    assert np.array_equal(finish(streamed, settings).weights, finish(whole, settings).weights)
    held = streamed.__dict__["_samples"]
    assert isinstance(held, CompactSamples) == (rate == 16000 and subtype == "PCM_16")


def test_errors_and_cancel_reach_the_caller_from_the_feature_thread(tmp_path: Path):
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0), 16000)
    with pytest.raises(Audio2FaceError, match="zero length"):
        predict(empty)
    path = tmp_path / "speech.wav"
    sf.write(path, speech_like(80.0, 16000, seed=1), 16000, subtype="PCM_16")
    token = CancelToken()
    seen = []

    def cancel_after_first(done, total):
        seen.append(done)
        token.cancel()

    with pytest.raises(Cancelled):
        predict(path, AnimateSettings(batch_size=16), progress=cancel_after_first, cancel=token)
    assert seen == [16]
