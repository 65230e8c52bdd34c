"""The headless farm task: run some audio-only rows of a jobs file, one result file each; no Maya.

``audio2face farm run-task JOBS --jobs 0-4 --results DIR`` animates each selected row's audio, writes its
curve file and QC report (JSON + PNG) beside it, and records the result. Rows that name a scene belong
to the mayapy step and are left out; up-to-date rows are skipped (``audio2face.farm.results``).
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, TextIO

from ..errors import Audio2FaceError, Cancelled, PathLike
from .audio_jobs import AudioJob, RowError, make_audio_job
from .results import ResultStore, TaskResult, fingerprint, finish_record, owned_output, start_record
from .results import up_to_date as is_up_to_date
from .rows import is_scene_row, read_rows, read_settings_file
from .selection import parse_indices

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_JOB_FAILED, EXIT_USAGE = 0, 1, 2
ON_FAILURE = ("fail", "record")
"""``fail``: a failed job fails the task (exit 1); ``record``: it is only recorded (exit 0)."""


def job_defaults(settings_file: Optional[PathLike], model: Optional[str]) -> Dict[str, Any]:
    """Fields set under every row: the settings file's, then ``model`` (empty strings mean unset)."""
    defaults = read_settings_file(settings_file)
    if model and str(model).strip():
        folder = Path(str(model).strip()).expanduser()
        if not folder.is_dir():
            raise Audio2FaceError("model folder not found", folder)
        defaults["model"] = str(folder.resolve())
    return defaults


def audio_fingerprint(job: AudioJob) -> str:
    """What an audio job's outputs depend on."""
    fields = {k: v for k, v in dataclasses.asdict(job).items() if k not in ("index", "name", "overwrite")}
    return fingerprint(fields, {"audio": job.audio})


def _animate(job: AudioJob, result: TaskResult, replace_own: bool, say) -> None:
    from ..formats import write_curves
    from ..key_reduction import key_count
    from ..pipeline import finish, predict, samples_needed
    from ..qc import qc_report, write_qc
    from ..settings_io import animate_settings_from_dict

    if not job.audio.is_file():
        raise Audio2FaceError("audio file not found", job.audio)
    if job.output.exists() and not (job.overwrite or replace_own):
        raise Audio2FaceError("output is an existing file; set overwrite=true to replace it", job.output)
    job.output.parent.mkdir(parents=True, exist_ok=True)
    settings = animate_settings_from_dict(job.settings, where=f"job {job.index}")
    say(f"animating {job.audio.name}")
    prediction = predict(str(job.audio), settings, keep_samples=job.qc or samples_needed(settings))
    curves = finish(prediction, settings)
    write_curves(curves, job.output, blendshape_node=job.node)
    result.keys_written = key_count(curves.keys) if curves.keys else curves.frame_count * len(curves.names)
    result.status = "ok"
    say(f"ok: {result.keys_written} keys on {len(curves.names)} channels -> {job.output}")
    if not job.qc:
        return
    json_path, png_path = job.qc_paths
    try:
        report = qc_report(prediction, curves, name=job.name)  # the decoded samples: no second decode
        json_path, png_path = write_qc(report, json_path, png_path)  # a .txt picture without matplotlib
    except Exception as exc:  # a QC problem never fails a job whose curves are written
        result.notes.append(f"QC report not written: {exc}")
        say(result.notes[-1])
        return
    result.qc_json, result.qc_png = str(json_path), str(png_path)
    result.qc_score, result.qc_flags = report.score, list(report.flags)
    say(f"QC score {result.qc_score:.0f}/100: {'; '.join(result.qc_flags) or 'nothing flagged'}")


def run_task(jobs_file: PathLike, results: PathLike, jobs: Optional[str] = None,
             defaults: Optional[Mapping[str, Any]] = None, on_failure: str = "fail",
             stream: TextIO = sys.stdout) -> int:
    """Run the selected audio-only rows; returns the exit code (``EXIT_*``).

    Raises:
        Audio2FaceError: the jobs file, the selection or the results folder is bad.
    """
    if on_failure not in ON_FAILURE:
        raise Audio2FaceError(f"--on-failure must be one of {', '.join(ON_FAILURE)}, got {on_failure!r}")
    file = Path(jobs_file)
    rows = read_rows(file, defaults)
    base = file.resolve().parent
    indices = parse_indices(jobs, len(rows)) if jobs else list(range(len(rows)))
    store = ResultStore(results).ensure()
    mine = [i for i in indices if not is_scene_row(rows[i])]
    if len(mine) < len(indices):
        logger.info("%d rows name a scene: the mayapy step runs them", len(indices) - len(mine))
    failed: List[int] = []
    for position, index in enumerate(mine, 1):
        entry = make_audio_job(index, rows[index], base)

        def say(text: str, _name: str = entry.name, _position: int = position) -> None:
            stream.write(f"[{_position}/{len(mine)}] {_name}: {text}\n")
            stream.flush()

        previous = store.read(index)
        if isinstance(entry, RowError):
            say(f"FAILED: {entry.error}")
            finish_record(store, TaskResult(index=index, name=entry.name, kind="audio", status="failed",
                                            error=entry.error))
            failed.append(index)
            continue
        input_hash = audio_fingerprint(entry)
        extra = entry.qc_paths[:1] if entry.qc else ()
        if is_up_to_date(previous, input_hash, entry.output, extra):
            say("up to date, skipped")
            continue
        replace_own = owned_output(previous, entry.output)
        result = start_record(store, TaskResult(index=index, name=entry.name, kind="audio", audio=str(entry.audio),
                                                output=str(entry.output), input_hash=input_hash), previous)
        started = time.perf_counter()
        try:
            _animate(entry, result, replace_own, say)
        except Audio2FaceError as exc:
            result.status, result.error = "failed", str(exc)
        except Cancelled:  # SIGTERM: the record stays "running", so the next run redoes this job
            raise
        except Exception as exc:  # one job must not stop the task (onnxruntime, soundfile, a bug)
            logger.debug("job %d failed", index, exc_info=True)
            result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
        result.seconds = round(time.perf_counter() - started, 3)
        finish_record(store, result)
        if result.status != "ok":
            say(f"FAILED: {result.error}")
            failed.append(index)
    stream.write(f"{len(mine) - len(failed)} ok or up to date, {len(failed)} failed; results: {store.folder}\n")
    stream.flush()
    return EXIT_JOB_FAILED if failed and on_failure == "fail" else EXIT_OK
