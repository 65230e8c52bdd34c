"""From dataset folders to training arrays: clips checked and aligned, features computed, split by clip."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
from audio2face.dataset import Clip, load_dataset
from audio2face.errors import Audio2FaceError
from audio2face.features import FeatureParams
from audio2face.progress import CancelToken

from .augment import AugmentSettings, augmented_copies
from .feature_cache import aligned_audio, augmented_features, clip_features

logger = logging.getLogger(__name__)

WarnFn = Callable[[str], None]
ProgressFn = Callable[[int, int], None]


@dataclasses.dataclass
class ClipData:
    """One clip's aligned arrays.

    Attributes:
        name: Clip name.
        folder: Dataset folder it came from.
        features: float32 (frames, lpc_order, subframes), raw LPC.
        weights: float32 (frames, channels), in the training set's channel order.
        dense_features: Features at ``shift`` times the frame rate (training clips with time-shift
            augmentation), or ``None``.
        dense_weights: Labels interpolated onto that denser grid.
        shift: The oversampling factor of the dense arrays (1: none).
        augmented: An augmented copy of a clip (``augment``), not recorded audio.
    """

    name: str
    folder: str
    features: np.ndarray
    weights: np.ndarray
    dense_features: Optional[np.ndarray] = None
    dense_weights: Optional[np.ndarray] = None
    shift: int = 1
    augmented: bool = False

    @property
    def frames(self) -> int:
        """Number of frames."""
        return int(self.weights.shape[0])


@dataclasses.dataclass
class TrainingSet:
    """Clips ready to train on, split by clip.

    Attributes:
        channels: Channel names, in output order.
        fps: Frame rate shared by every clip.
        params: Feature parameters.
        train: Training clips.
        val: Validation clips (never interleaved with the training frames).
        sources: One entry per dataset folder: path, layout and clip names.
    """

    channels: List[str]
    fps: float
    params: FeatureParams
    train: List[ClipData]
    val: List[ClipData]
    sources: List[Dict[str, Any]]

    def fingerprint(self) -> Dict[str, Any]:
        """What a checkpoint must match to be resumed with this data."""
        return {
            "channels": list(self.channels),
            "fps": self.fps,
            "params": self.params.to_dict(),
            "train": [[c.name, c.frames, c.shift] for c in self.train],
            "val": [[c.name, c.frames] for c in self.val],
        }


def load_clips(data_dirs: Sequence[Path]) -> List[Clip]:
    """Every clip of every folder, checked for matching channels and frame rate."""
    clips: List[Clip] = []
    origin: Dict[str, Path] = {}
    for folder in data_dirs:
        for clip in load_dataset(folder):
            if clip.name in origin:
                raise Audio2FaceError(
                    f"clip name {clip.name!r} is also used in {origin[clip.name]}; rename one of them", folder
                )
            origin[clip.name] = Path(folder)
            clip.source = dict(clip.source, folder=str(folder))
            clips.append(clip)
    first = clips[0]
    for clip in clips[1:]:
        if abs(clip.fps - first.fps) > 1e-6:
            raise Audio2FaceError(
                f"clip {clip.name!r} is at {clip.fps:g} fps but {first.name!r} is at {first.fps:g} fps; "
                "a model is trained at one frame rate",
                origin[clip.name],
            )
        if set(clip.names) != set(first.names):
            missing = sorted(set(first.names) - set(clip.names))
            added = sorted(set(clip.names) - set(first.names))
            raise Audio2FaceError(
                f"clip {clip.name!r} has other targets than {first.name!r} (missing: {', '.join(missing[:8]) or '-'};"
                f" extra: {', '.join(added[:8]) or '-'})",
                origin[clip.name],
            )
    return clips


def choose_validation(clips: Sequence[Clip], names: Sequence[str]) -> List[str]:
    """Validation clip names: the ones asked for, else the shortest clip (ties: the last by name)."""
    known = [c.name for c in clips]
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise Audio2FaceError(
                f"no clip named {', '.join(map(repr, unknown))} to validate on (clips: {', '.join(known)})"
            )
        if len(set(names)) >= len(clips):
            raise Audio2FaceError("every clip is held out for validation; leave at least one to train on")
        return list(dict.fromkeys(names))
    if len(clips) == 1:
        return []
    shortest = min(sorted(clips, key=lambda c: c.name, reverse=True), key=lambda c: c.frame_count)
    return [shortest.name]


def build_training_set(
    data_dirs: Sequence[Path],
    params: FeatureParams,
    cache_dir: Optional[Path],
    val_clips: Sequence[str] = (),
    *,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    warn: Optional[WarnFn] = None,
    val_fraction: float = 0.2,
    time_shift: int = 1,
    augment_copies: int = 0,
    augment_seed: int = 0,
    augment_settings: Optional[AugmentSettings] = None,
) -> TrainingSet:
    """Load, align and split the clips, computing (or reading cached) features.

    With ``augment_copies`` > 0 every training clip (never a validation clip) also gets that many augmented
    copies (``augment.augmented_copies``: speed, reverb, band limits, codec, noise, music, gain; labels resampled
    to the speed), named ``CLIP~augN``, each a training clip of its own.

    With a single clip and no ``val_clips``, its last ``val_fraction`` is held out as one contiguous block.
    With ``time_shift > 1`` the training clips also get features at ``time_shift`` times the frame rate
    and labels interpolated onto that grid (``ClipData.dense_features``).
    """
    clips = load_clips(data_dirs)
    channels = list(clips[0].names)
    val_names = choose_validation(clips, val_clips)
    total = sum(c.frame_count for c in clips)
    total += sum(c.frame_count * time_shift for c in clips if c.name not in val_names) if time_shift > 1 else 0
    done = 0
    arrays: List[ClipData] = []
    for clip in clips:
        def clip_progress(d: int, t: int, _base: int = done, _n: int = clip.frame_count) -> None:
            if progress is not None and t > 0:
                progress(_base + int(d * _n / t), total)

        features = clip_features(clip, params, cache_dir, progress=clip_progress, cancel=cancel)
        weights = clip.weights[:, [clip.names.index(n) for n in channels]]
        frames = min(features.shape[0], weights.shape[0])
        if abs(features.shape[0] - weights.shape[0]) > 2 and warn is not None:
            warn(f"{clip.name}: {weights.shape[0]} labelled frames, {features.shape[0]} audio frames; "
                 f"using the first {frames}")
        item = ClipData(clip.name, str(clip.source.get("folder", "")), features[:frames],
                        np.ascontiguousarray(weights[:frames], dtype=np.float32))
        done += clip.frame_count
        if time_shift > 1 and clip.name not in val_names:
            def dense_progress(d: int, t: int, _base: int = done, _n: int = clip.frame_count * time_shift) -> None:
                if progress is not None and t > 0:
                    progress(_base + int(d * _n / t), total)

            dense = clip_features(clip, params, cache_dir, fps=clip.fps * time_shift, progress=dense_progress,
                                  cancel=cancel)
            _add_dense(item, dense, time_shift)
            done += clip.frame_count * time_shift
        arrays.append(item)
        if progress is not None:
            progress(done, total)
    if val_names:
        train = [a for a in arrays if a.name not in val_names]
        val = [a for a in arrays if a.name in val_names]
        if augment_copies > 0:
            by_name = {c.name: c for c in clips}
            for item in list(train):
                train.extend(_augmented(by_name[item.name], item, params, cache_dir, augment_copies,
                                        augment_seed, augment_settings or AugmentSettings(), time_shift, cancel))
    else:
        only = arrays[0]
        cut = int(round(only.frames * (1.0 - val_fraction)))
        if cut < 4 or only.frames - cut < 4:
            raise Audio2FaceError(f"clip {only.name!r} is too short to hold part of it out for validation")
        train = [ClipData(only.name, only.folder, only.features[:cut], only.weights[:cut])]
        if only.dense_features is not None:
            keep = (cut - 1) * only.shift + 1
            train[0].dense_features = only.dense_features[:keep]
            train[0].dense_weights = only.dense_weights[:keep] if only.dense_weights is not None else None
            train[0].shift = only.shift
        val = [ClipData(f"{only.name}[last {val_fraction:.0%}]", only.folder, only.features[cut:],
                        only.weights[cut:])]
        if warn is not None:
            warn(f"one clip only: validating on its last {val_fraction:.0%}")
    sources = []
    for folder in data_dirs:
        names = [c.name for c in clips if c.source.get("folder") == str(folder)]
        layout = next((c.layout for c in clips if c.source.get("folder") == str(folder)), "")
        sources.append({"path": str(folder), "layout": layout, "clips": names})
    return TrainingSet(channels, float(clips[0].fps), params, train, val, sources)


def _augmented(
    clip: Clip,
    item: ClipData,
    params: FeatureParams,
    cache_dir: Optional[Path],
    copies: int,
    seed: int,
    settings: AugmentSettings,
    time_shift: int,
    cancel: Optional[CancelToken],
) -> List[ClipData]:
    """The augmented training copies of one clip (``build_training_set``)."""
    audio = aligned_audio(clip, params)
    clip_seed = [seed, *clip.name.encode("utf-8")]
    out: List[ClipData] = []
    for k, (samples, weights, done) in enumerate(augmented_copies(audio, item.weights, copies, clip_seed, settings)):
        description = {"seed": seed, "copy": k, "done": done, "settings": dataclasses.asdict(settings)}
        features = augmented_features(clip, params, cache_dir, samples, description, cancel=cancel)
        frames = min(features.shape[0], weights.shape[0])
        copy = ClipData(f"{clip.name}~aug{k}", item.folder, features[:frames],
                        np.ascontiguousarray(weights[:frames], dtype=np.float32), augmented=True)
        if time_shift > 1:
            dense = augmented_features(clip, params, cache_dir, samples, description, fps=clip.fps * time_shift,
                                       cancel=cancel)
            _add_dense(copy, dense, time_shift)
        logger.info("%s: augmented copy %d: %s", clip.name, k, done)
        out.append(copy)
    return out


def _add_dense(item: ClipData, dense: np.ndarray, shift: int) -> None:
    """Attach features at ``shift`` x the frame rate and labels linearly interpolated onto them."""
    count = min(dense.shape[0], (item.frames - 1) * shift + 1)
    position = np.arange(count) / shift
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, item.frames - 1)
    blend = (position - low)[:, None].astype(np.float32)
    item.dense_weights = ((1 - blend) * item.weights[low] + blend * item.weights[high]).astype(np.float32)
    item.dense_features = np.ascontiguousarray(dense[:count])
    item.shift = shift
