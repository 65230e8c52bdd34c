"""Model bundles the panel offers: the default model, remembered folders and freshly trained ones."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from audio2face import bundle as bundle_module
from audio2face.errors import Audio2FaceError

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class ModelInfo:
    """What the panel needs to know about a bundle without opening an inference session.

    Attributes:
        path: The bundle folder (``None`` = the default model).
        channels: Output channel names.
        fps: The model's frame rate.
        emotion_presets: Preset names (``neutral`` is always available).
        label: Text for the picker.
    """

    path: Optional[str]
    channels: List[str]
    fps: float
    emotion_presets: List[str]
    label: str


def read_model_info(path: Optional[str]) -> ModelInfo:
    """Read and check ``model.json`` of a bundle (``None`` = the default model). Raises ``Audio2FaceError``."""
    folder = Path(path) if path else bundle_module.default_model_path()
    meta_file = folder / bundle_module.METADATA_FILE
    if not folder.is_dir():
        what = "the default model is not installed" if not path else "model bundle folder not found"
        raise Audio2FaceError(what, folder)
    for name in (bundle_module.MODEL_FILE, bundle_module.METADATA_FILE):
        if not (folder / name).is_file():
            raise Audio2FaceError(f"not a model bundle: it has no {name}", folder)
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Audio2FaceError(f"cannot read model.json: {exc}", folder) from None
    if not isinstance(meta, dict):
        raise Audio2FaceError("model.json must hold an object", folder)
    meta = bundle_module.validate_metadata(meta, folder)
    presets = sorted(((meta.get("emotion") or {}).get("presets") or {}).keys())
    name = "Default model" if not path else folder.name
    label = f"{name} ({len(meta['channels'])} channels, {float(meta['fps']):g} fps)"
    return ModelInfo(
        path=str(folder) if path else None,
        channels=list(meta["channels"]),
        fps=float(meta["fps"]),
        emotion_presets=presets,
        label=label,
    )


class ModelCatalog:
    """The list behind the model picker; caches ``ModelInfo`` per folder."""

    def __init__(self) -> None:
        self._cache: Dict[str, Tuple[float, ModelInfo]] = {}

    def info(self, path: Optional[str]) -> ModelInfo:
        """``ModelInfo`` for ``path`` (re-read when ``model.json`` changed)."""
        key = str(path or "")
        folder = Path(path) if path else bundle_module.default_model_path()
        try:
            stamp = (folder / bundle_module.METADATA_FILE).stat().st_mtime
        except OSError:
            stamp = -1.0
        cached = self._cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        info = read_model_info(path)
        self._cache[key] = (stamp, info)
        return info

    @staticmethod
    def default_available() -> bool:
        """Whether the bundled default model is installed."""
        return (bundle_module.default_model_path() / bundle_module.METADATA_FILE).is_file()
