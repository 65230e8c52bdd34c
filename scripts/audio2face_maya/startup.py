"""Start-up work for ``userSetup.py``: nothing in batch mode; with a UI, once Maya is idle, load the
plug-in, make (or update) the shelf and register the clean-up that runs when Maya exits.

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

    maya.utils.executeDeferred(start_ui)
    return True


def start_ui() -> None:
    """Load the plug-in, make the shelf, watch for Maya's exit; each step warns instead of failing."""
    load_plugin()
    _warn_on_failure("the shelf could not be made", _install_shelf)
    _warn_on_failure("the exit clean-up could not be registered", _register_exit)


def _install_shelf() -> None:
    from . import shelf

    shelf.install_shelf()


def _register_exit() -> None:
    from . import lifecycle

    lifecycle.register_maya_exit()


def _warn_on_failure(what: str, fn) -> None:  # noqa: ANN001 - a no-argument callable
    try:
        fn()
    except Exception as exc:  # start-up must never fail Maya's own start-up
        import maya.api.OpenMaya as om

        om.MGlobal.displayWarning(f"Audio2Face: {what} ({exc})")


def load_plugin() -> None:
    """Load the Audio2Face plug-in so its commands exist in MEL and Python; warn instead of failing start-up."""
    from audio2face.errors import Audio2FaceError

    from . import plugin

    try:
        plugin.ensure_loaded()
    except Audio2FaceError as exc:
        import maya.api.OpenMaya as om

        om.MGlobal.displayWarning(f"Audio2Face: {exc}")
