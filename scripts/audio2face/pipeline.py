"""``animate``: the one path from audio to ``Curves`` that every caller shares."""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
from pathlib import Path
from typing import Any, List, Optional, Sequence, Union

import numpy as np

from .audio import load_audio, prepare_samples
from .bundle import Bundle, default_model_path, load_bundle
from .curves import Curves
from .errors import Audio2FaceError, PathLike
from .features import frame_count, iter_feature_chunks
from .inference import predict
from .post import PostSettings, apply_post
from .progress import CancelToken, ProgressFn, check
from .retarget import build_retargeter

logger = logging.getLogger(__name__)

CHUNK_FRAMES = 2048
"""Frames whose features are computed and run through the model at a time (bounds memory)."""


@dataclasses.dataclass
class AnimateSettings:
    """What to animate and how; shared by the CLI, the plug-in, the batch and the panel."""

    model: Optional[str] = None
    fps: Optional[float] = None
    mapping: Optional[str] = None
    targets: Optional[List[str]] = None
    emotion: Union[None, str, Sequence[float]] = None
    start_frame: float = 1.0
    post: PostSettings = dataclasses.field(default_factory=PostSettings)
    reduce: Optional[float] = None
    threads: int = 0
    batch_size: int = 256
    transcript: Optional[str] = None  # the line's text: the phone guide aligns to it (audio2face.phones)


@functools.lru_cache(maxsize=4)
def _cached_bundle(path: str, mtime: float, threads: int, spin: bool) -> Bundle:
    return load_bundle(path, threads=threads, spin=spin)


def get_bundle(model: Optional[PathLike] = None, threads: int = 0, *, spin: bool = True) -> Bundle:
    """Load a bundle once per process (reloaded when its ``model.onnx`` changes).

    Args:
        model: Bundle folder; ``None`` = the default model.
        threads: onnxruntime intra-op threads (0 = its default).
        spin: Let idle inference threads spin (fastest for one long run; ``False`` for streams).
    """
    folder = Path(model) if model else default_model_path()
    try:
        mtime = (folder / "model.onnx").stat().st_mtime
    except OSError:  # let load_bundle say what is missing
        return load_bundle(folder if model else None, threads=threads, spin=spin)
    return _cached_bundle(str(folder.resolve()), mtime, threads, spin)


def animate(
    audio: Union[PathLike, np.ndarray],
    settings: Optional[AnimateSettings] = None,
    *,
    sample_rate: Optional[int] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> Curves:
    """Turn speech into per-frame weights on the requested names.

    Args:
        audio: An audio file path, or mono/multichannel samples (then ``sample_rate`` is required).
        settings: Model, fps, mapping, rig targets, emotion, post-processing, key reduction.
        sample_rate: Rate of ``audio`` when it is an array.
        progress: Called with (done, total) over feature extraction and inference.
        cancel: Stops the work between chunks (raises ``Cancelled``).

    Returns:
        Curves at ``settings.fps`` (default: the model's), starting at ``settings.start_frame``.
    """
    settings = settings or AnimateSettings()
    settings.post.validate()
    bundle = get_bundle(settings.model, settings.threads)
    params = bundle.feature_params
    retargeter = build_retargeter(bundle.channels, settings.targets, settings.mapping)
    if bundle.emotion_size:
        bundle.emotion_vector(settings.emotion)
    if isinstance(audio, np.ndarray):
        if sample_rate is None:
            raise Audio2FaceError("sample_rate is required when audio is an array")
        samples = prepare_samples(audio, sample_rate)
        audio_name = "<samples>"
    else:
        samples = load_audio(audio, sample_rate=params.sample_rate)
        audio_name = os.fspath(audio)
    fps = float(settings.fps or bundle.fps)
    if not (0 < fps <= 1000):
        raise Audio2FaceError(f"frame rate must be between 0 and 1000, got {fps}")
    check(cancel)
    total = frame_count(samples.size, fps, params)
    raw = np.zeros((total, len(bundle.channels)), dtype=np.float32)
    for first, features in iter_feature_chunks(samples, fps, params, chunk_frames=CHUNK_FRAMES, cancel=cancel):
        end = first + features.shape[0]
        raw[first:end] = predict(
            bundle,
            features,
            settings.emotion,
            batch_size=settings.batch_size,
            progress=None if progress is None else lambda done, _n, first=first: progress(first + done, total),
            cancel=cancel,
        )
    weights = retargeter.apply(raw)
    guide = None
    if settings.post.guide_strength > 0:
        from .phones import guide_input

        check(cancel)
        guide = guide_input(samples, params.sample_rate, fps, weights.shape[0], settings.post.phone_language,
                            settings.transcript, settings.post.vad_method)
    weights = apply_post(weights, retargeter.targets, fps, settings.post, samples, params.sample_rate,
                         guide.phones if guide else None, guide.closures if guide else None)
    source: dict[str, Any] = {
        "audio": audio_name,
        "model": os.fspath(bundle.path),
        "model_fps": bundle.fps,
        "emotion": settings.emotion if isinstance(settings.emotion, (str, type(None))) else list(settings.emotion),
        "mapping": settings.mapping,
        "post": dataclasses.asdict(settings.post),
        "unmatched_targets": retargeter.unmatched,
        "unused_channels": retargeter.unused,
        "audio_seconds": samples.size / params.sample_rate,
    }
    if guide is not None:
        source["phone_guide"] = {
            "language": settings.post.phone_language,
            "aligned_to_transcript": guide.aligned,
            "phones": len(guide.phones),
            "acoustic_closures": guide.closures is not None,
        }
    if fps != bundle.fps:
        source["note"] = (
            f"the model was trained at {bundle.fps:g} fps; features were taken at {fps:g} fps "
            "(each frame's window is centred on its own time, so no resampling of curves is needed)"
        )
    curves = Curves(retargeter.targets, fps, weights, start_frame=settings.start_frame, source=source)
    if settings.reduce is not None:
        from .keys import reduce_curves

        curves = reduce_curves(curves, settings.reduce)
    return curves

