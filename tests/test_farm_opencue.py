"""``audio2face farm opencue``: the job built with PyOutline and serialised offline to OpenCue's XML job spec.

The checks follow the cuebot's job spec DTD (cjsl-1.15): element order inside ``spec``, ``job`` and
``layer``, NMTOKEN names, layer types, dependency types; and what the farm needs: frames are the jobs
file's rows, chunks, services, memory, env, and commands that the runners accept.
"""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as Et

import pytest

pytest.importorskip("outline", reason="opencue-pyoutline is not installed (pip install '.[farm]')")

from audio2face.cli import main as cli  # noqa: E402
from audio2face.farm.opencue_job import build_outline, job_spec  # noqa: E402
from audio2face.farm.plan import make_plan  # noqa: E402
from audio2face.farm.selection import parse_indices  # noqa: E402

NMTOKEN = re.compile(r"^[\w.:-]+$")
LAYER_ORDER = ["cmd", "range", "chunk", "cores", "threadable", "memory", "gpus", "gpu", "gpu_memory", "timeout",
               "timeout_llu", "tags", "limits", "env", "services", "outputs"]
JOB_ORDER = ["paused", "priority", "maxretries", "maxcores", "maxgpus", "autoeat", "localbook", "os", "env", "layers"]
SPEC_ORDER = ["facility", "dept", "show", "shot", "user", "email", "uid", "job", "depends"]


def _in_order(children, order):
    positions = [order.index(c.tag) for c in children]
    return positions == sorted(positions)


@pytest.fixture()
def mixed_jobs(tmp_path):
    jobs = tmp_path / "my shots (v2).csv"
    rows = ["scene,audio,output"]
    for i in range(7):
        rows.append(f"sh{i}.ma,vo/{i}.wav,out/sh{i}.ma" if i in (2, 3, 4) else f",vo/{i}.wav,out/{i}.json")
    jobs.write_text("\n".join(rows) + "\n")
    return jobs


def test_spec_has_layers_frames_chunks_services_env_and_dependencies(mixed_jobs, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # PyOutline's session folder must not land here
    plan = make_plan(mixed_jobs, chunk=2, mayapy="/opt/maya/bin/mayapy", model=str(tmp_path))
    spec = job_spec(build_outline(plan, show="lipsync", shot="sq010", user="wrangler"))
    assert spec.startswith('<?xml version="1.0"?><!DOCTYPE spec PUBLIC "SPI Cue  Specification Language"')
    root = Et.fromstring(spec.split("?>", 1)[1].split(">", 1)[1])
    assert root.tag == "spec" and _in_order(root, SPEC_ORDER)
    assert (root.findtext("show"), root.findtext("shot"), root.findtext("user")) == ("lipsync", "sq010", "wrangler")
    job = root.find("job")
    assert NMTOKEN.match(job.get("name")) and _in_order(job, JOB_ORDER)
    assert {k.get("name"): k.text for k in job.find("env")} == {"PYTHONUNBUFFERED": "1"}
    layers = {layer.get("name"): layer for layer in job.find("layers")}
    assert list(layers) == ["animate_audio", "animate_maya", "report"]
    for layer in layers.values():
        assert layer.get("type") in ("Render", "Util", "Post") and NMTOKEN.match(layer.get("name"))
        assert _in_order(layer, LAYER_ORDER)
    audio, maya, report = layers.values()
    assert (audio.findtext("range"), audio.findtext("chunk")) == ("0-1,5-6", "2")
    assert (maya.findtext("range"), maya.findtext("chunk")) == ("2-4", "2")
    assert audio.findtext("services/service") == "shell" and maya.findtext("services/service") == "maya"
    assert maya.findtext("memory") == "2g" and maya.findtext("cores") == "1.0"
    assert (report.findtext("range"), report.findtext("chunk")) == ("0", "1")
    depends = root.find("depends")
    assert [(d.get("type"), d.findtext("deplayer"), d.findtext("onlayer")) for d in depends] == [
        ("LAYER_ON_LAYER", "report", "animate_audio"), ("LAYER_ON_LAYER", "report", "animate_maya")]
    # the commands: RQD puts a chunk's first and last frame (= row) in; the runners take that as --jobs
    audio_cmd, maya_cmd = shlex.split(audio.findtext("cmd")), shlex.split(maya.findtext("cmd"))
    assert audio_cmd[1:5] == ["-m", "audio2face", "farm", "run-task"] and audio_cmd[5] == str(mixed_jobs)
    assert maya_cmd[:3] == ["/opt/maya/bin/mayapy", "-m", "audio2face_maya.batch"]
    for cmd in (audio_cmd, maya_cmd):
        rows = cmd[cmd.index("--jobs") + 1]
        assert rows == "#FRAME_START#-#FRAME_END#"
        assert parse_indices(rows.replace("#FRAME_START#", "5").replace("#FRAME_END#", "6"), 7) == [5, 6]
        assert cmd[cmd.index("--model") + 1] == str(tmp_path) and "--results" in cmd
    assert not (tmp_path / "home" / ".opencue").exists()


def test_cli_writes_the_spec_and_a_launcher_by_path(mixed_jobs, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    out = tmp_path / "job.xml"
    assert cli(["farm", "opencue", str(mixed_jobs), "--out", str(out), "--launcher", "/studio/a2f/bin/batch.py"]) == 0
    text = out.read_text()
    assert "mayapy /studio/a2f/bin/batch.py" in text and "run-task" in text
    assert "3 Maya jobs in 3 tasks" in capsys.readouterr().out
    assert cli(["farm", "opencue", str(mixed_jobs)]) == 1  # neither --out nor --submit


def test_submit_goes_through_pycue_to_the_named_cuebot(mixed_jobs, tmp_path, monkeypatch):
    import opencue
    from audio2face.errors import Audio2FaceError
    from audio2face.farm.opencue_job import submit

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    sent = {}

    class Launched:
        def name(self):
            return "lipsync-sq010-wrangler_Audio2Face_my_shots__v2_"

    def launch(spec):
        sent["spec"] = spec
        return [Launched()]

    monkeypatch.setattr(opencue.Cuebot, "setHosts", staticmethod(lambda hosts: sent.setdefault("hosts", hosts)))
    monkeypatch.setattr(opencue.api, "launchSpecAndWait", launch)
    job = build_outline(make_plan(mixed_jobs), show="lipsync", shot="sq010", user="wrangler")
    (launched,) = submit(job, "cuebot.studio.lan:8443")
    assert sent["hosts"] == ["cuebot.studio.lan:8443"] and "<layer name=\"animate_maya\"" in sent["spec"]
    assert launched.name().startswith("lipsync-sq010")

    def refuse(spec):
        raise ConnectionError("cuebot unreachable")

    monkeypatch.setattr(opencue.api, "launchSpecAndWait", refuse)
    with pytest.raises(Audio2FaceError, match="cuebot.studio.lan:8443 failed: ConnectionError"):
        submit(build_outline(make_plan(mixed_jobs)), "cuebot.studio.lan:8443")
