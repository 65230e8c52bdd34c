"""Render the panel's tabs offscreen into ``docs/screenshots/`` and the shelf icons' PNGs into ``icons/``.

    python docs/make_screenshots.py            # both (the 2x picture is taken by a second run of itself)
    python docs/make_screenshots.py --icons    # only the icon PNGs

The screenshots are the real widgets (``QWidget.grab()``) driven the way a user drives them: the bundled
speech sample is loaded into the Generate tab with the default model (a random stand-in model when the
default is not installed), ARKit target names on the rig side; the Train tab runs the stand-in trainer
``tests/ui_fake_trainer.py`` through ``QProcess``. ``generate_dock.png`` is the Generate tab at 400 px wide (a
Maya side dock); ``generate_2x.png`` is the panel on a 1366x768 screen at 200 % scaling (``QT_SCALE_FACTOR=2``,
683x384 logical pixels).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests")]

from audio2face_maya.vendor.Qt import QtCore, QtGui, QtSvg, QtWidgets  # noqa: E402

ICONS = ROOT / "icons"
SHOTS = ROOT / "docs" / "screenshots"
SPEECH = ROOT / "examples" / "hello.wav"
PANEL_SIZE = (900, 760)
DOCK_SIZE = (400, 760)
SCALED_SIZE = (683, 384)  # 1366x768 at 200 %


def render_icons(size: int = 32) -> list:
    """Write ``icons/<name>.png`` (``size`` pixels) for every ``icons/<name>.svg``."""
    written = []
    for svg in sorted(ICONS.glob("audio2face_*.svg")):
        renderer = QtSvg.QSvgRenderer(str(svg))
        if not renderer.isValid():
            raise SystemExit(f"{svg}: not a valid SVG")
        image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QtCore.Qt.GlobalColor.transparent)
        painter = QtGui.QPainter(image)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        renderer.render(painter)
        painter.end()
        target = svg.with_suffix(".png")
        if not image.save(str(target)):
            raise SystemExit(f"{target}: cannot write")
        written.append(target)
    return written


def _wait(app: QtWidgets.QApplication, done, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for the panel")
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def _model(work: Path) -> str:
    """The default model's folder, else a random stand-in with FACEGOOD's channel names."""
    from audio2face.bundle import default_model_path

    if (default_model_path() / "model.json").is_file():
        return str(default_model_path())
    from audio2face import retarget
    from bundle_factory import make_bundle

    channels = sorted({c for s in retarget.arkit_mapping().values() if s for c in s.channels})
    print("default model not installed: using a random stand-in model for the pictures")
    return str(make_bundle(work / "stand_in_model", channels=channels))


def _generate_panel(app: QtWidgets.QApplication, size: tuple) -> tuple:
    """The panel at ``size`` with the speech sample previewed (ARKit targets on the rig side)."""
    from audio2face import retarget
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.panel import Audio2FacePanel
    from audio2face_maya.ui.settings_store import SettingsStore
    from audio2face_maya.ui.theme import apply_dark_theme

    apply_dark_theme(app)
    work = Path(tempfile.gettempdir()) / "audio2face_demo"  # a fixed name keeps the pictures reproducible
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    targets = work / "arkit_targets.txt"
    targets.write_text("\n".join(retarget.arkit_mapping()) + "\n", encoding="utf-8")
    panel = Audio2FacePanel(host=FileHost(node="face_blendShape"), store=SettingsStore(str(work / "ui.ini")))
    panel.resize(*size)
    panel.show()
    generate = panel.generate_tab
    model = _model(work)
    generate.add_model(model) if Path(model).name != "default" else None
    generate.load_target_names(str(targets))
    generate.knobs.spins["smoothing_ms"].setValue(20)
    generate.set_output("/projects/demo/shots/hello.ma")
    generate.load_audio(str(SPEECH))
    _wait(app, lambda: generate.job() is None and generate.curves() is not None)
    generate.mapping_table.selectRow(generate.mapping_table.targets().index("jawOpen"))
    panel.show_tab("generate")
    return panel, work


def render_scaled() -> list:
    """The panel on a 1366x768 screen at 200 % (run with ``QT_SCALE_FACTOR=2``)."""
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    panel, _work = _generate_panel(app, SCALED_SIZE)
    shot = _grab(app, panel, "generate_2x.png")
    panel.shutdown()
    return [shot]


def render_screenshots() -> list:
    """Write one PNG per tab into ``docs/screenshots``, the Generate tab also as a 400 px side dock."""
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    panel, work = _generate_panel(app, PANEL_SIZE)
    generate = panel.generate_tab
    shots = [_grab(app, panel, "generate.png")]
    generate.views.setCurrentIndex(1)  # QC
    shots.append(_grab(app, panel, "generate_qc.png"))
    generate.views.setCurrentIndex(0)
    panel.resize(*DOCK_SIZE)
    generate.sections["rig"].set_expanded(False)
    generate.scroll.verticalScrollBar().setValue(0)
    shots.append(_grab(app, panel, "generate_dock.png"))
    generate.sections["rig"].set_expanded(True)
    panel.resize(*PANEL_SIZE)

    train = panel.train_tab
    dataset = work / "datasets" / "shots_2024"
    dataset.mkdir(parents=True)
    train.program = [str(ROOT / "tests" / "ui_fake_trainer.py")]
    train.required_module = None  # the stand-in trainer needs no TensorFlow
    train.add_datasets([str(dataset)])
    train.python_edit.setText(sys.executable)
    train.out_edit.setText(str(work / "models" / "my_actor"))
    train.epochs_spin.setValue(30)
    train.extra_edit.setText("--delay 0.15")
    panel.show_tab("train")
    train.start()
    _wait(app, lambda: len(train.loss_plot.series()["train"]) >= 18)
    shots.append(_grab(app, panel, "train.png"))
    with_cancel = train.trainer.ended
    stopped = []
    with_cancel.connect(lambda *args: stopped.append(args))
    train.cancel()
    _wait(app, lambda: bool(stopped))

    export = panel.export_tab
    export.node_combo.setCurrentText("face_blendShape")
    export.start_spin.setValue(1001)
    export.end_spin.setValue(1240)
    export.audio_edit.setText("/projects/demo/shots/shot010.wav")
    export.folder_edit.setText("/projects/demo/datasets/shots_2024")
    export.name_edit.setText("shot010")
    panel.show_tab("export")
    shots.append(_grab(app, panel, "export.png", crop_below=export.message))
    panel.shutdown()
    return shots


def _grab(app: QtWidgets.QApplication, panel: QtWidgets.QWidget, name: str,
          crop_below: QtWidgets.QWidget = None) -> Path:
    """Save ``panel`` as a PNG; with ``crop_below``, leave out the empty space under that widget."""
    for _ in range(5):
        app.processEvents()
    target = SHOTS / name
    picture = panel.grab()
    if crop_below is not None:
        bottom = crop_below.mapTo(panel, QtCore.QPoint(0, crop_below.height())).y() + 12
        picture = picture.copy(0, 0, picture.width(), min(bottom, picture.height()))
    if not picture.save(str(target)):
        raise SystemExit(f"{target}: cannot write")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--icons", action="store_true", help="only render the icon PNGs")
    parser.add_argument("--scaled", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scaled:
        app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
        for path in render_scaled():
            print(path.relative_to(ROOT))
        return 0
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    for path in render_icons():
        print(path.relative_to(ROOT))
    if not args.icons:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for path in render_screenshots():
            print(path.relative_to(ROOT))
        env = dict(os.environ, QT_SCALE_FACTOR="2")  # the scale is fixed when the QApplication starts
        subprocess.run([sys.executable, __file__, "--scaled"], env=env, check=True)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
