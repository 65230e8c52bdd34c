"""A dark palette close to Maya's, for the desktop window (inside Maya the panel inherits Maya's look)."""

from __future__ import annotations

from audio2face_maya.vendor.Qt import QtGui, QtWidgets


def apply_dark_theme(app: QtWidgets.QApplication) -> None:
    """Use the Fusion style with Maya-like colours."""
    app.setStyle("Fusion")
    palette = QtGui.QPalette()
    role = QtGui.QPalette.ColorRole
    colours = {
        role.Window: (68, 68, 68),
        role.WindowText: (220, 220, 220),
        role.Base: (43, 43, 43),
        role.AlternateBase: (56, 56, 56),
        role.ToolTipBase: (255, 255, 220),
        role.ToolTipText: (0, 0, 0),
        role.Text: (220, 220, 220),
        role.Button: (93, 93, 93),
        role.ButtonText: (230, 230, 230),
        role.BrightText: (255, 80, 80),
        role.Highlight: (82, 133, 166),
        role.HighlightedText: (255, 255, 255),
        role.Link: (100, 170, 230),
    }
    for colour_role, rgb in colours.items():
        palette.setColor(colour_role, QtGui.QColor(*rgb))
    disabled = QtGui.QPalette.ColorGroup.Disabled
    for colour_role in (role.Text, role.ButtonText, role.WindowText):
        palette.setColor(disabled, colour_role, QtGui.QColor(130, 130, 130))
    app.setPalette(palette)
