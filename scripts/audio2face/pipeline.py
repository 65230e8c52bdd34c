"""``animate``: the one path from audio to ``Curves`` that every caller shares.

Two stages: ``predict`` (decode, features, network: the costly part) and ``finish`` (retarget, post,
secondary motion, key reduction: milliseconds). ``animate = finish(predict(...))``; the panel keeps the
``Prediction`` and re-runs only ``finish`` when a post knob moves.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

from .audio import load_audio, prepare_samples
from .bundle import Bundle, default_model_path, load_bundle
from .curves import Curves
from .errors import Audio2FaceError, PathLike
from .features import frame_count, iter_feature_chunks
from .inference import predict as run_model
from .post import PostSettings, apply_post
from .progress import CancelToken, ProgressFn, check
from .retarget import build_retargeter
from .secondary import SecondarySettings, apply_secondary

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
    secondary: SecondarySettings = dataclasses.field(default_factory=SecondarySettings)
    threads: int = 0
    batch_size: int = 256


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


@dataclasses.dataclass
class Prediction:
    """What ``predict`` computed: the costly part of the path, reused while only post settings change.

    Attributes:
        samples: The decoded audio, mono float32 at ``sample_rate`` (QC and the silence gate read it).
        sample_rate: The model's feature sample rate.
        fps: Frame rate of ``raw``'s rows.
        raw: float32 (frames, model channels): the network's output.
        bundle: The model that produced it.
        audio_name: The audio file's path, or ``"<samples>"``.
        key: ``prediction_key`` of the settings it was made with.
    """

    samples: np.ndarray
    sample_rate: int
    fps: float
    raw: np.ndarray
    bundle: Bundle
    audio_name: str
    key: Tuple[Any, ...]

    @property
    def channels(self) -> List[str]:
        """The model's channel names, one per column of ``raw``."""
        return list(self.bundle.channels)

    def matches(self, settings: AnimateSettings) -> bool:
        """Whether ``finish`` may reuse this prediction for ``settings`` (same model, fps and emotion)."""
        return self.key == prediction_key(settings)


def prediction_key(settings: AnimateSettings) -> Tuple[Any, ...]:
    """The settings ``predict`` depends on; any other change needs only ``finish``."""
    emotion = settings.emotion if isinstance(settings.emotion, (str, type(None))) else tuple(settings.emotion)
    return (settings.model, settings.fps, emotion)


def predict(
    audio: Union[PathLike, np.ndarray],
    settings: Optional[AnimateSettings] = None,
    *,
    sample_rate: Optional[int] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> Prediction:
    """Decode the audio, take its features and run the network (the first, costly stage).

    Args:
        audio: An audio file path, or mono/multichannel samples (then ``sample_rate`` is required).
        settings: Only ``model``, ``fps``, ``emotion``, ``threads`` and ``batch_size`` are read.
        sample_rate: Rate of ``audio`` when it is an array.
        progress: Called with (done, total) over feature extraction and inference.
        cancel: Stops the work between chunks (raises ``Cancelled``).
    """
    settings = settings or AnimateSettings()
    bundle = get_bundle(settings.model, settings.threads)
    params = bundle.feature_params
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
        raw[first:end] = run_model(
            bundle,
            features,
            settings.emotion,
            batch_size=settings.batch_size,
            progress=None if progress is None else lambda done, _n, first=first: progress(first + done, total),
            cancel=cancel,
        )
    return Prediction(samples, params.sample_rate, fps, raw, bundle, audio_name, prediction_key(settings))


def finish(prediction: Prediction, settings: Optional[AnimateSettings] = None) -> Curves:
    """Retarget, post-process and reduce a prediction (the second stage: milliseconds).

    Args:
        prediction: From ``predict``.
        settings: ``mapping``, ``targets``, ``start_frame``, ``post`` and ``reduce`` are read; the rest must
            match the prediction's (see ``Prediction.matches``).
    """
    settings = settings or AnimateSettings()
    settings.post.validate()
    if not prediction.matches(settings):
        raise Audio2FaceError("the prediction was made with another model, frame rate or emotion: predict again")
    bundle = prediction.bundle
    retargeter = build_retargeter(bundle.channels, settings.targets, settings.mapping)
    weights = retargeter.apply(prediction.raw)
    weights = apply_post(
        weights, retargeter.targets, prediction.fps, settings.post, prediction.samples, prediction.sample_rate
    )
    source: dict[str, Any] = {
        "audio": prediction.audio_name,
        "model": os.fspath(bundle.path),
        "model_fps": bundle.fps,
        "emotion": settings.emotion if isinstance(settings.emotion, (str, type(None))) else list(settings.emotion),
        "mapping": settings.mapping,
        "post": dataclasses.asdict(settings.post),
        "unmatched_targets": retargeter.unmatched,
        "unused_channels": retargeter.unused,
        "audio_seconds": prediction.samples.size / prediction.sample_rate,
    }
    if prediction.fps != bundle.fps:
        source["note"] = (
            f"the model was trained at {bundle.fps:g} fps; features were taken at {prediction.fps:g} fps "
            "(each frame's window is centred on its own time, so no resampling of curves is needed)"
        )
    curves = Curves(
        retargeter.targets,
        prediction.fps,
        weights,
        start_frame=settings.start_frame,
        source=source,
        unmatched=list(retargeter.unmatched),
    )
    curves = apply_secondary(
        curves, prediction.samples, prediction.sample_rate, settings.secondary, retargeter.mapping()
    )
    if settings.reduce is not None:
        from .keys import reduce_curves

        curves = reduce_curves(curves, settings.reduce)
    return curves


def animate(
    audio: Union[PathLike, np.ndarray],
    settings: Optional[AnimateSettings] = None,
    *,
    sample_rate: Optional[int] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> Curves:
    """Turn speech into per-frame weights on the requested names: ``finish(predict(...))``.

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
    build_retargeter(get_bundle(settings.model, settings.threads).channels, settings.targets, settings.mapping)
    prediction = predict(audio, settings, sample_rate=sample_rate, progress=progress, cancel=cancel)
    return finish(prediction, settings)
