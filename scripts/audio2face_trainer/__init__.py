"""The trainer: a separate TensorFlow process that trains a model bundle from dataset folders.

Run it as ``python -m audio2face_trainer train --data DIR [DIR...] --out BUNDLE_DIR``; it prints JSON-lines
events on stdout (see ``docs/trainer.md``). Importing this package does not import TensorFlow: only the
training modules do.
"""

from __future__ import annotations

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the trainer's command line (see ``audio2face_trainer.cli``)."""
    from .cli import main as cli_main

    return cli_main(argv)
