"""The farm side of the mayapy batch: ``--jobs``, ``--results``, ``--settings``, ``--model``, ``--on-failure``.

``audio2face_maya.batch`` calls :class:`BatchTasks` (no Maya here): it selects the task's rows, leaves
out up-to-date jobs before Maya starts (so a task with nothing to do takes no licence), writes the
``running`` records, lets a rerun replace outputs this farm wrote, and records each job's result.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import Any, Dict, List, Sequence, TextIO

from .results import ResultStore, TaskResult, fingerprint, finish_record, owned_output, start_record, up_to_date
from .rows import is_scene_row, read_rows
from .run_task import ON_FAILURE, job_defaults
from .selection import parse_indices

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The farm options of the batch's command line."""
    group = parser.add_argument_group("render farm")
    group.add_argument("--jobs", dest="rows", metavar="ROWS",
                       help="run these rows (0-based), e.g. 0-4,7: one farm task's chunk")
    group.add_argument("--results", metavar="DIR",
                       help="write one result file per job here; skip jobs that are up to date, redo failed ones")
    group.add_argument("--settings", metavar="FILE", default="",
                       help="JSON object of settings applied under every job's own fields")
    group.add_argument("--model", metavar="DIR", default="", help="model bundle for jobs that name none")
    group.add_argument("--on-failure", choices=ON_FAILURE, default="fail",
                       help="fail: a failed job makes the exit code 1 (default); record: only record it (exit 0)")


def maya_fingerprint(job: Any) -> str:
    """What a Maya job's output scene depends on (an in-place job: everything but the scene it rewrites)."""
    fields = {k: v for k, v in dataclasses.asdict(job).items() if k not in ("index", "name", "overwrite")}
    files = {"audio": job.audio} if job.replaces_source else {"scene": job.scene, "audio": job.audio}
    return fingerprint(fields, files)


class BatchTasks:
    """The farm options of one batch run (every method is a no-op without them)."""

    def __init__(self, args: argparse.Namespace, jobs_file: Path) -> None:
        self.jobs_file = jobs_file
        self.rows = getattr(args, "rows", None)
        self.on_failure = getattr(args, "on_failure", "fail")
        folder = getattr(args, "results", None)
        self.store = ResultStore(folder).ensure() if folder else None
        self.defaults: Dict[str, Any] = job_defaults(getattr(args, "settings", ""), getattr(args, "model", ""))
        self._started: Dict[int, TaskResult] = {}

    @property
    def farm(self) -> bool:
        """Whether this run is a farm task (rows picked or results recorded)."""
        return bool(self.rows) or self.store is not None

    def select(self, entries: Sequence[Any], stream: TextIO) -> List[Any]:
        """The entries to run: the picked Maya rows that are not up to date; writes their ``running`` records.

        Raises:
            Audio2FaceError: a bad ``--jobs`` or results folder.
        """
        if not self.farm:
            return list(entries)
        rows = read_rows(self.jobs_file, self.defaults)
        wanted = set(parse_indices(self.rows, len(rows)) if self.rows else range(len(rows)))
        picked = [e for e in entries if e.index in wanted and is_scene_row(rows[e.index])]
        if self.store is None:
            return picked
        self.store.ensure()
        out = []
        for entry in picked:
            previous = self.store.read(entry.index)
            output = getattr(entry, "output", None)
            result = TaskResult(index=entry.index, name=entry.name, kind="maya")
            if output is not None:  # a checked job (a JobError has no output)
                qc_json = output.with_name(f"{output.stem}_qc.json")
                result.input_hash = maya_fingerprint(entry)
                if up_to_date(previous, result.input_hash, output, [qc_json] if entry.qc else []):
                    stream.write(f"{entry.name}: up to date, skipped\n")
                    continue
                if owned_output(previous, output):
                    entry.overwrite = True  # this farm wrote it; the batch still keeps a backup
                result.scene, result.audio, result.output = str(entry.scene), str(entry.audio), str(output)
            self._started[entry.index] = start_record(self.store, result, previous)
            out.append(entry)
        stream.flush()
        return out

    def record(self, entry: Any, job_result: Any) -> None:
        """Write one finished job's result file (from the batch's ``JobResult``)."""
        if self.store is None:
            return
        result = self._started.get(entry.index) or TaskResult(index=entry.index, name=entry.name, kind="maya")
        for field in ("status", "scene", "audio", "output", "qc_score", "qc_json", "qc_png", "error", "seconds"):
            setattr(result, field, getattr(job_result, field))
        result.keys_written, result.qc_flags = job_result.key_count, list(job_result.qc_flags)
        result.notes = list(job_result.notes)
        finish_record(self.store, result)

    def exit_code(self, failed: int, ok_code: int, failed_code: int) -> int:
        """The batch's exit code: ``--on-failure record`` turns failed jobs into success."""
        return failed_code if failed and self.on_failure == "fail" else ok_code
