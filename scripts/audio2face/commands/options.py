"""Command-line flags for ``AnimateSettings`` / ``PostSettings``, shared by the sub-commands."""

from __future__ import annotations

import argparse
import math
from typing import List, Optional

from ..errors import Audio2FaceError
from ..pipeline import AnimateSettings
from ..post import PostSettings
from ..secondary import SecondarySettings
from ..text_input import read_lines


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """--model, --fps, --mapping, --emotion, --threads."""
    parser.add_argument("--model", metavar="DIR", help="model bundle folder (default: the bundled model)")
    parser.add_argument("--fps", type=float, help="frame rate of the curves (default: the model's)")
    parser.add_argument(
        "--mapping", metavar="FILE|arkit", help="retarget with a mapping file, or 'arkit' for the 52 ARKit names"
    )
    parser.add_argument("--targets", metavar="FILE", help="text file of rig target names (one per line) to match")
    parser.add_argument("--emotion", help="emotion preset name (see 'audio2face info'); default neutral")
    parser.add_argument("--threads", type=int, default=0, help="inference threads (0 = onnxruntime default)")


def add_post_arguments(parser: argparse.ArgumentParser) -> None:
    """The post-processing knobs (same names as ``PostSettings``)."""
    d = PostSettings()
    group = parser.add_argument_group("post-processing")
    group.add_argument("--strength", type=float, default=d.strength, help="global strength (default 1)")
    group.add_argument("--smoothing-ms", type=float, default=d.smoothing_ms, help="Gaussian sigma in ms (0 = off)")
    group.add_argument("--lip-open-offset", type=float, default=d.lip_open_offset, help="added to jaw-open")
    group.add_argument(
        "--time-offset-ms", type=float, default=d.time_offset_ms, help="+ delays the animation, - leads"
    )
    group.add_argument(
        "--no-silence-gate", dest="silence_gate", action="store_false", help="keep the face moving in silences"
    )
    group.add_argument(
        "--silence-db", type=float, default=d.silence_db, help="silence threshold below the speech level (dB)"
    )
    group.add_argument(
        "--reduce", type=float, metavar="TOL", help="reduce to sparse keys within TOL weight units (e.g. 0.01)"
    )
    group.add_argument("--start-frame", type=float, default=1.0, help="scene frame of the first frame")
    add_secondary_arguments(parser)


def add_secondary_arguments(parser: argparse.ArgumentParser) -> None:
    """Blinks, eye darts, brows and head motion (``SecondarySettings``)."""
    d = SecondarySettings()
    group = parser.add_argument_group("secondary motion (procedural, from the speech)")
    group.add_argument("--blinks", action="store_true", help="blinks at a human rate, drawn to pauses")
    group.add_argument("--blink-rate", type=float, default=d.blink_rate, help="blinks per minute (default 17)")
    group.add_argument("--blink-strength", type=float, default=d.blink_strength, help="lid closure 0-1 (default 1)")
    group.add_argument("--no-half-blinks", dest="half_blinks", action="store_false", help="every blink closes fully")
    group.add_argument("--gaze", action="store_true", help="eye darts (saccades) on the eyeLook targets")
    group.add_argument("--gaze-range", type=float, default=d.gaze_range_deg, help="largest dart in degrees (8)")
    group.add_argument("--gaze-node", metavar="NODE", help="key the gaze as rotateX/Y (degrees) on this control")
    group.add_argument("--brows", action="store_true", help="brow raises on pitch accents and emphasis")
    group.add_argument("--brow-strength", type=float, default=d.brow_strength, help="brow raise scale (default 1)")
    group.add_argument("--brow-frowns", action="store_true", help="emphasis on low pitch lowers the brows")
    group.add_argument(
        "--head", metavar="NODE|arkit", help="head nods and tilts: rotate curves (degrees) on NODE, or "
        "'arkit' for headYaw/headPitch/headRoll channels (Live Link)"
    )
    group.add_argument("--head-strength", type=float, default=d.head_strength, help="head motion scale (default 1)")
    group.add_argument("--seed", type=int, default=d.seed, help="random seed of the secondary motion (default 0)")


def secondary_from_args(args: argparse.Namespace) -> SecondarySettings:
    """``SecondarySettings`` from parsed flags (defaults where a command has none of them)."""
    d = SecondarySettings()
    settings = SecondarySettings(
        blinks=getattr(args, "blinks", d.blinks),
        blink_rate=getattr(args, "blink_rate", d.blink_rate),
        blink_strength=getattr(args, "blink_strength", d.blink_strength),
        half_blinks=getattr(args, "half_blinks", d.half_blinks),
        gaze=getattr(args, "gaze", d.gaze),
        gaze_range_deg=getattr(args, "gaze_range", d.gaze_range_deg),
        gaze_node=getattr(args, "gaze_node", d.gaze_node),
        brows=getattr(args, "brows", d.brows),
        brow_strength=getattr(args, "brow_strength", d.brow_strength),
        brow_frowns=getattr(args, "brow_frowns", d.brow_frowns),
        head=getattr(args, "head", d.head),
        head_strength=getattr(args, "head_strength", d.head_strength),
        seed=getattr(args, "seed", d.seed),
    )
    settings.validate()
    return settings


def _read_targets(path: Optional[str]) -> Optional[List[str]]:
    if not path:
        return None
    names = read_lines(path, "target list")
    if not names:
        raise Audio2FaceError("target list is empty", path)
    return names


def settings_from_args(args: argparse.Namespace) -> AnimateSettings:
    """``AnimateSettings`` from parsed flags."""
    if args.reduce is not None and not args.reduce > 0:
        raise Audio2FaceError(f"--reduce must be > 0, got {args.reduce}")
    post = PostSettings(
        strength=args.strength,
        smoothing_ms=args.smoothing_ms,
        lip_open_offset=args.lip_open_offset,
        time_offset_ms=args.time_offset_ms,
        silence_gate=args.silence_gate,
        silence_db=args.silence_db,
    )
    post.validate()
    if not math.isfinite(args.start_frame):
        raise Audio2FaceError(f"--start-frame must be a finite number, got {args.start_frame}")
    return AnimateSettings(
        model=args.model,
        fps=args.fps,
        mapping=args.mapping,
        targets=_read_targets(getattr(args, "targets", None)),
        emotion=args.emotion,
        start_frame=args.start_frame,
        post=post,
        secondary=secondary_from_args(args),
        reduce=args.reduce,
        threads=args.threads,
    )
