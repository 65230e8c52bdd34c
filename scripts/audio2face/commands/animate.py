"""``audio2face animate AUDIO... [--out FILE_OR_DIR]``: audio to curve files."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import List, Optional, Tuple

from ..errors import Audio2FaceError
from ..formats import SUPPORTED_EXTENSIONS, write_curves
from ..pipeline import animate
from ..progress_bar import ProgressBar
from .options import add_settings_arguments, settings_from_args

logger = logging.getLogger(__name__)

FORMATS = SUPPORTED_EXTENSIONS


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
        "--out",
        metavar="FILE_OR_DIR",
        action="append",
        help="output file (one input; repeat for several formats) or folder (default: current folder)",
    )
    parser.add_argument(
        "--format",
        default="json",
        help="format(s) when --out is a folder, comma-separated: json,csv,npy,anim,ma (default json)",
    )
    parser.add_argument(
        "--blendshape-node", metavar="NAME", default="blendShape1", help="blendShape node for .ma/.anim files"
    )
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


def plan_outputs(audio: List[str], outs: Optional[List[str]], formats: str) -> List[Tuple[Path, List[Path]]]:
    """(input, outputs) pairs: files with a known extension for one input, else one folder for all."""
    inputs = [Path(a) for a in audio]
    targets = [Path(o) for o in (outs or ["."])]
    files = [t for t in targets if t.suffix.lower() in FORMATS and not t.is_dir()]
    if files:
        if len(files) != len(targets):
            raise Audio2FaceError("--out takes either output files or one folder, not both")
        if len(inputs) > 1:
            raise Audio2FaceError("several inputs need --out to be a folder", files[0])
        for file in files:
            file.parent.mkdir(parents=True, exist_ok=True)
        return [(inputs[0], files)]
    if len(targets) > 1:
        raise Audio2FaceError("--out takes one folder")
    folder = targets[0]
    if folder.suffix and not folder.is_dir():
        raise Audio2FaceError(f"unknown output format {folder.suffix!r} (use {', '.join(FORMATS)})", folder)
    exts = ["." + f.strip().lstrip(".").lower() for f in formats.split(",") if f.strip()]
    unknown = [e for e in exts if e not in FORMATS]
    if unknown or not exts:
        raise Audio2FaceError(f"unknown --format {formats!r} (use {', '.join(f[1:] for f in FORMATS)})")
    folder.mkdir(parents=True, exist_ok=True)
    names = [i.stem for i in inputs]
    if len(set(names)) != len(names):
        raise Audio2FaceError("two inputs share a file name; write them to separate folders", folder)
    return [(i, [folder / f"{i.stem}{e}" for e in exts]) for i in inputs]


def run(args: argparse.Namespace) -> int:
    """Animate each input and write its curves."""
    settings = settings_from_args(args)
    pairs = plan_outputs(args.audio, args.out, args.format)
    failures = 0
    for number, (source, outputs) in enumerate(pairs, 1):
        bar = ProgressBar(f"[{number}/{len(pairs)}] {source.name}")
        try:
            curves = animate(source, settings, progress=bar)
            bar.close()
            for output in outputs:
                write_curves(curves, output, blendshape_node=args.blendshape_node)
        except Audio2FaceError as exc:
            bar.close()
            if len(pairs) == 1:
                raise
            failures += 1
            print(f"audio2face: error: {exc}", file=sys.stderr)
            continue
        if curves.unmatched:
            print(f"warning: no model channel drives: {', '.join(curves.unmatched)}", file=sys.stderr)
        for output in outputs:
            print(f"{output}: {curves.frame_count} frames x {len(curves.names)} channels at {curves.fps:g} fps")
    if failures:
        print(f"audio2face: {failures} of {len(pairs)} inputs failed", file=sys.stderr)
        return 1
    return 0
