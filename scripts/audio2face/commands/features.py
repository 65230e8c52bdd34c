"""``audio2face features AUDIO --fps 30 --out F.npy``: the LPC features the models read."""

from __future__ import annotations

import argparse

import numpy as np

from ..atomic import atomic_path
from ..audio import load_audio
from ..errors import Audio2FaceError
from ..features import FeatureParams, compute_features
from ..progress_bar import ProgressBar


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command."""
    parser = sub.add_parser(
        "features",
        help="write LPC features (frames, 32, 64) as float32 .npy",
        description="Compute FACEGOOD-compatible LPC autocorrelation features: for each video frame a 520 ms "
        "window centred on it, 64 Hann sub-frames, 32 LPC coefficients. Written as float32 "
        "(frames, 32, 64) [frame, coefficient, sub-frame].",
    )
    parser.add_argument("audio", metavar="AUDIO")
    parser.add_argument("--fps", type=float, default=30.0, help="video frame rate (default 30)")
    parser.add_argument("--out", required=True, metavar="F.npy", help="output .npy file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Compute and write the features."""
    if not args.out.endswith(".npy"):
        raise Audio2FaceError("features are written as .npy", args.out)
    if not 0 < args.fps <= 1000:
        raise Audio2FaceError(f"--fps must be between 0 and 1000, got {args.fps}")
    params = FeatureParams()
    samples = load_audio(args.audio, sample_rate=params.sample_rate)
    bar = ProgressBar(args.audio)
    features = compute_features(samples, args.fps, params, progress=bar)
    bar.close()
    with atomic_path(args.out, suffix=".npy") as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, features.astype(np.float32), allow_pickle=False)
    print(f"{args.out}: {features.shape[0]} frames x {features.shape[1]} x {features.shape[2]} float32")
    return 0
