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
from typing import Any, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .audio import load_audio, prepare_samples
from .bundle import Bundle, default_model_path, load_bundle
from .curves import Curves
from .errors import Audio2FaceError, PathLike
from .features import frame_count, iter_feature_chunks
from .inference import predict as run_model
from .post import PostSettings, apply_post
from .progress import CancelToken, ProgressFn, check
from .retarget import Retargeter, Source, build_retargeter
from .schema import Panel, setting
from .schema import validate as validate_knobs
from .secondary import SecondarySettings, apply_secondary

logger = logging.getLogger(__name__)

CHUNK_FRAMES = 2048
"""Frames whose features are computed and run through the model at a time (bounds memory)."""


MappingValue = Union[None, str, Mapping[str, Any]]
"""``None`` (model names / auto-match), ``"arkit"``, a mapping file path, or target -> spec as in a mapping file."""


@dataclasses.dataclass
class AnimateSettings:
    """What to animate and how; each field's description (``schema.setting``) feeds every surface."""

    model: Optional[str] = setting(
        None, kind="path", optional=True, label="Model", help="model bundle folder (default: the bundled model)",
        cli="--model", mel=("m", "model"), off={"panel": "the panel's model list picks it"})
    fps: Optional[float] = setting(
        None, optional=True, label="Frame rate", help="frame rate of the curves (default: the model's)",
        minimum=1.0, maximum=1000.0, unit="fps", cli="--fps",
        off={"mel": "the scene's frame rate decides", "panel": "the scene's frame rate decides",
             "job": "the scene's frame rate decides"})
    mapping: MappingValue = setting(
        None, kind="mapping", optional=True, label="Mapping",
        help="'arkit', a mapping file, or none to auto-match the rig's targets", cli="--mapping",
        mel=("map", "mapping"), off={"panel": "the mapping table sets it"})
    targets: Optional[List[str]] = setting(
        None, kind="names", optional=True, label="Rig targets",
        help="rig target names to retarget onto (a text file of names, one per line, on the command line)",
        cli="--targets", off={"mel": "the node's targets decide", "panel": "the rig's targets decide",
                              "job": "the scene's blendShape node decides"})
    emotion: Union[None, str, Sequence[float]] = setting(
        None, kind="emotion", optional=True, label="Emotion", help="emotion preset name (default: neutral)",
        cli="--emotion", mel=("emo", "emotion"), panel=Panel())
    start_frame: float = setting(
        1.0, label="Start frame", help="scene frame of the first key", minimum=-1e7, maximum=1e7,
        cli="--start-frame", mel=("st", "startFrame"), off={"panel": "the scene's playback start decides"})
    post: PostSettings = dataclasses.field(default_factory=PostSettings)
    reduce: Optional[float] = setting(
        None, optional=True, label="Key reduction",
        help="sparse keys within this tolerance, in weight units (none: a key on every frame)",
        minimum=0.0, exclusive_minimum=True, maximum=0.5, cli="--reduce", mel=("rd", "reduce"),
        panel=Panel(step=0.001, decimals=3, off_text="off (a key on every frame)"))
    secondary: SecondarySettings = dataclasses.field(default_factory=SecondarySettings)
    threads: int = setting(
        0, kind="int", label="Threads", help="inference threads (0 = onnxruntime's default)", minimum=0,
        maximum=256, cli="--threads", mel=("thr", "threads"), off={"panel": "the panel uses the default"})
    batch_size: int = setting(
        256, kind="int", label="Batch size", help="frames per network call", minimum=1, maximum=8192,
        cli="--batch-size", mel=("bs", "batchSize"), off={"panel": "the default suits every machine"})
    key_rest_targets: bool = setting(
        False, kind="bool", label="Key targets left at rest",
        help="also key targets the model never moves (flat at rest; off keeps their existing animation)",
        cli="--key-rest-targets", mel=("krt", "keyRestTargets"),
        off={"panel": "the Generate tab's own box beside Apply, 'Also key targets the model leaves at rest'"})

    def validate(self) -> None:
        """Raise ``Audio2FaceError`` on a value out of its knob's range (one line naming it)."""
        validate_knobs(self)
        self.post.validate()
        self.secondary.validate()


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
    _levels: Optional[np.ndarray] = dataclasses.field(default=None, repr=False, compare=False)

    def levels_db(self) -> np.ndarray:
        """Each frame's audio level (``vad.frame_levels_db``), computed once: the silence gate reads it."""
        if self._levels is None:
            from .vad import frame_levels_db

            self._levels = frame_levels_db(self.samples, self.sample_rate, self.fps, self.raw.shape[0])
        return self._levels

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
    settings.validate()
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
    settings.validate()
    if not prediction.matches(settings):
        raise Audio2FaceError("the prediction was made with another model, frame rate or emotion: predict again")
    bundle = prediction.bundle
    retargeter = build_retargeter(bundle.channels, settings.targets, settings.mapping)
    weights = retargeter.apply(prediction.raw)
    levels = prediction.levels_db() if settings.post.silence_gate else None
    weights = apply_post(
        weights, retargeter.targets, prediction.fps, settings.post, prediction.samples, prediction.sample_rate,
        levels,
    )
    source: dict[str, Any] = {
        "audio": prediction.audio_name,
        "model": os.fspath(bundle.path),
        "model_fps": bundle.fps,
        "emotion": settings.emotion if isinstance(settings.emotion, (str, type(None))) else list(settings.emotion),
        "mapping": mapping_provenance(settings.mapping),
        "post": dataclasses.asdict(settings.post),
        "unused_channels": retargeter.unused,
        "audio_seconds": prediction.samples.size / prediction.sample_rate,
    }
    if prediction.fps != bundle.fps:
        source["note"] = (
            f"the model was trained at {bundle.fps:g} fps; features were taken at {prediction.fps:g} fps "
            "(each frame's window is centred on its own time, so no resampling of curves is needed)"
        )
    model_driven = driven_targets(retargeter, bundle.animated_channels)
    curves = Curves(
        retargeter.targets,
        prediction.fps,
        weights,
        start_frame=settings.start_frame,
        source=source,
        driven=None if settings.key_rest_targets else model_driven,
        unmatched=list(retargeter.unmatched),
    )
    curves = apply_secondary(
        curves, prediction.samples, prediction.sample_rate, settings.secondary, retargeter.mapping(), model_driven
    )
    if settings.reduce is not None:
        from .key_reduction import reduce_curves

        curves = reduce_curves(curves, settings.reduce)
    return curves


def driven_targets(retargeter: Retargeter, animated: Sequence[str]) -> List[str]:
    """Targets fed by at least one animated model channel (the others would only be keyed at rest)."""
    moving = set(animated)
    return [t for t, s in zip(retargeter.targets, retargeter.sources) if s and moving.intersection(s.channels)]


def mapping_provenance(mapping: MappingValue) -> Any:
    """The mapping as plain data for ``Curves.source``: the name or path, or target -> spec."""
    if mapping is None or isinstance(mapping, str):
        return mapping
    return {str(t): s.to_spec() if isinstance(s, Source) else s for t, s in mapping.items()}


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
    settings.validate()
    build_retargeter(get_bundle(settings.model, settings.threads).channels, settings.targets, settings.mapping)
    prediction = predict(audio, settings, sample_rate=sample_rate, progress=progress, cancel=cancel)
    return finish(prediction, settings)
