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
import queue
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

import numpy as np

from .audio import prepare_samples, stream_audio
from .bundle import Bundle, default_model_path, load_bundle
from .curves import Curves
from .errors import Audio2FaceError, PathLike
from .features import (
    Features,
    SubframeRows,
    distinct_fraction,
    frame_count,
    iter_feature_chunks,
    iter_stream_feature_chunks,
)
from .inference import predict as run_model
from .post import PostSettings, apply_post
from .progress import CancelToken, ProgressFn, check
from .retarget import Retargeter, Source, build_retargeter
from .schema import Panel, setting
from .schema import validate as validate_knobs
from .secondary import SecondarySettings, apply_secondary
from .vad import StreamingBands, StreamingLevels

logger = logging.getLogger(__name__)

CHUNK_FRAMES = 2048
"""Frames whose features are computed and run through the model at a time (bounds memory)."""

STREAM_CHUNK_FRAMES = 1024
"""Frames per chunk when a file is decoded as it goes (``predict`` on a path): the features of the next
chunk are computed on a second thread while the model runs on this one."""

MODEL_BATCH_LIMIT = 32
"""Most frames per onnxruntime call in ``predict`` (``AnimateSettings.batch_size`` above it is capped):
onnxruntime keeps the memory of its largest call (about 220 MB at 256 frames, 28 MB at 32) and bigger
batches are no faster on a CPU; the numbers do not depend on the batch."""

SHARED_BATCH_LIMIT = 128
"""``MODEL_BATCH_LIMIT`` for a bundle's shared graph (``Bundle.shared_session``): a call runs the first layers
once per distinct sub-frame among its frames, so longer calls share more (at 30 fps 32 frames compute 58% of
the sub-frames they would frame by frame, 128 frames 44%); 128 frames hold onnxruntime to about 30 MB."""

SHARED_WORTHWHILE = 0.8
"""The shared graph is used where frames' sub-frames are at most this share distinct (``distinct_fraction``
over ``SHARED_BATCH_LIMIT`` frames); at rates whose frames share none (24, 29.97 fps) it is about 5% slower
than the per-frame graph, which then runs instead."""

PREDICT_SPIN = False
"""``predict`` runs the model with idle inference threads asleep: its feature thread needs the core they
would spin on (on 2 busy cores, spinning made an hour about 1.3x slower and used more CPU)."""

_T = TypeVar("_T")


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
    transcript: Optional[str] = setting(
        None, kind="path", optional=True, label="Transcript",
        help="a UTF-8 text file of the line: the phone guide aligns to it (guide_strength > 0)",
        cli="--transcript", mel=("trs", "transcript"),
        off={"panel": "the Generate tab's own Transcript box (one line per clip)"})
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
        samples: The decoded audio, mono float32 at ``sample_rate`` (QC, the phone guide, secondary motion
            and, without ``levels`` and ``bands``, the silence gate read it). A file decoded by ``predict``
            keeps it as int16 when that loses nothing (16-bit PCM at the feature rate) and converts on
            access; ``predict(keep_samples=False)`` keeps only its length (reading it then raises).
        sample_rate: The model's feature sample rate.
        fps: Frame rate of ``raw``'s rows.
        raw: float32 (frames, model channels): the network's output.
        bundle: The model that produced it.
        audio_name: The audio file's path, or ``"<samples>"``.
        key: ``prediction_key`` of the settings it was made with.
        levels: Per-frame audio levels (``vad.frame_levels_db`` at ``fps``) when ``predict`` measured them
            while decoding; the energy silence gate then reads these instead of ``samples``.
        bands: (frames, ``vad.BANDS``) speech-band energies (``vad.band_energies`` at ``fps``) when
            ``predict`` measured them while decoding; the robust silence gate then reads these.
        memo: What ``finish`` worked out once for this audio (the phone guide's recognition).
    """

    samples: np.ndarray
    sample_rate: int
    fps: float
    raw: np.ndarray
    bundle: Bundle
    audio_name: str
    key: Tuple[Any, ...]
    levels: Optional[np.ndarray] = None
    bands: Optional[np.ndarray] = None
    memo: Dict[Any, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def channels(self) -> List[str]:
        """The model's channel names, one per column of ``raw``."""
        return list(self.bundle.channels)

    @property
    def sample_count(self) -> int:
        """Number of decoded samples (without converting them)."""
        held = self.__dict__["_samples"]
        return int(held.size)

    def matches(self, settings: AnimateSettings) -> bool:
        """Whether ``finish`` may reuse this prediction for ``settings`` (same model, fps and emotion)."""
        return self.key == prediction_key(settings)


def _get_samples(prediction: Prediction) -> np.ndarray:
    held = prediction.__dict__["_samples"]
    return held.array() if isinstance(held, (CompactSamples, DroppedSamples)) else held


def _set_samples(prediction: Prediction, value: Any) -> None:
    prediction.__dict__["_samples"] = value


# set after the dataclass is built, so the generated __init__ (and repr, eq) goes through it
Prediction.samples = property(_get_samples, _set_samples, doc="The decoded audio, mono float32.")  # type: ignore


class CompactSamples:
    """Decoded samples, appended block by block: int16 while every value is a 16-bit PCM value, else float32.

    ``array()`` gives float32 exactly equal to what was appended (int16 / 32768 is exact).
    """

    _SCALE = 32768.0

    def __init__(self, expected: int = 0) -> None:
        self._data = np.empty(max(int(expected), 0) + 64, dtype=np.int16)
        self._size = 0

    @property
    def size(self) -> int:
        """Samples held."""
        return self._size

    @property
    def compact(self) -> bool:
        """Whether the samples are held as int16."""
        return self._data.dtype == np.int16

    def append(self, block: np.ndarray) -> None:
        """Add float32 samples."""
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        if self.compact:
            scaled = block * np.float32(self._SCALE)
            whole = np.rint(scaled)
            if np.array_equal(whole, scaled) and (block.size == 0 or (whole.min() >= -32768 and whole.max() <= 32767)):
                self._put(whole.astype(np.int16))
                return
            self._data = self.array_of(self._data[: self._size], self._data.size)
        self._put(block)

    def array(self) -> np.ndarray:
        """float32 copy of the samples."""
        held = self._data[: self._size]
        return self.array_of(held, held.size) if self.compact else held

    def array_of(self, held: np.ndarray, capacity: int) -> np.ndarray:
        """int16 PCM values as float32 in [-1, 1), in an array of ``capacity`` (at least ``held.size``)."""
        out = np.empty(max(capacity, held.size), dtype=np.float32)
        np.multiply(held, np.float32(1.0 / self._SCALE), out=out[: held.size], dtype=np.float32)
        return out[: held.size] if capacity == held.size else out

    def _put(self, part: np.ndarray) -> None:
        end = self._size + part.size
        if end > self._data.size:
            grown = np.empty(max(end, int(self._data.size * 1.5)), dtype=self._data.dtype)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : end] = part
        self._size = end


class DroppedSamples:
    """The length of decoded samples that were not kept (``predict(keep_samples=False)``)."""

    def __init__(self, size: int) -> None:
        self.size = int(size)

    def array(self) -> np.ndarray:
        """Raise ``Audio2FaceError``: the samples are gone."""
        raise Audio2FaceError("the decoded audio was not kept (predict(keep_samples=False)): predict again")


def samples_needed(settings: AnimateSettings) -> bool:
    """Whether ``finish`` reads the decoded samples of a prediction of a file for ``settings``: the phone
    guide and secondary motion do; the silence gate reads the levels and band energies measured while
    decoding."""
    return settings.post.guide_strength > 0 or settings.secondary.enabled


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
    keep_samples: bool = True,
) -> Prediction:
    """Decode the audio, take its features and run the network (the first, costly stage).

    Args:
        audio: An audio file path, or mono/multichannel samples (then ``sample_rate`` is required).
        settings: Only ``model``, ``fps``, ``emotion``, ``threads`` and ``batch_size`` are read.
        sample_rate: Rate of ``audio`` when it is an array.
        progress: Called with (done, total) over feature extraction and inference.
        cancel: Stops the work between chunks (raises ``Cancelled``).
        keep_samples: For a file, keep the decoded samples on the prediction (an hour at 16 kHz is 115 MB
            as int16). ``False`` when neither QC nor ``finish`` with the phone guide or secondary motion
            (``samples_needed``) will read them; the silence gate reads what was measured while decoding.
    """
    settings = settings or AnimateSettings()
    settings.validate()
    bundle = get_bundle(settings.model, settings.threads, spin=PREDICT_SPIN)
    params = bundle.feature_params
    if bundle.emotion_size:
        bundle.emotion_vector(settings.emotion)
    fps = float(settings.fps or bundle.fps)
    if not (0 < fps <= 1000):
        raise Audio2FaceError(f"frame rate must be between 0 and 1000, got {fps}")
    if not isinstance(audio, np.ndarray):
        return _predict_file(audio, settings, bundle, fps, progress, cancel, keep_samples)
    if sample_rate is None:
        raise Audio2FaceError("sample_rate is required when audio is an array")
    samples = prepare_samples(audio, sample_rate)
    check(cancel)
    total = frame_count(samples.size, fps, params)
    raw = np.zeros((total, len(bundle.channels)), dtype=np.float32)
    chunks = iter_feature_chunks(samples, fps, params, chunk_frames=CHUNK_FRAMES, cancel=cancel,
                                 shared=_use_shared(bundle, fps))
    for first, features in chunks:
        end = first + _frames_in(features)
        raw[first:end] = run_model(
            bundle,
            features,
            settings.emotion,
            batch_size=_model_batch(bundle, settings, fps),
            progress=None if progress is None else lambda done, _n, first=first: progress(first + done, total),
            cancel=cancel,
        )
    return Prediction(samples, params.sample_rate, fps, raw, bundle, "<samples>", prediction_key(settings))


def _predict_file(
    path: PathLike,
    settings: AnimateSettings,
    bundle: Bundle,
    fps: float,
    progress: Optional[ProgressFn],
    cancel: Optional[CancelToken],
    keep_samples: bool = True,
) -> Prediction:
    """``predict`` on a file, decoded as it goes: memory holds a chunk of audio and features, not the clip.

    A second thread decodes and computes the next chunk's features while the model runs on this one. The
    samples are kept compact (``CompactSamples``; only their length without ``keep_samples``) and the
    silence gate's per-frame levels and band energies measured on the way, so the result is the same as
    decoding the whole file first.
    """
    params = bundle.feature_params
    stream = stream_audio(path, sample_rate=params.sample_rate)
    store = CompactSamples(stream.expected_samples if keep_samples else 0)
    meter = StreamingLevels(params.sample_rate, fps)
    bands = StreamingBands(params.sample_rate, fps)
    estimate = max(frame_count(stream.expected_samples, fps, params), 1)
    raw = np.zeros((estimate, len(bundle.channels)), dtype=np.float32)
    count = [0]

    def decoded() -> Iterator[np.ndarray]:
        for block in stream:
            if keep_samples:
                store.append(block)
            count[0] += block.size
            meter.add(block)
            bands.add(block)
            yield block

    check(cancel)
    chunks = iter_stream_feature_chunks(decoded(), fps, params, chunk_frames=STREAM_CHUNK_FRAMES, cancel=cancel,
                                        shared=_use_shared(bundle, fps))
    done = 0
    for first, features in _ahead_of_time(chunks):
        end = first + _frames_in(features)
        if end > raw.shape[0]:
            grown = np.zeros((max(end, int(raw.shape[0] * 1.25)), raw.shape[1]), dtype=np.float32)
            grown[:first] = raw[:first]
            raw = grown
        report = None if progress is None else (
            lambda finished, _n, first=first: progress(first + finished, max(estimate, first + finished))
        )
        raw[first:end] = run_model(
            bundle, features, settings.emotion, batch_size=_model_batch(bundle, settings, fps),
            progress=report, cancel=cancel,
        )
        done = end
    total = frame_count(count[0], fps, params)
    if total != done:
        raise RuntimeError(f"streamed {done} frames of {total}")  # the feature stream's own contract
    raw = raw[:total] if raw.shape[0] == total else raw[:total].copy()
    held: Any = DroppedSamples(count[0]) if not keep_samples else store if store.compact else store.array()
    return Prediction(
        held, params.sample_rate, fps, raw, bundle, os.fspath(path), prediction_key(settings), meter.levels(total),
        bands.energies(total),
    )


def _use_shared(bundle: Bundle, fps: float) -> bool:
    """Whether ``predict`` runs the bundle's shared graph at ``fps`` (``SHARED_WORTHWHILE``)."""
    if bundle.shared_session is None:
        return False
    return distinct_fraction(fps, bundle.feature_params, SHARED_BATCH_LIMIT) <= SHARED_WORTHWHILE


def _model_batch(bundle: Bundle, settings: AnimateSettings, fps: float) -> int:
    """Frames per onnxruntime call: the setting, capped by the graph's limit."""
    return min(settings.batch_size, SHARED_BATCH_LIMIT if _use_shared(bundle, fps) else MODEL_BATCH_LIMIT)


def _frames_in(features: Features) -> int:
    """Frames in a chunk of features (an array or ``SubframeRows``)."""
    return features.frames if isinstance(features, SubframeRows) else int(features.shape[0])


def _ahead_of_time(items: Iterable[_T], depth: int = 1) -> Iterator[_T]:
    """``items``, produced on a second thread up to ``depth`` ahead of the consumer (errors re-raised here)."""
    pending: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    finished = object()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                pending.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(finished)
        except BaseException as error:  # handed to the consumer, which raises it
            put(error)

    worker = threading.Thread(target=produce, name="audio2face-features", daemon=True)
    worker.start()
    try:
        while True:
            item = pending.get()
            if item is finished:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


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
    decoded: List[np.ndarray] = []

    def samples() -> np.ndarray:
        """``prediction.samples``, converted from the compact copy once per finish and only when a step needs it."""
        if not decoded:
            decoded.append(prediction.samples)
        return decoded[0]

    measured = prediction.levels if settings.post.vad_method == "energy" else prediction.bands
    gate_audio = samples() if settings.post.silence_gate and measured is None else None
    guide = phone_guide(prediction, settings, samples) if settings.post.guide_strength > 0 else None
    weights = apply_post(
        weights, retargeter.targets, prediction.fps, settings.post, gate_audio, prediction.sample_rate,
        levels=prediction.levels, bands=prediction.bands, phones=guide.phones if guide else None,
        closures=guide.closures if guide else None,
    )
    source: dict[str, Any] = {
        "audio": prediction.audio_name,
        "model": os.fspath(bundle.path),
        "model_fps": bundle.fps,
        "emotion": settings.emotion if isinstance(settings.emotion, (str, type(None))) else list(settings.emotion),
        "mapping": mapping_provenance(settings.mapping),
        "post": dataclasses.asdict(settings.post),
        "unused_channels": retargeter.unused,
        "audio_seconds": prediction.sample_count / prediction.sample_rate,
    }
    if guide is not None:
        source["phone_guide"] = {
            "language": settings.post.phone_language,
            "aligned_to_transcript": guide.aligned,
            "phones": len(guide.phones),
            "acoustic_closures": guide.closures is not None,
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
    if settings.secondary.enabled:
        curves = apply_secondary(
            curves, samples(), prediction.sample_rate, settings.secondary, retargeter.mapping(), model_driven
        )
    if settings.reduce is not None:
        from .key_reduction import reduce_curves

        curves = reduce_curves(curves, settings.reduce)
    return curves


def phone_guide(prediction: Prediction, settings: AnimateSettings, samples: Callable[[], np.ndarray]) -> Any:
    """The phone guide's input for a prediction (``audio2face.phones.guide_input``), recognised once per
    language, transcript and detector and kept on the prediction: a knob change does not recognise again.
    ``samples`` gives the decoded audio (called only when the guide is recognised)."""
    from .phones import guide_input
    from .text_input import read_text

    post = settings.post
    key = ("phone_guide", post.phone_language, settings.transcript, post.vad_method)
    if key not in prediction.memo:
        text = read_text(settings.transcript, "transcript") if settings.transcript else None
        if text is not None and not text.strip():
            raise Audio2FaceError("the transcript is empty", settings.transcript)
        prediction.memo[key] = guide_input(samples(), prediction.sample_rate, prediction.fps,
                                           prediction.raw.shape[0], post.phone_language, text, post.vad_method)
    return prediction.memo[key]


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
    bundle = get_bundle(settings.model, settings.threads, spin=PREDICT_SPIN)
    build_retargeter(bundle.channels, settings.targets, settings.mapping)
    prediction = predict(audio, settings, sample_rate=sample_rate, progress=progress, cancel=cancel,
                         keep_samples=samples_needed(settings))
    return finish(prediction, settings)
