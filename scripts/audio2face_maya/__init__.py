"""Audio2Face for Maya: the Maya adapter (scene queries, keying with undo, sound, training-data export),
the mayapy batch and the installer.

Importing this package does not import Maya; the modules that talk to Maya import ``maya`` when used.
The panel reaches the scene only through ``audio2face_maya.host``.
"""

from __future__ import annotations

__all__ = ["__version__"]

from audio2face import __version__
