"""Audio input: formats, downmix, resampling, arrays, and every error a user can cause."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import soundfile as sf
from audio2face.audio import load_audio, prepare_samples, resample
from audio2face.errors import Audio2FaceError

RATE = 16000


def tone(freq: float, rate: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def spectrum_peak(x: np.ndarray, rate: int) -> float:
    """Frequency (Hz) of the strongest bin of a Hann-windowed spectrum."""
    magnitude = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.argmax(magnitude) * rate / x.size)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def middle(x: np.ndarray, rate: int) -> np.ndarray:
    """Drop 0.1 s at both ends (resampler and codec edges)."""
    edge = rate // 10
    return x[edge:-edge]


# --- formats --------------------------------------------------------------------------------------


LOSSLESS = [("wav", "PCM_16"), ("wav", "PCM_24"), ("wav", "FLOAT"), ("flac", "PCM_16"), ("aiff", "PCM_16")]


@pytest.mark.parametrize("ext, subtype", LOSSLESS)
def test_lossless_formats_load_exactly(tmp_path, ext, subtype):
    signal = tone(440, RATE, 0.5)
    path = tmp_path / f"clip.{ext}"
    sf.write(path, signal, RATE, subtype=subtype)
    loaded = load_audio(path)
    assert loaded.dtype == np.float32 and loaded.ndim == 1 and loaded.size == signal.size
    tolerance = {"PCM_16": 1 / 32768, "PCM_24": 1 / 2**23, "FLOAT": 0.0}[subtype]
    assert np.abs(loaded - signal).max() <= tolerance


@pytest.mark.parametrize("ext, fmt, subtype", [("ogg", "OGG", "VORBIS"), ("mp3", "MP3", "MPEG_LAYER_III")])
def test_lossy_formats_load(tmp_path, ext, fmt, subtype):
    if fmt not in sf.available_formats() or subtype not in sf.available_subtypes(fmt):
        pytest.skip(f"this libsndfile cannot write {fmt}/{subtype}")
    signal = tone(440, 22050, 1.0)
    path = tmp_path / f"clip.{ext}"
    sf.write(path, signal, 22050, format=fmt, subtype=subtype)
    loaded = load_audio(path)
    assert abs(loaded.size - RATE) < 0.1 * RATE, "about one second at 16 kHz (codecs pad a little)"
    assert spectrum_peak(middle(loaded, RATE), RATE) == pytest.approx(440, abs=3)
    assert rms(middle(loaded, RATE)) == pytest.approx(0.5 / np.sqrt(2), rel=0.1)


def test_multichannel_float_44k_is_downmixed_and_resampled(tmp_path):
    rate = 44100
    left = tone(440, rate, 1.0, 0.3)
    right = tone(440, rate, 1.0, 0.3)
    silent = np.zeros_like(left)
    path = tmp_path / "three.wav"
    sf.write(path, np.stack([left, right, silent], axis=1), rate, subtype="FLOAT")
    loaded = load_audio(path)
    assert loaded.size == pytest.approx(RATE, abs=1)
    core = middle(loaded, RATE)
    assert spectrum_peak(core, RATE) == pytest.approx(440, abs=2)
    assert rms(core) == pytest.approx(0.2 / np.sqrt(2), rel=0.01), "mean of the three channels"


def test_opposite_channels_cancel(tmp_path):
    left = tone(300, RATE, 0.5)
    path = tmp_path / "phase.wav"
    sf.write(path, np.stack([left, -left], axis=1), RATE, subtype="FLOAT")
    assert np.abs(load_audio(path)).max() == 0.0


def test_other_target_rate(tmp_path):
    path = tmp_path / "a.flac"
    sf.write(path, tone(1000, 48000, 0.5), 48000)
    loaded = load_audio(path, sample_rate=22050)
    assert loaded.size == pytest.approx(0.5 * 22050, abs=1)
    assert spectrum_peak(middle(loaded, 22050), 22050) == pytest.approx(1000, abs=3)


def test_audio_shorter_than_a_frame_is_returned_as_is(tmp_path):
    path = tmp_path / "blip.wav"
    sf.write(path, np.full(100, 0.25, np.float32), RATE, subtype="FLOAT")
    loaded = load_audio(path)
    assert loaded.tolist() == [0.25] * 100


# --- resampling -----------------------------------------------------------------------------------


def test_resampling_keeps_frequency_and_amplitude():
    out = resample(tone(1000, 44100, 1.0, 0.5), 44100, RATE)
    assert out.dtype == np.float32
    assert out.size == pytest.approx(RATE, abs=1)
    core = middle(out, RATE)
    assert spectrum_peak(core, RATE) == pytest.approx(1000, abs=1)
    assert rms(core) == pytest.approx(0.5 / np.sqrt(2), rel=0.005)
    t = (np.arange(core.size) + RATE // 10) / RATE
    delay = np.angle(np.sum(core * np.exp(-2j * np.pi * 1000 * t)))
    assert abs(delay + np.pi / 2) < 0.05, "the sine keeps its phase: no time shift"


def test_resampling_removes_content_above_the_new_nyquist():
    """12 kHz cannot exist at 16 kHz: it must vanish, not fold down to 4 kHz."""
    high = tone(12000, 44100, 1.0, 0.5)
    out = middle(resample(high, 44100, RATE), RATE)
    assert rms(out) < 1e-3 * 0.5
    mixed = middle(resample(high + tone(1000, 44100, 1.0, 0.5), 44100, RATE), RATE)
    magnitude = np.abs(np.fft.rfft(mixed * np.hanning(mixed.size)))
    freqs = np.fft.rfftfreq(mixed.size, 1 / RATE)
    at = {f: magnitude[np.argmin(np.abs(freqs - f))] for f in (1000, 4000)}
    assert at[4000] < 1e-4 * at[1000]


def test_upsampling_and_same_rate():
    out = resample(tone(440, 8000, 0.5), 8000, RATE)
    assert out.size == pytest.approx(RATE / 2, abs=1)
    assert spectrum_peak(middle(out, RATE), RATE) == pytest.approx(440, abs=2)
    same = tone(440, RATE, 0.1)
    assert np.array_equal(resample(same, RATE, RATE), same)


# --- arrays ---------------------------------------------------------------------------------------


def test_prepare_samples_int16_stereo_44k():
    mono = tone(440, 44100, 0.5, 0.5)
    pcm = np.round(np.stack([mono, mono], axis=1) * 32767).astype(np.int16)
    out = prepare_samples(pcm, 44100)
    assert out.dtype == np.float32 and out.size == pytest.approx(8000, abs=1)
    assert rms(middle(out, RATE)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01), "int16 scaled to [-1, 1)"


def test_prepare_samples_channels_first_and_mono():
    a, b = tone(440, RATE, 0.2, 0.4), tone(440, RATE, 0.2, 0.2)
    expected = ((a.astype(np.float64) + b) / 2).astype(np.float32)
    assert np.allclose(prepare_samples(np.stack([a, b]), RATE, channels_first=True), expected, atol=1e-7)
    assert np.allclose(prepare_samples(np.stack([a, b], axis=1), RATE), expected, atol=1e-7)
    out = prepare_samples(a, RATE)
    assert np.array_equal(out, a)
    out[0] = 9.0
    assert a[0] != 9.0, "the caller's array is not aliased"


def test_prepare_samples_errors_name_the_source():
    with pytest.raises(Audio2FaceError, match="zero length") as caught:
        prepare_samples(np.zeros(0, np.float32), RATE, source="soundNode1")
    assert "soundNode1" in str(caught.value)
    with pytest.raises(Audio2FaceError, match="NaN"):
        prepare_samples(np.full(100, np.nan), RATE)
    with pytest.raises(Audio2FaceError, match="1-D or 2-D"):
        prepare_samples(np.zeros((2, 2, 2)), RATE)
    with pytest.raises(ValueError):
        prepare_samples(np.zeros(10), 0)


# --- errors ---------------------------------------------------------------------------------------


def assert_one_line_naming(error: pytest.ExceptionInfo, path) -> None:
    message = str(error.value)
    assert str(path) in message and "\n" not in message


def test_missing_file(tmp_path):
    path = tmp_path / "nope.wav"
    with pytest.raises(Audio2FaceError, match="not found") as caught:
        load_audio(path)
    assert_one_line_naming(caught, path)


def test_folder(tmp_path):
    folder = tmp_path / "takes.wav"
    folder.mkdir()
    with pytest.raises(Audio2FaceError, match="folder") as caught:
        load_audio(folder)
    assert_one_line_naming(caught, folder)


@pytest.mark.parametrize("content", [b"this is not audio\n", b"", b"RIFF\x00\x00\x00\x00WAVEjunk"])
def test_not_audio(tmp_path, content):
    path = tmp_path / "notes.wav"
    path.write_bytes(content)
    with pytest.raises(Audio2FaceError, match="cannot read audio") as caught:
        load_audio(path)
    assert_one_line_naming(caught, path)


def test_zero_length(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros((0, 1), np.float32), RATE)
    with pytest.raises(Audio2FaceError, match="zero length") as caught:
        load_audio(path)
    assert_one_line_naming(caught, path)


def test_all_nan(tmp_path):
    path = tmp_path / "nan.wav"
    sf.write(path, np.full((1000, 2), np.nan, np.float32), RATE, subtype="FLOAT")
    with pytest.raises(Audio2FaceError, match="NaN") as caught:
        load_audio(path)
    assert_one_line_naming(caught, path)


def test_some_nan_and_inf_become_silence_with_a_warning(tmp_path, caplog):
    signal = np.full(RATE, 0.25, np.float32)
    signal[[10, 20]] = np.nan
    signal[30] = np.inf
    path = tmp_path / "glitch.wav"
    sf.write(path, signal, RATE, subtype="FLOAT")
    with caplog.at_level(logging.WARNING, logger="audio2face.audio"):
        loaded = load_audio(path)
    assert np.isfinite(loaded).all()
    assert loaded[[10, 20, 30]].tolist() == [0.0, 0.0, 0.0] and loaded[11] == 0.25
    assert "3 of 16000" in caplog.text and str(path) in caplog.text


def test_long_files_are_read_block_by_block_with_the_same_result(tmp_path):
    """Hour-long files are read in blocks; the result equals downmixing and resampling the whole file at once."""
    import soxr
    from audio2face import audio

    rng = np.random.default_rng(7)
    stereo = (rng.standard_normal((5 * audio.READ_BLOCK + 123, 2)) * 0.1).astype(np.float32)
    path = tmp_path / "long.wav"
    sf.write(path, stereo, 44100, subtype="FLOAT")
    whole = soxr.resample(stereo.mean(axis=1, dtype=np.float64).astype(np.float32), 44100, 16000, quality="HQ")
    loaded = audio.load_audio(path)
    assert loaded.shape == whole.shape
    np.testing.assert_allclose(loaded, whole, atol=1e-6)
