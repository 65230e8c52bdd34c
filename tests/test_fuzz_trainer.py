"""Hostile trainer runs: two runs on one --out, a stale lock, a non-bundle --out, damaged checkpoints.

None of these needs TensorFlow: each is refused before training starts (docs/errors.md).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
from audio2face.dataset import write_clip
from audio2face.errors import Audio2FaceError
from audio2face_trainer.checkpoint import read_checkpoint
from audio2face_trainer.lock import TrainingLock, lock_path
from conftest import ROOT, speech_like


def dataset(folder: Path) -> Path:
    for i in range(2):
        write_clip(folder, f"clip{i}", audio=speech_like(1.0, 16000, seed=i), sample_rate=16000,
                   weights=np.full((30, 2), 0.5), names=["jaw_open", "brow_up"], fps=30.0)
    return folder


def run_trainer(*args: str, timeout: float = 120) -> tuple:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "scripts"), env.get("PYTHONPATH", "")])
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "audio2face_trainer", "train", "--no-cache", *args],
                            capture_output=True, text=True, env=env, timeout=timeout)
    events: List[Dict] = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.returncode, events, time.monotonic() - started


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# --- item 2: one run per bundle folder ------------------------------------------------------------------


def test_a_second_run_on_the_same_out_is_refused_naming_the_first(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    with TrainingLock(out):  # the first run (this process) holds the folder
        code, events, _ = run_trainer("--data", str(dataset(tmp_path / "data")), "--out", str(out))
    assert code == 1
    errors = [e for e in events if e["event"] == "error"]
    assert len(errors) == 1 and not any(e["event"] in ("prepared", "done") for e in events)
    message = errors[0]["message"]
    assert f"pid {os.getpid()} on {socket.gethostname()}" in message and "another training run" in message
    assert not out.exists() and not lock_path(out).exists()


def test_a_stale_lock_of_a_killed_run_is_taken_over(tmp_path: Path, caplog) -> None:
    out = tmp_path / "bundle"
    pid = dead_pid()
    lock_path(out).write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "started": "then"}))
    with TrainingLock(out) as lock:
        assert lock.stale["pid"] == pid
        assert json.loads(lock_path(out).read_text())["pid"] == os.getpid()
        with pytest.raises(Audio2FaceError, match=f"pid {os.getpid()}"):
            TrainingLock(out).acquire()  # held: a second taker is refused even in the same process
    assert "stale lock" in caplog.text and not lock_path(out).exists()


def test_a_lock_killed_with_sigkill_is_stale(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "scripts"), env.get("PYTHONPATH", "")])
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from audio2face_trainer.lock import "
                               "TrainingLock; lock = TrainingLock(sys.argv[1]).acquire(); print('held', flush=True); "
                               "time.sleep(60)", str(out)], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(Audio2FaceError, match=f"pid {holder.pid}"):
            TrainingLock(out).acquire()
    finally:
        holder.kill()
        holder.wait()
    with TrainingLock(out) as lock:
        assert lock.stale["pid"] == holder.pid


# --- item 8: a non-bundle --out is refused before training -------------------------------------------


def test_a_folder_that_is_not_a_bundle_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "my_documents"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    code, events, _ = run_trainer("--data", str(dataset(tmp_path / "data")), "--out", str(out), "--epochs", "50")
    assert code == 1
    kinds = [e["event"] for e in events]
    assert kinds == ["started", "error"], kinds  # no feature progress, no epochs
    assert "not a model bundle" in events[-1]["message"]
    assert (out / "thesis.docx").read_text() == "years of work"


# --- checkpoints ----------------------------------------------------------------------------------------


def checkpoint(folder: Path, **state_changes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / "last-8.npz", emotion=np.zeros((4, 2), np.float32))
    state = {"version": 1, "config": {}, "fingerprint": {}, "weights": "last-8.npz", "epoch": 2, "chunk": 0,
             "sums": [0.0, 0.0], "seconds": 1.5, "history": [{"epoch": 1}, {"epoch": 2}], "best_loss": 0.1,
             "best_epoch": 2, "bad_epochs": 0}
    state.update(state_changes)
    (folder / "state.json").write_text(json.dumps(state))
    return folder


def test_a_good_checkpoint_reads(tmp_path: Path) -> None:
    state, values, best = read_checkpoint(checkpoint(tmp_path / "ck"))
    assert state["epoch"] == 2 and values["emotion"].shape == (4, 2) and best is None


def test_a_truncated_checkpoint_is_a_one_line_error(tmp_path: Path) -> None:
    folder = checkpoint(tmp_path / "ck")
    data = (folder / "last-8.npz").read_bytes()
    (folder / "last-8.npz").write_bytes(data[: len(data) // 2])  # killed mid-copy, disk full...
    with pytest.raises(Audio2FaceError, match="cannot read the checkpoint") as info:
        read_checkpoint(folder)
    assert "\n" not in str(info.value) and str(folder) in str(info.value)


@pytest.mark.parametrize("changes, needle", [
    ({"epoch": 99}, "says epoch 99 but holds the history of 2"),
    ({"epoch": -1}, "'epoch' must be a whole number"),
    ({"epoch": "2"}, "'epoch' must be a whole number"),
    ({"best_epoch": 7}, "best epoch 7 is past"),
    ({"weights": "../../etc/passwd"}, "'weights' must name a .npz"),
    ({"history": {"a": 1}}, "'history' must be a list"),
    ({"sums": [1e999]}, "Infinity is not JSON"),
    ({"sums": ["x"]}, "'sums' must be a list of finite numbers"),
])
def test_a_checkpoint_whose_counters_disagree_is_refused(tmp_path: Path, changes: dict, needle: str) -> None:
    with pytest.raises(Audio2FaceError, match=needle.replace("(", r"\(")):
        read_checkpoint(checkpoint(tmp_path / "ck", **changes))


def test_a_checkpoint_state_that_is_not_json_is_refused(tmp_path: Path) -> None:
    folder = checkpoint(tmp_path / "ck")
    (folder / "state.json").write_text('{"epoch": 2, "epoch": 3}')
    with pytest.raises(Audio2FaceError, match="twice"):
        read_checkpoint(folder)
    (folder / "state.json").write_text("[" * 100_000)
    with pytest.raises(Audio2FaceError, match="nested too deeply|not valid JSON"):
        read_checkpoint(folder)
