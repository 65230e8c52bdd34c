"""Model bundles: a folder holding ``model.onnx`` and ``model.json``.

The layout and the ONNX contract are documented in ``docs/architecture.md``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import numpy as np

from .atomic import umask_mode
from .errors import Audio2FaceError, PathLike
from .features import FeatureParams
from .text_input import load_json

logger = logging.getLogger(__name__)

FORMAT = "audio2face-bundle"
FORMAT_VERSION = 1
MODEL_FILE = "model.onnx"
METADATA_FILE = "model.json"
SHARED_FILE = "model_shared.onnx"
"""The optional second graph: the network run once per distinct sub-frame (``features.SubframeRows``),
declared by ``model.json``'s ``"shared": {"subframes": NAME, "index": NAME}``
(``audio2face_trainer.shared_graph`` makes it)."""
SHARED_SUBFRAMES = "subframes"
SHARED_INDEX = "index"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "default"
SPINNING_CONFIG_KEY = "session.intra_op.allow_spinning"
"""onnxruntime session config entry: "0" makes idle intra-op threads sleep instead of spin-waiting."""


@dataclasses.dataclass
class Bundle:
    """A loaded model bundle.

    Attributes:
        path: The bundle folder.
        channels: Output channel names, in output order.
        fps: Frame rate the model was trained at.
        feature_params: Feature extraction parameters it was trained with.
        emotion_size: Length of the emotion input (0 = none).
        neutral_emotion: The default emotion vector.
        emotion_presets: Named emotion vectors.
        metadata: The whole ``model.json``.
        session: The onnxruntime session of ``model.onnx`` (frames in, weights out).
        shared_session: The session of ``model_shared.onnx`` (distinct sub-frames and an index in), or
            ``None`` when the bundle has none.
    """

    path: Path
    channels: List[str]
    fps: float
    feature_params: FeatureParams
    emotion_size: int
    neutral_emotion: np.ndarray
    emotion_presets: Dict[str, np.ndarray]
    metadata: Dict[str, Any]
    features_input: str = "features"
    emotion_input: Optional[str] = "emotion"
    output_name: str = "weights"
    session: Any = dataclasses.field(default=None, repr=False)
    shared_session: Any = dataclasses.field(default=None, repr=False)
    subframes_input: str = SHARED_SUBFRAMES
    index_input: str = SHARED_INDEX

    @property
    def animated_channels(self) -> List[str]:
        """Channels the model moves; the others are constants in the graph (targets they feed stay at rest).

        From ``model.json`` ``animated_channels``; bundles without it: the trainer's record in
        ``provenance.animated_channels``; else every channel.
        """
        return animated_channels(self.metadata)

    @property
    def model_path(self) -> Path:
        """Path of the ONNX file."""
        return self.path / MODEL_FILE

    def emotion_vector(self, emotion: Any = None) -> np.ndarray:
        """Resolve an emotion given as ``None`` (neutral), a preset name or a vector."""
        if emotion is None or (isinstance(emotion, str) and emotion in ("", "neutral")):
            return self.neutral_emotion.copy()
        if isinstance(emotion, str):
            if emotion not in self.emotion_presets:
                known = ", ".join(["neutral", *sorted(self.emotion_presets)])
                raise Audio2FaceError(f"unknown emotion preset {emotion!r} (known: {known})", self.path)
            return self.emotion_presets[emotion].copy()
        vector = np.asarray(emotion, dtype=np.float32).reshape(-1)
        if vector.size != self.emotion_size:
            raise Audio2FaceError(
                f"emotion vector has {vector.size} values, the model takes {self.emotion_size}", self.path
            )
        return vector


def animated_channels(meta: Mapping[str, Any]) -> List[str]:
    """``model.json``'s animated channels (see ``Bundle.animated_channels``), in channel order."""
    channels = list(meta.get("channels") or [])
    listed = meta.get("animated_channels")
    if listed is None:
        listed = (meta.get("provenance") or {}).get("animated_channels")
    if not isinstance(listed, list):
        return channels
    keep = set(listed)
    return [c for c in channels if c in keep]


def default_model_path() -> Path:
    """The bundled default model's folder."""
    return DEFAULT_MODEL_DIR


def _require(meta: Mapping[str, Any], key: str, kind: type, where: Path) -> Any:
    if key not in meta:
        raise Audio2FaceError(f"model.json has no {key!r}", where)
    value = meta[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise Audio2FaceError(f"model.json {key!r} must be {kind.__name__}", where)
    return value


def _vector(value: Any, size: int, what: str, where: Path) -> np.ndarray:
    try:
        vector = np.asarray(value, dtype=np.float32).reshape(-1)
    except (TypeError, ValueError):
        raise Audio2FaceError(f"model.json {what} is not a list of numbers", where) from None
    if vector.size != size or not np.all(np.isfinite(vector)):
        raise Audio2FaceError(f"model.json {what} must hold {size} finite numbers", where)
    return vector


def validate_metadata(meta: Mapping[str, Any], where: Path) -> Dict[str, Any]:
    """Check a ``model.json`` dict; return it normalised. Raises ``Audio2FaceError``."""
    if meta.get("format") != FORMAT:
        raise Audio2FaceError(f"model.json is not an {FORMAT} file", where)
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise Audio2FaceError(
            f"unknown bundle format version {version!r} (this version reads {FORMAT_VERSION})", where
        )
    channels = _require(meta, "channels", list, where)
    if not channels or not all(isinstance(c, str) and c for c in channels):
        raise Audio2FaceError("model.json 'channels' must be a non-empty list of names", where)
    if len(set(channels)) != len(channels):
        raise Audio2FaceError("model.json 'channels' has duplicate names", where)
    animated = meta.get("animated_channels")
    if animated is not None:
        if not isinstance(animated, list) or not all(isinstance(c, str) for c in animated):
            raise Audio2FaceError("model.json 'animated_channels' must be a list of channel names", where)
        unknown = sorted(set(animated) - set(channels))
        if unknown:
            raise Audio2FaceError(f"model.json 'animated_channels' names unknown channels: {', '.join(unknown)}",
                                  where)
    fps = meta.get("fps")
    if not isinstance(fps, (int, float)) or isinstance(fps, bool) or not 0 < fps <= 1000:
        raise Audio2FaceError(f"model.json 'fps' must be a positive number, got {fps!r}", where)
    FeatureParams.from_dict(_require(meta, "features", dict, where), source=where / METADATA_FILE)
    emotion = meta.get("emotion") or {"size": 0}
    if not isinstance(emotion, dict):
        raise Audio2FaceError("model.json 'emotion' must be an object", where)
    size = emotion.get("size", 0)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise Audio2FaceError("model.json emotion 'size' must be a whole number >= 0", where)
    presets = emotion.get("presets") or {}
    if not isinstance(presets, dict):
        raise Audio2FaceError("model.json emotion 'presets' must be an object of name: vector", where)
    if size:
        _vector(emotion.get("neutral"), size, "emotion 'neutral'", where)
        for name, vec in presets.items():
            if not name.strip() or name.strip().lower() == "neutral":
                raise Audio2FaceError(
                    f"model.json emotion preset name {name!r} is reserved: '' and 'neutral' mean the neutral vector",
                    where,
                )
            _vector(vec, size, f"emotion preset {name!r}", where)
    shared = meta.get("shared")
    if shared is not None and not (
        isinstance(shared, dict) and all(isinstance(shared.get(k), str) and shared[k] for k in ("subframes", "index"))
    ):
        raise Audio2FaceError("model.json 'shared' must name the 'subframes' and 'index' inputs", where)
    return dict(meta)


def open_session(bundle: Bundle, threads: int = 0, *, spin: bool = True) -> Any:
    """Open an onnxruntime session for ``bundle`` and check its inputs/outputs against the metadata.

    Args:
        bundle: The loaded bundle.
        threads: Intra-op threads (0 = onnxruntime's default).
        spin: Let idle intra-op threads spin-wait for the next run (onnxruntime's default). ``False`` puts
            them to sleep instead (``session.intra_op.allow_spinning = "0"``): a little slower to wake,
            but they leave the cores to other work between runs - what a live stream wants.
    """
    session = _inference_session(bundle.model_path, bundle, threads, spin)
    shapes = _shapes(session)
    _check_shapes(bundle, shapes)
    extra = sorted(set(shapes) - {bundle.features_input, bundle.emotion_input, bundle.output_name})
    if extra:
        raise Audio2FaceError(f"model.onnx has inputs the metadata does not name: {', '.join(extra)}", bundle.path)
    return session


def open_shared_session(bundle: Bundle, threads: int = 0, *, spin: bool = True) -> Any:
    """Open the session of the bundle's ``model_shared.onnx`` and check it (arguments as ``open_session``)."""
    session = _inference_session(bundle.path / SHARED_FILE, bundle, threads, spin)
    shapes = _shapes(session)
    params = bundle.feature_params
    expected = {bundle.subframes_input: [params.lpc_order, None], bundle.index_input: [None, params.subframes]}
    for name, shape in expected.items():
        if shapes.get(name) != shape:
            raise Audio2FaceError(f"{SHARED_FILE} input {name!r} has shape {shapes.get(name)}, expected {shape}",
                                  bundle.path)
    if bundle.emotion_size and shapes.get(bundle.emotion_input or "") != [None, bundle.emotion_size]:
        raise Audio2FaceError(f"{SHARED_FILE} has no emotion input of size {bundle.emotion_size}", bundle.path)
    if shapes.get(bundle.output_name) != [None, len(bundle.channels)]:
        raise Audio2FaceError(f"{SHARED_FILE} output differs from model.onnx's", bundle.path)
    extra = sorted(set(shapes) - {*expected, bundle.emotion_input, bundle.output_name})
    if extra:
        raise Audio2FaceError(f"{SHARED_FILE} has inputs the metadata does not name: {', '.join(extra)}", bundle.path)
    return session


def _inference_session(path: Path, bundle: Bundle, threads: int, spin: bool) -> Any:
    """An onnxruntime session of ``path`` with ``open_session``'s options."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads > 0:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    if not spin:
        options.add_session_config_entry(SPINNING_CONFIG_KEY, "0")
    options.log_severity_level = 3
    try:
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            if "Failed to find kernel" not in str(exc):
                raise
            # Older onnxruntime (1.19, the newest for Maya 2023's Python 3.9) fuses a float64 MatMul into a
            # FusedMatMul it has no float64 kernel for; the basic optimisations leave the graph as written.
            logger.info("onnxruntime %s: %s; loading with basic graph optimisations", ort.__version__, exc)
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for corrupt models
        raise Audio2FaceError(f"{path.name} cannot be loaded: {exc}", bundle.path) from None


def _shapes(session: Any) -> Dict[str, List[Optional[int]]]:
    """Input and output shapes of ``session`` by name (``None`` for a symbolic dimension)."""
    return {value.name: [d if isinstance(d, int) else None for d in value.shape]
            for value in list(session.get_inputs()) + list(session.get_outputs())}


def _check_shapes(bundle: Bundle, shapes: Mapping[str, List[Optional[int]]]) -> None:
    params = bundle.feature_params
    feat = shapes.get(bundle.features_input)
    if feat is None:
        raise Audio2FaceError(f"model.onnx has no input {bundle.features_input!r}", bundle.path)
    if len(feat) != 3 or feat[1:] != [params.lpc_order, params.subframes]:
        raise Audio2FaceError(
            f"model.onnx input {bundle.features_input!r} has shape {feat}, metadata says "
            f"[N, {params.lpc_order}, {params.subframes}]",
            bundle.path,
        )
    if bundle.emotion_size:
        emo = shapes.get(bundle.emotion_input or "")
        if emo is None or len(emo) != 2 or emo[1] != bundle.emotion_size:
            raise Audio2FaceError(
                f"model.onnx emotion input has shape {emo}, metadata says [N, {bundle.emotion_size}]", bundle.path
            )
    out = shapes.get(bundle.output_name)
    if out is None:
        raise Audio2FaceError(f"model.onnx has no output {bundle.output_name!r}", bundle.path)
    if len(out) != 2 or out[1] != len(bundle.channels):
        raise Audio2FaceError(
            f"model.onnx output has shape {out} but model.json names {len(bundle.channels)} channels", bundle.path
        )


def load_bundle(path: Optional[PathLike] = None, threads: int = 0, *, spin: bool = True) -> Bundle:
    """Load and check a bundle folder (``None`` = the default model) and open its inference session.

    ``threads`` and ``spin`` are passed to :func:`open_session`.

    Raises:
        Audio2FaceError: missing files, unknown format version, inconsistent metadata, or an ONNX model whose
            inputs/outputs disagree with the metadata.
    """
    folder = Path(path) if path is not None else DEFAULT_MODEL_DIR
    if not folder.exists():
        if path is None:
            raise Audio2FaceError("the default model is not installed", folder)
        raise Audio2FaceError("model bundle folder not found", folder)
    if folder.is_file():
        raise Audio2FaceError("a model bundle is a folder holding model.onnx and model.json", folder)
    for name in (MODEL_FILE, METADATA_FILE):
        if not (folder / name).is_file():
            raise Audio2FaceError(f"model bundle has no {name}", folder)
    meta = load_json(folder / METADATA_FILE, "model.json")
    if not isinstance(meta, dict):
        raise Audio2FaceError("model.json must hold an object", folder)
    meta = validate_metadata(meta, folder)
    emotion = meta.get("emotion") or {"size": 0}
    size = int(emotion.get("size", 0))
    io_names = meta.get("inputs") or {}
    bundle = Bundle(
        path=folder,
        channels=list(meta["channels"]),
        fps=float(meta["fps"]),
        feature_params=FeatureParams.from_dict(meta["features"]),
        emotion_size=size,
        neutral_emotion=np.asarray(emotion.get("neutral", []), dtype=np.float32).reshape(-1),
        emotion_presets={
            str(k): np.asarray(v, dtype=np.float32).reshape(-1) for k, v in (emotion.get("presets") or {}).items()
        },
        metadata=meta,
        features_input=str(io_names.get("features", "features")),
        emotion_input=str(io_names.get("emotion", "emotion")) if size else None,
        output_name=str(meta.get("output", "weights")),
    )
    shared = meta.get("shared")
    if shared is not None:
        if not (folder / SHARED_FILE).is_file():
            raise Audio2FaceError(f"model bundle has no {SHARED_FILE} (model.json's 'shared' says it has)", folder)
        bundle.subframes_input, bundle.index_input = str(shared["subframes"]), str(shared["index"])
    bundle.session = open_session(bundle, threads, spin=spin)
    if shared is not None:
        bundle.shared_session = open_shared_session(bundle, threads, spin=spin)
    return bundle


def check_bundle_target(target: PathLike, overwrite: bool = True) -> None:
    """Refuse a destination ``write_bundle`` would refuse: a file, a folder that is not a bundle, or (without
    ``overwrite``) any existing bundle. Call it before long work that ends in writing one.

    Raises:
        Audio2FaceError: naming the folder.
    """
    folder = Path(target)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise Audio2FaceError("the output path exists and is not a folder", folder)
    if not overwrite:
        raise Audio2FaceError("model bundle already exists", folder)
    if not (folder / METADATA_FILE).is_file() and any(folder.iterdir()):
        raise Audio2FaceError("refusing to replace a folder that is not a model bundle", folder)


def write_bundle(
    out_dir: PathLike,
    onnx_bytes: bytes,
    metadata: Mapping[str, Any],
    extra_files: Optional[Mapping[str, bytes]] = None,
    overwrite: bool = True,
) -> Path:
    """Write a bundle folder atomically: a temporary sibling folder, then a rename.

    Args:
        out_dir: Destination folder.
        onnx_bytes: The serialised ONNX model.
        metadata: The ``model.json`` content (checked before anything is written).
        extra_files: More files to put in the bundle (training report, licence...), name -> bytes.
        overwrite: Replace an existing bundle at ``out_dir``.

    Returns:
        The bundle folder.
    """
    target = Path(out_dir)
    meta = validate_metadata(dict(metadata), target)
    check_bundle_target(target, overwrite)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    old = None
    try:
        (staging / MODEL_FILE).write_bytes(onnx_bytes)
        (staging / METADATA_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        for name, data in (extra_files or {}).items():
            if Path(name).name != name or name in (MODEL_FILE, METADATA_FILE):
                raise Audio2FaceError(f"bad extra file name {name!r}", target)
            (staging / name).write_bytes(data)
        os.chmod(staging, umask_mode(0o777))
        for item in staging.iterdir():
            os.chmod(item, umask_mode())
        if target.exists():
            old = parent / f".{target.name}.old-{os.getpid()}"
            os.replace(target, old)
        os.replace(staging, target)
    except BaseException:
        if old is not None and not target.exists():
            os.replace(old, target)
            old = None
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return target
