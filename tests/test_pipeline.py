"""``animate`` end to end with a tiny model, and the CLI around it."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from audio2face.cli import main
from audio2face.errors import Audio2FaceError, Cancelled
from audio2face.pipeline import AnimateSettings, animate
from audio2face.post import PostSettings
from audio2face.progress import CancelToken
from conftest import ROOT, speech_like


def test_animate_a_file(tiny_bundle, speech_wav):
    curves = animate(speech_wav, AnimateSettings(model=str(tiny_bundle)))
    assert curves.names[0] == "jawOpen"
    assert curves.frame_count == int(2.0 * 30)
    assert curves.weights.dtype == np.float32
    assert (curves.weights >= 0).all() and (curves.weights <= 1).all()
    assert curves.source["audio"] == str(speech_wav)
    assert curves.unmatched == []


def test_animate_array_equals_file(tiny_bundle, speech_wav):
    import soundfile as sf

    data, rate = sf.read(speech_wav, dtype="float32")
    settings = AnimateSettings(model=str(tiny_bundle))
    from_file = animate(speech_wav, settings)
    from_array = animate(data, settings, sample_rate=rate)
    np.testing.assert_allclose(from_array.weights, from_file.weights, atol=1e-6)
    with pytest.raises(Audio2FaceError, match="sample_rate"):
        animate(data, settings)


@pytest.mark.parametrize("fps", [23.976, 24.0, 25.0, 29.97, 50.0, 60.0])
def test_any_frame_rate(tiny_bundle, fps):
    audio = speech_like(1.5)
    curves = animate(audio, AnimateSettings(model=str(tiny_bundle), fps=fps), sample_rate=16000)
    assert curves.fps == fps
    assert curves.frame_count == int(audio.size / 16000 * fps)


def test_retarget_onto_rig_targets_reports_unmatched(tiny_bundle, speech_wav):
    settings = AnimateSettings(model=str(tiny_bundle), targets=["JawOpen", "face:mouth_close", "browInnerUp"])
    curves = animate(speech_wav, settings)
    assert curves.names == ["JawOpen", "face:mouth_close", "browInnerUp"]
    assert curves.unmatched == ["browInnerUp"]
    assert not curves.channel("browInnerUp").any()
    plain = animate(speech_wav, AnimateSettings(model=str(tiny_bundle)))
    np.testing.assert_allclose(curves.channel("JawOpen"), plain.channel("jawOpen"), atol=1e-6)


def test_silence_gate_is_on_by_default(tiny_bundle, tmp_path):
    import soundfile as sf

    audio = speech_like(4.0, silence=((1.0, 3.0),))
    path = tmp_path / "gap.wav"
    sf.write(path, audio, 16000)
    gated = animate(path, AnimateSettings(model=str(tiny_bundle)))
    free = animate(path, AnimateSettings(model=str(tiny_bundle), post=PostSettings(silence_gate=False)))
    middle = slice(int(1.6 * 30), int(2.4 * 30))
    assert gated.weights[middle].max() < 0.01
    assert free.weights[middle].max() > 0.1


def test_short_audio_gives_an_empty_result(tiny_bundle):
    curves = animate(np.zeros(100, np.float32), AnimateSettings(model=str(tiny_bundle)), sample_rate=16000)
    assert curves.frame_count == 0


def test_progress_and_cancel(tiny_bundle, speech_wav):
    seen = []
    animate(speech_wav, AnimateSettings(model=str(tiny_bundle)), progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        animate(speech_wav, AnimateSettings(model=str(tiny_bundle)), cancel=token)


def test_cli_animate_writes_each_requested_format(tiny_bundle, speech_wav, tmp_path, capsys):
    outs = [tmp_path / "new" / "o.json", tmp_path / "o.csv"]
    code = main(["animate", str(speech_wav), "--model", str(tiny_bundle), "--out", str(outs[0]), "--out", str(outs[1])])
    assert code == 0
    data = json.loads(outs[0].read_text())
    assert data["names"][0] == "jawOpen" and len(data["weights"]) == 60
    assert outs[1].read_text().splitlines()[0].startswith("jawOpen")
    assert "60 frames" in capsys.readouterr().out


def test_cli_several_inputs_into_a_folder(tiny_bundle, speech_wav, tmp_path):
    other = tmp_path / "second.wav"
    other.write_bytes(speech_wav.read_bytes())
    out = tmp_path / "out"
    code = main(["animate", str(speech_wav), str(other), "--model", str(tiny_bundle), "--out", str(out),
                 "--format", "json,npy"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["second.json", "second.npy", "speech.json", "speech.npy"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["animate", "missing.wav"], "missing.wav"),
        (["animate", "{wav}", "--out", "x.txt"], "unknown output format"),
        (["animate", "{wav}", "--mapping", "nope.json"], "mapping file not found"),
        (["animate", "{wav}", "--emotion", "furious"], "unknown emotion preset"),
        (["animate", "{wav}", "--reduce", "-1"], "--reduce"),
        (["info", "no_such_model"], "not found"),
    ],
)
def test_cli_errors_are_one_line(tiny_bundle, speech_wav, tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    argv = [a.replace("{wav}", str(speech_wav)) for a in argv]
    if argv[0] == "animate":
        argv += ["--model", str(tiny_bundle)]
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert "Traceback" not in err
    last = err.splitlines()[-1]
    assert last.startswith("audio2face: error: ") and message in last


def test_cli_features(speech_wav, tmp_path):
    out = tmp_path / "f.npy"
    assert main(["features", str(speech_wav), "--fps", "30", "--out", str(out)]) == 0
    feats = np.load(out, allow_pickle=False)
    assert feats.dtype == np.float32 and feats.shape == (60, 32, 64)


def test_cli_info(tiny_bundle, capsys):
    assert main(["info", str(tiny_bundle)]) == 0
    out = capsys.readouterr().out
    assert "channels:   5" in out and "presets: neutral, open" in out


def test_console_script_help_runs():
    result = subprocess.run(
        [sys.executable, "-m", "audio2face", "animate", "--help"],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(Path(ROOT, "scripts")), "PATH": ""},
    )
    assert result.returncode == 0 and "--mapping" in result.stdout


def test_finish_reuses_one_prediction_for_new_post_settings(tiny_bundle, speech_wav):
    from audio2face.pipeline import finish, predict

    settings = AnimateSettings(model=str(tiny_bundle))
    prediction = predict(speech_wav, settings)
    assert prediction.raw.shape == (60, len(prediction.channels))
    assert prediction.samples.size == 2 * prediction.sample_rate
    np.testing.assert_array_equal(finish(prediction, settings).weights, animate(speech_wav, settings).weights)
    stronger = AnimateSettings(model=str(tiny_bundle), post=PostSettings(strength=0.5, smoothing_ms=40))
    assert prediction.matches(stronger)
    np.testing.assert_allclose(finish(prediction, stronger).weights, animate(speech_wav, stronger).weights, atol=1e-7)
    other_fps = AnimateSettings(model=str(tiny_bundle), fps=24)
    assert not prediction.matches(other_fps)
    with pytest.raises(Audio2FaceError, match="predict again"):
        finish(prediction, other_fps)


def test_finish_measures_the_audio_levels_once_per_prediction(tiny_bundle, speech_wav, monkeypatch):
    from audio2face import vad
    from audio2face.pipeline import finish, predict
    from audio2face.post import PostSettings

    settings = AnimateSettings(model=str(tiny_bundle))
    prediction = predict(speech_wav, settings)
    first = finish(prediction, settings)
    np.testing.assert_array_equal(first.weights, animate(speech_wav, settings).weights)

    def measured_again(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the levels were measured again")

    monkeypatch.setattr(vad, "frame_levels_db", measured_again)
    changed = dataclasses.replace(settings, post=PostSettings(silence_db=-20.0, smoothing_ms=30.0))
    assert finish(prediction, changed).frame_count == first.frame_count


def test_the_robust_gate_of_a_file_reads_the_band_energies_measured_while_decoding(tiny_bundle, speech_wav,
                                                                                   monkeypatch):
    from audio2face import vad
    from audio2face.audio import load_audio
    from audio2face.pipeline import finish, predict
    from audio2face.secondary import SecondarySettings
    from conftest import FLOAT_ROUNDING

    settings = AnimateSettings(model=str(tiny_bundle), fps=23.976)
    assert settings.post.vad_method == "robust" and settings.post.silence_gate
    whole = finish(predict(load_audio(speech_wav, 16000), settings, sample_rate=16000), settings)
    lean = predict(speech_wav, settings, keep_samples=False)

    def analysed_again(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the band energies were taken again from the samples")

    monkeypatch.setattr(vad, "band_energies", analysed_again)
    curves = finish(lean, settings)
    assert curves.source["audio_seconds"] == pytest.approx(2.0, abs=1e-3)
    assert (curves.weights == 0).all(axis=1).any(), "the silence from 1.0 to 1.6 s is gated"
    np.testing.assert_allclose(curves.weights, whole.weights, rtol=0, atol=FLOAT_ROUNDING)
    np.testing.assert_array_equal(curves.weights, animate(speech_wav, settings).weights)
    with pytest.raises(Audio2FaceError, match="not kept"):
        finish(lean, dataclasses.replace(settings, secondary=SecondarySettings(blinks=True)))
