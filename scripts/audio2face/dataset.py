"""Training dataset layouts: ours (``dataset.json``) and FACEGOOD's (``wav/``, ``bs_value/``, ``bs_name.npy``).

Ours, written by the Maya exporter through ``write_clip``::

    DATASET/
      dataset.json   {"format": "audio2face-dataset", "format_version": 1, "clips": [...]}
      shot010.wav    the clip's audio (any rate/channels libsndfile reads)
      shot010.npy    float32 (frames, targets), saved without pickle

FACEGOOD's, as published with their repository: ``wav/<clip>.wav``, ``bs_value/bs_value_<clip>.npy``
(frames x targets at 30 fps) and ``bs_name.npy`` (or ``bs_name.txt``, one name per line).

``load_dataset`` reads either and checks every clip; problems a user can cause raise
``Audio2FaceError`` naming the file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import re
import shutil
import warnings
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .atomic import atomic_open, atomic_path
from .audio import check_source_rate
from .errors import Audio2FaceError, PathLike
from .output_set import all_or_nothing
from .text_input import load_json, read_text

logger = logging.getLogger(__name__)

FORMAT = "audio2face-dataset"
FORMAT_VERSION = 1
INDEX_FILE = "dataset.json"
FACEGOOD_FPS = 30.0
MAX_MISMATCH_SECONDS = 1.0
"""Audio and labels whose lengths differ by more than this are refused."""
WARN_MISMATCH_FRAMES = 2
"""Audio and labels whose lengths differ by more than this many frames log a warning."""

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclasses.dataclass
class Clip:
    """One labelled clip of a dataset.

    Attributes:
        name: Clip name, unique in its dataset.
        audio_path: The clip's audio file.
        weights: float32 (frames, len(names)), already truncated to the audio's length.
        names: Target names, one per column of ``weights``.
        fps: Frame rate of the rows.
        audio_offset_frames: Frame (relative to row 0) at which the audio starts.
        source: Free-form provenance stored with the clip.
        layout: ``"ours"`` or ``"facegood"``.
    """

    name: str
    audio_path: Path
    weights: np.ndarray
    names: List[str]
    fps: float
    audio_offset_frames: float = 0.0
    source: Dict[str, Any] = dataclasses.field(default_factory=dict)
    layout: str = "ours"

    @property
    def frame_count(self) -> int:
        """Number of labelled frames."""
        return int(self.weights.shape[0])


def detect_layout(path: PathLike) -> str:
    """Return ``"ours"`` or ``"facegood"`` for a dataset folder; raise ``Audio2FaceError`` otherwise."""
    folder = Path(path)
    if not folder.is_dir():
        raise Audio2FaceError("dataset folder not found", folder)
    if (folder / INDEX_FILE).is_file():
        return "ours"
    has_names = (folder / "bs_name.npy").is_file() or (folder / "bs_name.txt").is_file()
    if has_names and (folder / "bs_value").is_dir():
        return "facegood"
    raise Audio2FaceError(
        f"not a dataset folder: expected {INDEX_FILE} (our layout) or bs_name.npy + bs_value/ + wav/ "
        "(FACEGOOD's layout)",
        folder,
    )


def load_dataset(path: PathLike) -> List[Clip]:
    """Read and check every clip of a dataset folder, in either layout.

    Weights are truncated to the audio's length when the two differ by at most
    ``MAX_MISMATCH_SECONDS`` (a warning is logged beyond ``WARN_MISMATCH_FRAMES``).

    Raises:
        Audio2FaceError: unreadable index, corrupt or mis-shaped arrays, names that do not match the
            columns, missing or unreadable audio, non-finite weights, or audio and labels of different
            lengths; the message names the file.
    """
    folder = Path(path)
    layout = detect_layout(folder)
    clips = _load_ours(folder) if layout == "ours" else _load_facegood(folder)
    if not clips:
        raise Audio2FaceError("dataset has no clips", folder)
    return clips


# --- our layout ------------------------------------------------------------------------------------------


def _read_index(folder: Path) -> Dict[str, Any]:
    index_path = folder / INDEX_FILE
    index = load_json(index_path, "dataset index")
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise Audio2FaceError(f"not an {FORMAT} index (missing \"format\": \"{FORMAT}\")", index_path)
    version = index.get("format_version")
    if version != FORMAT_VERSION:
        raise Audio2FaceError(
            f"unknown dataset format version {version!r} (this version reads {FORMAT_VERSION})", index_path
        )
    if not isinstance(index.get("clips"), list):
        raise Audio2FaceError("\"clips\" must be a list", index_path)
    return index


def _load_ours(folder: Path) -> List[Clip]:
    index_path = folder / INDEX_FILE
    index = _read_index(folder)
    clips: List[Clip] = []
    seen = set()
    for number, entry in enumerate(index["clips"]):
        where = f"clip {number + 1}"
        if not isinstance(entry, dict):
            raise Audio2FaceError(f"{where} is not an object", index_path)
        for key in ("name", "audio", "weights", "names", "fps"):
            if key not in entry:
                raise Audio2FaceError(f"{where} has no {key!r}", index_path)
        name = entry["name"]
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise Audio2FaceError(f"{where} has an invalid name {name!r}", index_path)
        if name in seen:
            raise Audio2FaceError(f"clip name {name!r} appears twice", index_path)
        seen.add(name)
        names = _check_names(entry["names"], f"clip {name!r} names", index_path)
        fps = _check_fps(entry["fps"], f"clip {name!r}", index_path)
        offset = entry.get("audio_offset_frames", 0.0)
        if not isinstance(offset, (int, float)) or isinstance(offset, bool) or not math.isfinite(offset):
            raise Audio2FaceError(f"clip {name!r} audio_offset_frames must be a number", index_path)
        for key in ("audio", "weights"):
            if not isinstance(entry[key], str) or not entry[key]:
                raise Audio2FaceError(f"clip {name!r} {key!r} must be a file name", index_path)
        weights_path = folder / entry["weights"]
        audio_path = folder / entry["audio"]
        weights = _read_weights(weights_path, len(names), "dataset.json lists")
        source = entry.get("source") or {}
        clip = Clip(
            name=name,
            audio_path=audio_path,
            weights=weights,
            names=names,
            fps=fps,
            audio_offset_frames=float(offset),
            source=dict(source) if isinstance(source, dict) else {"value": source},
            layout="ours",
        )
        clips.append(_match_lengths(clip, weights_path))
    return clips


# --- FACEGOOD's layout ------------------------------------------------------------------------------------


def _load_facegood(folder: Path) -> List[Clip]:
    names = _facegood_names(folder)
    clips: List[Clip] = []
    for weights_path in sorted((folder / "bs_value").glob("bs_value_*.npy")):
        name = weights_path.stem[len("bs_value_") :]
        audio_path = folder / "wav" / f"{name}.wav"
        weights = _read_weights(weights_path, len(names), "bs_name lists")
        clip = Clip(
            name=name,
            audio_path=audio_path,
            weights=weights,
            names=list(names),
            fps=FACEGOOD_FPS,
            audio_offset_frames=0.0,
            source={"layout": "facegood", "weights": str(weights_path)},
            layout="facegood",
        )
        clips.append(_match_lengths(clip, weights_path))
    return clips


def _facegood_names(folder: Path) -> List[str]:
    npy = folder / "bs_name.npy"
    if npy.is_file():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # Python 2 headers parse fine, with a warning
                raw = np.load(npy, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise Audio2FaceError(f"cannot read target names: {exc}", npy) from None
        if raw.ndim != 1 or raw.dtype.kind not in "US":
            raise Audio2FaceError("target names must be a 1-D array of strings", npy)
        values = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in raw.tolist()]
        return _check_names(values, "target names", npy)
    txt = folder / "bs_name.txt"
    lines = [line.strip() for line in read_text(txt, "target names file").splitlines()]
    return _check_names([line for line in lines if line], "target names", txt)


# --- checks shared by both layouts ------------------------------------------------------------------------


def _check_names(value: Any, what: str, where: Path) -> List[str]:
    if not isinstance(value, (list, tuple)) or not value:
        raise Audio2FaceError(f"{what} must be a non-empty list of strings", where)
    if not all(isinstance(v, str) and v for v in value):
        raise Audio2FaceError(f"{what} must be non-empty strings", where)
    if len(set(value)) != len(value):
        dupes = sorted({v for v in value if list(value).count(v) > 1})
        raise Audio2FaceError(f"{what} has duplicates: {', '.join(dupes)}", where)
    return [str(v) for v in value]


def _check_fps(value: Any, what: str, where: Path) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 1000:
        raise Audio2FaceError(f"{what} fps must be a positive number, got {value!r}", where)
    return float(value)


def _read_weights(path: Path, columns: int, names_source: str) -> np.ndarray:
    if not path.is_file():
        raise Audio2FaceError("weights file not found", path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            raw = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise Audio2FaceError(f"cannot read weights (corrupt or not a .npy array): {exc}", path) from None
    if not isinstance(raw, np.ndarray) or raw.dtype.kind not in "fiub":
        raise Audio2FaceError("weights must be a numeric array", path)
    if raw.ndim != 2:
        raise Audio2FaceError(f"weights must be a 2-D array (frames, targets), got shape {raw.shape}", path)
    if raw.shape[1] != columns:
        raise Audio2FaceError(f"weights have {raw.shape[1]} columns but {names_source} {columns} names", path)
    if raw.shape[0] < 2:
        raise Audio2FaceError(f"weights have {raw.shape[0]} frames; a clip needs at least 2", path)
    weights = raw.astype(np.float32)
    bad = ~np.isfinite(weights)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise Audio2FaceError(f"weights hold NaN or infinite values (first at row {row}, column {col})", path)
    return weights


def audio_duration(path: Path) -> float:
    """Duration in seconds of an audio file, read from its header."""
    import soundfile

    if not path.is_file():
        raise Audio2FaceError("audio file not found", path)
    try:
        info = soundfile.info(str(path))
    except Exception as exc:  # libsndfile raises its own error types
        raise Audio2FaceError(f"cannot read audio: {exc}", path) from None
    if info.samplerate <= 0 or info.frames <= 0:
        raise Audio2FaceError("audio file is empty", path)
    check_source_rate(info.samplerate, path)
    return float(info.frames) / float(info.samplerate)


def audio_frame_count(seconds: float, fps: float, audio_offset_frames: float = 0.0) -> int:
    """Label frames the audio covers once shifted to start at ``audio_offset_frames``."""
    return max(int(math.floor(seconds * fps + audio_offset_frames + 1e-9)), 0)


def _match_lengths(clip: Clip, weights_path: Path) -> Clip:
    covered = audio_frame_count(audio_duration(clip.audio_path), clip.fps, clip.audio_offset_frames)
    rows = clip.frame_count
    difference = abs(rows - covered)
    if difference > MAX_MISMATCH_SECONDS * clip.fps:
        raise Audio2FaceError(
            f"weights have {rows} frames but the audio {clip.audio_path.name} covers {covered} frames at "
            f"{clip.fps:g} fps: they differ by {difference / clip.fps:.2f} s (more than "
            f"{MAX_MISMATCH_SECONDS:g} s); check the frame rate, the audio offset and that they belong together",
            weights_path,
        )
    if difference > WARN_MISMATCH_FRAMES:
        logger.warning(
            "%s: weights have %d frames, audio covers %d: using the first %d",
            weights_path, rows, covered, min(rows, covered),
        )
    if covered < rows:
        clip.weights = clip.weights[:covered]
    if clip.frame_count < 2:
        raise Audio2FaceError("the audio covers fewer than 2 labelled frames", clip.audio_path)
    return clip


# --- writing our layout -----------------------------------------------------------------------------------


def write_clip(
    folder: PathLike,
    name: str,
    *,
    audio: Union[PathLike, np.ndarray],
    weights: np.ndarray,
    names: Sequence[str],
    fps: float,
    audio_offset_frames: float = 0.0,
    sample_rate: Optional[int] = None,
    source: Optional[Mapping[str, Any]] = None,
    overwrite: bool = False,
) -> Path:
    """Add one clip to a dataset folder in our layout (created if missing).

    Files are written atomically and ``dataset.json`` is updated last, so a crash never leaves an index
    that points at missing files.

    Args:
        folder: The dataset folder.
        name: Clip name (letters, digits, ``._-``; used for the file names).
        audio: A path to an audio file (copied) or a float array (written as 32-bit float WAV).
        weights: (frames, len(names)) weights at ``fps``.
        names: Target names, one per column.
        fps: Frame rate of the rows.
        audio_offset_frames: Frame (relative to row 0) at which the audio starts.
        sample_rate: Sample rate of ``audio`` when it is an array.
        source: Free-form provenance (scene, rig, frame range...), stored as JSON.
        overwrite: Replace a clip of the same name instead of refusing.

    Returns:
        The path of the clip's weights file.
    """
    root = Path(folder)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise Audio2FaceError(f"invalid clip name {name!r}: use letters, digits, '.', '_' or '-'", root)
    names = _check_names(list(names), "target names", root)
    fps = _check_fps(fps, f"clip {name!r}", root)
    if not math.isfinite(float(audio_offset_frames)):
        raise Audio2FaceError("audio_offset_frames must be a finite number", root)
    array = np.asarray(weights, dtype=np.float32)
    if array.ndim != 2 or array.shape[1] != len(names):
        raise Audio2FaceError(f"weights of shape {array.shape} do not match {len(names)} names", root)
    if array.shape[0] < 2:
        raise Audio2FaceError("a clip needs at least 2 frames of weights", root)
    if not np.all(np.isfinite(array)):
        raise Audio2FaceError("weights hold NaN or infinite values", root)
    source_dict = json.loads(json.dumps(dict(source or {}), default=str))

    root.mkdir(parents=True, exist_ok=True)
    index = _read_index(root) if (root / INDEX_FILE).exists() else {
        "format": FORMAT, "format_version": FORMAT_VERSION, "clips": []
    }
    existing = [c for c in index["clips"] if isinstance(c, dict) and c.get("name") == name]
    if existing and not overwrite:
        raise Audio2FaceError(f"the dataset already has a clip named {name!r} (pass overwrite=True)", root)

    with all_or_nothing():  # audio, weights and index together, or none of them
        audio_name, stale = _write_audio(root, name, audio, sample_rate, existing)
        weights_name = f"{name}.npy"
        with atomic_open(root / weights_name, "wb") as handle:
            np.save(handle, array, allow_pickle=False)
        _write_index(root, index, name, existing, {
            "name": name,
            "audio": audio_name,
            "weights": weights_name,
            "names": names,
            "fps": fps,
            "audio_offset_frames": float(audio_offset_frames),
            "source": source_dict,
        })
    for path in stale:
        with contextlib.suppress(OSError):
            path.unlink()
    return root / weights_name


def _write_index(
    root: Path, index: Dict[str, Any], name: str, existing: List[Dict[str, Any]], entry: Dict[str, Any]
) -> None:
    clips = [entry if isinstance(c, dict) and c.get("name") == name else c for c in index["clips"]]
    if not existing:
        clips.append(entry)
    index["clips"] = clips
    with atomic_open(root / INDEX_FILE, "w") as handle:
        json.dump(index, handle, indent=1)
        handle.write("\n")


def _write_audio(
    root: Path, name: str, audio: Any, sample_rate: Optional[int], existing: List[Dict[str, Any]]
) -> Tuple[str, List[Path]]:
    """Write the clip's audio; return its file name and older audio files of the clip to delete."""
    import soundfile

    if isinstance(audio, np.ndarray):
        if not sample_rate or sample_rate <= 0:
            raise Audio2FaceError("sample_rate is required when audio is an array", root)
        samples = np.asarray(audio, dtype=np.float32)
        if samples.ndim not in (1, 2) or samples.shape[0] == 0:
            raise Audio2FaceError(f"audio array must be (samples,) or (samples, channels), got {samples.shape}", root)
        audio_name = f"{name}.wav"
        with atomic_path(root / audio_name) as tmp:
            soundfile.write(str(tmp), samples, int(sample_rate), format="WAV", subtype="FLOAT")
    else:
        src = Path(audio)
        if not src.is_file():
            raise Audio2FaceError("audio file not found", src)
        audio_name = f"{name}{src.suffix.lower() or '.wav'}"
        target = root / audio_name
        if src.resolve() != target.resolve():
            with atomic_path(target) as tmp:
                shutil.copyfile(src, tmp)
    stale = [root / str(c.get("audio")) for c in existing if c.get("audio") and c.get("audio") != audio_name]
    return audio_name, stale
