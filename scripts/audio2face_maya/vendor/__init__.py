"""Third-party modules shipped inside the package, because Maya does not ship them.

- ``Qt.py`` 2.0.7 (MIT, Marcus Ottosson and contributors, https://github.com/mottosso/Qt.py): one binding
  shim over PySide2 (Maya 2022-2024) and PySide6 (Maya 2025+). Its licence is at the end of ``Qt.py``.
  Import it as ``from audio2face_maya.vendor.Qt import QtWidgets``; a top-level ``Qt`` module is never used.
"""
