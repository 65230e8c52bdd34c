"""Reading a training checkpoint folder (``state.json``, ``last-<step>.npz``, ``best.npz``) with its checks.

Kept apart from the loop (no TensorFlow) so a damaged checkpoint is refused with one line before anything
is built: a truncated archive, a ``state.json`` that is not an object, or counters that disagree with the
history they come with (an edited ``"epoch": 99``).
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import numpy as np
from audio2face.errors import Audio2FaceError
from audio2face.text_input import load_json

CHECKPOINT_VERSION = 1
STATE_FILE = "state.json"

Arrays = Dict[str, np.ndarray]


def _archive(path: Path) -> Arrays:
    with np.load(path, allow_pickle=False) as archive:
        return {k: archive[k] for k in archive.files}


def read_checkpoint(folder: Path) -> Tuple[Dict[str, Any], Arrays, Optional[Arrays]]:
    """``(state, last values, best values or None)`` of a checkpoint folder.

    Raises:
        Audio2FaceError: missing, unreadable, truncated, of another version, or inconsistent; naming the folder.
    """
    if not (folder / STATE_FILE).is_file():
        raise Audio2FaceError("nothing to resume: no checkpoint", folder)
    state = load_json(folder / STATE_FILE, "checkpoint state")
    if not isinstance(state, dict):
        raise Audio2FaceError("checkpoint state.json must hold an object", folder)
    if state.get("version") != CHECKPOINT_VERSION:
        raise Audio2FaceError("checkpoint written by another trainer version", folder)
    check_state(state, folder)
    weights = folder / state["weights"]
    try:
        values = _archive(weights)
        best = _archive(folder / "best.npz") if (folder / "best.npz").is_file() else None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise Audio2FaceError(f"cannot read the checkpoint (truncated or damaged?): {exc}", folder) from None
    return state, values, best


def _whole(state: Dict[str, Any], key: str, folder: Path) -> int:
    value = state.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Audio2FaceError(f"checkpoint state.json {key!r} must be a whole number >= 0, got {value!r}", folder)
    return value


def check_state(state: Dict[str, Any], folder: Path) -> None:
    """Types and agreement of the counters in ``state.json`` (raises ``Audio2FaceError``)."""
    name = state.get("weights")
    if not isinstance(name, str) or Path(name).name != name or not name.endswith(".npz"):
        raise Audio2FaceError(f"checkpoint state.json 'weights' must name a .npz file in it, got {name!r}", folder)
    epoch = _whole(state, "epoch", folder)
    _whole(state, "chunk", folder)
    _whole(state, "best_epoch", folder)
    _whole(state, "bad_epochs", folder)
    history = state.get("history")
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise Audio2FaceError("checkpoint state.json 'history' must be a list of epochs", folder)
    if epoch != len(history):
        raise Audio2FaceError(
            f"checkpoint state.json says epoch {epoch} but holds the history of {len(history)}; it is damaged "
            "(train from scratch without --resume)",
            folder,
        )
    if state["best_epoch"] > epoch:
        raise Audio2FaceError(f"checkpoint best epoch {state['best_epoch']} is past its epoch {epoch}", folder)
    sums = state.get("sums")
    if not isinstance(sums, list) or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in sums):
        raise Audio2FaceError("checkpoint state.json 'sums' must be a list of finite numbers", folder)
    seconds = state.get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not math.isfinite(seconds):
        raise Audio2FaceError("checkpoint state.json 'seconds' must be a finite number", folder)
    best = state.get("best_loss")
    if best is not None and not (isinstance(best, (int, float)) and math.isfinite(best)):
        raise Audio2FaceError("checkpoint state.json 'best_loss' must be a finite number or null", folder)
    if not isinstance(state.get("config"), dict):
        raise Audio2FaceError("checkpoint state.json 'config' must be an object", folder)
