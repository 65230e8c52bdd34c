"""Undo for API edits: one recorder holds the MDGModifiers and the MAnimCurveChange of one operation.

API edits are undoable only through the command that made them (docs/maya.md, "Undo"): the
plug-in's commands keep an ``ApiUndo`` and call ``undo``/``redo`` from ``undoIt``/``redoIt``.
``undo_chunk`` groups ``maya.cmds`` calls made by a script into one step of the undo queue.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Iterator, List

logger = logging.getLogger(__name__)


class ApiUndo:
    """The modifiers and curve change of one operation, in the order they were made."""

    def __init__(self) -> None:
        import maya.api.OpenMayaAnim as oma

        self.change = oma.MAnimCurveChange()
        self._modifiers: List[Any] = []

    def modifier(self) -> Any:
        """A new ``MDGModifier`` owned by this recorder (call its ``doIt``)."""
        import maya.api.OpenMaya as om

        modifier = om.MDGModifier()
        self._modifiers.append(modifier)
        return modifier

    def run_mel(self, command: str) -> None:
        """Run a MEL command so that this recorder undoes it (``MDGModifier.commandToExecute``)."""
        modifier = self.modifier()
        modifier.commandToExecute(command)
        modifier.doIt()

    def undo(self) -> None:
        """Reverse everything: key edits first, then the DG edits, newest first."""
        self.change.undoIt()
        for modifier in reversed(self._modifiers):
            modifier.undoIt()

    def redo(self) -> None:
        """Replay everything after an undo: DG edits in order, then key edits."""
        for modifier in self._modifiers:
            modifier.doIt()
        self.change.redoIt()


@contextlib.contextmanager
def undo_chunk(name: str) -> Iterator[None]:
    """Group the undoable commands run inside into one undo step; always closes the chunk."""
    from maya import cmds

    cmds.undoInfo(openChunk=True, chunkName=name)
    try:
        yield
    finally:
        cmds.undoInfo(closeChunk=True)
