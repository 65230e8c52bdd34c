"""``audio2face farm openjd``: the template passes ``openjd check`` and runs end to end with ``openjd run``.

The headless step runs the real CLI on tiny audio jobs; the mayapy step runs its real command line through
a stand-in mayapy (tests/farm_fake_mayapy.py: the Maya stand-in, no Maya).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("openjd.model", reason="openjd-model is not installed (pip install '.[farm]')")
yaml = pytest.importorskip("yaml")

from audio2face.cli import main as cli  # noqa: E402
from audio2face.farm.openjd_template import build_template  # noqa: E402
from audio2face.farm.plan import make_plan  # noqa: E402
from maya_standin.fixtures import mayapy  # noqa: E402, F401 - fixture

ROOT = Path(__file__).resolve().parents[1]
OPENJD = shutil.which("openjd", path=str(Path(sys.executable).parent)) or shutil.which("openjd")
needs_cli = pytest.mark.skipif(OPENJD is None, reason="openjd-cli is not installed (pip install '.[farm]')")
RIG = {0: "jawOpen", 2: "mouthFunnel"}


def _env():
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "scripts"), os.environ.get("PYTHONPATH", "")]))


def _openjd(*args, cwd):
    return subprocess.run([OPENJD, *map(str, args)], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)


def _audio_jobs(tmp_path, wav):
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(f"audio,output,name\n{wav},out/sh010.json,sh010\n{wav},out/sh020.anim,sh020\n"
                    "missing.wav,out/sh030.json,sh030\n")
    return jobs


@needs_cli
def test_headless_template_checks_and_runs_end_to_end_with_openjd(tmp_path, speech_wav, tiny_bundle):
    jobs = _audio_jobs(tmp_path, speech_wav)
    template = tmp_path / "bundle" / "template.yaml"
    template.parent.mkdir()
    assert cli(["farm", "openjd", str(jobs), "--out", str(template), "--model", str(tiny_bundle)]) == 0
    data = yaml.safe_load(template.read_text())
    assert [s["name"] for s in data["steps"]] == ["AnimateAudio", "Report"]
    assert data["steps"][0]["parameterSpace"]["taskParameterDefinitions"][0]["range"] == ["0", "1", "2"]
    check = _openjd("check", template, cwd=tmp_path)
    assert check.returncode == 0 and "passes validation" in check.stdout, check.stdout + check.stderr

    # paths outside the bundle folder have no default: their values sit beside the template
    bundle_values = yaml.safe_load((template.parent / "parameter_values.yaml").read_text())["parameterValues"]
    assert {v["name"]: v["value"] for v in bundle_values}["JobsFile"] == str(jobs)
    assert "default" not in {p["name"]: p for p in data["parameterDefinitions"]}["Model"]
    params = f"file://{template.parent / 'openjd-params.json'}"
    run = _openjd("run", template, "--step", "Report", "--run-dependencies", "-p", params, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (tmp_path / "out" / "sh010.json").is_file() and (tmp_path / "out" / "sh020.anim").is_file()
    assert (tmp_path / "out" / "sh010_qc.png").is_file()
    results = tmp_path / "jobs.farm"
    first = json.loads((results / "job-0000.json").read_text())
    assert first["status"] == "ok" and first["keys_written"] > 0 and first["kind"] == "audio"
    assert first["input_hash"] and first["qc_score"] is not None
    failed = json.loads((results / "job-0002.json").read_text())
    assert failed["status"] == "failed" and "audio file not found" in failed["error"]
    table = list(csv.DictReader((results / "report.csv").open()))
    assert [r["name"] for r in table][0] == "sh030" and {r["status"] for r in table} == {"ok", "failed"}
    assert "sh010_qc.png" in (results / "report.html").read_text()

    # a rerun skips the two finished scenes and redoes the failed one; OnFailure=fail fails its task
    rerun = _openjd("run", template, "--step", "AnimateAudio", "-p", params, "-p", "OnFailure=fail", cwd=tmp_path)
    assert rerun.returncode != 0
    assert rerun.stdout.count("up to date, skipped") == 2 and "sh030: FAILED" in rerun.stdout


def _scene_jobs(tmp_path, session, wav, bundle):
    for name in ("sh040", "sh050"):
        session.build_rig(RIG, name=f"{name}_bs", mesh=f"{name}_face")
        session.save_scene(tmp_path / f"{name}.ma")
    jobs = tmp_path / "mixed.csv"
    jobs.write_text(f"scene,audio,output,model\n,{wav},out/a.json,{bundle}\nsh040.ma,{wav},out/sh040_anim.ma,{bundle}\n"
                    f"sh050.ma,{wav},out/sh050_anim.ma,{bundle}\n")
    (tmp_path / "out").mkdir()
    return jobs


def _fake_mayapy(tmp_path):
    wrapper = tmp_path / "mayapy"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "tests" / "farm_fake_mayapy.py"}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def test_mayapy_step_structure_and_chunks(tmp_path, speech_wav, tiny_bundle, mayapy):  # noqa: F811
    jobs = _scene_jobs(tmp_path, mayapy, speech_wav, tiny_bundle)
    plan = make_plan(jobs, chunk=2, mayapy="/opt/maya/bin/mayapy")
    template = build_template(plan, tmp_path)
    audio, maya, report = template["steps"]
    assert (audio["name"], maya["name"], report["name"]) == ("AnimateAudio", "AnimateMaya", "Report")
    assert maya["parameterSpace"]["taskParameterDefinitions"] == [{"name": "Rows", "type": "STRING", "range": ["1-2"]}]
    action = maya["script"]["actions"]["onRun"]
    assert action["command"] == "{{Param.Mayapy}}"
    assert action["args"][:5] == ["{{Param.LauncherOption}}", "{{Param.Launcher}}", "{{Param.JobsFile}}", "--jobs",
                                  "{{Task.Param.Rows}}"]
    assert action["cancelation"]["mode"] == "NOTIFY_THEN_TERMINATE"
    assert audio["script"]["actions"]["onRun"]["args"][:4] == ["-m", "audio2face", "farm", "run-task"]
    assert report["dependencies"] == [{"dependsOn": "AnimateAudio"}, {"dependsOn": "AnimateMaya"}]
    params = {p["name"]: p for p in template["parameterDefinitions"]}
    assert params["Mayapy"]["default"] == "/opt/maya/bin/mayapy" and params["JobsFile"]["default"] == "mixed.csv"
    assert params["LauncherOption"]["allowedValues"] == ["-m", "--"]
    assert {"Model", "SettingsFile", "Python", "Launcher", "ResultsDir", "OnFailure"} <= set(params)
    # `mayapy -m` cannot import the package on a node that only has the module: the launcher runs by path.
    assert params["LauncherOption"]["default"] == "--"
    assert params["Launcher"]["default"] == str(ROOT / "bin" / "audio2face_batch.py")


@needs_cli
@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in mayapy is a shell script")
def test_mayapy_step_runs_its_command_line_through_a_stand_in_mayapy(tmp_path, speech_wav, tiny_bundle,
                                                                      mayapy):  # noqa: F811
    jobs = _scene_jobs(tmp_path, mayapy, speech_wav, tiny_bundle)
    launcher = tmp_path / "launcher.py"  # a launcher run by path, as stock Maya needs
    launcher.write_text("import sys\nfrom audio2face_maya.batch import main\nsys.exit(main())\n")
    template = tmp_path / "job.yaml"
    assert cli(["farm", "openjd", str(jobs), "--out", str(template), "--chunk", "2",
                "--mayapy", str(_fake_mayapy(tmp_path))]) == 0
    run = _openjd("run", template, "--step", "AnimateMaya", "-p", "LauncherOption=--", "-p", f"Launcher={launcher}",
                  cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "[1/2] sh040-speech: opening" in run.stdout and "[2/2] sh050-speech: ok" in run.stdout
    records = [json.loads((tmp_path / "mixed.farm" / f"job-000{i}.json").read_text()) for i in (1, 2)]
    assert [r["status"] for r in records] == ["ok", "ok"] and all(r["kind"] == "maya" for r in records)
    assert records[0]["keys_written"] > 0 and records[0]["scene"].endswith("sh040.ma")
    assert not (tmp_path / "mixed.farm" / "job-0000.json").exists()  # the audio row is the other step's
    rerun = _openjd("run", template, "--step", "AnimateMaya", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stdout[-2000:]
    assert "nothing to do: every selected Maya job is up to date" in rerun.stdout
