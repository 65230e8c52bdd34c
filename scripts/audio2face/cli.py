"""The ``audio2face`` command: one sub-command per module in ``audio2face.commands``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import List, Optional

from . import __version__
from .errors import Audio2FaceError, Cancelled
from .signals import Terminated, silence_stdout, terminate_as_cancel

logger = logging.getLogger(__name__)

COMMANDS = ("animate", "features", "info", "qc", "live", "farm", "dataset")
"""Sub-command modules under ``audio2face.commands``; each has ``register(subparsers)``."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="audio2face",
        description="Speech audio to blendShape animation curves (no Maya needed).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__package__}.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the CLI; returns the exit code (0 success, 1 user error, 130 cancelled)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        with terminate_as_cancel():
            return int(args.run(args) or 0)
    except Audio2FaceError as exc:
        print(f"audio2face: error: {exc}", file=sys.stderr)
        return 1
    except Terminated as exc:
        print(f"audio2face: stopped by {exc.name}; nothing was half-written", file=sys.stderr)
        return exc.exit_code
    except (Cancelled, KeyboardInterrupt):
        print("audio2face: cancelled; nothing was half-written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `audio2face ... | head`: the reader has gone, so has the need to print
        silence_stdout()
        return 141


if __name__ == "__main__":
    sys.exit(main())
