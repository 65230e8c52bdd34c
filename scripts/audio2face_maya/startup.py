"""Start-up work for ``userSetup.py``: nothing in batch mode; with a UI, load the plug-in once Maya is idle.

``scripts/userSetup.py`` (on the module's PYTHONPATH) calls ``main()``. Maya runs every
``userSetup.py`` on sys.path at start-up, in mayapy too, so this returns at once in batch mode and
defers the rest with ``maya.utils.executeDeferred`` (the UI is not built yet when userSetup runs).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def main() -> bool:
    """Schedule the UI start-up; returns whether anything was scheduled (False in batch mode)."""
    from maya import cmds

    if cmds.about(batch=True):
        return False
    import maya.utils

    maya.utils.executeDeferred(load_plugin)
    return True


def load_plugin() -> None:
    """Load the Audio2Face plug-in so its commands exist in MEL and Python; warn instead of failing start-up."""
    from audio2face.errors import Audio2FaceError

    from . import plugin

    try:
        plugin.ensure_loaded()
    except Audio2FaceError as exc:
        import maya.api.OpenMaya as om

        om.MGlobal.displayWarning(f"Audio2Face: {exc}")
