"""Hostile output conditions: full, read-only and size-limited disks, signals, refusing writers, broken pipes.

Every ``OSError`` on output is a one-line error naming the file; several ``--out`` files are all written or
none (an existing one keeps its old content); SIGTERM is a cancel that leaves no temporary file; stale
temporary files of killed runs are swept (docs/errors.md).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from audio2face.cli import main
from audio2face.errors import Audio2FaceError
from conftest import ROOT
from test_fuzz_audio import one_line_error

ERRORS = {
    errno.ENOSPC: "No space left on device",
    errno.EROFS: "Read-only file system",
    errno.EACCES: "Permission denied",
    errno.EFBIG: "File too large",
}


def env() -> dict:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT / "scripts"), str(ROOT / "tests"),
                                                 environment.get("PYTHONPATH", "")])
    return environment


def leftovers(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- item 3: every OSError on output is one line naming the file --------------------------------------


@pytest.mark.parametrize("code", sorted(ERRORS))
@pytest.mark.parametrize("stage", ["create", "rename"])
@pytest.mark.parametrize("command", ["animate", "features"])
def test_os_errors_on_output_are_one_line(tmp_path: Path, tiny_bundle: Path, speech_wav: Path, monkeypatch,
                                          capsys, code: int, stage: str, command: str) -> None:
    out = tmp_path / "out" / ("take.json" if command == "animate" else "take.npy")
    out.parent.mkdir()

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(code, ERRORS[code])

    monkeypatch.setattr(tempfile, "mkstemp", fail) if stage == "create" else monkeypatch.setattr(os, "replace", fail)
    args = [command, str(speech_wav), "--out", str(out)]
    if command == "animate":
        args += ["--model", str(tiny_bundle)]
    line = one_line_error(capsys, main(args), str(out), ERRORS[code])
    assert "Traceback" not in line
    assert list(out.parent.iterdir()) == []


def test_a_real_file_size_limit_is_one_line(tmp_path: Path, speech_wav: Path) -> None:
    """RLIMIT_FSIZE makes the kernel refuse the write (EFBIG, or numpy's short write)."""
    resource = pytest.importorskip("resource")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))

    result = subprocess.run([sys.executable, "-m", "audio2face", "features", str(speech_wav), "--out",
                             str(tmp_path / "f.npy")], preexec_fn=limit, capture_output=True, text=True, env=env(),
                            timeout=120)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("audio2face: error:")]
    assert len(errors) == 1 and "f.npy: cannot write" in errors[0] and "Traceback" not in result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name != "speech.wav"] == []


def test_out_naming_an_existing_folder_with_a_curve_extension_is_refused(tmp_path: Path, tiny_bundle: Path,
                                                                          speech_wav: Path, capsys) -> None:
    folder = tmp_path / "shot.ma"
    folder.mkdir()
    code = main(["animate", str(speech_wav), "--model", str(tiny_bundle), "--out", str(folder)])
    one_line_error(capsys, code, "shot.ma", "is a folder")
    assert list(folder.iterdir()) == []


# --- item 4: all the outputs or none --------------------------------------------------------------------


@pytest.mark.parametrize("bad_name", ["jaw Open", "\ufeffjawOpen_mid\ufeff", "a;b", "1jaw"])
def test_a_writer_that_refuses_leaves_no_other_output(tmp_path: Path, tiny_bundle: Path, speech_wav: Path,
                                                      capsys, bad_name: str) -> None:
    # The bad name is driven (a mapping feeds it), so the .ma writer must key it and refuses the alias;
    # a target nothing drives is left at rest and never written.
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"format": "audio2face-mapping", "format_version": 1,
                                   "targets": {"jawOpen": "jawOpen", bad_name: "jawOpen"}}), encoding="utf-8")
    outs = [tmp_path / "a.json", tmp_path / "a.csv", tmp_path / "a.ma"]
    args = ["animate", str(speech_wav), "--model", str(tiny_bundle), "--mapping", str(mapping)]
    code = main(args + [f"--out={o}" for o in outs])
    one_line_error(capsys, code, "a.ma", "attribute names")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mapping.json", "speech.wav", "tiny_model"]


def test_a_failed_rename_puts_earlier_outputs_back(tmp_path: Path, tiny_bundle: Path, speech_wav: Path,
                                                   monkeypatch, capsys) -> None:
    old = {"a.json": b"old json", "a.anim": b"old anim"}
    for name, data in old.items():
        (tmp_path / name).write_bytes(data)
    real_replace = os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if str(dst).endswith(".ma"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    outs = [tmp_path / "a.json", tmp_path / "a.anim", tmp_path / "a.csv", tmp_path / "a.ma"]
    code = main(["animate", str(speech_wav), "--model", str(tiny_bundle)] + [f"--out={o}" for o in outs])
    one_line_error(capsys, code, "a.ma", "No space left")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.suffix != ".wav"} == old
    assert leftovers(tmp_path) == []


def test_ctrl_c_between_two_outputs_leaves_nothing_half_written(tmp_path: Path, tiny_bundle: Path,
                                                                speech_wav: Path, monkeypatch, capsys) -> None:
    (tmp_path / "a.json").write_bytes(b"old json")
    real_replace = os.replace
    calls = []

    def replace(src, dst):  # type: ignore[no-untyped-def]
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code = main(["animate", str(speech_wav), "--model", str(tiny_bundle), f"--out={tmp_path / 'a.json'}",
                 f"--out={tmp_path / 'a.csv'}"])
    assert code == 130
    assert "nothing was half-written" in capsys.readouterr().err
    assert (tmp_path / "a.json").read_bytes() == b"old json"
    assert not (tmp_path / "a.csv").exists() and leftovers(tmp_path) == []


def test_a_dataset_clip_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch) -> None:
    from audio2face import dataset

    def save(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(dataset.np, "save", save)
    with pytest.raises(Audio2FaceError, match="clip.npy: cannot write"):
        dataset.write_clip(tmp_path / "data", "clip", audio=np.zeros(16000, np.float32), sample_rate=16000,
                           weights=np.zeros((30, 2)), names=["a", "b"], fps=30.0)
    assert list((tmp_path / "data").iterdir()) == []


# --- item 7: SIGTERM is a cancel; stale temporary files are swept ----------------------------------------

SIGTERM_MID_WRITE = """
import os, signal, sys
from audio2face.cli import main
from audio2face.formats import ma_format
real = ma_format._curve_lines
def lines(*args, **kwargs):
    yield from real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGTERM)
ma_format._curve_lines = lines
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX signals")
def test_sigterm_mid_write_is_a_cancel_without_temporary_files(tmp_path: Path, tiny_bundle: Path,
                                                                speech_wav: Path) -> None:
    out = tmp_path / "o.ma"
    result = subprocess.run([sys.executable, "-c", SIGTERM_MID_WRITE, "animate", str(speech_wav), "--model",
                             str(tiny_bundle), "--out", str(out), "--out", str(tmp_path / "o.json")],
                            capture_output=True, text=True, env=env(), timeout=120)
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert "stopped by SIGTERM; nothing was half-written" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.wav", "tiny_model"]


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temporary_files_of_killed_runs_are_swept(tmp_path: Path, tiny_bundle: Path, speech_wav: Path,
                                                        capsys) -> None:
    out = tmp_path / "o.ma"
    from audio2face.atomic import owner_tag

    host = owner_tag().partition("@")[2]
    dead = tmp_path / f".o.ma.{dead_pid()}@{host}.k2j3h.tmp"
    ancient = tmp_path / ".o.ma.x8d7f6.tmp"  # an older version's name, two days old
    alive = tmp_path / f".o.ma.{os.getppid()}@{host}.a1b2.tmp"  # another live writer's: kept
    remote = tmp_path / f".o.ma.{dead_pid()}@otherhost.a1b2.tmp"  # another host's pid says nothing here: kept
    other = tmp_path / f".other.ma.{dead_pid()}@{host}.zz.tmp"  # not ours to judge here
    for path in (dead, ancient, alive, remote, other):
        path.write_text("half")
    os.utime(ancient, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    assert main(["animate", str(speech_wav), "--model", str(tiny_bundle), "--out", str(out)]) == 0
    assert out.is_file()
    assert not dead.exists() and not ancient.exists()
    assert alive.exists() and remote.exists() and other.exists()


# --- broken pipe --------------------------------------------------------------------------------------


def test_live_into_a_pipe_closed_by_its_reader_stops_cleanly(tmp_path: Path, tiny_bundle: Path,
                                                             speech_wav: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "audio2face", "live", "--input", str(speech_wav), "--send",
                                "jsonl", "--model", str(tiny_bundle)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env())
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # what `| head -1` does
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "stopped: the reader closed stdout" in err


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_sigterm_stops_a_live_stream_like_ctrl_c(tiny_bundle: Path) -> None:
    from live_process import stop_live

    stopped = stop_live(["--input", "-", "--send", "jsonl", "--model", str(tiny_bundle)],
                        np.zeros(16000, "<i2").tobytes(), signal.SIGTERM, env())
    err = stopped.log
    assert stopped.returncode == 0, err
    assert "(stopped with SIGTERM)" in err and "Traceback" not in err
