"""The Generate tab's Transcript box: the typed line reaches the phone guide as a ``--transcript`` file would,
it belongs to one clip, and the box says when the guide is off (and turns it on)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import List

import pytest

pytest_plugins = ["ui_conftest"]

LINE = "Bob bought a map,\nthen naïvely paid £5 — twice.\n"


@pytest.fixture()
def tab(qtbot, ui_store, ui_model, tmp_path, monkeypatch):
    from audio2face_maya.ui import generate_state
    from ui_conftest import make_generate_tab

    monkeypatch.setattr(generate_state, "TRANSCRIPT_DIR", tmp_path / "transcripts")
    tab = make_generate_tab(qtbot, ui_store, ui_model)
    yield tab
    tab.shutdown()


def _type(qtbot, tab, text: str) -> None:  # noqa: ANN001
    """Type ``text`` at the end of the box; lines with non-ASCII letters are pasted (QTest types ASCII only)."""
    from audio2face_maya.vendor.Qt import QtCore, QtGui, QtTest

    edit = tab.transcript_box.edit
    edit.setFocus()
    edit.moveCursor(QtGui.QTextCursor.MoveOperation.End)
    for number, line in enumerate(text.split("\n")):
        if number:
            QtTest.QTest.keyClick(edit, QtCore.Qt.Key.Key_Return)
        if line.isascii():
            qtbot.keyClicks(edit, line)
        else:
            _to_clipboard(line)
            QtTest.QTest.keySequence(edit, QtGui.QKeySequence.StandardKey.Paste)


def _to_clipboard(text: str) -> None:
    from audio2face_maya.vendor.Qt import QtWidgets

    QtWidgets.QApplication.clipboard().setText(text)


def _record_settings(tab) -> List[object]:  # noqa: ANN001
    seen: List[object] = []
    finish = tab.state.finish_fn
    tab.state.finish_fn = lambda prediction, settings: (seen.append(settings), finish(prediction, settings))[1]
    return seen


def _generate(qtbot, tab) -> None:  # noqa: ANN001
    from ui_conftest import wait_idle

    with qtbot.waitSignal(tab.curves_ready, timeout=60000):
        tab.generate_button.click()
    wait_idle(qtbot, tab)


def test_the_typed_line_reaches_the_phone_guide_exactly_as_a_transcript_file(qtbot, tab, ui_speech, monkeypatch):
    import audio2face.phones as phones
    from audio2face.text_input import read_text
    from ui_conftest import wait_idle

    tab.load_audio(str(ui_speech))
    wait_idle(qtbot, tab)
    tab.knobs.spins["guide_strength"].setValue(1.0)
    _type(qtbot, tab, LINE)
    assert tab.transcript_box.text() == LINE
    guided: List[object] = []
    real = phones.guide_input
    monkeypatch.setattr(phones, "guide_input", lambda *a, **k: (guided.append(a[5]), real(*a, **k))[1])
    seen = _record_settings(tab)
    _generate(qtbot, tab)
    transcript = seen[-1].transcript
    assert transcript and Path(transcript).read_bytes() == LINE.encode("utf-8")
    assert read_text(transcript, "transcript") == LINE  # what `audio2face animate --transcript FILE` reads
    assert guided and set(guided) == {LINE}, "the phone guide (and the QC's bilabial check) got the typed line"
    assert "phone_guide" in tab.curves().source
    assert not tab.is_stale()
    _type(qtbot, tab, " Again.")
    assert tab.stale_reason() == "the settings changed since it was made", "an edited line makes the preview stale"


def test_the_qc_tab_checks_the_bilabials_against_the_typed_line_only_with_the_guide_on(qtbot, tab, ui_speech):
    from ui_conftest import wait_idle

    lines: List[object] = []
    measure = tab.state.qc_fn
    tab.state.qc_fn = lambda prediction, curves, cancel, line: (lines.append(line),
                                                                measure(prediction, curves, cancel, line))[1]
    tab.load_audio(str(ui_speech))
    wait_idle(qtbot, tab)
    _type(qtbot, tab, "Bob bought a map")
    _generate(qtbot, tab)
    assert lines and set(lines) == {None}, "with the guide off the line is not used, in QC either"
    tab.knobs.spins["guide_strength"].setValue(1.0)
    _generate(qtbot, tab)
    assert lines[-1] == "Bob bought a map"
    report = tab.qc_view._qc.report
    assert report is not None and report.bilabials and report.bilabials["source"] == "transcript"


def test_a_new_clip_starts_with_an_empty_line_and_the_old_line_comes_back_with_its_clip(qtbot, tab, ui_speech,
                                                                                        tmp_path):
    from ui_conftest import wait_idle, write_speech

    other = write_speech(tmp_path / "line02.wav", seconds=1.0)
    tab.knobs.spins["guide_strength"].setValue(1.0)
    _type(qtbot, tab, "typed before the clip")  # typed first, then the clip dropped: it is that clip's line
    tab.load_clips([str(ui_speech)])
    wait_idle(qtbot, tab)
    assert tab.transcript_box.text() == "typed before the clip"
    tab.load_clips([str(other)])
    wait_idle(qtbot, tab)
    assert tab.transcript_box.text() is None and tab.animate_settings().transcript is None
    note = tab.transcript_box.note.text()
    assert "The line of line01.wav was set aside, not used for line02.wav" in note
    tab.load_clips([str(ui_speech), str(other)])  # a batch: each clip keeps its own line
    wait_idle(qtbot, tab)
    assert tab.transcript_box.text() == "typed before the clip"
    tab._clip_picked(1)
    wait_idle(qtbot, tab)
    assert tab.transcript_box.text() is None


def test_with_the_guide_off_the_box_says_it_is_unused_and_offers_to_turn_it_on(qtbot, tab, ui_speech):
    from ui_conftest import wait_idle

    tab.load_audio(str(ui_speech))
    wait_idle(qtbot, tab)
    tab.show()
    assert tab.knobs.spins["guide_strength"].value() == 0.0
    _type(qtbot, tab, "Bob bought a map.")
    box = tab.transcript_box
    assert box.note.text().startswith("Used only with the phone guide on (Phone guide above 0)")
    assert box.guide_button.isVisible()
    assert not tab.is_stale(), "with the guide off the line does not change the curves"
    box.guide_button.click()
    assert tab.knobs.spins["guide_strength"].value() == 1.0
    assert box.note.text().startswith("The phone guide aligns the phones to this line of line01.wav")
    assert not box.guide_button.isVisible() and tab.is_stale()


def test_a_txt_file_fills_the_box_and_a_bad_one_is_a_plain_message(qtbot, tab, tmp_path, monkeypatch):
    from audio2face_maya.vendor.Qt import QtWidgets

    good = tmp_path / "line.txt"
    good.write_bytes("\ufeffHello there.\n".encode("utf-8"))  # Notepad's BOM is dropped, as the CLI drops it
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    tab.transcript_box.open_button.click()
    assert tab.transcript_box.text() == "Hello there.\n"
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    tab.transcript_box.open_button.click()
    assert tab.message.level == "error" and "latin1.txt" in tab.message.text() and "not UTF-8" in tab.message.text()
    assert tab.transcript_box.text() == "Hello there.\n"
    tab.transcript_box.clear_button.click()
    assert tab.transcript_box.text() is None


def test_settings_files_leave_the_line_out_and_a_files_transcript_fills_the_box(qtbot, tab, tmp_path):
    import json

    from audio2face import settings_io

    _type(qtbot, tab, "one clip's line")
    saved = tmp_path / "look.json"
    tab.save_settings_file(str(saved))
    assert json.loads(saved.read_text(encoding="utf-8"))["settings"]["transcript"] is None
    line = tmp_path / "shot.txt"
    line.write_text("From the file.", encoding="utf-8")
    with_line = tmp_path / "with_line.json"
    settings = dataclasses.replace(settings_io.read_settings(saved), transcript=str(line))
    settings_io.write_settings(with_line, settings)
    tab.transcript_box.set_text("")
    tab.load_settings_file(str(with_line))
    assert tab.transcript_box.text() == "From the file."


def test_the_box_is_labelled_and_tab_moves_on_instead_of_typing_a_tab(qtbot, tab):
    from audio2face.settings_io import KNOBS
    from audio2face_maya.vendor.Qt import QtCore, QtTest, QtWidgets

    box = tab.transcript_box
    assert box.label.buddy() is box.edit and box.label.text() == "&" + KNOBS["transcript"].knob.label
    assert KNOBS["transcript"].knob.help in box.edit.toolTip()
    tab.show()
    box.edit.setFocus()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is box.edit)
    QtTest.QTest.keyClick(box.edit, QtCore.Qt.Key.Key_Tab)
    assert box.edit.toPlainText() == "" and QtWidgets.QApplication.focusWidget() is box.open_button
