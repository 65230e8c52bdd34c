"""Loading the plug-in (``maya_plugin/audio2face_plugin.py``) from Python code that needs its commands."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from audio2face.errors import Audio2FaceError

logger = logging.getLogger(__name__)

PLUGIN_NAME = "audio2face_plugin"
PLUGIN_FILE = PLUGIN_NAME + ".py"
COMMANDS = ("audio2faceAnimate", "audio2faceExport", "audio2faceApply")


def bundled_plugin_path() -> Optional[Path]:
    """The plug-in file beside this package in the module layout (``<module>/maya_plugin``), if present."""
    path = Path(__file__).resolve().parents[2] / "maya_plugin" / PLUGIN_FILE
    return path if path.is_file() else None


def is_loaded() -> bool:
    """Whether the plug-in is loaded."""
    from maya import cmds

    return bool(cmds.pluginInfo(PLUGIN_FILE, query=True, loaded=True))


def ensure_loaded() -> str:
    """Load the plug-in if needed (by its path in the module, else by name on MAYA_PLUG_IN_PATH).

    Returns:
        The plug-in name.

    Raises:
        Audio2FaceError: the plug-in was not found or failed to initialise.
    """
    from maya import cmds

    if is_loaded():
        return PLUGIN_NAME
    bundled = bundled_plugin_path()
    target = str(bundled) if bundled else PLUGIN_FILE
    try:
        cmds.loadPlugin(target, quiet=True)
    except RuntimeError as exc:
        raise Audio2FaceError(
            f"the Audio2Face plug-in could not be loaded ({exc}); install the module (drag install.mel "
            "onto the Maya viewport) or add its maya_plugin folder to MAYA_PLUG_IN_PATH",
            target,
        ) from None
    logger.info("loaded plug-in %s", target)
    return PLUGIN_NAME
