"""A stand-in ``mayapy`` for the farm tests: the Maya stand-in as a bare mayapy, then Python's own ``-m MODULE``
or ``-- FILE`` handling, so a farm engine can run the mayapy step's real command line without Maya."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path[:0] = [str(TESTS), str(TESTS.parent / "scripts")]

from maya_standin import install  # noqa: E402

if __name__ == "__main__":
    install("mayapy")
    option, target, *rest = sys.argv[1:]
    if option == "-m":
        sys.argv = [target, *rest]
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    elif option == "--":
        sys.argv = [target, *rest]
        runpy.run_path(target, run_name="__main__")
    else:
        sys.exit(f"fake mayapy: expected -m MODULE or -- FILE, got {option!r}")
