"""Phone recognition on two cores: the helper process, its fallbacks, and the same phones either way."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from audio2face.phones import phone_worker
from audio2face.phones.phone_worker import helper_enabled, python_executable, split_regions

needs_sphinx = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or not __import__("importlib").util.find_spec("pocketsphinx"),
    reason="needs espeak-ng and the 'phones' extra (pocketsphinx)",
)


def test_maya_interface_binary_uses_the_mayapy_beside_it(tmp_path):
    windows = tmp_path / "Maya2025" / "bin"
    windows.mkdir(parents=True)
    (windows / "mayapy.exe").write_text("")
    assert python_executable(str(windows / "maya.exe"), "win32") == str(windows / "mayapy.exe")
    mac = tmp_path / "Maya.app" / "Contents"
    (mac / "MacOS").mkdir(parents=True)
    (mac / "bin").mkdir()
    (mac / "bin" / "mayapy").write_text("")
    assert python_executable(str(mac / "MacOS" / "Maya"), "darwin") == str(mac / "bin" / "mayapy")
    assert python_executable(str(tmp_path / "elsewhere" / "maya.bin"), "linux") is None
    assert python_executable("/usr/autodesk/maya2025/bin/mayapy", "linux") == "/usr/autodesk/maya2025/bin/mayapy"
    assert python_executable("/usr/bin/python3", "linux") == "/usr/bin/python3"
    assert python_executable("", "linux") is None


def test_the_helper_takes_the_later_half_of_the_speech():
    regions = [(0.0, 10.0), (11.0, 12.0), (13.0, 23.0), (24.0, 30.0)]
    assert split_regions(regions) == 2
    assert split_regions([(0.0, 5.0)]) == 1
    assert split_regions([]) == 0


def test_the_helper_needs_a_second_core_and_can_be_turned_off(monkeypatch):
    monkeypatch.delenv(phone_worker.ENV, raising=False)
    assert helper_enabled(cpu_count=2) and not helper_enabled(cpu_count=1)
    monkeypatch.setenv(phone_worker.ENV, "0")
    assert not helper_enabled(cpu_count=16)
    monkeypatch.setenv(phone_worker.ENV, "many")
    assert not helper_enabled(cpu_count=16)


def _lines(tmp_path: Path) -> np.ndarray:
    import soundfile as sf
    import soxr

    text = "Bob made a map of the moon. Please bring me a bowl of warm soup. We have ample time for a few movies."
    wav = tmp_path / "lines.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), text], check=True, capture_output=True)
    samples, rate = sf.read(wav, dtype="float32")
    line = soxr.resample(samples, rate, 16000)
    pause = np.zeros(24000, np.float32)
    return np.concatenate([line, pause, line[::-1].copy(), pause, line])


def _speech(samples: np.ndarray) -> np.ndarray:
    from audio2face.vad import VadSettings, silent_frames

    return ~silent_frames(samples, 16000, 100.0, int(np.ceil(samples.size / 160)), VadSettings())


@needs_sphinx
def test_the_phones_are_the_same_with_the_helper_here_or_on_one_core(tmp_path, monkeypatch, caplog):
    from audio2face.phones.phone_worker import recognise
    from audio2face.phones.sphinx import speech_regions

    samples = _lines(tmp_path)
    speech = _speech(samples)
    assert len(speech_regions(speech, 100.0, samples.size / 16000)) >= 3
    monkeypatch.setattr(phone_worker, "MIN_HELPER_SPEECH_S", 0.0)
    started = []
    real_start = phone_worker._Helper.start
    monkeypatch.setattr(phone_worker._Helper, "start", classmethod(
        lambda cls, *a: started.append(1) or real_start.__func__(cls, *a)))
    monkeypatch.setenv(phone_worker.ENV, "1")
    with_helper = recognise(samples, 16000, speech, 100.0)
    assert started, "the helper process was not used"
    monkeypatch.setenv(phone_worker.ENV, "0")
    one_core = recognise(samples, 16000, speech, 100.0)
    assert with_helper == one_core
    assert any(s.phone in ("B", "M", "P") for s in one_core)
    assert all(a.start_s <= b.start_s for a, b in zip(one_core, one_core[1:]))
    monkeypatch.setenv(phone_worker.ENV, "1")
    monkeypatch.setattr(phone_worker, "python_executable", lambda: str(tmp_path / "no-such-python"))
    with caplog.at_level(logging.WARNING, logger="audio2face.phones.phone_worker"):
        assert recognise(samples, 16000, speech, 100.0) == one_core
    assert "did not start" in caplog.text


@needs_sphinx
@pytest.mark.skipif(sys.platform.startswith("win"), reason="a shell script stands in for a failing interpreter")
def test_a_helper_that_fails_is_reported_and_its_half_decoded_here(tmp_path, monkeypatch, caplog):
    from audio2face.phones.phone_worker import recognise

    broken = tmp_path / "broken-python"
    broken.write_text("#!/bin/sh\necho 'no module named pocketsphinx' >&2\nexit 3\n")
    broken.chmod(0o755)
    samples = _lines(tmp_path)
    speech = _speech(samples)
    monkeypatch.setattr(phone_worker, "MIN_HELPER_SPEECH_S", 0.0)
    monkeypatch.setenv(phone_worker.ENV, "0")
    expected = recognise(samples, 16000, speech, 100.0)
    monkeypatch.setenv(phone_worker.ENV, "1")
    monkeypatch.setattr(phone_worker, "python_executable", lambda: str(broken))
    with caplog.at_level(logging.WARNING, logger="audio2face.phones.phone_worker"):
        assert recognise(samples, 16000, speech, 100.0) == expected
    assert "exit 3" in caplog.text and "no module named pocketsphinx" in caplog.text


@needs_sphinx
def test_the_same_audio_gives_the_same_phones_call_after_call(tmp_path):
    from audio2face.phones.phone_worker import recognise

    samples = _lines(tmp_path)
    speech = _speech(samples)
    first = recognise(samples, 16000, speech, 100.0)
    recognise(samples[::-1].copy(), 16000, speech[::-1].copy(), 100.0)
    assert recognise(samples, 16000, speech, 100.0) == first


@needs_sphinx
def test_a_cancel_while_decoding_ends_the_helper_process_too(tmp_path, monkeypatch):
    from audio2face.phones.phone_worker import recognise

    samples = _lines(tmp_path)
    speech = _speech(samples)
    monkeypatch.setattr(phone_worker, "MIN_HELPER_SPEECH_S", 0.0)
    monkeypatch.setenv(phone_worker.ENV, "1")
    helpers = []
    real_start = phone_worker._Helper.start
    monkeypatch.setattr(phone_worker._Helper, "start", classmethod(
        lambda cls, *a: helpers.append(real_start.__func__(cls, *a)) or helpers[-1]))

    def cancelled(*args, **kwargs):  # noqa: ANN002, ANN003
        raise KeyboardInterrupt

    monkeypatch.setattr(phone_worker, "decode_region", cancelled)
    with pytest.raises(KeyboardInterrupt):
        recognise(samples, 16000, speech, 100.0)
    assert helpers and helpers[0] is not None
    assert helpers[0].process.poll() is not None, "the helper process outlived the cancelled work"
