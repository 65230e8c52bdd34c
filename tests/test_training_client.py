"""The trainer client: command line, event parsing, and driving a stand-in trainer (cancel, resume, crash)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from audio2face import training
from audio2face.errors import Audio2FaceError
from audio2face.training import TrainerClient, parse_event, trainer_command, trainer_env

FAKE = (str(Path(__file__).resolve().parent / "fake_trainer.py"),)


def run_all(client: TrainerClient) -> List[Dict]:
    client.start()
    return list(client.events())


def test_command_is_an_argument_list_with_absolute_paths(tmp_path: Path) -> None:
    command = trainer_command("/envs/tf/bin/python", ["data a", tmp_path / "b"], "models/mine", epochs=12,
                              resume=True, val_clips=["shot 1", "shot2"], extra=["--seed", "3"])
    assert command[:5] == ["/envs/tf/bin/python", "-m", "audio2face_trainer", "train", "--data"]
    assert command[5] == os.path.abspath("data a")
    assert command[6] == str(tmp_path / "b")
    assert command[7:9] == ["--out", os.path.abspath("models/mine")]
    assert command[9:] == ["--epochs", "12", "--resume", "--val-clip", "shot 1", "shot2", "--seed", "3"]
    minimal = trainer_command("py", ["d"], "o")
    assert "--epochs" not in minimal and "--resume" not in minimal and "--val-clip" not in minimal
    with pytest.raises(Audio2FaceError):
        trainer_command("py", [], "o")


def test_env_puts_only_the_packages_on_pythonpath() -> None:
    env = trainer_env({"PYTHONPATH": "/elsewhere", "HOME": "/home/x"})
    assert env["PYTHONPATH"] == str(training.SCRIPTS_DIR)
    assert (training.SCRIPTS_DIR / "audio2face_trainer" / "__main__.py").is_file()
    assert env["PYTHONUNBUFFERED"] == "1" and env["HOME"] == "/home/x" and env["PYTHONNOUSERSITE"] == "1"


def _maya_like_env(tmp_path: Path) -> dict:
    """What a child of Maya inherits: PYTHONHOME, a startup file, and Maya-ABI packages on PYTHONPATH."""
    maya = tmp_path / "autodesk" / "maya2025"
    bad = maya / "lib" / "python3.11" / "site-packages"
    (bad / "numpy").mkdir(parents=True)
    (bad / "numpy" / "__init__.py").write_text("raise ImportError('numpy built for Maya 2025 (cp311)')\n")
    (maya / "bin").mkdir()
    startup = tmp_path / "startup.py"
    startup.write_text("raise SystemExit('PYTHONSTARTUP of the host ran')\n")
    env = dict(os.environ)
    env.update({
        "PYTHONHOME": str(maya), "PYTHONPATH": os.pathsep.join([str(bad), str(maya / "scripts")]),
        "PYTHONSTARTUP": str(startup), "PYTHONUSERBASE": str(tmp_path / "mayaUser"), "MAYA_LOCATION": str(maya),
        "PATH": os.pathsep.join([str(maya / "bin"), env.get("PATH", "")]),
        "LD_LIBRARY_PATH": str(maya / "lib"), "SYSTEMROOT": env.get("SYSTEMROOT", "C:\\Windows"),
    })
    return env


def test_trainer_python_starts_cleanly_from_a_maya_environment(tmp_path: Path) -> None:
    poisoned = _maya_like_env(tmp_path)
    probe = "import numpy, audio2face, sys; print(numpy.__file__); print(sys.prefix)"
    env = trainer_env(poisoned)
    for name in ("PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE"):
        assert name not in env
    maya = str(tmp_path / "autodesk")
    assert all(not p.startswith(maya) for p in env["PATH"].split(os.pathsep))
    assert "LD_LIBRARY_PATH" not in env and env["SYSTEMROOT"] == poisoned["SYSTEMROOT"]
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    numpy_file = done.stdout.splitlines()[0]
    assert not numpy_file.startswith(maya), numpy_file
    # the same child with the inherited environment does not even start (PYTHONHOME) - the bug fixed here
    broken = subprocess.run([sys.executable, "-c", probe], env=poisoned, capture_output=True, text=True,
                            timeout=120, check=False)
    assert broken.returncode != 0


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Epoch 1/10 loss 0.3",
        "{not json",
        "[1, 2]",
        '{"no_event": 1}',
        '{"event": "from_the_future"}',
        '{"event": 3}',
        '{"event": "epoch", "epoch": "one", "epochs": 3, "train_loss": 0.1}',
        '{"event": "epoch", "epoch": true, "epochs": 3, "train_loss": 0.1}',
        '{"event": "done"}',
        '{"event": "error"}',
        None,
    ],
)
def test_non_events_are_ignored(line) -> None:
    assert parse_event(line) is None


def test_events_are_parsed() -> None:
    event = parse_event('{"event": "epoch", "epoch": 2, "epochs": 10, "train_loss": 0.5, "val_loss": null}\n')
    assert event == {"event": "epoch", "epoch": 2, "epochs": 10, "train_loss": 0.5, "val_loss": None}
    assert parse_event(b'{"event": "done", "bundle": "/m"}') == {"event": "done", "bundle": "/m"}
    assert parse_event('  {"event": "error", "message": "boom", "path": null}  ')["message"] == "boom"


def test_full_run_with_a_stand_in_trainer(tmp_path: Path) -> None:
    out = tmp_path / "model"
    client = TrainerClient([tmp_path], out, epochs=2, val_clips=["b"], program=FAKE, extra=["--noise"])
    events = run_all(client)
    names = [e["event"] for e in events]
    assert names[0] == "started" and names[1] == "prepared" and names[-1] == "done"
    assert names.count("epoch") == 2 and names.count("checkpoint") == 2
    assert "from_the_future" not in names
    epochs = [e for e in events if e["event"] == "epoch"]
    assert epochs[0]["val"]["jaw_pearson"] is None  # NaN travels as null
    assert events[-1]["bundle"] == str(out)
    assert client.wait() == training.EXIT_DONE
    assert (out / "FAKE_BUNDLE.txt").is_file()
    assert "stdout is protected" in client.stderr_tail or "fake trainer" in client.stderr_tail


def test_cancel_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "model"
    client = TrainerClient([tmp_path], out, epochs=4, program=FAKE, extra=["--step-seconds", "0.05"])
    client.start()
    seen = []
    for event in client.events():
        seen.append(event)
        if event["event"] == "epoch" and event["epoch"] == 1:
            client.cancel()
    names = [e["event"] for e in seen]
    assert names[-2:] == ["checkpoint", "cancelled"]
    assert seen[-2]["reason"] == "cancel"
    assert client.wait() == training.EXIT_CANCELLED
    assert not out.exists()
    saved = json.loads((Path(f"{out}.training") / "state.json").read_text())["epoch"]
    assert saved >= 1

    resumed = TrainerClient([tmp_path], out, epochs=4, resume=True, program=FAKE)
    events = run_all(resumed)
    epochs = [e["epoch"] for e in events if e["event"] == "epoch"]
    assert epochs == list(range(saved + 1, 5))
    assert events[-1]["event"] == "done"
    assert resumed.wait() == training.EXIT_DONE


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_sigint_cancels_cleanly(tmp_path: Path) -> None:
    client = TrainerClient([tmp_path], tmp_path / "m", epochs=50, program=FAKE, extra=["--step-seconds", "0.05"])
    client.start()
    names = []
    for event in client.events():
        names.append(event["event"])
        if event["event"] == "progress" and names.count("progress") == 2:
            client.process.send_signal(signal.SIGINT)
    assert names[-1] == "cancelled"
    assert client.wait() == training.EXIT_CANCELLED


def test_resume_without_checkpoint_is_an_error_event(tmp_path: Path) -> None:
    client = TrainerClient([tmp_path], tmp_path / "m", resume=True, program=FAKE)
    events = run_all(client)
    assert events[-1]["event"] == "error" and "nothing to resume" in events[-1]["message"]
    assert client.wait() == training.EXIT_ERROR


def test_a_crash_becomes_an_error_event_with_the_stderr_tail(tmp_path: Path) -> None:
    client = TrainerClient([tmp_path], tmp_path / "m", program=FAKE, extra=["--crash"])
    events = run_all(client)
    assert len(events) == 1 and events[0]["event"] == "error"
    assert "exited with code 7" in events[0]["message"]
    assert "No module named 'tensorflow'" in events[0]["message"]


def test_missing_interpreter_is_a_clear_error(tmp_path: Path) -> None:
    client = TrainerClient([tmp_path], tmp_path / "m", python=tmp_path / "no" / "python")
    with pytest.raises(Audio2FaceError, match="cannot start the trainer"):
        client.start()


def test_context_manager_cancels_a_running_trainer(tmp_path: Path) -> None:
    with TrainerClient([tmp_path], tmp_path / "m", epochs=100, program=FAKE,
                       extra=["--step-seconds", "0.05"]) as client:
        first = next(iter(client.events()))
        assert first["event"] == "started"
    assert client.returncode == training.EXIT_CANCELLED


def test_client_runs_python_without_a_shell(tmp_path: Path, monkeypatch) -> None:
    calls = {}

    class Recorder:
        def __init__(self, args, **kwargs):
            calls.update(kwargs, args=args)
            raise OSError("stop here")

    monkeypatch.setattr(training.subprocess, "Popen", Recorder)
    with pytest.raises(Audio2FaceError):
        TrainerClient([tmp_path], tmp_path / "m", python=sys.executable).start()
    assert isinstance(calls["args"], list) and not calls.get("shell", False)
