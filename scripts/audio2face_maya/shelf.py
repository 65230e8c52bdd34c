"""The "Audio2Face" shelf: its buttons, one idempotent way to make it, a full uninstall, the buttons' actions.

One mechanism only (docs/maya.md, "Shelf"): the shelf is made in the running Maya by
``install_shelf()``, which the installer calls and start-up calls once the UI is idle. There is no
shelf file on ``MAYA_SHELF_PATH``. Maya saves the tab into ``prefs/shelves`` on exit like any shelf
and loads it again at the next start; ``install_shelf`` then updates that tab in place, so a restart
or an update never makes a second one, and if Maya did not save it, it is simply made again.
``uninstall_shelf()`` removes the tab, the saved copy in prefs and its ``shelfName#``/``shelfFile#``/
``shelfLoad#`` optionVars, so no dead buttons come back.

Installing twice creates nothing twice: buttons are recognised by their command and updated in place,
buttons the user added to the shelf are kept, and the current shelf tab does not change.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from audio2face.errors import Audio2FaceError

logger = logging.getLogger(__name__)

SHELF_NAME = "Audio2Face"
SHELF_FILE = f"shelf_{SHELF_NAME}.mel"
_ACTIONS = "import audio2face_maya.shelf as a2f_shelf; a2f_shelf."


@dataclasses.dataclass(frozen=True)
class ShelfButton:
    """One shelf button.

    Attributes:
        action: The function of this module the button calls.
        label: Button label (also shown by the shelf's text styles).
        annotation: Tooltip.
        image: Icon file name, found on Maya's icon path (the module's ``icons/`` folder).
        overlay: Short text over the icon (at most 6 characters).
    """

    action: str
    label: str
    annotation: str
    image: str
    overlay: str

    @property
    def command(self) -> str:
        """The Python the button runs."""
        return f"{_ACTIONS}{self.action}()"


BUTTONS = (
    ShelfButton("open_panel", "Audio2Face", "Open the Audio2Face panel: speech to blendShape animation",
                "audio2face_panel.png", "A2F"),
    ShelfButton("export_training_data", "Export training data",
                "Export the selected rig's blendShape weights over the playback range as a training clip",
                "audio2face_export.png", "Data"),
    ShelfButton("animate_selection", "Animate from audio",
                "Animate the selected rig from a speech audio file", "audio2face_animate.png", "Anim"),
    ShelfButton("run_batch_job", "Run batch job", "Run an Audio2Face batch job file (.json or .csv) in mayapy",
                "audio2face_batch.png", "Batch"),
)


def _button_flags(button: ShelfButton) -> Dict[str, Any]:
    return {
        "label": button.label,
        "annotation": button.annotation,
        "image": button.image,
        "image1": button.image,
        "imageOverlayLabel": button.overlay,
        "style": "iconOnly",
        "command": button.command,
        "sourceType": "python",
    }


def _ours(cmds: Any, child: str) -> Optional[ShelfButton]:
    """Which of our buttons ``child`` is (by its command, then its label), or ``None``."""
    if cmds.objectTypeUI(child) != "shelfButton":
        return None
    command = str(cmds.shelfButton(child, query=True, command=True) or "")
    label = str(cmds.shelfButton(child, query=True, label=True) or "")
    for button in BUTTONS:
        if f"a2f_shelf.{button.action}(" in command:
            return button
    for button in BUTTONS:
        if label == button.label and "audio2face_maya" in command:
            return button
    return None


def install_shelf(cmds: Any = None, mel: Any = None) -> List[str]:
    """Create or update the "Audio2Face" shelf in the running Maya; returns the buttons' names.

    Args:
        cmds: ``maya.cmds`` (tests pass a stand-in).
        mel: ``maya.mel``.

    Raises:
        Audio2FaceError: in batch mode (shelves need Maya's interface).
    """
    if cmds is None:
        from maya import cmds
    if cmds.about(batch=True):
        raise Audio2FaceError("shelves need Maya's interface; they cannot be installed in batch mode")
    if mel is None:
        import maya.mel as mel
    top = mel.eval("$a2fTmp = $gShelfTopLevel")
    current = cmds.tabLayout(top, query=True, selectTab=True)
    if not cmds.shelfLayout(SHELF_NAME, exists=True):
        cmds.shelfLayout(SHELF_NAME, parent=top)
    found: Dict[str, str] = {}
    for child in cmds.shelfLayout(SHELF_NAME, query=True, childArray=True) or []:
        button = _ours(cmds, child)
        if button is None:
            continue
        if button.action in found:  # a duplicate left by an older installer
            cmds.deleteUI(child)
        else:
            found[button.action] = child
    names = []
    for button in BUTTONS:
        if button.action in found:
            cmds.shelfButton(found[button.action], edit=True, **_button_flags(button))
            names.append(found[button.action])
        else:
            names.append(cmds.shelfButton(parent=SHELF_NAME, **_button_flags(button)))
    if current:
        cmds.tabLayout(top, edit=True, selectTab=current)
    logger.info("Audio2Face shelf ready: %d buttons", len(names))
    return names


def _shelf_option_indices(cmds: Any) -> List[int]:
    """The ``shelfName<i>`` optionVar indices (1-based) that name our shelf."""
    count = int(cmds.optionVar(query="numShelves") or 0) if cmds.optionVar(exists="numShelves") else 0
    return [i for i in range(1, count + 1)
            if cmds.optionVar(exists=f"shelfName{i}") and cmds.optionVar(query=f"shelfName{i}") == SHELF_NAME]


_SHELF_OPTION_KEYS = ("shelfName", "shelfFile", "shelfLoad", "shelfAlign")


def _forget_shelf_options(cmds: Any) -> int:
    """Remove our entries from Maya's shelf optionVars, moving later shelves down; returns how many."""
    removed = 0
    for index in reversed(_shelf_option_indices(cmds)):
        count = int(cmds.optionVar(query="numShelves"))
        for i in range(index, count):
            for key in _SHELF_OPTION_KEYS:
                if cmds.optionVar(exists=f"{key}{i + 1}"):
                    value = cmds.optionVar(query=f"{key}{i + 1}")
                    kind = "intValue" if isinstance(value, int) else "stringValue"
                    cmds.optionVar(**{kind: (f"{key}{i}", value)})
                elif cmds.optionVar(exists=f"{key}{i}"):
                    cmds.optionVar(remove=f"{key}{i}")
        for key in _SHELF_OPTION_KEYS:
            if cmds.optionVar(exists=f"{key}{count}"):
                cmds.optionVar(remove=f"{key}{count}")
        cmds.optionVar(intValue=("numShelves", count - 1))
        removed += 1
    return removed


def saved_shelf_file(cmds: Any) -> Path:
    """Where Maya saves this shelf on exit: ``<prefs>/shelves/shelf_Audio2Face.mel``."""
    return Path(str(cmds.internalVar(userShelfDir=True))) / SHELF_FILE


def uninstall_shelf(cmds: Any = None) -> bool:
    """Remove the shelf for good: the tab, the copy Maya saved in prefs and its optionVars.

    What Maya's ``deleteShelfTab`` does, without its confirmation dialog. Returns whether anything
    was there.
    """
    if cmds is None:
        from maya import cmds
    found = False
    if cmds.shelfLayout(SHELF_NAME, exists=True):
        cmds.deleteUI(SHELF_NAME, layout=True)
        found = True
    saved = saved_shelf_file(cmds)
    if saved.is_file():
        saved.unlink()
        found = True
    found = bool(_forget_shelf_options(cmds)) or found
    return found


# -- the buttons' actions (run inside Maya) ----------------------------------------------------------
def open_panel() -> Any:
    """Open the Audio2Face panel."""
    from audio2face_maya import ui

    return ui.show()


def export_training_data() -> None:
    """Export the selected rig over the playback range into the panel's dataset folder (asked if unset)."""
    from audio2face_maya import ui
    from audio2face_maya.ui.messages import guarded

    panel = ui.show(tab="export")
    guarded(panel.export_tab.message, panel.export_tab.export_from_selection)()


def animate_selection() -> None:
    """Ask for a speech file and key the selected rig with the panel's current settings."""
    from audio2face_maya import ui
    from audio2face_maya.ui.messages import guarded

    panel = ui.show(tab="generate")
    guarded(panel.generate_tab.message, panel.generate_tab.animate_selection_from_file)()


def mayapy_path(maya_executable: Optional[str] = None) -> Path:
    """The running Maya's ``mayapy`` (``audio2face_maya.mayapy``). Raises ``Audio2FaceError`` when it is missing."""
    from .mayapy import require_mayapy

    return require_mayapy(maya_executable)


def launcher_path() -> Path:
    """``<module>/bin/audio2face_batch.py``: run by path, it puts our scripts and deps on sys.path itself."""
    from .paths import module_root

    return module_root() / "bin" / "audio2face_batch.py"


def batch_command(job_file: str, mayapy: Optional[str] = None) -> List[str]:
    """The argument list that runs a batch job file in ``mayapy`` through the launcher (no shell, no ``-m``)."""
    return [str(mayapy or mayapy_path()), str(launcher_path()), str(Path(job_file).resolve())]


def start_batch(job_file: str, mayapy: Optional[str] = None) -> Tuple[subprocess.Popen, Path]:
    """Run a job file in a separate ``mayapy`` (jobs open their own scenes, so never in this session).

    Returns:
        The process and the log file (``<job file>.log``) receiving its output.
    """
    job = Path(job_file)
    if not job.is_file():
        raise Audio2FaceError("batch job file not found", job)
    command = batch_command(str(job), mayapy)
    log_path = job.with_name(job.name + ".log")
    no_window = getattr(subprocess, "CREATE_NO_WINDOW", 0) if os.name == "nt" else 0
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - handed to the child process
    try:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=str(job.parent),  # noqa: S603
                                   creationflags=no_window)
    except OSError as exc:
        raise Audio2FaceError(f"cannot start mayapy: {exc}", command[0]) from None
    finally:
        log.close()
    logger.info("batch job %s running in mayapy (pid %d); log: %s", job, process.pid, log_path)
    return process, log_path


def run_batch_job(path: Optional[str] = None) -> Any:
    """Ask for a batch job file (.json or .csv) and run it in a separate mayapy; the log goes beside it."""
    from maya import cmds

    if path is None:
        chosen = cmds.fileDialog2(fileMode=1, caption="Audio2Face batch job",
                                  fileFilter="Batch jobs (*.json *.csv);;All files (*.*)")
        if not chosen:
            return None
        path = chosen[0]
    try:
        process, log_path = start_batch(path)
    except Audio2FaceError as exc:
        cmds.warning(f"Audio2Face: {exc}")
        cmds.confirmDialog(title="Audio2Face batch job", message=str(exc), button=["OK"])
        return None
    cmds.confirmDialog(
        title="Audio2Face batch job",
        message=f"The batch job runs in mayapy (process {process.pid}); this scene is not touched.\n"
                f"Progress and results: {log_path}",
        button=["OK"],
    )
    return process
