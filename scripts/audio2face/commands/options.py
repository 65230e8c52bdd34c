"""Command-line flags for ``AnimateSettings`` / ``PostSettings``, shared by the sub-commands."""

from __future__ import annotations

import argparse
from typing import List, Optional

from ..errors import Audio2FaceError
from ..pipeline import AnimateSettings
from ..post import PostSettings


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
        "--guide-strength", type=float, default=1.0,
        help="phone guide: lips close on p/b/m, touch on f/v, round on u/w/o (0 = off, 1 = full; default 1; "
        "without the 'phones' extra only the acoustic closures; offline only, not in live mode)",
    )
    group.add_argument(
        "--language", default=d.phone_language,
        help="language of the phone guide: en-us (default), or none for any other language (acoustic closures only)",
    )
    group.add_argument("--transcript", metavar="FILE", help="text of the line (UTF-8): the phone guide aligns to it")
    group.add_argument(
        "--vad", dest="vad_method", choices=("robust", "energy"), default=d.vad_method,
        help="speech detector of the silence gate (default robust: not fooled by noise, music or reverb)",
    )
    group.add_argument(
        "--reduce", type=float, metavar="TOL", help="reduce to sparse keys within TOL weight units (e.g. 0.01)"
    )
    group.add_argument("--start-frame", type=float, default=1.0, help="scene frame of the first frame")


def _read_targets(path: Optional[str]) -> Optional[List[str]]:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            names = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    except OSError as exc:
        raise Audio2FaceError(f"cannot read target list: {exc.strerror}", path) from None
    if not names:
        raise Audio2FaceError("target list is empty", path)
    return names


def _read_transcript(path: Optional[str]) -> Optional[str]:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise Audio2FaceError(f"cannot read transcript: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise Audio2FaceError("transcript is not UTF-8 text", path) from None
    if not text.strip():
        raise Audio2FaceError("transcript is empty", path)
    return text


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
        vad_method=getattr(args, "vad_method", PostSettings.vad_method),
        guide_strength=getattr(args, "guide_strength", PostSettings.guide_strength),
        phone_language=getattr(args, "language", PostSettings.phone_language),
    )
    post.validate()
    return AnimateSettings(
        model=args.model,
        fps=args.fps,
        mapping=args.mapping,
        targets=_read_targets(getattr(args, "targets", None)),
        emotion=args.emotion,
        start_frame=args.start_frame,
        post=post,
        reduce=args.reduce,
        threads=args.threads,
        transcript=_read_transcript(getattr(args, "transcript", None)),
    )
