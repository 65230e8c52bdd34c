"""The stand-in ``maya.utils``: ``executeDeferred`` queues work for the next idle (run by the test)."""

from __future__ import annotations

from typing import Any, Callable

from . import cmds as _cmds


def executeDeferred(fn: Callable[..., Any], *args: Any) -> None:
    """Queue ``fn``; in batch mode the queue is never run (pymel's reading, maya-facts §7)."""
    _cmds.SCENE.deferred.append((fn, args))


def executeInMainThreadWithResult(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def run_idle() -> int:
    """Run what ``executeDeferred`` queued, as Maya's main loop would when idle; returns how many ran."""
    ran = 0
    while _cmds.SCENE.deferred and not _cmds.SCENE.batch:
        fn, args = _cmds.SCENE.deferred.pop(0)
        fn(*args)
        ran += 1
    return ran
