"""``audio2face animate AUDIO... [--out FILE_OR_DIR]``: audio to curve files."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import List, Tuple

from ..errors import Audio2FaceError
from ..pipeline import animate
from ..progress_bar import ProgressBar
from .options import add_model_arguments, add_post_arguments, settings_from_args

logger = logging.getLogger(__name__)

FORMATS = (".json", ".csv", ".npy", ".anim", ".ma")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command."""
    parser = sub.add_parser(
        "animate",
        help="audio files to blendShape curves",
        description="Turn speech audio into per-frame blendShape weights and write them as .json, .csv, "
        ".npy, .anim or .ma (picked from the --out extension).",
    )
    parser.add_argument("audio", nargs="+", metavar="AUDIO", help="audio files (wav, flac, ogg, aiff, mp3)")
    parser.add_argument(
        "--out", metavar="FILE_OR_DIR", help="output file (one input) or folder (default: current folder)"
    )
    parser.add_argument(
        "--format", choices=[f[1:] for f in FORMATS], default="json", help="format when --out is a folder"
    )
    parser.add_argument(
        "--blendshape-node", metavar="NAME", default="blendShape1", help="blendShape node for .ma/.anim files"
    )
    add_model_arguments(parser)
    add_post_arguments(parser)
    parser.set_defaults(run=run)


def plan_outputs(audio: List[str], out: str, fmt: str) -> List[Tuple[Path, Path]]:
    """(input, output) pairs; ``out`` is a file for one input with a known extension, else a folder."""
    inputs = [Path(a) for a in audio]
    target = Path(out) if out else Path(".")
    if target.suffix.lower() in FORMATS and not target.is_dir():
        if len(inputs) > 1:
            raise Audio2FaceError("several inputs need --out to be a folder", target)
        return [(inputs[0], target)]
    if target.suffix and not target.is_dir():
        raise Audio2FaceError(f"unknown output format {target.suffix!r} (use {', '.join(FORMATS)})", target)
    target.mkdir(parents=True, exist_ok=True)
    outputs = [(i, target / f"{i.stem}.{fmt}") for i in inputs]
    stems = [o.name for _, o in outputs]
    if len(set(stems)) != len(stems):
        raise Audio2FaceError("two inputs share a file name; write them to separate folders", target)
    return outputs


def run(args: argparse.Namespace) -> int:
    """Animate each input and write its curves."""
    from ..formats import write_curves

    settings = settings_from_args(args)
    pairs = plan_outputs(args.audio, args.out, args.format)
    failures = 0
    for number, (source, output) in enumerate(pairs, 1):
        bar = ProgressBar(f"[{number}/{len(pairs)}] {source.name}")
        try:
            curves = animate(source, settings, progress=bar)
            bar.close()
            write_curves(curves, output, blendshape_node=args.blendshape_node)
        except Audio2FaceError as exc:
            bar.close()
            if len(pairs) == 1:
                raise
            failures += 1
            print(f"audio2face: error: {exc}", file=sys.stderr)
            continue
        unmatched = curves.source.get("unmatched_targets") or []
        if unmatched:
            print(f"warning: no model channel drives: {', '.join(unmatched)}", file=sys.stderr)
        print(f"{output}: {curves.frame_count} frames x {len(curves.names)} channels at {curves.fps:g} fps")
    if failures:
        print(f"audio2face: {failures} of {len(pairs)} inputs failed", file=sys.stderr)
        return 1
    return 0
