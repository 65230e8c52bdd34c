"""An Open Job Description job template for a jobs file (runs with ``openjd run``, submits to Deadline Cloud).

Steps (each only when the jobs file has such rows):

* ``AnimateAudio``: audio-only rows, one task per chunk, run by the headless CLI
  (``python -m audio2face farm run-task``); never starts mayapy, so it takes no Maya licence;
* ``AnimateMaya``: scene rows, one task per chunk, run by the mayapy batch (one Maya session per task,
  each scene opened once);
* ``Report``: after both, ``python -m audio2face farm report`` turns the result files into
  ``report.csv`` and ``report.html``.

The template is built as a plain dict, checked with ``openjd.model.decode_job_template`` (the
engine's own parser) and written as YAML. It uses no extension of the 2023-09 specification.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Dict, List

from ..atomic import atomic_open
from ..errors import Audio2FaceError, PathLike
from .plan import LAUNCHER_MODULE, FarmPlan, batch_launcher
from .run_task import ON_FAILURE

logger = logging.getLogger(__name__)

SPECIFICATION = "jobtemplate-2023-09"
CANCEL = {"mode": "NOTIFY_THEN_TERMINATE", "notifyPeriodInSeconds": 30}
TASK_MEMORY_MIB = 2048
"""Worker memory a task asks for (a task stays under 1.5 GiB for a 10-minute shot; bench/farm.py)."""


def _path_parameter(name: str, kind: str, flow: str, path: str, folder: Path, description: str) -> Dict[str, Any]:
    """A PATH parameter. Open Job Description joins a default to the template's folder and refuses one outside
    it, so a path outside gets no default: its value goes in the parameter files beside the template."""
    parameter: Dict[str, Any] = {"name": name, "type": "PATH", "objectType": kind, "dataFlow": flow}
    if not path:
        parameter["default"] = ""
    else:
        relative = Path(os.path.relpath(path, folder))
        if ".." not in relative.parts:
            parameter["default"] = relative.as_posix()
    parameter["description"] = description
    return parameter


def _parameters(plan: FarmPlan, folder: Path) -> List[Dict[str, Any]]:
    default = batch_launcher()
    launcher_option, launcher = ("-m", default.split()[-1]) if default == LAUNCHER_MODULE else ("--", default)
    return [
        {"name": "JobName", "type": "STRING", "default": plan.name, "description": "Name of the job on the farm."},
        _path_parameter("JobsFile", "FILE", "IN", str(plan.jobs_file), folder,
                        "The jobs file (.csv or .json); relative paths in it are relative to its folder."),
        _path_parameter("ResultsDir", "DIRECTORY", "OUT", str(plan.results), folder,
                        "One result file per job, the batch logs and the report."),
        _path_parameter("Model", "DIRECTORY", "IN", plan.model, folder,
                        "Model bundle folder for jobs that name none (empty: the bundled model)."),
        _path_parameter("SettingsFile", "FILE", "IN", plan.settings, folder,
                        "JSON object of settings under every job's own fields (empty: none)."),
        {"name": "Python", "type": "STRING", "default": plan.python,
         "description": "Python with audio2face installed (the headless tasks and the report)."},
        {"name": "Mayapy", "type": "STRING", "default": plan.mayapy, "description": "Maya's mayapy on the workers."},
        {"name": "LauncherOption", "type": "STRING", "default": launcher_option, "allowedValues": ["-m", "--"],
         "description": "-m: Launcher is a module name; --: Launcher is the path of a Python file to run."},
        {"name": "Launcher", "type": "STRING", "default": launcher,
         "description": "What mayapy runs: the module's launcher file by path (bin/audio2face_batch.py), or the "
                        "batch module."},
        {"name": "OnFailure", "type": "STRING", "default": "record", "allowedValues": list(ON_FAILURE),
         "description": "record: a failed shot is only recorded, so the Report step runs; fail: it fails the task."},
    ]


def _task_args(extra: List[str]) -> List[str]:
    return ["{{Param.JobsFile}}", "--jobs", "{{Task.Param.Rows}}", "--results", "{{Param.ResultsDir}}",
            "--model", "{{Param.Model}}", "--settings", "{{Param.SettingsFile}}",
            "--on-failure", "{{Param.OnFailure}}", *extra]


def _animate_step(name: str, description: str, tasks: List[str], command: str, args: List[str]) -> Dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "parameterSpace": {"taskParameterDefinitions": [{"name": "Rows", "type": "STRING", "range": tasks}]},
        "hostRequirements": {"amounts": [{"name": "amount.worker.memory", "min": TASK_MEMORY_MIB}]},
        "script": {"actions": {"onRun": {"command": command, "args": args, "cancelation": dict(CANCEL)}}},
    }


def build_template(plan: FarmPlan, folder: PathLike) -> Dict[str, Any]:
    """The job template as a dict (checked by ``openjd.model``) for a template written in ``folder``.

    Path defaults are relative to ``folder`` (the job bundle's folder for ``deadline bundle submit``).
    """
    steps: List[Dict[str, Any]] = []
    if plan.audio_tasks:
        steps.append(_animate_step(
            "AnimateAudio", "Audio-only jobs with the headless CLI (no Maya, no licence).", plan.audio_tasks,
            "{{Param.Python}}", ["-m", "audio2face", "farm", "run-task", *_task_args([])]))
    if plan.maya_tasks:
        steps.append(_animate_step(
            "AnimateMaya", "Scene jobs with the mayapy batch: one Maya session per task, each scene opened once.",
            plan.maya_tasks, "{{Param.Mayapy}}",
            ["{{Param.LauncherOption}}", "{{Param.Launcher}}",
             *_task_args(["--report", "{{Param.ResultsDir}}/batch-report-{{Task.Param.Rows}}.json"])]))
    if not steps:
        raise Audio2FaceError("the jobs file holds no jobs", plan.jobs_file)
    steps.append({
        "name": "Report",
        "description": "All result files into report.csv and report.html (worst shots first).",
        "dependencies": [{"dependsOn": s["name"]} for s in steps],
        "script": {"actions": {"onRun": {
            "command": "{{Param.Python}}",
            "args": ["-m", "audio2face", "farm", "report", "{{Param.JobsFile}}", "--results", "{{Param.ResultsDir}}"],
            "cancelation": dict(CANCEL)}}},
    })
    template = {
        "specificationVersion": SPECIFICATION,
        "name": "{{Param.JobName}}",
        "description": f"Audio2Face: speech to blendShape animation for {plan.jobs_file.name} "
                       f"({len(plan.audio_rows)} audio-only, {len(plan.maya_rows)} Maya jobs; chunk {plan.chunk}).",
        "parameterDefinitions": _parameters(plan, Path(folder).resolve()),
        "jobEnvironments": [{"name": "Audio2Face", "description": "Progress lines reach the task log at once.",
                             "variables": {"PYTHONUNBUFFERED": "1"}}],
        "steps": steps,
    }
    check_template(template)
    return template


def check_template(template: Dict[str, Any]) -> None:
    """Validate with Open Job Description's own model (``openjd-model``, the ``farm`` extra).

    Raises:
        Audio2FaceError: the package is missing, or the template is not valid.
    """
    try:
        from openjd.model import DecodeValidationError, decode_job_template
    except ImportError:
        raise Audio2FaceError("Open Job Description needs the farm extra: pip install 'audio2face-maya[farm]'") \
            from None
    try:
        decode_job_template(template=template)
    except DecodeValidationError as exc:
        raise Audio2FaceError(f"the job template is not valid Open Job Description: {exc}") from None


def parameter_values(plan: FarmPlan, template: Dict[str, Any]) -> Dict[str, str]:
    """Values of the parameters that have no default (paths outside the template's folder)."""
    values = {"JobsFile": str(plan.jobs_file), "ResultsDir": str(plan.results), "Model": plan.model,
              "SettingsFile": plan.settings}
    return {p["name"]: values[p["name"]] for p in template["parameterDefinitions"] if "default" not in p}


def write_template(template: Dict[str, Any], path: PathLike, values: Dict[str, str]) -> List[Path]:
    """Write the template as YAML (or JSON), and the values of parameters without a default beside it.

    ``parameter_values.yaml`` is the job bundle's file that ``deadline bundle submit`` reads;
    ``openjd-params.json`` is for ``openjd run ... -p file://openjd-params.json``. Each is written atomically.
    """
    import json

    import yaml  # openjd-model depends on PyYAML

    target = Path(path)
    if target.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise Audio2FaceError("the job template is written as .yaml (or .json)", target)
    with atomic_open(target, "w") as handle:
        if target.suffix.lower() == ".json":
            json.dump(template, handle, indent=2)
            handle.write("\n")
        else:
            yaml.safe_dump(template, handle, sort_keys=False, width=120, allow_unicode=True)
    written = [target]
    if values:
        bundle_values = target.with_name("parameter_values.yaml")
        with atomic_open(bundle_values, "w") as handle:
            yaml.safe_dump({"parameterValues": [{"name": k, "value": v} for k, v in values.items()]}, handle,
                           sort_keys=False, width=120)
        local_values = target.with_name("openjd-params.json")
        with atomic_open(local_values, "w") as handle:
            json.dump(values, handle, indent=2)
            handle.write("\n")
        written += [bundle_values, local_values]
    return written
