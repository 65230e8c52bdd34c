"""The streaming engine against the offline path: same numbers in any chunking, frames out as soon as ready."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
from audio2face.audio import load_audio
from audio2face.bundle import load_bundle
from audio2face.errors import Audio2FaceError
from audio2face.features import compute_features, frame_count
from audio2face.inference import predict
from audio2face.pipeline import AnimateSettings, animate
from audio2face.post import PostSettings
from audio2face.streaming import StreamSession, stream_array
from conftest import FLOAT_ROUNDING, ROOT, speech_like

RATE = 44100

ENERGY = "energy"
"""The RMS detector, whose live gate equals the offline one frame for frame (the robust one takes its
background from the past only when live; tests/test_vad.py covers it)."""


def _energy(**knobs) -> PostSettings:
    return PostSettings(vad_method=ENERGY, **knobs)


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bundle_factory import make_bundle

    return make_bundle(tmp_path_factory.mktemp("stream") / "tiny_model")


@pytest.fixture(scope="module")
def bundle(bundle_dir: Path):
    return load_bundle(bundle_dir)


@pytest.fixture(scope="module")
def speech_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 s of speech-like sound, 44.1 kHz stereo 16-bit, with a long silence in the middle."""
    import soundfile as sf

    mono = speech_like(3.0, RATE, silence=((1.2, 2.0),), seed=3)
    path = tmp_path_factory.mktemp("audio") / "speech.wav"
    sf.write(path, np.stack([mono, 0.7 * mono], axis=1), RATE, subtype="PCM_16")
    return path


def random_chunks(total: int, rng: np.random.Generator) -> List[int]:
    """Chunk sizes from 1 sample to 1 s (log-uniform), starting with a run of single samples."""
    sizes = [1] * 300
    while sum(sizes) < total:
        sizes.append(int(np.exp(rng.uniform(0.0, np.log(RATE)))))
    return sizes


def read_pcm(path: Path) -> np.ndarray:
    import soundfile as sf

    data, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == RATE
    return data


@pytest.mark.parametrize("fps", [24.0, 25.0, 29.97, 30.0])
def test_chunked_stream_gives_the_offline_raw_outputs(bundle, bundle_dir, speech_file, fps):
    data = read_pcm(speech_file)
    samples = load_audio(speech_file, bundle.feature_params.sample_rate)
    offline = predict(bundle, compute_features(samples, fps, bundle.feature_params), None)
    raw: Dict[int, np.ndarray] = {}

    def keep(indices: np.ndarray, outputs: np.ndarray) -> None:
        for index, row in zip(indices.tolist(), outputs):
            assert index not in raw
            raw[index] = row

    session = StreamSession(
        AnimateSettings(model=str(bundle_dir), fps=fps, post=_energy()), sample_rate=RATE, channels=2, bundle=bundle,
        on_raw=keep,
    )
    rng = np.random.default_rng(int(fps * 100))
    indices, weights = stream_array(session, data, random_chunks(data.shape[0], rng))

    assert offline.shape[0] == frame_count(samples.size, fps) > 0
    assert sorted(raw) == list(range(offline.shape[0]))
    streamed = np.stack([raw[i] for i in range(offline.shape[0])])
    assert np.abs(streamed - offline).max(axis=1).max() <= 1e-5
    assert indices.tolist() == list(range(offline.shape[0]))
    # the whole path with the default post-processing (silence gate on, no smoothing) matches animate too
    curves = animate(speech_file, AnimateSettings(model=str(bundle_dir), fps=fps, post=_energy()))
    assert weights.shape == curves.weights.shape
    assert np.abs(weights - curves.weights).max() <= 1e-5


@pytest.mark.parametrize("offset_ms, fps", [(70.0, 30.0), (-70.0, 30.0), (-40.0, 60.0)])
def test_time_offset_and_per_channel_knobs_match_offline(bundle, bundle_dir, offset_ms, fps):
    audio = speech_like(2.0, 22050, silence=((0.6, 1.3),), seed=5)
    post = _energy(time_offset_ms=offset_ms, strength=1.3, lip_open_offset=0.05,
                        gains={"mouthFunnel": 1.5}, offsets={"mouthClose": -0.1})
    settings = AnimateSettings(model=str(bundle_dir), fps=fps, post=post)
    session = StreamSession(settings, sample_rate=22050, bundle=bundle)
    _, streamed = stream_array(session, audio, [160, 1, 999, 4000])
    offline = animate(audio, settings, sample_rate=22050).weights
    assert streamed.shape == offline.shape
    np.testing.assert_allclose(streamed, offline, atol=1e-5)


def test_each_frame_comes_out_once_its_window_is_complete(bundle, bundle_dir):
    audio = speech_like(2.0, 16000, seed=7)
    session = StreamSession(AnimateSettings(model=str(bundle_dir), fps=30.0, post=_energy()), bundle=bundle)
    pushed = 0
    for frame in range(0, 40, 7):
        needed = session.samples_needed(frame)
        assert needed == pytest.approx(frame / 30.0 * 16000 + 4160, abs=1.0)  # its time + 260 ms
        out = session.push(audio[pushed : needed - 1])
        pushed = needed - 1
        assert all(f.index < frame for f in out)
        out = session.push(audio[pushed:needed])
        pushed = needed
        assert out and out[-1].index == frame
        assert [f.index for f in out] == list(range(out[0].index, frame + 1))
    rest = session.push(audio[pushed:]) + session.finish()
    assert rest[-1].index == frame_count(audio.size, 30.0) - 1
    assert session.frames_out == frame_count(audio.size, 30.0)


def test_a_lead_waits_for_the_future_frames_it_needs(bundle, bundle_dir):
    audio = speech_like(1.5, 16000, seed=8)
    post = _energy(time_offset_ms=-100.0)  # 3 frames at 30 fps
    session = StreamSession(AnimateSettings(model=str(bundle_dir), fps=30.0, post=post), bundle=bundle)
    out = session.push(audio[: session.samples_needed(10)])
    assert out[-1].index == 7


def test_post_is_causal_and_smoothing_is_a_half_gaussian(bundle, bundle_dir):
    audio = speech_like(2.0, 16000, silence=((0.9, 1.5),), seed=9)
    changed = audio.copy()
    changed[24000:] = speech_like(0.5, 16000, seed=10)[: changed.size - 24000]
    post = _energy(smoothing_ms=40.0)
    settings = AnimateSettings(model=str(bundle_dir), fps=25.0, post=post)
    _, first = stream_array(StreamSession(settings, bundle=bundle), audio, [320])
    _, second = stream_array(StreamSession(settings, bundle=bundle), changed, [320])
    before = int((24000 - 4160) / 16000 * 25.0) - 1  # frames whose windows end before the change
    np.testing.assert_array_equal(first[:before], second[:before])
    assert np.abs(first[before + 10 :] - second[before + 10 :]).max() > 1e-3

    plain = AnimateSettings(model=str(bundle_dir), fps=25.0, post=_energy())
    unsmoothed = animate(audio, plain, sample_rate=16000).weights.astype(np.float64)
    sigma = 40.0 / 1000.0 * 25.0
    taps = np.exp(-0.5 * (np.arange(int(np.ceil(3 * sigma)) + 1) / sigma) ** 2)
    taps /= taps.sum()
    expected = np.zeros_like(unsmoothed)
    for k, tap in enumerate(taps):
        past = np.concatenate([np.repeat(unsmoothed[:1], k, axis=0), unsmoothed[: unsmoothed.shape[0] - k]])
        expected += tap * past
    np.testing.assert_allclose(first, np.clip(expected, 0, 1), atol=1e-5)


def test_silence_gate_relaxes_the_face_in_a_long_pause(bundle, bundle_dir):
    audio = speech_like(3.0, 16000, silence=((1.0, 2.0),), seed=11)
    session = StreamSession(AnimateSettings(model=str(bundle_dir), fps=30.0, post=_energy()), bundle=bundle)
    _, weights = stream_array(session, audio, [480])
    assert np.abs(weights[45:55]).max() == 0.0  # inside the pause, after the release
    assert weights[10:25].min() > 0.0 and weights[70:85].min() > 0.0
    ungated = AnimateSettings(model=str(bundle_dir), fps=30.0, post=_energy(silence_gate=False))
    _, free = stream_array(StreamSession(ungated, bundle=bundle), audio, [480])
    assert free[45:55].min() > 0.0


def test_integer_pcm_and_interleaved_chunks(bundle, bundle_dir):
    audio = speech_like(1.0, 48000, seed=12)
    pcm = np.round(np.stack([audio, -audio], axis=1) * 20000).astype(np.int16)
    settings = AnimateSettings(model=str(bundle_dir), fps=30.0, post=_energy())
    _, from_int = stream_array(StreamSession(settings, sample_rate=48000, channels=2, bundle=bundle),
                               pcm.reshape(-1), [960 * 2])
    floats = pcm.astype(np.float32) / 32768.0
    _, from_float = stream_array(StreamSession(settings, sample_rate=48000, channels=2, bundle=bundle),
                                 floats, [960])
    assert from_int.shape[0] == frame_count(16000, 30.0)
    np.testing.assert_array_equal(from_int, from_float)


def test_memory_stays_bounded_on_a_long_stream(bundle, bundle_dir):
    settings = AnimateSettings(model=str(bundle_dir), fps=30.0, post=_energy(silence_gate=False))
    session = StreamSession(settings, bundle=bundle, batch_frames=64)
    quiet = np.zeros(16000, dtype=np.float32)
    for _ in range(30):
        session.push(quiet)
    assert session.seconds_received == 30.0
    assert session.buffered_seconds < 1.0


def test_mistakes_are_reported_plainly(bundle, bundle_dir):
    session = StreamSession(AnimateSettings(model=str(bundle_dir), post=_energy()), channels=2, bundle=bundle)
    with pytest.raises(Audio2FaceError, match="3 channels"):
        session.push(np.zeros((10, 3), dtype=np.float32))
    session.finish()
    with pytest.raises(Audio2FaceError, match="ended"):
        session.push(np.zeros((10, 2), dtype=np.float32))
    with pytest.raises(Audio2FaceError, match="unknown channels"):
        StreamSession(AnimateSettings(model=str(bundle_dir), post=_energy(gains={"nope": 2.0})), bundle=bundle)
    with pytest.raises(Audio2FaceError, match="sample rate"):
        StreamSession(AnimateSettings(model=str(bundle_dir), post=_energy()), sample_rate=0, bundle=bundle)


def test_one_huge_push_equals_small_chunks_with_a_short_speech_window(bundle, bundle_dir, monkeypatch):
    """The gate's level history is trimmed while frames wait; a long push must not lose levels they need."""
    import audio2face.streaming as streaming

    monkeypatch.setattr(streaming, "SPEECH_WINDOW_S", 1.0)
    audio = speech_like(12.0, 16000, silence=((2.0, 3.0), (9.5, 10.5)), seed=13)
    audio[: 3 * 16000] *= 0.2  # the speech level rises: the running level matters
    settings = AnimateSettings(model=str(bundle_dir), fps=30.0, post=_energy())
    _, small = stream_array(StreamSession(settings, bundle=bundle), audio, [320])
    _, whole = stream_array(StreamSession(settings, bundle=bundle, batch_frames=4), audio, [audio.size])
    assert small.shape == (360, 5)
    np.testing.assert_array_equal(whole, small)
    assert np.abs(small[70:80]).max() == 0.0 and np.abs(small[295:305]).max() == 0.0  # pauses close the gate


@pytest.mark.parametrize("lead_s, release_ms", [(0.23, 150.0), (2.0, 150.0), (0.0, 0.0)])
def test_gate_matches_offline_around_silences_at_the_start_and_short_releases(bundle, bundle_dir, lead_s,
                                                                               release_ms):
    """A silence that has just begun holds the frame back until it is known to be long enough."""
    speech = speech_like(3.0, 16000, silence=((1.0, 1.25), (2.0, 2.32)), seed=14)
    audio = np.concatenate([np.zeros(int(lead_s * 16000), np.float32), speech])
    settings = AnimateSettings(model=str(bundle_dir), fps=30.0, post=_energy(silence_release_ms=release_ms))
    _, streamed = stream_array(StreamSession(settings, bundle=bundle), audio, [320])
    offline = animate(audio, settings, sample_rate=16000).weights
    np.testing.assert_array_equal(streamed, offline)


def test_the_example_speech_streams_to_the_offline_curves(bundle, bundle_dir):
    example = ROOT / "examples" / "hello.wav"
    settings = AnimateSettings(model=str(bundle_dir), post=_energy())
    _, streamed = stream_array(StreamSession(settings, bundle=bundle), load_audio(example), [320])
    np.testing.assert_allclose(streamed, animate(example, settings).weights, rtol=0, atol=FLOAT_ROUNDING)


def _spinning(bundle) -> str:  # noqa: ANN001
    """The session's ``allow_spinning`` entry; onnxruntime's default (spinning) when it was never set."""
    from audio2face.bundle import SPINNING_CONFIG_KEY

    try:
        return bundle.session.get_session_options().get_session_config_entry(SPINNING_CONFIG_KEY)
    except RuntimeError:  # "does not have configuration with key": the default, which spins
        return "default"


def test_a_stream_with_several_threads_does_not_spin(bundle_dir: Path):
    from audio2face.streaming import live_bundle

    assert _spinning(load_bundle(bundle_dir)) == "default", "load_bundle keeps onnxruntime's default"
    assert _spinning(load_bundle(bundle_dir, 2, spin=False)) == "0"
    two = StreamSession(AnimateSettings(model=str(bundle_dir), threads=2, post=_energy()))
    assert _spinning(two.bundle) == "0"
    assert two.bundle.session.get_session_options().intra_op_num_threads == 2
    assert live_bundle(str(bundle_dir), 2) is two.bundle, "loaded once per process"
    assert _spinning(StreamSession(AnimateSettings(model=str(bundle_dir), threads=1)).bundle) == "default"


# --- low-latency models (a window that is mostly past) -----------------------------------------------


@pytest.fixture(scope="module")
def low_latency_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with an 80 ms lookahead, as ``models/lowlatency`` records it."""
    import json

    from bundle_factory import make_bundle

    folder = make_bundle(tmp_path_factory.mktemp("stream") / "tiny_lowlatency")
    meta = json.loads((folder / "model.json").read_text())
    meta["features"]["lookahead_ms"] = 80
    (folder / "model.json").write_text(json.dumps(meta))
    return folder


def test_a_low_latency_model_emits_every_frame_80_ms_after_its_time(low_latency_dir):
    """Silence gate on (the default), speech with pauses: no frame waits longer than its window's end."""
    audio = speech_like(3.0, 16000, silence=((0.9, 1.15), (1.6, 2.4)), seed=21)
    bundle = load_bundle(low_latency_dir)
    session = StreamSession(AnimateSettings(model=str(low_latency_dir), fps=30.0), bundle=bundle)
    assert session.lookahead_ms == 80.0
    pushed = 0
    for frame in range(frame_count(audio.size, 30.0)):
        needed = session.samples_needed(frame)
        assert needed == pytest.approx(frame / 30.0 * 16000 + 1280, abs=1.0)
        if needed > audio.size:
            break
        out = session.push(audio[pushed : needed - 1])
        assert all(f.index < frame for f in out)
        out = session.push(audio[needed - 1 : needed])
        pushed = needed
        assert out and out[-1].index == frame, f"frame {frame} waited"
    session.finish()


def test_a_low_latency_stream_gives_the_offline_numbers(low_latency_dir):
    audio = speech_like(2.5, 22050, silence=((1.0, 1.8),), seed=22)
    bundle = load_bundle(low_latency_dir)
    params = bundle.feature_params
    assert params.lookahead_ms == 80.0
    raw: Dict[int, np.ndarray] = {}

    def keep(indices: np.ndarray, outputs: np.ndarray) -> None:
        raw.update(zip(indices.tolist(), outputs))

    ungated = AnimateSettings(model=str(low_latency_dir), fps=29.97, post=PostSettings(silence_gate=False))
    session = StreamSession(ungated, sample_rate=22050, bundle=bundle, on_raw=keep)
    _, weights = stream_array(session, audio, random_chunks(audio.size, np.random.default_rng(4)))
    samples = load_audio_array(audio, 22050)
    offline = predict(bundle, compute_features(samples, 29.97, params), None)
    assert sorted(raw) == list(range(offline.shape[0]))
    assert np.abs(np.stack([raw[i] for i in range(offline.shape[0])]) - offline).max() <= 1e-5
    np.testing.assert_allclose(weights, animate(audio, ungated, sample_rate=22050).weights, atol=1e-5)
    # with the gate on, the face still rests in the long pause
    gated = AnimateSettings(model=str(low_latency_dir), fps=29.97)
    _, closed = stream_array(StreamSession(gated, sample_rate=22050, bundle=bundle), audio, [441])
    assert np.abs(closed[42:50]).max() == 0.0 and closed[5:25].min() > 0.0


def load_audio_array(audio: np.ndarray, rate: int) -> np.ndarray:
    from audio2face.audio import prepare_samples

    return prepare_samples(audio, rate, 16000)
