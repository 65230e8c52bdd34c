"""The mayapy batch as a farm task: ``--jobs``, ``--results``, ``--settings``, ``--model``, ``--on-failure``.

Runs ``batch.main`` in-process against the stand-in started as a bare mayapy, with the real pipeline on a
tiny model.
"""

from __future__ import annotations

import io
import json

from audio2face_maya import batch
from maya_standin import standalone
from maya_standin.fixtures import mayapy  # noqa: F401 - fixture

RIG = {0: "jawOpen", 2: "mouthFunnel"}


def _setup(session, tmp_path, wav):
    for name in ("sh010", "sh020"):
        session.build_rig(RIG, name=f"{name}_bs", mesh=f"{name}_face")
        session.save_scene(tmp_path / f"{name}.ma")
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(f"scene,audio,output\n,{wav},out/a.json\nsh010.ma,{wav},out/sh010_anim.ma\n"
                    f"sh020.ma,{wav},out/sh020_anim.ma\n")
    (tmp_path / "out").mkdir()
    return jobs


def _run(args, monkeypatch):
    monkeypatch.delenv("MAYA_NO_STANDALONE_ATEXIT", raising=False)
    standalone.state.update(initialized=False, uninitialized=False)
    out = io.StringIO()
    return batch.main([str(a) for a in args], stream=out), out.getvalue()


def test_results_rerun_skips_without_starting_maya_and_redoes_changed_jobs(mayapy, tmp_path, speech_wav,  # noqa: F811
                                                                           tiny_bundle, monkeypatch):
    jobs = _setup(mayapy, tmp_path, speech_wav)
    results = tmp_path / "res"
    farm = ["--results", results, "--model", tiny_bundle, "--report", tmp_path / "r.json"]
    code, printed = _run([jobs, "--jobs", "0-2", *farm], monkeypatch)
    assert code == batch.EXIT_OK, printed
    assert "[1/2] sh010-speech: opening" in printed  # the audio-only row is the headless step's
    assert not (results / "job-0000.json").exists()
    record = json.loads((results / "job-0001.json").read_text())
    assert record["status"] == "ok" and record["kind"] == "maya" and record["keys_written"] > 0
    assert record["qc_score"] is not None and record["output_hash"] and record["input_hash"]
    first_scene = (tmp_path / "out" / "sh010_anim.ma").read_bytes()

    code, printed = _run([jobs, *farm], monkeypatch)
    assert code == batch.EXIT_OK and "nothing to do: every selected Maya job is up to date" in printed
    assert not standalone.state["initialized"]  # no Maya session, so no licence, for a task with nothing to do

    # a settings file changes every job: both rerun and replace the scenes this farm wrote (a backup is kept)
    settings = tmp_path / "look.json"
    settings.write_text(json.dumps({"strength": 0.4}))
    code, printed = _run([jobs, "--jobs", "1", *farm, "--settings", settings], monkeypatch)
    assert code == batch.EXIT_OK, printed
    assert (tmp_path / "out" / "sh010_anim.ma").read_bytes() != first_scene
    assert list((tmp_path / "out").glob("sh010_anim.a2f-backup-*.ma"))
    assert json.loads((results / "job-0001.json").read_text())["input_hash"] != record["input_hash"]


def test_a_users_file_is_not_replaced_and_on_failure_record_exits_zero(mayapy, tmp_path, speech_wav,  # noqa: F811
                                                                       tiny_bundle, monkeypatch):
    jobs = _setup(mayapy, tmp_path, speech_wav)
    (tmp_path / "out" / "sh020_anim.ma").write_text("the user's scene")
    farm = ["--results", tmp_path / "res", "--model", tiny_bundle, "--report", tmp_path / "r.json"]
    code, printed = _run([jobs, "--jobs", "2", *farm], monkeypatch)
    assert code == batch.EXIT_JOB_FAILED and "existing file" in printed
    record = json.loads((tmp_path / "res" / "job-0002.json").read_text())
    assert record["status"] == "failed" and "existing file" in record["error"]
    assert (tmp_path / "out" / "sh020_anim.ma").read_text() == "the user's scene"
    code, _ = _run([jobs, "--jobs", "2", *farm, "--on-failure", "record"], monkeypatch)
    assert code == batch.EXIT_OK
    code, printed = _run([jobs, "--jobs", "9", *farm], monkeypatch)
    assert code == batch.EXIT_USAGE
