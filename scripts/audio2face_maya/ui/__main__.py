"""``python -m audio2face_maya.ui``: the panel as a desktop window, writing .ma / .json / .anim files."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any, List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m audio2face_maya.ui", description=__doc__)
    parser.add_argument("audio", nargs="*", help="speech file(s) to load at start (several = a batch)")
    parser.add_argument("--targets", help="rig target names (text file, one per line, or a curves file)")
    parser.add_argument("--output", help="file Write writes (.ma, .json or .anim); its folder takes the next clips")
    parser.add_argument("--model", help="model bundle folder to add and select")
    parser.add_argument("--tab", choices=("generate", "train", "export"), help="tab to open")
    parser.add_argument("--settings", help="INI file for the settings (default: per user)")
    parser.add_argument("--verbose", action="store_true", help="log more")
    return parser.parse_args(argv)


def build_window(args: argparse.Namespace) -> Any:
    """The desktop panel (over a ``FileHost``) set up from the command line; needs a ``QApplication``."""
    from audio2face_maya.host import FileHost

    from .messages import guarded
    from .panel import Audio2FacePanel
    from .settings_store import SettingsStore

    panel = Audio2FacePanel(host=FileHost(), store=SettingsStore(args.settings))
    panel.restore_geometry()
    tab = panel.generate_tab
    if args.model:
        guarded(tab.message, lambda: tab.add_model(args.model))()
    if args.targets:
        guarded(tab.message, lambda: tab.load_target_names(args.targets))()
    if args.output:
        tab.set_output(args.output)
    if args.tab:
        panel.show_tab(args.tab)
    if args.audio:
        guarded(tab.message, lambda: tab.load_clips(args.audio))()
    return panel


def main(argv: Optional[List[str]] = None) -> int:
    """Start the window and run until it closes."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        from audio2face_maya.vendor.Qt import QtWidgets
    except ImportError as exc:
        print(f"audio2face panel: no Qt ({exc}); install it with: pip install \".[ui]\"", file=sys.stderr)
        return 2

    from .compat import exec_
    from .theme import apply_dark_theme

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("Audio2Face")
    apply_dark_theme(app)
    panel = build_window(args)
    panel.show()
    app.aboutToQuit.connect(panel.shutdown)
    return int(exec_(app) or 0)


if __name__ == "__main__":
    sys.exit(main())
