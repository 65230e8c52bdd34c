"""``mayapy -m audio2face_maya.batch``: jobs files, isolation, backups, --job-index, report, exit codes.

Runs ``batch.main`` in-process against the stand-in started as a bare mayapy (before
``maya.standalone.initialize``), with the real pipeline on a tiny model.
"""

from __future__ import annotations

import io
import json
import os
import sys

import numpy as np
import pytest
from audio2face_maya import batch, jobs
from maya_standin import dg, standalone
from maya_standin.fixtures import mayapy  # noqa: F401 - fixture

RIG = {0: "jawOpen", 2: "mouthFunnel", 5: "mouthSmileLeft"}


@pytest.fixture()
def scenes(mayapy, tmp_path):  # noqa: F811
    """Two saved scenes with a face rig each."""
    paths = []
    for name in ("shot010", "shot020"):
        mayapy.build_rig(RIG, name=f"{name}_bs", mesh=f"{name}_face")
        paths.append(mayapy.save_scene(tmp_path / f"{name}.ma"))
    return paths


def _read_scene(path):
    scene = dg.Scene()
    dg.load_scene(scene, str(path))
    return scene


def _keyed_curves(path):
    scene = _read_scene(path)
    return sorted(n.name for n in scene.nodes.values() if n.type == "animCurveTU" and n.curve.keys)


def _run(args, monkeypatch):
    monkeypatch.delenv("MAYA_NO_STANDALONE_ATEXIT", raising=False)
    out = io.StringIO()
    code = batch.main(args, stream=out)
    return code, out.getvalue()


def test_one_bad_job_among_good_ones_is_reported_and_the_rest_run(mayapy, scenes, tiny_bundle, speech_wav,  # noqa: F811
                                                                  tmp_path, monkeypatch):
    shot010, shot020 = scenes
    source_bytes = shot020.read_bytes()
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps({
        "defaults": {"model": str(tiny_bundle), "smoothing_ms": 10},
        "jobs": [
            {"name": "good", "scene": "shot010.ma", "audio": str(speech_wav), "output": "out/shot010_anim.ma",
             "start_frame": 101},
            {"name": "missing audio", "scene": "shot010.ma", "audio": "nope.wav", "output": "out/x.ma"},
            {"name": "in place", "scene": "shot020.ma", "audio": str(speech_wav), "overwrite": True,
             "node": "shot020_bs", "layer": "lipsync"},
            {"name": "typo", "scene": "shot020.ma", "audio": str(speech_wav), "output": "out/y.ma", "strenght": 2},
        ],
    }))
    (tmp_path / "out").mkdir()
    code, printed = _run([str(job_file)], monkeypatch)
    assert code == batch.EXIT_JOB_FAILED
    report = json.loads((tmp_path / "jobs.report.json").read_text())
    assert report["format"] == "audio2face-batch-report" and (report["ok"], report["failed"]) == (2, 2)
    good, missing, in_place, typo = report["jobs"]
    assert good["status"] == "ok" and good["node"] == "shot010_bs"
    assert sorted(good["keyed"]) == ["jawOpen", "mouthFunnel", "mouthSmileLeft"]
    assert missing["status"] == "failed" and "audio file not found" in missing["error"]
    assert typo["status"] == "failed" and "strenght" in typo["error"]
    out_scene = _read_scene(tmp_path / "out" / "shot010_anim.ma")
    assert sorted(n.name for n in out_scene.nodes.values() if n.type == "audio") == ["speech"]
    curve = out_scene.nodes["shot010_bs_jawOpen"]
    assert float(curve.curve.keys[0].time) * 24 == pytest.approx(101.0)
    assert _keyed_curves(shot010) == []  # a source scene is never written unless asked
    # the in-place job kept a backup that is the untouched source
    assert in_place["status"] == "ok" and in_place["backup"]
    assert open(in_place["backup"], "rb").read() == source_bytes
    assert "lipsync" in _read_scene(shot020).nodes
    assert not list((tmp_path / "out").glob(".*a2f-tmp*"))
    # progress lines and the summary
    assert "[1/4] good: opening" in printed and "[2/4] missing audio: FAILED" in printed
    assert "2 ok, 2 failed" in printed
    # mayapy hygiene
    assert os.environ["MAYA_NO_STANDALONE_ATEXIT"] == "1"
    assert standalone.state["initialized"] and standalone.state["uninitialized"]


def test_job_index_runs_one_job_for_an_array_task(mayapy, scenes, tiny_bundle, speech_wav, tmp_path,  # noqa: F811
                                                  monkeypatch):
    job_file = tmp_path / "jobs.csv"
    job_file.write_text(
        "scene,audio,output,model,silence_gate,strength\n"
        f"shot010.ma,{speech_wav},a.ma,{tiny_bundle},false,0.8\n"
        f"shot020.ma,{speech_wav},b.ma,{tiny_bundle},yes,1\n"
    )
    code, printed = _run([str(job_file), "--job-index", "1"], monkeypatch)
    assert code == batch.EXIT_OK, printed
    assert (tmp_path / "b.ma").is_file() and not (tmp_path / "a.ma").exists()
    report = json.loads((tmp_path / "jobs.report.1.json").read_text())
    assert [j["index"] for j in report["jobs"]] == [1]
    assert printed.startswith("[1/1] shot020-speech: opening")
    code, _ = _run([str(job_file), "--job-index", "2"], monkeypatch)
    assert code == batch.EXIT_USAGE


def test_existing_outputs_need_overwrite(mayapy, scenes, tiny_bundle, speech_wav, tmp_path, monkeypatch):  # noqa: F811
    (tmp_path / "taken.ma").write_text("keep me")
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps([{"scene": "shot010.ma", "audio": str(speech_wav), "output": "taken.ma",
                                     "model": str(tiny_bundle)}]))
    code, _ = _run([str(job_file)], monkeypatch)
    assert code == batch.EXIT_JOB_FAILED and (tmp_path / "taken.ma").read_text() == "keep me"
    code, _ = _run([str(job_file), "--overwrite"], monkeypatch)
    assert code == batch.EXIT_OK and (tmp_path / "taken.ma").read_text() != "keep me"
    assert list(tmp_path.glob("taken.a2f-backup-*.ma"))[0].read_text() == "keep me"


def test_bad_jobs_files_exit_with_usage_errors(mayapy, tmp_path, monkeypatch):  # noqa: F811
    bad = tmp_path / "jobs.json"
    bad.write_text("{not json")
    assert _run([str(bad)], monkeypatch)[0] == batch.EXIT_USAGE
    assert _run([str(tmp_path / "none.json")], monkeypatch)[0] == batch.EXIT_USAGE
    (tmp_path / "jobs.txt").write_text("x")
    assert _run([str(tmp_path / "jobs.txt")], monkeypatch)[0] == batch.EXIT_USAGE
    assert not standalone.state["initialized"]  # Maya is not started for a bad jobs file


def test_without_mayapy_the_batch_says_so(tmp_path, monkeypatch, speech_wav):
    monkeypatch.setitem(sys.modules, "maya", None)
    monkeypatch.setitem(sys.modules, "maya.standalone", None)
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps([{"scene": "a.ma", "audio": str(speech_wav), "output": "b.ma"}]))
    assert _run([str(job_file)], monkeypatch)[0] == batch.EXIT_NO_MAYA


def test_job_fields_are_checked_one_by_one(tmp_path):
    entries = [
        jobs.make_job(0, {"scene": "a.ma", "audio": "a.wav"}, tmp_path),
        jobs.make_job(1, {"scene": "a.ma", "audio": "a.wav", "output": "b.fbx"}, tmp_path),
        jobs.make_job(2, {"scene": "a.ma", "audio": "a.wav", "output": "b.ma", "mode": "merge"}, tmp_path),
        jobs.make_job(3, {"scene": "a.ma", "audio": "a.wav", "output": "b.ma", "strength": "lots"}, tmp_path),
        jobs.make_job(4, {"scene": "a.ma", "audio": "a.wav", "overwrite": "true", "emotion": "happy"}, tmp_path),
    ]
    assert "no output scene" in entries[0].error
    assert ".ma or .mb" in entries[1].error
    assert "mode must be" in entries[2].error
    assert "strength must be a number" in entries[3].error
    job = entries[4]
    assert isinstance(job, jobs.Job) and job.replaces_source and job.settings == {"emotion": "happy"}
    assert job.scene == tmp_path / "a.ma"


def test_each_job_writes_a_qc_report_and_the_report_ranks_shots_worst_first(mayapy, scenes, speech_wav,  # noqa: F811
                                                                           tmp_path, monkeypatch):
    """The speech is silent from 1.0 to 1.6 s: a jaw left open there is flagged, a closed one is not."""
    import numpy as np
    import soundfile as sf
    from audio2face.curves import Curves

    audio, rate = sf.read(str(speech_wav))
    level = np.abs(audio[:, 0])
    times = np.arange(48) / 24.0  # 2 s at the scene's 24 fps
    envelope = np.array([level[int(t * rate): int((t + 1 / 24) * rate)].mean() for t in times])
    jaw = envelope / envelope.max()

    def fake_animate(job, node):  # noqa: ANN001, ANN202 - curves with a known shape instead of a model
        open_jaw = jaw.copy()
        if job.name == "open":
            open_jaw[(times >= 1.0) & (times < 1.6)] = 0.8
        weights = np.stack([open_jaw, 0.5 * open_jaw, np.zeros_like(jaw)], axis=1)
        return Curves(["jawOpen", "mouthFunnel", "mouthSmileLeft"], 24.0, weights, start_frame=1001.0)

    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps([
        {"name": "clean", "scene": "shot010.ma", "audio": str(speech_wav), "output": "out/clean.ma"},
        {"name": "open", "scene": "shot020.ma", "audio": str(speech_wav), "output": "out/open.ma"},
        {"name": "no qc", "scene": "shot020.ma", "audio": str(speech_wav), "output": "out/plain.ma", "qc": "no"},
    ]))
    (tmp_path / "out").mkdir()
    monkeypatch.delenv("MAYA_NO_STANDALONE_ATEXIT", raising=False)
    out = io.StringIO()
    assert batch.main([str(job_file)], stream=out, animate_fn=fake_animate) == batch.EXIT_OK, out.getvalue()
    report = json.loads((tmp_path / "jobs.report.json").read_text())
    clean, open_job, plain = report["jobs"]
    for job, stem in ((clean, "clean"), (open_job, "open")):
        assert job["qc_json"] == str(tmp_path / "out" / f"{stem}_qc.json")
        assert open(job["qc_png"], "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        written = json.loads(open(job["qc_json"]).read())
        assert written["shot"] == stem and written["start_frame"] == 1001.0
    assert plain["qc_json"] is None and not (tmp_path / "out" / "plain_qc.json").exists()
    assert clean["qc_flags"] == [] and open_job["qc_score"] < clean["qc_score"]
    assert any("mouth open in silence" in flag for flag in open_job["qc_flags"])
    rows = report["qc_summary"]
    assert [row["shot"] for row in rows] == ["open", "clean"], "worst first, one row per shot with a report"
    assert rows[0]["silence_spans"] == 1 and rows[0]["silence_flagged_seconds"] >= 0.2
    assert rows[1]["silence_spans"] == 0 and rows[1]["json"] == clean["qc_json"]
    printed = out.getvalue()
    assert "[2/3] open: QC score" in printed and "QC, worst first:" in printed
    assert printed.index("open: mouth open in silence") < printed.index("clean: nothing flagged")


def test_a_scene_from_a_newer_maya_opens_and_the_saved_header_names_the_output(mayapy, tiny_bundle,  # noqa: F811
                                                                              speech_wav, tmp_path, monkeypatch):
    """Mixed-version farms: ``file -open`` needs ignoreVersion; the save goes through a private temp folder."""
    import tempfile

    mayapy.build_rig(RIG, name="shot_bs", mesh="shot_face")
    mayapy.save_scene(tmp_path / "newer.ma", maya_version=2026)  # the stand-in Maya is 2024
    made = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(kw) or real_mkdtemp(**kw))
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps([{"scene": "newer.ma", "audio": str(speech_wav), "output": "out.ma",
                                     "model": str(tiny_bundle), "qc": False}]))
    code, printed = _run([str(job_file)], monkeypatch)
    assert code == batch.EXIT_OK, printed
    assert dg.file_header(str(tmp_path / "out.ma"))["name"] == "out.ma", "the temp name stays out of the header"
    assert made and made[0]["dir"] == str(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [], "no temp left behind"


def test_the_batch_refuses_to_save_through_a_symlink(mayapy, tiny_bundle, speech_wav, tmp_path,  # noqa: F811
                                                     monkeypatch):
    mayapy.build_rig(RIG, name="shot_bs", mesh="shot_face")
    mayapy.save_scene(tmp_path / "shot.ma")
    victim = tmp_path / "elsewhere.ma"
    victim.write_text("precious")
    (tmp_path / "out.ma").symlink_to(victim)
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps([{"scene": "shot.ma", "audio": str(speech_wav), "output": "out.ma",
                                     "overwrite": True, "model": str(tiny_bundle), "qc": False}]))
    code, _printed = _run([str(job_file)], monkeypatch)
    report = json.loads((tmp_path / "jobs.report.json").read_text())
    assert code == batch.EXIT_JOB_FAILED and "symbolic link" in report["jobs"][0]["error"]
    assert victim.read_text() == "precious"


def test_the_launcher_runs_the_batch_on_a_node_that_only_has_the_module(tmp_path):
    """``mayapy <module>/bin/audio2face_batch.py`` in a fresh interpreter whose sys.path knows nothing of us."""
    import subprocess

    from conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PYTHONNOUSERSITE="1", MAYA_LOCATION=str(tmp_path / "maya2025"), MAYA_APP_DIR=str(tmp_path / "prefs"))
    from audio2face_maya.paths import current_platform

    deps = tmp_path / "prefs" / "audio2face" / "deps" / f"maya2025-{current_platform()}"
    deps.mkdir(parents=True)
    probe = ("import runpy, sys; sys.argv = [sys.argv[1], '--help'];"
             "launcher = runpy.run_path(sys.argv[0], run_name='launcher');"
             "print('FOLDERS', launcher['prepare_path']());"
             "import audio2face_maya.batch as b; print('BATCH', b.__file__)")
    launcher = ROOT / "bin" / "audio2face_batch.py"
    done = subprocess.run([sys.executable, "-I", "-c", probe, str(launcher)], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-800:]
    assert f"BATCH {ROOT / 'scripts' / 'audio2face_maya' / 'batch.py'}" in done.stdout
    assert str(deps) in done.stdout.split("FOLDERS", 1)[1]
    help_run = subprocess.run([sys.executable, "-I", str(launcher), "--help"], cwd=str(tmp_path), env=env,
                              capture_output=True, text=True, timeout=120, check=False)
    assert help_run.returncode == 0 and "bin/audio2face_batch.py" in help_run.stdout
    # what the docs used to say fails on such a node (-S: no site-packages, as nothing of ours is installed)
    old = subprocess.run([sys.executable, "-I", "-S", "-m", "audio2face_maya.batch", "--help"], cwd=str(tmp_path),
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert old.returncode != 0 and "No module named" in old.stderr


def test_a_job_naming_the_rig_without_its_reference_namespace_finds_it(mayapy, tiny_bundle, speech_wav,  # noqa: F811
                                                                      tmp_path, monkeypatch):
    mayapy.build_rig(RIG, name="char:face_bs", mesh="char:face")
    mayapy.save_scene(tmp_path / "ref.ma")
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps([{"scene": "ref.ma", "audio": str(speech_wav), "output": "out.ma",
                                     "node": "face_bs", "model": str(tiny_bundle), "qc": False}]))
    code, printed = _run([str(job_file)], monkeypatch)
    assert code == batch.EXIT_OK, printed
    report = json.loads((tmp_path / "jobs.report.json").read_text())
    assert report["jobs"][0]["node"] == "char:face_bs"


def test_a_namespaced_rig_gets_absolute_connect_attr_lines_in_ma(tmp_path):
    import numpy as np
    from audio2face.curves import Curves
    from audio2face.formats import read_curves, write_curves
    from maya_file_parsers import parse_ma

    curves = Curves(["jawOpen", "mouthFunnel"], 24.0, np.zeros((3, 2), np.float32), start_frame=1)
    path = tmp_path / "ns.ma"
    write_curves(curves, path, blendshape_node="char:face_bs")
    connections = parse_ma(path.read_text()).connections
    assert [c[1] for c in connections] == [":char:face_bs.jawOpen", ":char:face_bs.mouthFunnel"]
    assert read_curves(path).names == ["jawOpen", "mouthFunnel"]
    write_curves(curves, path, blendshape_node="blendShape1")
    assert parse_ma(path.read_text()).connections[0][1] == "blendShape1.jawOpen"


def test_a_job_decodes_its_audio_once_for_the_keys_and_the_qc(mayapy, scenes, speech_wav, tiny_bundle,  # noqa: F811
                                                              tmp_path, monkeypatch):
    from audio2face import audio as audio_module
    from audio2face import pipeline

    decoded = []

    def counting(real):  # noqa: ANN001, ANN202
        def decode(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            decoded.append(str(path))
            return real(path, *args, **kwargs)
        return decode

    monkeypatch.setattr(pipeline, "stream_audio", counting(pipeline.stream_audio))  # what predict decodes with
    monkeypatch.setattr(audio_module, "load_audio", counting(audio_module.load_audio))  # what qc would import
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps([{"name": "one", "scene": "shot010.ma", "audio": str(speech_wav),
                                     "output": "out/one.ma", "model": str(tiny_bundle)}]))
    (tmp_path / "out").mkdir()
    monkeypatch.delenv("MAYA_NO_STANDALONE_ATEXIT", raising=False)
    out = io.StringIO()
    assert batch.main([str(job_file)], stream=out) == batch.EXIT_OK, out.getvalue()
    assert (tmp_path / "out" / "one_qc.json").is_file()
    assert decoded == [str(speech_wav)]


def test_a_job_also_writes_curve_files_in_any_registered_format(mayapy, scenes, speech_wav, tiny_bundle,  # noqa: F811
                                                                tmp_path, monkeypatch):
    pytest.importorskip("pxr", reason="needs usd-core (pip install '.[usd]')")
    from audio2face.formats import read_curves

    job_file = tmp_path / "jobs.csv"
    job_file.write_text("name,scene,audio,output,model,curves,qc\n"
                        f"one,shot010.ma,{speech_wav},out/one.ma,{tiny_bundle},out/one.json;out/one.usda,no\n"
                        f"bad,shot010.ma,{speech_wav},out/bad.ma,{tiny_bundle},out/bad.xyz,no\n")
    (tmp_path / "out").mkdir()
    monkeypatch.delenv("MAYA_NO_STANDALONE_ATEXIT", raising=False)
    out = io.StringIO()
    assert batch.main([str(job_file)], stream=out) == batch.EXIT_JOB_FAILED, out.getvalue()
    report = json.loads((tmp_path / "jobs.report.json").read_text())
    one, bad = report["jobs"]
    assert one["status"] == "ok" and bad["status"] == "failed" and "unknown curve file type" in bad["error"]
    as_json, as_usd = read_curves(tmp_path / "out" / "one.json"), read_curves(tmp_path / "out" / "one.usda")
    assert as_json.names == as_usd.names and set(as_json.names) <= set(one["keyed"]) | set(one["unmatched"])
    np.testing.assert_allclose(as_usd.weights, as_json.weights, atol=1e-6)
    assert not (tmp_path / "out" / "bad.ma").exists()
