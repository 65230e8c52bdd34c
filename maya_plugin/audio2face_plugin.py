"""Audio2Face for Maya: the Python API 2.0 command plug-in.

Registers three commands, usable from MEL and Python:

- ``audio2faceAnimate``: speech audio -> keys on a blendShape node (undoable, one step);
- ``audio2faceExport``: a blendShape node's weights + audio -> a training clip (changes nothing in the
  scene, so it stays off the undo queue);
- ``audio2faceApply``: runs a keying plan queued by ``audio2face_maya.keying.apply_curves`` (how the
  panel and the batch get their keys onto the undo queue as one step).

Every command takes ``-h``/``-help``. Written after Autodesk's API 2.0 command plug-in skeleton
(``maya_useNewAPI``, ``MPxCommand`` with ``doIt``/``redoIt``/``undoIt``/``isUndoable``, a syntax
creator, ``initializePlugin``/``uninitializePlugin``). Flags are defined once in
``audio2face_maya.plugin_commands``.
"""

from __future__ import annotations

import os
import sys

import maya.api.OpenMaya as om

try:
    import audio2face_maya  # noqa: F401 - on PYTHONPATH through the module (.mod)
except ImportError:  # a checkout used without the module: scripts/ sits beside maya_plugin/
    sys.path.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))

from audio2face.errors import Audio2FaceError, Cancelled  # noqa: E402
from audio2face_maya import dataset_export as export  # noqa: E402
from audio2face_maya import keying  # noqa: E402
from audio2face_maya import plugin_commands as commands  # noqa: E402
from audio2face_maya.undo import ApiUndo  # noqa: E402

VENDOR = "Audio2Face for Maya"


def maya_useNewAPI():  # noqa: N802 - the name Maya looks for
    """Tell Maya this plug-in uses the Python API 2.0."""


_ARG_TYPES = {"string": om.MSyntax.kString, "double": om.MSyntax.kDouble, "int": om.MSyntax.kLong,
              "bool": om.MSyntax.kBoolean, "none": om.MSyntax.kNoArg}


def _syntax(flags):
    syntax = om.MSyntax()
    for flag in flags:
        syntax.addFlag(f"-{flag.short}", f"-{flag.long}", _ARG_TYPES[flag.kind])
    return syntax


def _values(parser, flags):
    """Flag values by settings field name (only the flags that were given)."""
    values = {}
    for flag in flags:
        if flag.kind == "none" or not parser.isFlagSet(f"-{flag.long}"):
            continue
        name = f"-{flag.long}"
        if flag.kind == "string":
            values[flag.field] = parser.flagArgumentString(name, 0)
        elif flag.kind == "double":
            values[flag.field] = parser.flagArgumentDouble(name, 0)
        elif flag.kind == "int":
            values[flag.field] = parser.flagArgumentInt(name, 0)
        else:
            values[flag.field] = parser.flagArgumentBool(name, 0)
    return values


def _show(report):
    for level, text in commands.report_messages(report):
        (om.MGlobal.displayWarning if level == "warning" else om.MGlobal.displayInfo)(text)


class _KeyingCommand(om.MPxCommand):
    """Shared undo handling: the first run does the work in ``doIt``; ``redoIt`` only replays it."""

    def __init__(self):
        om.MPxCommand.__init__(self)
        self._undo = None

    def isUndoable(self):
        return self._undo is not None

    def redoIt(self):
        self._undo.redo()

    def undoIt(self):
        self._undo.undo()

    def _key(self, plan):
        undo = ApiUndo()
        report = keying.execute(plan, undo)  # undoes its own partial work when it fails
        self._undo = undo
        return report


class Audio2FaceAnimate(_KeyingCommand):
    """``audio2faceAnimate -audio "vo.wav" -node "blendShape1";``"""

    NAME = commands.ANIMATE_COMMAND

    @staticmethod
    def creator():
        return Audio2FaceAnimate()

    @staticmethod
    def createSyntax():
        return _syntax(commands.ANIMATE_FLAGS)

    def doIt(self, args):
        parser = om.MArgParser(self.syntax(), args)
        if parser.isFlagSet("-help"):
            om.MGlobal.displayInfo(commands.ANIMATE_HELP)
            self.setResult(commands.ANIMATE_HELP)
            return
        try:
            request = commands.animate_request(_values(parser, commands.ANIMATE_FLAGS))
            curves, node, options = commands.run_animate(request)
            report = self._key(keying.plan_apply(curves, node, options))
        except Audio2FaceError as exc:
            raise RuntimeError(f"{self.NAME}: {exc}") from None
        _show(report)
        self.setResult(list(report.keyed))


class Audio2FaceApply(_KeyingCommand):
    """Keys the plan that ``audio2face_maya.keying.apply_curves`` queued (not for direct use)."""

    NAME = keying.APPLY_COMMAND
    HELP = (f"{keying.APPLY_COMMAND}: keys the curves queued by audio2face_maya.keying.apply_curves "
            "as one undo step. Not for direct use; from MEL use audio2faceAnimate.\nFlags:\n"
            "  -h -help: Print this help and do nothing else.")

    @staticmethod
    def creator():
        return Audio2FaceApply()

    @staticmethod
    def createSyntax():
        return _syntax([commands.HELP])

    def doIt(self, args):
        parser = om.MArgParser(self.syntax(), args)
        if parser.isFlagSet("-help"):
            om.MGlobal.displayInfo(self.HELP)
            self.setResult(self.HELP)
            return
        try:
            report = self._key(keying.take_pending())
        except Audio2FaceError as exc:
            raise RuntimeError(f"{self.NAME}: {exc}") from None
        _show(report)
        self.setResult(list(report.keyed))


class Audio2FaceExport(om.MPxCommand):
    """``audio2faceExport -node "blendShape1" -output "/data/faces";`` (reads the scene, writes files)."""

    NAME = commands.EXPORT_COMMAND

    def __init__(self):
        om.MPxCommand.__init__(self)

    @staticmethod
    def creator():
        return Audio2FaceExport()

    @staticmethod
    def createSyntax():
        return _syntax(commands.EXPORT_FLAGS)

    def isUndoable(self):
        return False  # changes nothing in the scene

    def doIt(self, args):
        parser = om.MArgParser(self.syntax(), args)
        if parser.isFlagSet("-help"):
            om.MGlobal.displayInfo(commands.EXPORT_HELP)
            self.setResult(commands.EXPORT_HELP)
            return
        try:
            values = commands.export_arguments(_values(parser, commands.EXPORT_FLAGS))
            with export.progress_window(f"{self.NAME}: reading {values['node']}") as (progress, cancel):
                result = export.export_clip(
                    values["node"], values["start"], values["end"], values["folder"], values["name"],
                    audio=values["audio"], facegood=values["facegood"], overwrite=values["overwrite"],
                    progress=progress, cancel=cancel,
                )
        except Audio2FaceError as exc:
            raise RuntimeError(f"{self.NAME}: {exc}") from None
        except Cancelled:
            raise RuntimeError(f"{self.NAME}: cancelled; nothing was written") from None
        for note in result.notes:
            om.MGlobal.displayInfo(note)
        om.MGlobal.displayInfo(f"{self.NAME}: wrote clip {result.clip!r} ({result.frames} frames) to {result.folder}")
        self.setResult(str(result.folder))


COMMAND_CLASSES = (Audio2FaceAnimate, Audio2FaceExport, Audio2FaceApply)


def initializePlugin(plugin):  # noqa: N802 - the name Maya calls
    """Register the commands; report and re-raise a failure."""
    from audio2face import __version__

    fn = om.MFnPlugin(plugin, VENDOR, __version__, "Any")
    for cls in COMMAND_CLASSES:
        try:
            fn.registerCommand(cls.NAME, cls.creator, cls.createSyntax)
        except Exception:
            om.MGlobal.displayError(f"Audio2Face: failed to register command {cls.NAME}")
            raise


def uninitializePlugin(plugin):  # noqa: N802 - the name Maya calls
    """Deregister the commands; report and re-raise a failure."""
    fn = om.MFnPlugin(plugin)
    for cls in COMMAND_CLASSES:
        try:
            fn.deregisterCommand(cls.NAME)
        except Exception:
            om.MGlobal.displayError(f"Audio2Face: failed to deregister command {cls.NAME}")
            raise
