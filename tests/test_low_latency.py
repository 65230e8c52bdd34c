"""Low-latency live mode: picking the shipped model by latency, and the latency a stream reports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from audio2face.bundle import default_model_path, load_bundle
from audio2face.errors import Audio2FaceError
from audio2face.streaming import (
    LatencyMeter,
    LiveFrame,
    live_model,
    model_for_latency,
    model_lookahead_ms,
    shipped_models,
)
from conftest import ROOT, speech_like

LATENCY = re.compile(r"latency from a frame's audio to its weights: p50 (\d+) ms, p99 (\d+) ms")


def test_the_low_latency_model_ships_beside_the_default():
    folders = shipped_models()
    assert [f.name for f in folders] == ["default", "lowlatency"]
    assert model_lookahead_ms(folders[0]) == 260.0
    assert model_lookahead_ms(folders[1]) == 80.0
    low = load_bundle(folders[1])
    assert low.feature_params.lookahead_ms == 80.0 and not low.feature_params.centred
    assert low.channels == load_bundle(default_model_path()).channels


def test_latency_picks_the_longest_lookahead_that_fits():
    default, low = shipped_models()
    assert model_for_latency(120, 20) == low
    assert model_for_latency(289, 20) == low
    assert model_for_latency(290, 20) == default
    assert model_for_latency(105, 10) == low
    with pytest.raises(Audio2FaceError, match="least latency is about 110 ms"):
        model_for_latency(100, 20)


def test_the_live_model_rule_is_one_for_the_cli_and_the_panel():
    default, low = shipped_models()
    assert live_model(None, None, 20.0) is None and live_model("mine", None, 20.0) == "mine"
    assert live_model(None, 120.0, 20.0) == str(low) and live_model(None, 300.0, 20.0) == str(default)
    with pytest.raises(Audio2FaceError, match="--latency-ms picks one of the shipped models: leave out --model"):
        live_model("mine", 300.0, 20.0)
    with pytest.raises(Audio2FaceError, match="a budget picks one of the shipped models: leave out your model"):
        live_model("mine", 300.0, 20.0, names=("a budget", "your model"))


def test_a_bundle_without_lookahead_is_centred(tmp_path: Path):
    from bundle_factory import make_bundle

    folder = make_bundle(tmp_path / "tiny")
    assert model_lookahead_ms(folder) == 260.0
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.json").write_text("{")
    with pytest.raises(Audio2FaceError, match="model.json"):
        model_lookahead_ms(tmp_path / "broken")


def test_the_meter_adds_the_audio_still_ahead_and_the_time_spent():
    meter = LatencyMeter(30.0)
    assert np.isnan(meter.percentile_ms(50)) and "no frame" in meter.summary()
    # frame 3 (at 0.1 s) came out of the push that brought the audio up to 0.2 s, 5 ms after it arrived
    meter.add([LiveFrame(3, np.zeros(2, np.float32))], heard_s=0.2, arrived=10.0, sent=10.005)
    assert meter.percentile_ms(50) == pytest.approx(105.0)
    assert meter.count == 1 and "p50 105 ms" in meter.summary()


def test_live_with_latency_ms_streams_the_low_latency_model_and_reports_it(tmp_path: Path):
    import soundfile as sf

    path = tmp_path / "speech.wav"
    sf.write(path, speech_like(1.5, 16000, seed=2), 16000, subtype="PCM_16")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "scripts"), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [sys.executable, "-m", "audio2face", "live", "--input", str(path), "--realtime", "--send", "jsonl",
         "--latency-ms", "120"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "model lowlatency, frames out 80 ms after their audio" in result.stderr
    frames = [json.loads(line) for line in result.stdout.splitlines()]
    assert [f["frame"] for f in frames] == list(range(45))
    measured = LATENCY.search(result.stderr)
    assert measured, result.stderr
    assert 80 <= int(measured.group(1)) <= int(measured.group(2))
    refused = subprocess.run(
        [sys.executable, "-m", "audio2face", "live", "--input", str(path), "--send", "jsonl", "--latency-ms", "120",
         "--model", str(default_model_path())],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert refused.returncode != 0 and "leave out --model" in refused.stderr
