"""Train tab: a stand-in trainer speaking the JSON protocol drives the progress bar, loss plot and log."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest_plugins = ["ui_conftest"]


@pytest.fixture()
def train_tab(qtbot, ui_store, tmp_path, fake_trainer):
    from audio2face_maya.ui.train_tab import TrainTab

    tab = TrainTab(ui_store)
    qtbot.addWidget(tab)
    tab.program = [str(fake_trainer)]
    data = tmp_path / "dataset"
    data.mkdir()
    tab.add_datasets([str(data)])
    tab.python_edit.setText(sys.executable)
    tab.out_edit.setText(str(tmp_path / "models" / "mine"))
    yield tab
    if tab.running():
        tab.trainer.kill()
        tab.trainer.process.waitForFinished(3000)


def _run(qtbot, tab, timeout=20000):
    with qtbot.waitSignal(tab.trainer.ended, timeout=timeout) as blocker:
        tab.start()
    return blocker.args


def test_trainer_events_drive_progress_bar_and_loss_plot(qtbot, train_tab, ui_model):
    train_tab.epochs_spin.setValue(5)
    train_tab.extra_edit.setText(f"--bundle-from {ui_model}")
    seen = []
    train_tab.progress.valueChanged.connect(seen.append)
    code, outcome = _run(qtbot, train_tab)
    assert (code, outcome) == (0, "done")
    epochs = [e for e in train_tab.trainer.events if e["event"] == "epoch"]
    assert len(epochs) == 5
    series = train_tab.loss_plot.series()
    assert series["train"] == [(float(e["epoch"]), e["train_loss"]) for e in epochs]
    assert series["val"] == [(float(e["epoch"]), e["val_loss"]) for e in epochs]
    assert train_tab.progress.value() == train_tab.progress.maximum()
    assert seen == sorted(seen) and len(set(seen)) > 5, "the bar should climb step by step"
    assert "Epoch 5 / 5" in train_tab.status.text()
    log = train_tab.log_view.toPlainText()
    assert "fake trainer: loading datasets" in log  # stderr reaches the log
    assert "a plain line on stdout" in log  # so do stdout lines that are not events
    assert train_tab.start_button.isEnabled() and not train_tab.cancel_button.isEnabled()


def test_trainer_error_shows_in_log_and_message(qtbot, train_tab):
    train_tab.extra_edit.setText("--mode error")
    code, outcome = _run(qtbot, train_tab)
    assert outcome == "error" and code == 1
    log = train_tab.log_view.toPlainText()
    assert "ERROR:" in log and "clip shot02 has 0 frames of weights" in log
    assert train_tab.message.level == "error"
    assert "clip shot02 has 0 frames" in train_tab.message.text()
    assert "Traceback" not in train_tab.message.text()


def test_trainer_crash_without_final_event_is_reported(qtbot, train_tab):
    train_tab.extra_edit.setText("--mode crash")
    code, outcome = _run(qtbot, train_tab)
    assert (code, outcome) == (9, "error")
    assert "exited with code 9" in train_tab.message.text()
    assert "out of memory" in train_tab.message.text()  # the stderr tail explains it
    assert "exited with code 9" in train_tab.log_view.toPlainText()


def test_cancel_stops_training_with_a_checkpoint(qtbot, train_tab):
    train_tab.extra_edit.setText("--mode wait --delay 0.05")
    train_tab.start()
    qtbot.waitUntil(lambda: len(train_tab.loss_plot.series()["train"]) >= 2, timeout=20000)
    with qtbot.waitSignal(train_tab.trainer.ended, timeout=20000) as blocker:
        train_tab.cancel()
    assert blocker.args == [3, "cancelled"]
    assert "Resume continues" in train_tab.message.text()
    assert "Checkpoint after epoch" in train_tab.log_view.toPlainText()
    assert train_tab.resume_button.isEnabled()


def test_resume_passes_resume_and_keeps_the_loss_history(qtbot, train_tab):
    train_tab.epochs_spin.setValue(2)
    _run(qtbot, train_tab)
    before = len(train_tab.loss_plot.series()["train"])
    checkpoint = Path(f"{train_tab.out_edit.text()}.training")  # what the real trainer leaves behind
    checkpoint.mkdir(parents=True, exist_ok=True)
    (checkpoint / "state.json").write_text("{}")
    with qtbot.waitSignal(train_tab.trainer.ended, timeout=20000):
        command = train_tab.start(resume=True)
    assert "--resume" in command
    assert len(train_tab.loss_plot.series()["train"]) == before + 2


def test_finished_model_appears_in_generate_picker(qtbot, ui_store, ui_model, tmp_path, fake_trainer):
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.panel import Audio2FacePanel

    panel = Audio2FacePanel(host=FileHost(), store=ui_store)
    qtbot.addWidget(panel)
    tab = panel.train_tab
    tab.program = [str(fake_trainer)]
    data = tmp_path / "dataset"
    data.mkdir()
    tab.add_datasets([str(data)])
    tab.python_edit.setText(sys.executable)
    out = tmp_path / "trained" / "mine"
    tab.out_edit.setText(str(out))
    tab.epochs_spin.setValue(2)
    tab.extra_edit.setText(f"--bundle-from {ui_model}")
    with qtbot.waitSignal(tab.model_trained, timeout=20000) as blocker:
        tab.start()
    assert Path(blocker.args[0]) == out
    picker = panel.generate_tab.model_combo
    assert picker.currentData() == str(out)
    assert panel.generate_tab.model_info.channels == panel.generate_tab.catalog.info(str(ui_model)).channels
    assert str(out) in ui_store.paths("generate/models")


def test_start_problems_are_plain_messages(qtbot, train_tab, tmp_path):
    train_tab.python_edit.setText(str(tmp_path / "no" / "python"))
    train_tab.start_button.click()
    assert train_tab.message.level == "error"
    assert "Python interpreter not found" in train_tab.message.text()
    assert not train_tab.running()
    train_tab.python_edit.setText(sys.executable)
    train_tab.dataset_list.clear()
    train_tab.start_button.click()
    assert "add at least one dataset folder" in train_tab.message.text()


def test_interpreter_and_options_are_remembered(qtbot, ui_store, tmp_path):
    from audio2face_maya.ui.train_tab import TrainTab

    first = TrainTab(ui_store)
    qtbot.addWidget(first)
    data = tmp_path / "shots"
    data.mkdir()
    first.add_datasets([str(data)])
    first.python_edit.setText("/envs/tf/bin/python")
    first.epochs_spin.setValue(42)
    first.save_settings()
    second = TrainTab(ui_store)
    qtbot.addWidget(second)
    assert second.python_edit.text() == "/envs/tf/bin/python"
    assert second.epochs_spin.value() == 42
    assert second.datasets() == [str(data)]


def test_dropping_folders_adds_datasets_and_files_are_refused(qtbot, train_tab, tmp_path, drop):
    folder = tmp_path / "more"
    folder.mkdir()
    stray = tmp_path / "notes.txt"
    stray.write_text("x")
    drop(train_tab.dataset_zone, [folder, stray])
    assert str(folder) in train_tab.datasets()
    assert str(stray) not in train_tab.datasets()
    assert "Not a folder: notes.txt" in train_tab.message.text()


def test_an_interpreter_without_tensorflow_is_refused_before_starting(qtbot, train_tab):
    train_tab.required_module = "no_such_module_a2f"  # sys.executable lacks it, as a Python without TensorFlow
    train_tab.start_button.click()
    assert not train_tab.running(), "nothing is started with an interpreter that cannot train"
    assert train_tab.message.level == "error"
    text = train_tab.message.text()
    assert f"{sys.executable} has no no_such_module_a2f" in text and "Traceback" not in text
    assert train_tab.progress.value() <= 0 and "Failed" not in train_tab.progress.format(), "no full bar"


def test_find_interpreter_picks_one_that_has_the_module(qtbot, train_tab, tmp_path):
    train_tab.python_edit.setText(str(tmp_path / "missing" / "python"))
    train_tab.required_module = "json"
    assert train_tab.find_interpreter() is not None
    assert train_tab.python_edit.text() != str(tmp_path / "missing" / "python")
    train_tab.required_module = "no_such_module_a2f"
    assert train_tab.find_interpreter() is None and "No Python with TensorFlow found" in train_tab.message.text()


def test_resume_is_offered_only_when_a_checkpoint_exists(qtbot, train_tab, tmp_path):
    out = tmp_path / "models" / "mine"
    assert train_tab.out_edit.text() == str(out)
    assert not train_tab.resume_button.isEnabled(), "no earlier run: nothing to resume"
    checkpoint = Path(f"{out}.training")
    checkpoint.mkdir(parents=True)
    (checkpoint / "state.json").write_text("{}")
    train_tab.out_edit.setText(str(tmp_path / "other"))
    assert not train_tab.resume_button.isEnabled()
    train_tab.out_edit.setText(str(out))  # typed again
    assert train_tab.resume_button.isEnabled()
    train_tab.out_edit.setText(str(tmp_path / "other"))
    train_tab.extra_edit.setText(f"--checkpoint-dir {checkpoint}")
    assert train_tab.resume_button.isEnabled(), "--checkpoint-dir names where the checkpoint is"
