"""QC report per shot: silences, audio/mouth offset, keys, reference metrics, the PNG and the CLI."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from audio2face.cli import main
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.post import shift
from audio2face.qc import QcSettings, load_reference, qc_report, summarise, write_qc
from audio2face.qc_plot import FLAG, FLAG_BG, WIDTH, render_png
from audio2face.qc_report import QcReport, read_report

RATE = 16000
FPS = 30.0
SECONDS = 6.0
SILENCES = ((1.5, 2.5), (4.0, 4.8))
NAMES = ["jawOpen", "mouthFunnel", "browInnerUp"]


def syllables(times: np.ndarray, seed: int = 1) -> np.ndarray:
    """Raised-cosine syllables (120-220 ms half-width, every 200-350 ms), zero inside ``SILENCES``."""
    rng = np.random.default_rng(seed)
    out = np.zeros_like(times, dtype=np.float64)
    centre = 0.2
    while centre < SECONDS:
        width, height = rng.uniform(0.12, 0.22), rng.uniform(0.4, 1.0)
        distance = np.abs(times - centre) / width
        out = np.maximum(out, height * np.where(distance < 1, 0.5 + 0.5 * np.cos(np.pi * distance), 0.0))
        centre += rng.uniform(0.2, 0.35)
    for start, end in SILENCES:
        out[(times >= start) & (times < end)] = 0.0
    return out


def clip_audio() -> np.ndarray:
    """Voiced syllables whose loudness follows ``syllables``, silent in ``SILENCES``."""
    t = np.arange(int(SECONDS * RATE)) / RATE
    carrier = sum(np.sin(2 * np.pi * k * 130 * t) / k for k in range(1, 6))
    noise = 1e-4 * np.random.default_rng(0).standard_normal(t.size)
    return (0.3 * syllables(t) * carrier + noise).astype(np.float32)


def mouth_weights(fps: float = FPS) -> np.ndarray:
    """A mouth that opens with the loudness (jaw) and a second mouth channel; a brow that never moves."""
    frames = int(SECONDS * fps)
    jaw = 0.6 * syllables(np.arange(frames) / fps)
    return np.stack([jaw, 0.3 * np.roll(jaw, 1), np.zeros(frames)], axis=1).astype(np.float32)


@pytest.fixture(scope="module")
def audio() -> np.ndarray:
    return clip_audio()


# --- offset ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fps", [30.0, 24.0])
@pytest.mark.parametrize("shift_ms", [100.0, -100.0, 0.0])
def test_offset_estimate_finds_an_injected_shift_within_a_frame(audio, fps, shift_ms):
    weights = shift(mouth_weights(fps), shift_ms / 1000.0 * fps)
    report = qc_report(audio, Curves(NAMES, fps, weights), sample_rate=RATE)
    offset = report.offset
    assert offset["offset_ms"] == pytest.approx(shift_ms, abs=1000.0 / fps)
    assert offset["suggested_time_offset_ms"] == pytest.approx(-offset["offset_ms"])
    assert offset["confidence"] > 0.2 and not offset["at_limit"]
    assert offset["mouth_signal"] == "jawOpen"


def test_offset_is_not_claimed_when_the_mouth_does_not_follow_the_audio(audio):
    noise = np.random.default_rng(3).uniform(0, 0.5, (int(SECONDS * FPS), 3)).astype(np.float32)
    report = qc_report(audio, Curves(NAMES, FPS, noise), sample_rate=RATE)
    assert report.offset["confidence"] < 0.2
    assert not any("than the audio" in flag for flag in report.flags)


def test_a_gated_mouth_that_ignores_the_syllables_gets_no_confident_offset(audio):
    from audio2face.post import PostSettings, apply_post

    frames = int(SECONDS * FPS)
    flat = 0.3 + 0.02 * np.random.default_rng(5).standard_normal((frames, 3))
    gated = apply_post(flat.astype(np.float32), NAMES, FPS, PostSettings(), audio, RATE)
    assert gated[int(2.0 * FPS), 0] < 0.01 < gated[int(1.0 * FPS), 0], "closed in silence, open in speech"
    offset = qc_report(audio, Curves(NAMES, FPS, gated), sample_rate=RATE).offset
    assert offset["frames_used"] == "speech"
    assert (offset["confidence"] or 0.0) < 0.2, "open/closed with the silences is not lip-sync"


def test_offset_beyond_the_searched_lags_has_no_confidence(audio):
    weights = shift(mouth_weights(), 0.3 * FPS)
    report = qc_report(audio, Curves(NAMES, FPS, weights), sample_rate=RATE, settings=QcSettings(max_lag_ms=150))
    assert report.offset["confidence"] == 0.0, "a better fit lies outside the plausible lags"
    assert not any("than the audio" in flag for flag in report.flags)
    edge = qc_report(audio, Curves(NAMES, FPS, weights), sample_rate=RATE, settings=QcSettings(max_lag_ms=250))
    assert edge.offset["at_limit"] and edge.offset["confidence"] == 0.0


# --- mouth open in silence -----------------------------------------------------------------------------


def test_a_clean_curve_is_not_flagged(audio):
    report = qc_report(audio, Curves(NAMES, FPS, mouth_weights()), sample_rate=RATE)
    silence = report.silence
    assert not silence["flagged"] and silence["spans"] == [] and silence["flagged_seconds"] == 0
    assert silence["checked_seconds"] > 1.0, "both silences are checked"
    assert report.score == 100.0 and report.flags == []


def test_a_mouth_left_open_in_a_silence_is_flagged_with_its_times(audio):
    weights = mouth_weights()
    weights[int(1.4 * FPS) : int(2.5 * FPS), 0] = 0.4  # the jaw stays open through the first silence
    energy = QcSettings(vad_method="energy")  # the frame-exact RMS detector: times to the frame
    report = qc_report(audio, Curves(NAMES, FPS, weights, start_frame=101), sample_rate=RATE, settings=energy)
    silence = report.silence
    assert silence["flagged"] and len(silence["spans"]) == 1
    span = silence["spans"][0]
    frame = 1.0 / FPS
    assert span["start_s"] == pytest.approx(1.5 + 0.150, abs=2 * frame), "flagged after the 150 ms release"
    assert span["end_s"] == pytest.approx(2.5 - 0.080, abs=2 * frame), "not in the 80 ms before speech"
    assert span["start_frame"] == pytest.approx(101 + span["start_s"] * FPS, abs=0.05), "scene frames"
    assert span["max_open"] == pytest.approx(0.4)
    assert report.score < 100 and any("mouth open in silence" in f for f in report.flags)


def test_closing_within_the_release_is_not_flagged(audio):
    weights = mouth_weights()
    late = weights.copy()
    late[int(1.5 * FPS) : int(1.6 * FPS), 0] = 0.4  # closes 100 ms into the silence: within the release
    assert not qc_report(audio, Curves(NAMES, FPS, late), sample_rate=RATE).silence["flagged"]
    later = weights.copy()
    later[int(1.5 * FPS) : int(1.9 * FPS), 0] = 0.4  # still open 400 ms in
    assert qc_report(audio, Curves(NAMES, FPS, later), sample_rate=RATE).silence["flagged"]


@pytest.mark.parametrize("method, slack", [("energy", 2), ("robust", 3.5)])
def test_speech_and_silence_segments_match_the_clip(audio, method, slack):
    settings = QcSettings(vad_method=method)  # the robust detector holds speech a frame on each side
    report = qc_report(audio, Curves(NAMES, FPS, mouth_weights()), sample_rate=RATE, settings=settings)
    silences = [(s["start_s"], s["end_s"]) for s in report.vad["segments"] if s["kind"] == "silence"]
    inner = [s for s in silences if s[0] > 0.5]
    assert len(inner) == 2
    for (start, end), (want_start, want_end) in zip(inner, SILENCES):
        assert start == pytest.approx(want_start, abs=slack / FPS)
        assert end == pytest.approx(want_end, abs=slack / FPS)
    segments = report.vad["segments"]
    assert segments[0]["start_s"] == 0 and segments[-1]["end_s"] == pytest.approx(SECONDS, abs=1 / FPS)
    assert all(a["end_s"] == b["start_s"] for a, b in zip(segments, segments[1:])), "segments tile the clip"


# --- keys ----------------------------------------------------------------------------------------------


def test_keys_per_second_of_reduced_curves(audio):
    from audio2face.key_reduction import key_count, reduce_curves

    curves = reduce_curves(Curves(NAMES, FPS, mouth_weights()), 0.01)
    report = qc_report(audio, curves, sample_rate=RATE)
    total = key_count(curves.keys)
    assert report.keys["keys"] == total
    assert report.keys["keys_per_second"] == pytest.approx(total / SECONDS, abs=1e-3)
    assert report.keys["keys_per_second_per_channel"] == pytest.approx(total / SECONDS / 3, abs=1e-3)
    assert report.keys["tolerance"] == 0.01
    assert qc_report(audio, Curves(NAMES, FPS, mouth_weights()), sample_rate=RATE).keys is None


# --- reference -----------------------------------------------------------------------------------------


def test_reference_metrics_on_a_constructed_case(audio):
    frames = int(SECONDS * FPS)
    t_ref = np.arange(2 * frames + 20) / 60.0  # the reference: 60 fps and a little longer
    jaw_ref = 0.3 + 0.2 * np.sin(2 * np.pi * 1.3 * t_ref)
    funnel_ref = 0.2 + 0.1 * np.cos(2 * np.pi * 0.7 * t_ref)
    smile_ref = 0.1 + 0.05 * np.sin(2 * np.pi * 2.1 * t_ref)
    reference = Curves(
        ["jawOpen", "mouthFunnel", "mouthSmile_L", "cheekPuff"], 60.0,
        np.stack([jaw_ref, funnel_ref, smile_ref, np.zeros_like(t_ref)], axis=1),
    )
    t = np.arange(frames) / FPS
    jaw = 0.3 + 0.2 * np.sin(2 * np.pi * 1.3 * t) + 0.1  # offset by 0.1: r = 1
    funnel = 0.4 - (0.2 + 0.1 * np.cos(2 * np.pi * 0.7 * t))  # mirrored: r = -1
    smile = np.full(frames, 0.1)  # constant: no correlation
    curves = Curves(["jawOpen", "mouthFunnel", "mouthSmile_L", "browInnerUp"], FPS,
                    np.stack([jaw, funnel, smile, np.zeros(frames)], axis=1))
    ref = qc_report(audio, curves, reference, sample_rate=RATE).reference

    ours = np.stack([jaw, funnel, smile], axis=1)
    theirs = np.stack([jaw_ref[::2][:frames], funnel_ref[::2][:frames], smile_ref[::2][:frames]], axis=1)
    assert ref["channels_compared"] == 3 and ref["frames_compared"] == frames
    assert ref["mse"] == pytest.approx(np.mean((ours - theirs) ** 2), abs=1e-5)
    assert ref["mae"] == pytest.approx(np.mean(np.abs(ours - theirs)), abs=1e-5)
    assert ref["per_channel"]["jawOpen"]["pearson"] == pytest.approx(1.0, abs=1e-4)
    assert ref["per_channel"]["mouthFunnel"]["pearson"] == pytest.approx(-1.0, abs=1e-4)
    assert ref["per_channel"]["mouthSmile_L"]["pearson"] is None
    assert ref["constant_channels"] == ["mouthSmile_L"]
    assert ref["pearson_mean"] == pytest.approx(0.0, abs=1e-4) and ref["pearson_channels"] == 2
    assert ref["jaw_channel"] == "jawOpen" and ref["jaw_correlation"] == pytest.approx(1.0, abs=1e-4)
    assert ref["only_in_curves"] == ["browInnerUp"] and ref["only_in_reference"] == ["cheekPuff"]


def test_reference_sharing_no_channel_is_an_error(audio):
    curves = Curves(NAMES, FPS, mouth_weights())
    other = Curves(["a", "b"], FPS, np.zeros((10, 2)))
    with pytest.raises(Audio2FaceError, match="shares no channel"):
        qc_report(audio, curves, other, sample_rate=RATE)


def _facegood_like(folder: Path, weights: np.ndarray, names) -> Path:
    (folder / "bs_value").mkdir(parents=True)
    np.save(folder / "bs_name.npy", np.array(names))
    path = folder / "bs_value" / "bs_value_clip.npy"
    np.save(path, weights.astype(np.float64))
    return path


def test_facegood_labels_take_names_from_bs_name(tmp_path):
    weights = mouth_weights()
    names = ["brow_lower_l", "mouth_stretch_c", "mouth_pucker"]
    labels = _facegood_like(tmp_path / "fg", weights[:, [2, 0, 1]], names)
    like = Curves(NAMES, 24.0, weights)
    reference = load_reference(labels, like)
    assert reference.names == names and reference.fps == 30.0
    assert np.allclose(reference.weights[:, 1], weights[:, 0])


def test_bare_label_arrays_take_the_curves_names_when_columns_match(tmp_path):
    weights = mouth_weights()
    np.save(tmp_path / "labels.npy", weights)
    like = Curves(NAMES, 25.0, weights)
    reference = load_reference(tmp_path / "labels.npy", like)
    assert reference.names == NAMES and reference.fps == 25.0
    np.save(tmp_path / "wide.npy", np.zeros((10, 5)))
    with pytest.raises(Audio2FaceError, match="5 unnamed columns"):
        load_reference(tmp_path / "wide.npy", like)


# --- output: JSON, PNG, summary ------------------------------------------------------------------------


def _read_png(data: bytes) -> np.ndarray:
    """Decode a PNG (matplotlib's reader) into RGB uint8 (height, width, 3)."""
    from matplotlib.image import imread

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = imread(io.BytesIO(data), format="png")
    return np.round(image[..., :3] * 255).astype(np.uint8)


def _has_colour(image: np.ndarray, colour) -> bool:
    return bool(np.all(image == np.asarray(colour, dtype=np.uint8), axis=2).any())


def test_png_is_drawn_with_matplotlib_and_shows_the_flagged_span_in_the_flag_colours(audio, tmp_path):
    weights = mouth_weights()
    weights[int(1.4 * FPS) : int(2.5 * FPS), 0] = 0.4
    report = qc_report(audio, Curves(NAMES, FPS, weights), sample_rate=RATE, name="shot010")
    json_path, png_path = write_qc(report, tmp_path / "shot010_qc.json")
    assert png_path == tmp_path / "shot010_qc.png"
    image = _read_png(png_path.read_bytes())
    assert image.shape[1] == WIDTH
    assert _has_colour(image, FLAG_BG) and _has_colour(image, FLAG), "the flagged span is shaded and drawn red"

    clean = qc_report(audio, Curves(NAMES, FPS, mouth_weights()), sample_rate=RATE)
    clean_image = _read_png(render_png(clean))
    assert not _has_colour(clean_image, FLAG_BG) and not _has_colour(clean_image, FLAG), "a clean shot has no red"

    data = json.loads(json_path.read_text())
    assert "series" not in data and data["files"] == {"json": json_path.name, "png": png_path.name}
    assert data["silence"]["spans"] == report.silence["spans"]
    assert QcReport.from_json(data).score == report.score


def test_without_matplotlib_the_picture_is_plain_text(audio, tmp_path, monkeypatch):
    from audio2face import qc_plot

    monkeypatch.setattr(qc_plot, "plotting_available", lambda: False)
    weights = mouth_weights()
    weights[int(1.4 * FPS) : int(2.5 * FPS), 0] = 0.4
    report = qc_report(audio, Curves(NAMES, FPS, weights), sample_rate=RATE, name="shot010")
    json_path, text_path = write_qc(report, tmp_path / "shot010_qc.json")
    assert text_path == tmp_path / "shot010_qc.txt" and not (tmp_path / "shot010_qc.png").exists()
    text = text_path.read_text()
    span = report.silence["spans"][0]
    assert text.startswith("shot010: score") and f"{span['start_frame']:g}-{span['end_frame']:g}" in text
    assert json.loads(json_path.read_text())["files"] == {"json": json_path.name, "text": text_path.name}
    with pytest.raises(Audio2FaceError, match="needs matplotlib"):
        render_png(report)


def test_qc_takes_the_prediction_s_decoded_samples(tiny_bundle, speech_wav, monkeypatch):
    from audio2face import audio as audio_module
    from audio2face.pipeline import AnimateSettings, finish, predict

    settings = AnimateSettings(model=str(tiny_bundle))
    prediction = predict(speech_wav, settings)
    curves = finish(prediction, settings)
    from_file = qc_report(speech_wav, curves)

    def no_decoding(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the audio was decoded again")

    monkeypatch.setattr(audio_module, "load_audio", no_decoding)
    from_prediction = qc_report(prediction, curves)
    assert from_prediction.inputs["audio"] == str(speech_wav) and from_prediction.shot == from_file.shot
    assert from_prediction.to_json() == from_file.to_json()


def test_write_qc_needs_plot_data_and_writes_nothing_on_failure(audio, tmp_path):
    report = qc_report(audio, Curves(NAMES, FPS, mouth_weights()), sample_rate=RATE)
    with pytest.raises(Audio2FaceError, match="no plot data"):
        write_qc(QcReport.from_json(report.to_json()), tmp_path / "r.json")
    with pytest.raises(Audio2FaceError, match="does not exist"):
        write_qc(report, tmp_path / "missing" / "r.json")
    assert list(tmp_path.iterdir()) == []


def test_summarise_puts_the_worst_shot_first(audio, tmp_path):
    clean = qc_report(audio, Curves(NAMES, FPS, mouth_weights()), sample_rate=RATE, name="clean")
    open_jaw = mouth_weights()
    open_jaw[int(1.4 * FPS) : int(2.5 * FPS), 0] = 0.4
    flagged = qc_report(audio, Curves(NAMES, FPS, open_jaw), sample_rate=RATE, name="open")
    late = qc_report(audio, Curves(NAMES, FPS, shift(mouth_weights(), 0.3 * FPS)), sample_rate=RATE, name="late")
    rows = summarise([clean, flagged, late])
    assert [r["shot"] for r in rows][-1] == "clean" and rows[-1]["score"] == 100.0
    assert all(a["score"] <= b["score"] for a, b in zip(rows, rows[1:]))
    late_row = next(r for r in rows if r["shot"] == "late")
    assert late_row["offset_ms"] == pytest.approx(300, abs=1000 / FPS) and late_row["score"] < 100
    assert any("later than the audio" in f for f in late_row["flags"])
    write_qc(flagged, tmp_path / "open.json")
    from_file = summarise([tmp_path / "open.json"])
    open_row = next(r for r in rows if r["shot"] == "open")
    assert from_file[0]["shot"] == "open" and from_file[0]["score"] == open_row["score"]
    assert read_report(tmp_path / "open.json").to_json()["format"] == "audio2face-qc"


def test_silent_audio_and_curves_without_a_jaw_still_give_a_report_and_a_picture():
    weights = np.random.default_rng(0).uniform(0, 1, (90, 2))
    report = qc_report(np.zeros(2 * RATE, np.float32), Curves(["browUp", "eyeBlink_L"], FPS, weights), sample_rate=RATE)
    assert report.vad["speech_seconds"] == 0 and report.jaw_channel is None
    assert report.silence["spans"] == [] and "no jaw-open channel" in report.silence["note"]
    assert report.offset["offset_ms"] is None and report.offset["reason"]
    assert any("the audio lasts 2.00 s but the curves 3.00 s" in n for n in report.notes)
    assert _read_png(render_png(report)).shape[1] == WIDTH


def test_curves_too_short_for_qc(audio):
    with pytest.raises(Audio2FaceError, match="at least 2"):
        qc_report(audio, Curves(NAMES, FPS, np.zeros((1, 3))), sample_rate=RATE)


# --- CLI -----------------------------------------------------------------------------------------------


@pytest.fixture()
def shot(tmp_path, audio):
    import soundfile as sf
    from audio2face.formats import write_curves

    wav = tmp_path / "shot020.wav"
    sf.write(wav, audio, RATE, subtype="PCM_16")
    weights = mouth_weights()
    weights[int(1.4 * FPS) : int(2.5 * FPS), 0] = 0.4
    curves = tmp_path / "shot020.json"
    write_curves(Curves(NAMES, FPS, weights), curves)
    reference = tmp_path / "reference.json"
    write_curves(Curves(NAMES, FPS, mouth_weights()), reference)
    return wav, curves, reference


def test_cli_writes_json_and_png(shot, tmp_path, capsys):
    wav, curves, reference = shot
    out = tmp_path / "reports" / "shot020_qc.json"
    out.parent.mkdir()
    assert main(["qc", str(wav), str(curves), "--reference", str(reference), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "mouth open in silence: 1 span" in printed and "reference: MSE" in printed
    data = json.loads(out.read_text())
    assert data["shot"] == "shot020" and data["silence"]["flagged"]
    assert data["inputs"] == {"audio": str(wav), "curves": str(curves), "reference": str(reference)}
    assert data["reference"]["jaw_correlation"] < 1.0
    _read_png(out.with_suffix(".png").read_bytes())


def test_cli_reports_the_keys_of_a_reduced_ma_file(shot, tmp_path, capsys):
    from audio2face.formats import write_curves
    from audio2face.key_reduction import key_count, reduce_curves

    wav, _, _ = shot
    reduced = reduce_curves(Curves(NAMES, FPS, mouth_weights()), 0.01)
    write_curves(reduced, tmp_path / "reduced.ma", blendshape_node="blendShape1")
    assert main(["qc", str(wav), str(tmp_path / "reduced.ma"), "--out", str(tmp_path / "r.json")]) == 0
    keys = json.loads((tmp_path / "r.json").read_text())["keys"]
    assert keys["keys"] == key_count(reduced.keys)
    assert f"keys: {key_count(reduced.keys)} (" in capsys.readouterr().out


def test_cli_default_output_goes_to_the_working_folder(shot, tmp_path, monkeypatch):
    wav, curves, _ = shot
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["qc", str(wav), str(curves), "--open-threshold", "0.5"]) == 0
    data = json.loads((work / "shot020_qc.json").read_text())
    assert not data["silence"]["flagged"], "0.4 is below a 0.5 threshold"
    assert (work / "shot020_qc.png").is_file()


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing_audio", "audio file not found"),
        ("not_curves", "unknown curve file type"),
        ("wide_labels", "unnamed columns"),
        ("out_not_json", "written as .json"),
        ("negative_threshold", "open_threshold"),
        ("missing_folder", "output folder does not exist"),
    ],
)
def test_cli_bad_inputs_give_one_line_errors(shot, tmp_path, capsys, case, message):
    wav, curves, _ = shot
    args = [str(wav), str(curves), "--out", str(tmp_path / "r.json")]
    if case == "missing_audio":
        args[0] = str(tmp_path / "nope.wav")
    elif case == "not_curves":
        (tmp_path / "curves.txt").write_text("1 2 3\n")
        args[1] = str(tmp_path / "curves.txt")
    elif case == "wide_labels":
        np.save(tmp_path / "labels.npy", np.zeros((50, 7)))
        args += ["--reference", str(tmp_path / "labels.npy")]
    elif case == "out_not_json":
        args[3] = str(tmp_path / "r.txt")
    elif case == "negative_threshold":
        args += ["--open-threshold", "-1"]
    elif case == "missing_folder":
        args[3] = str(tmp_path / "no" / "r.json")
    assert main(["qc", *args]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("audio2face: error:") and "\n" not in err and message in err
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "r.png").exists()


# --- real data -----------------------------------------------------------------------------------------


@pytest.mark.facegood
def test_facegood_labels_against_their_own_audio(facegood, tmp_path):
    labels = facegood / "bs_value" / "bs_value_1114_3_15.npy"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = qc_report(facegood / "wav" / "1114_3_15.wav", labels, reference=labels)
    assert report.jaw_channel == "mouth_stretch_c" and report.fps == 30.0
    assert report.reference["mse"] == 0 and report.reference["jaw_correlation"] == pytest.approx(1.0)
    assert report.vad["silence_seconds"] > 3.0
    assert abs(report.offset["offset_ms"]) < 100, "the hand-keyed labels are in sync with their audio"
    json_path, png_path = write_qc(report, tmp_path / "3_15.json")
    assert _read_png(png_path.read_bytes()).shape[1] == 1600
