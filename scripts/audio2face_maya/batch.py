"""``mayapy <module>/bin/audio2face_batch.py JOBS``: animate many scenes without the Maya UI.

Each job opens its scene, runs the pipeline for the rig's targets at the scene's frame rate, keys
the blendShape node (as the panel does), saves the output scene and writes a QC report of the curves
beside it (``<output>_qc.json`` and ``.png``, ``audio2face.qc``). Jobs are isolated: a failing
job is reported and the rest go on. A source scene is replaced only with ``overwrite`` and then a
backup copy is kept beside it. ``--job-index I`` runs one job, for render-farm array jobs.

Exit codes: 0 every job succeeded; 1 at least one job failed; 2 the jobs file or the arguments are
bad; 3 Maya could not be started (not run with mayapy).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, TextIO, Tuple, Union

from audio2face.atomic import atomic_open
from audio2face.errors import Audio2FaceError
from audio2face.farm.batch_tasks import BatchTasks, add_arguments
from audio2face.formats import write_curves
from audio2face.output_set import all_or_nothing

from .jobs import SCENE_SUFFIXES, Job, JobError, load_jobs

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_JOB_FAILED, EXIT_USAGE, EXIT_NO_MAYA = 0, 1, 2, 3
REPORT_FORMAT = "audio2face-batch-report"
QUIET_MAYA_ENV = {
    "MAYA_NO_STANDALONE_ATEXIT": "1",  # keep our exit code (otherwise standalone exits with 0)
    "MAYA_DISABLE_CIP": "1",
    "MAYA_DISABLE_CER": "1",
    "MAYA_DISABLE_CLIC_IPM": "1",
    "MAYA_DISABLE_ADP": "1",
}


@dataclasses.dataclass
class JobResult:
    """One job's line in the report."""

    index: int
    name: str
    status: str  # "ok" | "failed"
    scene: Optional[str] = None
    audio: Optional[str] = None
    node: Optional[str] = None
    output: Optional[str] = None
    backup: Optional[str] = None
    keyed: List[str] = dataclasses.field(default_factory=list)
    skipped: Dict[str, str] = dataclasses.field(default_factory=dict)
    unmatched: List[str] = dataclasses.field(default_factory=list)
    key_count: int = 0
    notes: List[str] = dataclasses.field(default_factory=list)
    error: Optional[str] = None
    seconds: float = 0.0
    qc_json: Optional[str] = None
    qc_png: Optional[str] = None
    qc_score: Optional[float] = None
    qc_flags: List[str] = dataclasses.field(default_factory=list)


class Printer:
    """Progress lines: ``[2/5] shot020: ...`` on one stream, flushed at once (farm logs)."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total

    def __call__(self, position: int, name: str, text: str) -> None:
        self.stream.write(f"[{position}/{self.total}] {name}: {text}\n")
        self.stream.flush()


# --------------------------------------------------------------------------- Maya session


def start_maya() -> bool:
    """Initialise ``maya.standalone`` (batch mode) unless Maya already runs in this process.

    Returns:
        Whether this call initialised it (and ``stop_maya`` should uninitialise it).

    Raises:
        Audio2FaceError: not running under mayapy.
    """
    for name, value in QUIET_MAYA_ENV.items():
        os.environ.setdefault(name, value)
    try:
        import maya.standalone
    except ImportError:
        raise Audio2FaceError("maya.standalone is not available: run this with mayapy") from None
    from .host import maya_available

    if maya_available():
        return False
    maya.standalone.initialize(name="python")
    return True


def stop_maya() -> None:
    """Uninitialise ``maya.standalone`` (Autodesk: avoids crashes on exit); never raises."""
    try:
        import maya.standalone

        maya.standalone.uninitialize()
    except Exception as exc:  # a failed uninitialize must not hide the jobs' exit code
        logger.warning("maya.standalone.uninitialize failed: %s", exc)


# --------------------------------------------------------------------------- one job


def _backup_path(scene: Path) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = scene.with_name(f"{scene.stem}.a2f-backup-{stamp}{scene.suffix}")
    n = 1
    while candidate.exists():
        candidate = scene.with_name(f"{scene.stem}.a2f-backup-{stamp}-{n}{scene.suffix}")
        n += 1
    return candidate


def check_output(job: Job) -> None:
    """Refuse to write over a file unless the job says ``overwrite``; the folder must exist."""
    if not job.output.parent.is_dir():
        raise Audio2FaceError("output folder does not exist", job.output.parent)
    if job.output.exists() and not job.overwrite:
        what = "the source scene" if job.replaces_source else "an existing file"
        raise Audio2FaceError(f"output is {what}; set overwrite=true to replace it (a backup is kept)", job.output)


def save_scene(job: Job) -> Optional[Path]:
    """Save the open scene as ``job.output`` atomically; back up the file it replaces. Returns the backup.

    Maya writes into a private folder made by ``tempfile.mkdtemp`` beside the output (an unguessable
    name, so nobody can plant a link there), under the output's own file name, so the scene's header
    (``//Name:``) names the real file; then ``os.replace`` moves it into place.
    """
    import tempfile

    from maya import cmds

    if job.output.is_symlink():
        raise Audio2FaceError("output is a symbolic link; refusing to write through it", job.output)
    backup = None
    if job.output.exists():
        backup = _backup_path(job.output)
        shutil.copy2(job.output, backup)
    file_type = SCENE_SUFFIXES[job.output.suffix.lower()]
    folder = Path(tempfile.mkdtemp(prefix=".a2f-save-", dir=str(job.output.parent)))
    temporary = folder / job.output.name
    try:
        cmds.file(rename=str(temporary))
        cmds.file(save=True, type=file_type, force=True)
        os.replace(temporary, job.output)
    finally:
        cmds.file(rename=str(job.output))
        shutil.rmtree(folder, ignore_errors=True)
    return backup


class AnimatedJob:
    """What ``animate_job`` made: the curves, and the prediction QC reads the decoded audio from."""

    def __init__(self, curves: Any, prediction: Any) -> None:
        self.curves = curves
        self.prediction = prediction


def animate_job(job: Job, node: str) -> AnimatedJob:
    """Run the pipeline for ``job`` against the open scene's rig (both stages, so QC decodes nothing again)."""
    from audio2face.pipeline import finish, predict
    from audio2face.settings_io import animate_settings_from_dict

    from . import scene

    settings = animate_settings_from_dict(job.settings, where=f"job {job.index}")
    settings.fps = scene.scene_fps()
    settings.targets = scene.targets(node)
    settings.start_frame = job.start_frame if job.start_frame is not None else scene.playback_range()[0]
    prediction = predict(str(job.audio), settings)
    return AnimatedJob(finish(prediction, settings), prediction)


def qc_paths(job: Job) -> Tuple[Path, Path]:
    """Where a job's QC report goes: ``<output stem>_qc.json`` and ``.png`` beside the output scene."""
    json_path = job.output.with_name(f"{job.output.stem}_qc.json")
    return json_path, json_path.with_suffix(".png")


def write_job_qc(job: Job, curves: Any, result: JobResult, audio: Any = None) -> None:
    """Measure the job's curves against its audio (``audio2face.qc``) and write the JSON and PNG.

    ``audio``: the ``Prediction`` the curves were made from (its decoded samples), else the file is decoded.
    A QC problem never fails the job (its scene is saved by then): it becomes a note.
    """
    from audio2face.qc import qc_report, write_qc

    json_path, png_path = qc_paths(job)
    try:
        report = qc_report(audio if audio is not None else str(job.audio), curves, name=job.name)
        json_path, png_path = write_qc(report, json_path, png_path)  # a .txt picture without matplotlib
    except Audio2FaceError as exc:
        result.notes.append(f"QC report not written: {exc}")
        return
    except Exception as exc:  # a bug in the report must not turn a saved scene into a failed job
        logger.debug("QC of job %d failed", job.index, exc_info=True)
        result.notes.append(f"QC report not written: {type(exc).__name__}: {exc}")
        return
    result.qc_json, result.qc_png = str(json_path), str(png_path)
    result.qc_score, result.qc_flags = report.score, list(report.flags)


def run_job(job: Job, say: Callable[[str], None],
            animate_fn: Optional[Callable[[Job, str], Any]] = None) -> JobResult:
    """Open, animate, key and save one job; every error becomes a failed ``JobResult``."""
    from maya import cmds

    from . import scene
    from .host import ApplyOptions
    from .keying import apply_curves

    result = JobResult(index=job.index, name=job.name, status="failed", scene=str(job.scene),
                       audio=str(job.audio), output=str(job.output))
    started = time.perf_counter()
    try:
        if not job.scene.is_file():
            raise Audio2FaceError("scene file not found", job.scene)
        if not job.audio.is_file():
            raise Audio2FaceError("audio file not found", job.audio)
        check_output(job)
        say(f"opening {job.scene}")
        cmds.file(newFile=True, force=True)
        # ignoreVersion: a farm may run an older Maya than the one that saved the scene
        cmds.file(str(job.scene), open=True, force=True, prompt=False, ignoreVersion=True)
        node = scene.resolve_node(job.node)
        result.node = node
        say(f"animating {node} from {job.audio.name}")
        made = (animate_fn or animate_job)(job, node)
        curves, audio = (made.curves, made.prediction) if isinstance(made, AnimatedJob) else (made, None)
        options = ApplyOptions(mode=job.mode, start_frame=curves.start_frame, layer=job.layer,
                               sound=str(job.audio) if job.sound else None, set_time_slider=False)
        report = apply_curves(curves, node, options)
        result.keyed, result.skipped = list(report.keyed), dict(report.skipped)
        result.unmatched, result.key_count, result.notes = list(report.unmatched), report.key_count, list(report.notes)
        if not report.keyed:
            raise Audio2FaceError(f"no target of {node} could be keyed")
        with all_or_nothing():  # the curve files are put in place only once the scene is saved
            for path in job.curves:
                write_curves(curves, path, blendshape_node=node)
            backup = save_scene(job)
        if job.curves:
            result.notes.append("curve files: " + ", ".join(str(p) for p in job.curves))
        result.backup = str(backup) if backup else None
        result.status = "ok"
        say(f"ok: {report.key_count} keys on {len(report.keyed)} targets -> {job.output}"
            + (f" (backup {backup.name})" if backup else ""))
        if job.qc:
            write_job_qc(job, curves, result, audio)
            if result.qc_json:
                say(f"QC score {result.qc_score:.0f}/100: {'; '.join(result.qc_flags) or 'nothing flagged'}"
                    f" -> {Path(result.qc_json).name}")
            else:
                say(result.notes[-1])
    except Audio2FaceError as exc:
        result.error = str(exc)
        say(f"FAILED: {exc}")
    except Exception as exc:  # a job must never stop the batch; Maya raises RuntimeError/ValueError/TypeError
        result.error = f"{type(exc).__name__}: {exc}"
        logger.debug("job %d failed", job.index, exc_info=True)
        say(f"FAILED: {result.error}")
    finally:
        result.seconds = round(time.perf_counter() - started, 3)
        try:
            cmds.file(newFile=True, force=True)
        except Exception as exc:  # leave the next job a clean scene or report why not
            logger.warning("could not clear the scene after job %d: %s", job.index, exc)
    return result


# --------------------------------------------------------------------------- the batch


def _say(printer: Printer, position: int, name: str) -> Callable[[str], None]:
    def say(text: str) -> None:
        printer(position, name, text)

    return say


def run_jobs(entries: Sequence[Union[Job, JobError]], stream: TextIO = sys.stdout,
             animate_fn: Optional[Callable[[Job, str], Any]] = None,
             on_result: Optional[Callable[[Union[Job, JobError], JobResult], None]] = None) -> List[JobResult]:
    """Run jobs one after another in the current Maya session; returns one result per job."""
    printer = Printer(stream, len(entries))
    results = []
    for position, entry in enumerate(entries, 1):
        if isinstance(entry, JobError):
            printer(position, entry.name, f"FAILED: {entry.error}")
            results.append(JobResult(index=entry.index, name=entry.name, status="failed", error=entry.error))
        else:
            results.append(run_job(entry, _say(printer, position, entry.name), animate_fn))
        if on_result is not None:
            on_result(entry, results[-1])
    return results


def qc_summary(results: Sequence[JobResult]) -> List[Dict[str, Any]]:
    """One row per shot with a QC report, worst first (``audio2face.qc.summarise``)."""
    from audio2face.qc import summarise

    return summarise([r.qc_json for r in results if r.qc_json])


def write_report(path: Path, jobs_file: Path, results: Sequence[JobResult], seconds: float,
                 summary: Optional[List[Dict[str, Any]]] = None) -> Path:
    """The JSON report, written atomically; ``qc_summary`` holds the QC rows (default: read from ``results``)."""
    failed = [r for r in results if r.status != "ok"]
    data = {
        "format": REPORT_FORMAT,
        "format_version": 1,
        "jobs_file": str(jobs_file),
        "finished": datetime.datetime.now().isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "ok": len(results) - len(failed),
        "failed": len(failed),
        "jobs": [dataclasses.asdict(r) for r in results],
        "qc_summary": qc_summary(results) if summary is None else summary,
    }
    with atomic_open(path, "w") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")
    return path


def default_report_path(jobs_file: Path, job_index: Optional[int]) -> Path:
    """``<jobs>.report.json``, or ``<jobs>.report.<I>.json`` for one job of an array."""
    suffix = f".report.{job_index}.json" if job_index is not None else ".report.json"
    return jobs_file.with_name(jobs_file.stem + suffix)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mayapy bin/audio2face_batch.py",
        description="Animate blendShape rigs in many Maya scenes from speech audio (JSON or CSV jobs).",
    )
    parser.add_argument("jobs", help="jobs file (.json or .csv)")
    parser.add_argument("--job-index", type=int, default=None, metavar="I",
                        help="run only job I (0-based), e.g. $SLURM_ARRAY_TASK_ID or Deadline's task number")
    parser.add_argument("--report", default=None, help="JSON report path (default: beside the jobs file)")
    parser.add_argument("--overwrite", action="store_true",
                        help="allow replacing existing output scenes in every job (backups are kept)")
    parser.add_argument("--verbose", action="store_true", help="log details, including tracebacks")
    add_arguments(parser)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None, stream: TextIO = sys.stdout,
         animate_fn: Optional[Callable[[Job, str], Any]] = None) -> int:
    """Run the batch; returns the exit code."""
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, bad arguments 2
        return int(exc.code or 0)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    jobs_file = Path(args.jobs)
    try:
        farm = BatchTasks(args, jobs_file)
        entries = load_jobs(jobs_file, farm.defaults)
    except Audio2FaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.job_index is not None:
        if not 0 <= args.job_index < len(entries):
            print(f"error: --job-index {args.job_index} is outside 0..{len(entries) - 1}", file=sys.stderr)
            return EXIT_USAGE
        entries = [entries[args.job_index]]
    if args.overwrite:
        for entry in entries:
            if isinstance(entry, Job):
                entry.overwrite = True
    report_path = Path(args.report) if args.report else default_report_path(jobs_file, args.job_index)
    if not report_path.parent.is_dir():
        print(f"error: report folder does not exist: {report_path.parent}", file=sys.stderr)
        return EXIT_USAGE
    try:
        entries = farm.select(entries, stream)
    except Audio2FaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not entries:
        stream.write("nothing to do: every selected Maya job is up to date\n")
        return EXIT_OK
    try:
        started_maya = start_maya()
    except Audio2FaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_MAYA
    started = time.perf_counter()
    try:
        results = run_jobs(entries, stream, animate_fn, farm.record)
    finally:
        if started_maya:
            stop_maya()
    summary = qc_summary(results)
    write_report(report_path, jobs_file, results, time.perf_counter() - started, summary)
    failed = sum(r.status != "ok" for r in results)
    if summary:
        stream.write("QC, worst first:\n")
        for row in summary:
            stream.write(f"  {row['score']:5.1f}  {row['shot']}: {'; '.join(row['flags']) or 'nothing flagged'}\n")
    stream.write(f"{len(results) - failed} ok, {failed} failed; report: {report_path}\n")
    stream.flush()
    return farm.exit_code(failed, EXIT_OK, EXIT_JOB_FAILED)


if __name__ == "__main__":
    sys.exit(main())
