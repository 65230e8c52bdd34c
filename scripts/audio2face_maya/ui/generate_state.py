"""The Generate tab's state without Qt: inputs -> settings, the cached prediction, staleness, output names, apply.

The views read and write this object; everything here is plain Python and is tested without Qt. Generation is
two stages (``audio2face.pipeline``): ``predict`` (the network, seconds) is cached and re-run only when the
audio, model, frame rate or emotion change; every other knob re-runs ``finish`` (milliseconds).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from audio2face import pipeline, retarget, settings_io
from audio2face.atomic import atomic_open
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError, PathLike
from audio2face.formats.registry import extensions
from audio2face.post import PostSettings
from audio2face.progress import CancelToken, ProgressFn
from audio2face.secondary import SecondarySettings

from audio2face_maya.host import ApplyOptions, ApplyReport, Host

logger = logging.getLogger(__name__)

OUTPUT_EXTENSIONS = extensions()
"""Every curve file type of the format registry (``audio2face.formats``)."""
FPS_CHOICES = (23.976, 24.0, 25.0, 29.97, 30.0, 48.0, 50.0, 59.94, 60.0)
"""Frame rates offered outside Maya (inside Maya the scene's rate is used)."""

TRANSCRIPT_DIR = Path(tempfile.gettempdir()) / "audio2face-transcripts"
"""Where a typed transcript is written for the pipeline (one file per text, named by its hash)."""

MappingValue = Dict[str, Optional[retarget.Source]]
QcFn = Callable[[pipeline.Prediction, Curves, Optional[CancelToken], Optional[str]], Any]


@dataclasses.dataclass
class Inputs:
    """Everything the user chose that changes the curves (read from the views)."""

    audio: Optional[str]
    model: Optional[str]
    fps: Optional[float]
    mapping: Optional[MappingValue]
    emotion: Optional[str]
    start_frame: float
    post: PostSettings
    reduce: Optional[float]
    key_rest_targets: bool = False
    secondary: SecondarySettings = dataclasses.field(default_factory=SecondarySettings)
    transcript: Optional[str] = None
    """The words of the clip's line as typed (``None``: no transcript)."""


def transcript_file(text: Optional[str], folder: Optional[Path] = None) -> Optional[str]:
    """The file ``AnimateSettings.transcript`` takes for ``text``: its exact characters as UTF-8.

    The file is named by a hash of the text, so the same text is the same path (the pipeline's phone guide,
    kept per transcript path, is not aligned again) and any edit is a new path. Written atomically.

    Args:
        text: The transcript as typed; ``None`` or only spaces: no transcript.
        folder: Where the files go (default ``TRANSCRIPT_DIR``).
    """
    if text is None or not text.strip():
        return None
    data = text.encode("utf-8")
    target = (folder or TRANSCRIPT_DIR) / (hashlib.sha256(data).hexdigest()[:20] + ".txt")
    try:
        current = target.read_bytes() if target.is_file() else None
    except OSError:
        current = None
    if current != data:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(target, "wb") as handle:
            handle.write(data)
    return str(target)


@dataclasses.dataclass
class Result:
    """What a generation produced (made in the worker, accepted on the UI thread)."""

    prediction: pipeline.Prediction
    curves: Curves
    qc: Any
    key: Tuple[Any, ...]
    predicted: bool
    """Whether the network ran (False: only ``finish`` re-ran on a cached prediction)."""


def rest_targets(curves: Curves) -> List[str]:
    """Targets of ``curves`` that are not keyed: no channel drives them, or the model never moves them."""
    return [n for n in curves.names if not curves.is_driven(n)]


def output_for(audio: str, folder: str, extension: str = ".ma") -> str:
    """The file a clip is written to by default: ``folder/<clip name><extension>``."""
    extension = extension if extension in OUTPUT_EXTENSIONS else ".ma"
    return str(Path(folder) / (Path(audio).stem + extension))


class GenerateState:
    """The Generate tab's model: settings from inputs, the cached prediction, the preview and its staleness.

    Attributes:
        predict_fn: ``pipeline.predict`` (tests slow it down).
        finish_fn: ``pipeline.finish``.
        qc_fn: Measures a preview's QC in the worker (``None`` = no QC), given the line's text when the phone
            guide uses it (the bilabial check aligns to it).
        output_dir: The folder files are written to (chosen by the user; never defaulted beside the audio).
        output_name: A file name the user chose for the current clip (``None`` = derived from the clip).
    """

    def __init__(self, qc_fn: Optional[QcFn] = None) -> None:
        self.predict_fn: Callable[..., pipeline.Prediction] = pipeline.predict
        self.finish_fn: Callable[..., Curves] = pipeline.finish
        self.qc_fn = qc_fn
        self.prediction: Optional[pipeline.Prediction] = None
        self._prediction_audio: Optional[str] = None
        self.result: Optional[Result] = None
        self.stale_reason = ""
        self.output_dir = ""
        self.output_name: Optional[str] = None
        self._output_name_for: Optional[str] = None
        self._current_audio: Optional[str] = None
        self.output_extension = ".ma"

    # -- settings -----------------------------------------------------------------------------------
    def settings(self, inputs: Inputs) -> pipeline.AnimateSettings:
        """``AnimateSettings`` for the inputs (the mapping goes in as a value)."""
        return pipeline.AnimateSettings(
            model=inputs.model,
            fps=inputs.fps,
            mapping=inputs.mapping,
            targets=None,
            emotion=inputs.emotion,
            start_frame=inputs.start_frame,
            post=inputs.post,
            reduce=inputs.reduce,
            key_rest_targets=inputs.key_rest_targets,
            secondary=inputs.secondary,
            transcript=transcript_file(inputs.transcript),
        )

    @staticmethod
    def key(inputs: Inputs) -> Tuple[Any, ...]:
        """What the preview depends on (the mapping by value, not by its temporary file)."""
        mapping = None if inputs.mapping is None else sorted(
            (t, None if s is None else (s.op, s.channels, s.gain, s.offset)) for t, s in inputs.mapping.items()
        )
        # the transcript changes the curves only through the phone guide
        transcript = inputs.transcript if inputs.post.guide_strength > 0 else None
        fields = dataclasses.asdict(dataclasses.replace(inputs, mapping=None, transcript=transcript))
        return (repr(sorted(fields.items())), repr(mapping))

    # -- generation ---------------------------------------------------------------------------------
    def cached_prediction(self, audio: str, settings: pipeline.AnimateSettings) -> Optional[pipeline.Prediction]:
        """The cached prediction when it serves ``audio`` with ``settings`` (then only ``finish`` runs)."""
        if self.prediction is not None and self._prediction_audio == audio and self.prediction.matches(settings):
            return self.prediction
        return None

    def work(self, inputs: Inputs) -> Callable[[ProgressFn, CancelToken], Result]:
        """The job to run off the UI thread for ``inputs`` (raises ``Audio2FaceError`` for bad inputs now)."""
        if not inputs.audio:
            raise Audio2FaceError("drop a speech file first (or use Browse...)")
        settings = self.settings(inputs)
        key = self.key(inputs)
        audio = inputs.audio
        cached = self.cached_prediction(audio, settings)
        predict, finish, qc_fn = self.predict_fn, self.finish_fn, self.qc_fn
        line = inputs.transcript if inputs.post.guide_strength > 0 else None  # as the key: only with the guide

        def run(progress: ProgressFn, cancel: CancelToken) -> Result:
            prediction = cached
            if prediction is None:
                prediction = predict(audio, settings, progress=progress, cancel=cancel)
            curves = finish(prediction, settings)
            qc = qc_fn(prediction, curves, cancel, line) if qc_fn is not None else None  # the decoded samples
            return Result(prediction, curves, qc, key, cached is None)

        return run

    def accept(self, result: Result, audio: str) -> None:
        """Keep a finished generation as the preview (and its prediction for the next knob change)."""
        self.prediction = result.prediction
        self._prediction_audio = audio
        self.result = result
        self.stale_reason = ""

    def forget_prediction(self) -> None:
        """Drop the cached prediction (a new clip or model)."""
        self.prediction = None
        self._prediction_audio = None

    # -- preview ------------------------------------------------------------------------------------
    @property
    def curves(self) -> Optional[Curves]:
        """The previewed curves."""
        return None if self.result is None else self.result.curves

    def clear(self, reason: str = "") -> None:
        """Drop the preview (a new clip, a failed file)."""
        self.result = None
        self.stale_reason = reason

    def mark_stale(self, reason: str) -> None:
        """Say why the preview no longer matches the inputs (kept on screen, marked out of date)."""
        self.stale_reason = reason

    def is_current(self, inputs: Inputs) -> bool:
        """Whether the preview was made from exactly these inputs (and nothing marked it out of date)."""
        return self.result is not None and not self.stale_reason and self.result.key == self.key(inputs)

    # -- output -------------------------------------------------------------------------------------
    def new_clip(self, audio: str) -> None:
        """A new clip: its output name is derived from it again and its prediction is not cached yet.

        A name chosen while no clip was loaded (``--output``) is the name of the first clip loaded.
        """
        if self._output_name_for is None:
            self._output_name_for = audio
        elif self._output_name_for != audio:
            self.output_name = None
            self._output_name_for = audio
        self._current_audio = audio
        if self._prediction_audio != audio:
            self.forget_prediction()

    def choose_output(self, path: str) -> None:
        """The user picked (or typed) the file for the current clip: its folder becomes the output folder."""
        file = Path(path)
        if file.suffix.lower() not in OUTPUT_EXTENSIONS:
            file = file.with_suffix(file.suffix + self.output_extension) if file.suffix else file.with_suffix(
                self.output_extension)
        self.output_dir = str(file.parent)
        self.output_name = file.name
        self._output_name_for = self._current_audio
        self.output_extension = file.suffix.lower()

    def output_path(self, audio: Optional[str]) -> Optional[str]:
        """The file the current clip is written to (``None`` until a folder is chosen)."""
        if not self.output_dir:
            return None
        if self.output_name:
            return str(Path(self.output_dir) / self.output_name)
        if not audio:
            return None
        return output_for(audio, self.output_dir, self.output_extension)

    # -- applying -----------------------------------------------------------------------------------
    def apply(
        self,
        host: Host,
        node: str,
        options: ApplyOptions,
        confirm: Optional[Callable[[str], bool]] = None,
    ) -> Optional[ApplyReport]:
        """Key (or write) the preview through ``host``; ``None`` when the user declined an overwrite.

        The host keys what the CLI and the batch key: targets no channel drives, and those the model leaves
        at rest unless the preview was made with "key targets left at rest", are reported and left alone.

        Args:
            confirm: Asked with a question before an existing output file is replaced.
        """
        curves = self.curves
        if curves is None or self.stale_reason:
            raise Audio2FaceError("the preview is out of date: press Generate first")
        if not node:
            raise Audio2FaceError("choose a blendShape node first")
        if options.output and os.path.exists(options.output):
            question = f"{options.output} exists. Replace it?"
            if confirm is None or not confirm(question):
                return None
        if not any(curves.is_driven(n) for n in curves.names):
            raise Audio2FaceError("no rig target is driven by a model channel: check the mapping")
        if options.output:
            Path(options.output).parent.mkdir(parents=True, exist_ok=True)
        return host.apply(curves, node, options)


@dataclasses.dataclass
class ClipBatch:
    """Write all: the clips still to write (the first is being written) and whether files may be replaced."""

    pending: List[str]
    overwrite: bool = False
    total: int = 0

    @property
    def current(self) -> Optional[str]:
        """The clip being generated and written."""
        return self.pending[0] if self.pending else None

    def advance(self) -> Optional[str]:
        """The current clip is done: the next one (``None`` when the batch is done)."""
        if self.pending:
            self.pending.pop(0)
        return self.current


def plan_batch(clips: List[str], output_path: Callable[[str], Optional[str]],
               confirm: Callable[[str], bool]) -> ClipBatch:
    """Which clips Write all writes: all of them, or (when the user keeps existing files) the new ones only."""
    existing = [p for p in (output_path(c) for c in clips) if p and os.path.exists(p)]
    overwrite = False
    if existing:
        names = ", ".join(Path(p).name for p in existing[:4]) + (" ..." if len(existing) > 4 else "")
        overwrite = confirm(f"{len(existing)} of the files exist ({names}). Replace them?")
    pending = [c for c in clips if overwrite or not os.path.exists(output_path(c) or "")]
    return ClipBatch(pending, overwrite, len(clips))


def mapping_from_rows(rows: Mapping[str, Optional[retarget.Source]]) -> Optional[MappingValue]:
    """The mapping value for the pipeline (``None`` when the rig names no targets)."""
    return dict(rows) if rows else None


def write_settings_file(path: PathLike, settings: pipeline.AnimateSettings, mapping: Optional[MappingValue]) -> None:
    """Save the settings as the settings file the CLI (``--settings``) and the farm read (the mapping inline).

    The transcript is left out: it is the line of one clip, and settings files serve many.
    """
    settings_io.write_settings(path, dataclasses.replace(settings, mapping=mapping, targets=None, transcript=None))


def read_settings_file(path: PathLike) -> Tuple[pipeline.AnimateSettings, Optional[MappingValue]]:
    """Read a settings file (checked by ``settings_io``); the mapping comes back as a value."""
    settings = settings_io.read_settings(path)
    mapping = settings.mapping
    if isinstance(mapping, dict):
        value: Optional[MappingValue] = {str(t): retarget.parse_spec(v, path) for t, v in mapping.items()}
    elif mapping:
        value = retarget.load_mapping(mapping)
    else:
        value = None
    return settings, value
