"""Per-task result files and the up-to-date check that makes farm jobs resumable.

Each job (row of the jobs file) has one JSON file in the results folder, ``job-<row>.json``
(``audio2face-farm-result``): scene, audio, output, status, keys written, QC score, error, time, peak
memory and the fingerprint of its inputs. A task writes ``running`` records for its jobs before it starts
and the final record after each job, atomically.

A job is up to date, and a rerun skips it, when its last record is ``ok``, its fingerprint (the audio,
scene and model files' contents, every job field and setting, the package version) is unchanged, and the
output it wrote is still there, byte for byte. A rerun may replace an output only if this farm wrote it:
its content is what the last ``ok`` record says, or it did not exist when an interrupted run started. Any
other existing file is the user's and the job's own ``overwrite`` rule applies.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional

from .. import __version__
from ..atomic import atomic_open
from ..errors import Audio2FaceError, PathLike

logger = logging.getLogger(__name__)

RESULT_FORMAT = "audio2face-farm-result"
RESULT_FORMAT_VERSION = 1
STATUSES = ("running", "ok", "failed")
_BLOCK = 1 << 20


@dataclasses.dataclass
class TaskResult:
    """One job's result file."""

    index: int
    name: str
    kind: str  # "audio" | "maya"
    status: str = "running"
    scene: Optional[str] = None
    audio: Optional[str] = None
    output: Optional[str] = None
    keys_written: int = 0
    qc_score: Optional[float] = None
    qc_flags: List[str] = dataclasses.field(default_factory=list)
    qc_json: Optional[str] = None
    qc_png: Optional[str] = None
    error: Optional[str] = None
    notes: List[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mb: Optional[float] = None
    input_hash: Optional[str] = None
    output_hash: Optional[str] = None
    missing_at_start: bool = False
    host: str = dataclasses.field(default_factory=socket.gethostname)
    pid: int = dataclasses.field(default_factory=os.getpid)
    finished: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        """The file's content."""
        return {"format": RESULT_FORMAT, "format_version": RESULT_FORMAT_VERSION, **dataclasses.asdict(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskResult:
        """Read a result file's content back (unknown keys are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def file_hash(path: Optional[PathLike]) -> Optional[str]:
    """SHA-256 of a file's bytes, read in 1 MiB blocks; ``None`` when it is missing or unreadable."""
    if path is None:
        return None
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def model_files(model: Optional[str]) -> Dict[str, Optional[Path]]:
    """The files of the model bundle a job uses (the bundled default model when ``model`` is unset)."""
    from ..bundle import METADATA_FILE, MODEL_FILE, SHARED_FILE, default_model_path

    folder = Path(model) if model else default_model_path()
    return {name: folder / name for name in (MODEL_FILE, METADATA_FILE, SHARED_FILE)}


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def fingerprint(fields: Mapping[str, Any], files: Mapping[str, Optional[PathLike]]) -> str:
    """SHA-256 over the job's fields and settings, its input files' contents and the package version."""
    settings = fields.get("settings") or {}
    mapping = settings.get("mapping") if isinstance(settings, Mapping) else None
    every = {**dict(files), **model_files(settings.get("model") if isinstance(settings, Mapping) else None)}
    if isinstance(mapping, str) and Path(mapping).is_file():
        every["mapping"] = mapping
    data = {
        "version": __version__,
        "fields": _plain(dict(fields)),
        "files": {role: file_hash(path) for role, path in sorted(every.items())},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def peak_rss_mb() -> Optional[float]:
    """This process's peak resident memory so far, in MiB (``None`` where the OS does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def now() -> str:
    """Local time, to the second, for the records."""
    return datetime.datetime.now().isoformat(timespec="seconds")


class ResultStore:
    """The results folder of one farm job: one ``job-<row>.json`` per row of the jobs file."""

    def __init__(self, folder: PathLike) -> None:
        self.folder = Path(folder)

    def ensure(self) -> ResultStore:
        """Create the folder (its parent must exist, so a typo does not scatter folders)."""
        if not self.folder.is_dir():
            if not self.folder.parent.is_dir():
                raise Audio2FaceError("the results folder's parent does not exist", self.folder.parent)
            self.folder.mkdir(exist_ok=True)
        return self

    def path(self, index: int) -> Path:
        """Where row ``index``'s result goes."""
        return self.folder / f"job-{index:04d}.json"

    def read(self, index: int) -> Optional[TaskResult]:
        """Row ``index``'s last result; ``None`` when there is none or it cannot be read."""
        path = self.path(index)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            logger.warning("ignoring unreadable result %s: %s", path, exc)
            return None
        if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT:
            logger.warning("ignoring %s: not an %s file", path, RESULT_FORMAT)
            return None
        try:
            return TaskResult.from_json(data)
        except TypeError as exc:
            logger.warning("ignoring result %s: %s", path, exc)
            return None

    def write(self, result: TaskResult) -> Path:
        """Write ``result`` atomically."""
        path = self.path(result.index)
        with atomic_open(path, "w") as handle:
            json.dump(result.to_json(), handle, indent=1)
            handle.write("\n")
        return path

    def all(self, indices: Iterable[int]) -> Dict[int, Optional[TaskResult]]:
        """The last result of each row (``None`` for rows never run)."""
        return {i: self.read(i) for i in indices}


def owned_output(previous: Optional[TaskResult], output: Optional[PathLike]) -> bool:
    """Whether the existing ``output`` was written by this farm job (so a rerun may replace it)."""
    if previous is None or output is None or not Path(output).is_file():
        return False
    if previous.output_hash and file_hash(output) == previous.output_hash:
        return True
    return previous.status != "ok" and previous.missing_at_start


def up_to_date(previous: Optional[TaskResult], input_hash: Optional[str], output: Optional[PathLike],
               extra_outputs: Iterable[PathLike] = ()) -> bool:
    """Whether a job need not run again: last run ``ok``, same inputs, its outputs untouched."""
    if previous is None or previous.status != "ok" or input_hash is None or previous.input_hash != input_hash:
        return False
    if output is None or not previous.output_hash or file_hash(output) != previous.output_hash:
        return False
    return all(Path(p).is_file() for p in extra_outputs)


def start_record(store: ResultStore, result: TaskResult, previous: Optional[TaskResult]) -> TaskResult:
    """Write the ``running`` record of a job about to run, keeping what a rerun needs to know."""
    output = result.output
    result.status = "running"
    result.missing_at_start = output is None or not Path(output).exists()
    if not result.missing_at_start and owned_output(previous, output):
        result.output_hash = file_hash(output)  # still ours: a kill now must not make it the user's
    store.write(result)
    return result


def finish_record(store: ResultStore, result: TaskResult) -> TaskResult:
    """Write a job's final record: its output's hash when ``ok``, peak memory and the time."""
    if result.status == "ok" and result.output:
        result.output_hash = file_hash(result.output)
    result.peak_rss_mb = peak_rss_mb()
    result.finished = now()
    store.write(result)
    return result
