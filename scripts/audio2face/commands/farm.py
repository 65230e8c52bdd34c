"""``audio2face farm openjd|opencue|run-task|report``: batch a jobs file on a render farm (docs/farm-*.md)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from ..errors import Audio2FaceError, Cancelled
from ..farm.plan import batch_launcher

logger = logging.getLogger(__name__)


def _plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("jobs", metavar="JOBS", help="jobs file (.csv or .json)")
    parser.add_argument("--chunk", type=int, default=1, metavar="N", help="jobs per task (default 1: one per scene)")
    parser.add_argument("--results", default="", metavar="DIR",
                        help="results folder on shared storage (default: <jobs>.farm beside the jobs file)")
    parser.add_argument("--model", default="", metavar="DIR", help="model bundle for jobs that name none")
    parser.add_argument("--settings", default="", metavar="FILE", help="JSON settings under every job's fields")
    parser.add_argument("--python", default="", metavar="PATH",
                        help="Python with audio2face on the workers (default: this one)")
    parser.add_argument("--mayapy", default="", metavar="PATH", help="mayapy on the workers (default: mayapy)")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command."""
    parser = sub.add_parser(
        "farm", help="render-farm jobs: Open Job Description (Deadline Cloud) and OpenCue",
        description="Turn a jobs file into a farm job (one task per scene or per chunk), run one task, or "
        "reduce the tasks' result files into one report. See docs/farm-openjd.md and docs/farm-opencue.md.",
    )
    farm = parser.add_subparsers(dest="farm_command", metavar="ACTION")
    farm.required = True

    openjd = farm.add_parser("openjd", help="write an Open Job Description job template",
                             description="Write an Open Job Description job template (openjd run, Deadline Cloud).")
    _plan_arguments(openjd)
    openjd.add_argument("--out", required=True, metavar="TEMPLATE.yaml", help="the job template to write")
    openjd.set_defaults(run=run_openjd)

    cue = farm.add_parser("opencue", help="build the OpenCue job with PyOutline; write its spec or submit it",
                          description="Build the OpenCue job with PyOutline and write its XML job spec (no cuebot "
                          "needed), or submit it to a cuebot.")
    _plan_arguments(cue)
    cue.add_argument("--out", metavar="JOB.xml", help="write the job spec here")
    cue.add_argument("--submit", action="store_true", help="submit to the cuebot (--cuebot, else OpenCue's config)")
    cue.add_argument("--cuebot", default="", metavar="HOST[:PORT]", help="the cuebot to submit to")
    cue.add_argument("--show", default="testing", help="OpenCue show (default testing)")
    cue.add_argument("--shot", default="audio2face", help="OpenCue shot (default audio2face)")
    cue.add_argument("--user", default=None, help="OpenCue user (default: you)")
    cue.add_argument("--launcher", default=batch_launcher(),
                     help="what mayapy runs: the module's bin/audio2face_batch.py by path (default, where this "
                     "install has it) or '-m audio2face_maya.batch'")
    cue.add_argument("--on-failure", choices=("record", "fail"), default="record",
                     help="record (default): a failed shot is recorded and the report still runs; fail: fail the frame")
    cue.add_argument("--audio-service", default="shell", help="service of the headless layers (default shell)")
    cue.add_argument("--maya-service", default="maya", help="service of the mayapy layer (default maya)")
    cue.set_defaults(run=run_opencue)

    task = farm.add_parser("run-task", help="run audio-only rows of a jobs file (one farm task)",
                           description="Animate the selected audio-only rows, write curves and QC, and record one "
                           "result file per job. Exit codes: 0 ok or up to date, 1 a job failed, 2 bad input, "
                           "130 cancelled.")
    task.add_argument("jobs", metavar="JOBS", help="jobs file (.csv or .json)")
    task.add_argument("--jobs", dest="rows", metavar="ROWS", help="rows to run (0-based), e.g. 0-4,7 (default: all)")
    task.add_argument("--results", required=True, metavar="DIR", help="folder of the result files")
    task.add_argument("--model", default="", metavar="DIR", help="model bundle for jobs that name none")
    task.add_argument("--settings", default="", metavar="FILE", help="JSON settings under every job's fields")
    task.add_argument("--on-failure", choices=("fail", "record"), default="fail",
                      help="fail (default): exit 1 when a job failed; record: only record it")
    task.set_defaults(run=run_task)

    report = farm.add_parser("report", help="reduce the result files into report.csv and report.html",
                             description="One line per job, the shots that need a look first, with the QC plots.")
    report.add_argument("jobs", metavar="JOBS", help="jobs file (.csv or .json)")
    report.add_argument("--results", required=True, metavar="DIR", help="folder of the result files")
    report.add_argument("--out", default="", metavar="STEM", help="report path without extension (default DIR/report)")
    report.set_defaults(run=run_report)


def _plan(args: argparse.Namespace):
    from ..farm.plan import make_plan

    return make_plan(args.jobs, chunk=args.chunk, results=args.results, python=args.python, mayapy=args.mayapy,
                     model=args.model, settings=args.settings)


def _describe(plan) -> str:
    return (f"{len(plan.audio_rows)} audio-only jobs in {len(plan.audio_tasks)} tasks, "
            f"{len(plan.maya_rows)} Maya jobs in {len(plan.maya_tasks)} tasks; results: {plan.results}")


def run_openjd(args: argparse.Namespace) -> int:
    """Write the job template."""
    from ..farm.openjd_template import build_template, parameter_values, write_template

    plan = _plan(args)
    template = build_template(plan, Path(args.out).resolve().parent)
    written = write_template(template, args.out, parameter_values(plan, template))
    print(f"{written[0]}: {_describe(plan)}")
    run = f"openjd run {written[0]} --step Report --run-dependencies"
    if len(written) > 1:
        print(f"parameter values beside it: {written[1].name} (deadline bundle submit), {written[2].name}")
        run += f" -p file://{written[2]}"
    print(f"run it here: {run}")
    return 0


def run_opencue(args: argparse.Namespace) -> int:
    """Write the job spec and/or submit the job."""
    from ..farm.opencue_job import build_outline, job_spec, submit

    if not args.out and not args.submit:
        raise Audio2FaceError("give --out JOB.xml to write the job spec, or --submit")
    plan = _plan(args)
    job = build_outline(plan, show=args.show, shot=args.shot, user=args.user, launcher=args.launcher,
                        on_failure=args.on_failure, audio_service=args.audio_service, maya_service=args.maya_service)
    if args.out:
        from ..atomic import atomic_open

        with atomic_open(args.out, "w") as handle:
            handle.write(job_spec(job) + "\n")
        print(f"{args.out}: {_describe(plan)}")
    if args.submit:
        for launched in submit(job, args.cuebot):
            print(f"submitted {launched.name()}")
    return 0


def _terminate(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    raise Cancelled(f"stopped by signal {signum}")


def run_task(args: argparse.Namespace) -> int:
    """Run one farm task; SIGTERM (a farm's cancel) stops it between writes, never halfway through a file."""
    from ..farm.run_task import EXIT_USAGE, job_defaults
    from ..farm.run_task import run_task as run

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _terminate)
    try:
        defaults = job_defaults(args.settings, args.model)
        return run(args.jobs, args.results, args.rows, defaults, args.on_failure)
    except Audio2FaceError as exc:
        print(f"audio2face: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def run_report(args: argparse.Namespace) -> int:
    """Write the report and print the shots that need a look."""
    from ..farm.report import write_report

    done = write_report(args.jobs, args.results, args.out or None)
    for row in done["rows"]:
        if row["needs_look"] == "yes":
            detail = row.get("error") or row.get("qc_flags") or ""
            score = "" if row.get("qc_score") is None else f" QC {row['qc_score']:.0f}"
            print(f"  row {row['row']} {row['name']}: {row['status']}{score} {detail}".rstrip())
    print(f"{len(done['rows'])} jobs, {done['failed']} not ok, {done['needs_look']} need a look; "
          f"{done['csv']} and {Path(done['html']).name}")
    return 0
