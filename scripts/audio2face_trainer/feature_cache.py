"""LPC features of dataset clips, cached on disk by content hash so a second run does not recompute them.

The key hashes the audio file's bytes, the frame rate, the audio offset, the feature parameters and a
cache version; the value is a float32 ``.npy`` (frames, lpc_order, subframes) written atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Optional

import numpy as np
from audio2face.atomic import atomic_open
from audio2face.audio import load_audio
from audio2face.dataset import Clip
from audio2face.errors import Audio2FaceError
from audio2face.features import FeatureParams, compute_features
from audio2face.progress import CancelToken, ProgressFn

logger = logging.getLogger(__name__)

CACHE_VERSION = 1
CACHE_ENV = "AUDIO2FACE_CACHE"


def default_cache_dir() -> Path:
    """``$AUDIO2FACE_CACHE``, else the platform's user cache folder + ``audio2face/features``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "audio2face" / "features"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise Audio2FaceError(f"cannot read audio: {exc}", path) from None
    return digest.hexdigest()


def cache_key(clip: Clip, params: FeatureParams, fps: Optional[float] = None) -> str:
    """The content hash naming a clip's cached features (at ``fps``, default the clip's)."""
    description = {
        "version": CACHE_VERSION,
        "audio": file_digest(clip.audio_path),
        "fps": float(fps or clip.fps),
        "offset_samples": offset_samples(clip, params),
        "params": params.to_dict(),
    }
    return hashlib.sha256(json.dumps(description, sort_keys=True).encode("utf-8")).hexdigest()


def offset_samples(clip: Clip, params: FeatureParams) -> int:
    """Samples of silence to put before the audio (negative: samples to drop) so row 0 is frame 0."""
    rate = int(getattr(params, "sample_rate", 16000))
    return int(round(clip.audio_offset_frames * rate / clip.fps))


def aligned_audio(clip: Clip, params: FeatureParams) -> np.ndarray:
    """The clip's audio at the feature sample rate, shifted so feature frame ``i`` matches weights row ``i``."""
    rate = int(getattr(params, "sample_rate", 16000))
    samples = load_audio(clip.audio_path, rate)
    shift = offset_samples(clip, params)
    if shift > 0:
        samples = np.concatenate([np.zeros(shift, dtype=np.float32), samples])
    elif shift < 0:
        samples = samples[-shift:]
    return np.ascontiguousarray(samples, dtype=np.float32)


def _load_cached(path: Path, what: str) -> Optional[np.ndarray]:
    if not path.is_file():
        return None
    try:
        cached = np.load(path, allow_pickle=False)
        if cached.ndim == 3 and cached.dtype == np.float32 and np.all(np.isfinite(cached)):
            logger.info("features of %s from the cache", what)
            return cached
    except (OSError, ValueError, EOFError):
        pass
    logger.warning("ignoring a damaged feature cache file %s", path)
    return None


def _store(path: Optional[Path], features: np.ndarray) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "wb") as handle:
            np.save(handle, features, allow_pickle=False)
    except (OSError, Audio2FaceError) as exc:
        logger.warning("cannot write the feature cache %s: %s", path, exc)


def augmented_features(
    clip: Clip,
    params: FeatureParams,
    cache_dir: Optional[Path],
    samples: np.ndarray,
    description: dict,
    *,
    fps: Optional[float] = None,
    cancel: Optional[CancelToken] = None,
) -> np.ndarray:
    """Features of an augmented copy of a clip's aligned audio, cached under the clip's key and ``description``
    (the augmentation's seed and draw), so the same draw is computed once."""
    rate = float(fps or clip.fps)
    path = None
    if cache_dir is not None:
        key = json.dumps({"clip": cache_key(clip, params, rate), "augment": description}, sort_keys=True)
        path = Path(cache_dir) / f"aug-{hashlib.sha256(key.encode('utf-8')).hexdigest()}.npy"
        cached = _load_cached(path, f"{clip.name} (augmented)")
        if cached is not None:
            return cached
    features = np.ascontiguousarray(compute_features(samples, rate, params, cancel=cancel), dtype=np.float32)
    _store(path, features)
    return features


def clip_features(
    clip: Clip,
    params: FeatureParams,
    cache_dir: Optional[Path],
    *,
    fps: Optional[float] = None,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> np.ndarray:
    """LPC features of a whole clip, from the cache when present (``cache_dir=None`` disables it).

    ``fps`` computes them at another rate than the clip's (row ``i`` then sits at ``i / fps`` seconds).
    """
    rate = float(fps or clip.fps)
    path = None
    if cache_dir is not None:
        path = Path(cache_dir) / f"{cache_key(clip, params, rate)}.npy"
        if path.is_file():
            try:
                cached = np.load(path, allow_pickle=False)
                if cached.ndim == 3 and cached.dtype == np.float32 and np.all(np.isfinite(cached)):
                    logger.info("features of %s from the cache", clip.name)
                    return cached
            except (OSError, ValueError, EOFError):
                pass
            logger.warning("ignoring a damaged feature cache file %s", path)
    features = compute_features(aligned_audio(clip, params), rate, params, progress=progress, cancel=cancel)
    features = np.ascontiguousarray(features, dtype=np.float32)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_open(path, "wb") as handle:
                np.save(handle, features, allow_pickle=False)
        except (OSError, Audio2FaceError) as exc:
            logger.warning("cannot write the feature cache %s: %s", path, exc)
    return features
