"""The farm's core: row selection, audio-only jobs, result files, the up-to-date check and the report."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from audio2face.errors import Audio2FaceError
from audio2face.farm import audio_jobs, report, results, rows, selection
from audio2face.farm.plan import make_plan
from audio2face.farm.run_task import EXIT_JOB_FAILED, EXIT_OK, job_defaults, run_task

ROOT = Path(__file__).resolve().parents[1]


def test_row_ranges_parse_and_format_both_ways():
    assert selection.parse_indices("0-2,5, 7", 8) == [0, 1, 2, 5, 7]
    assert selection.format_indices([7, 0, 1, 2, 5]) == "0-2,5,7"
    assert selection.chunked([0, 1, 2, 5, 7], 2) == [[0, 1], [2, 5], [7]]
    for bad in ("3-1", "0-8", "x", ","):
        with pytest.raises(Audio2FaceError):
            selection.parse_indices(bad, 8)


def test_audio_rows_are_checked_and_scene_rows_are_maya_jobs(tmp_path):
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("scene,audio,output,strength,fps\n,vo/a.wav,out/a.json,0.5,24\nsh.ma,vo/b.wav,out/b.ma,,\n"
                    ",vo/c.wav,out/c.txt,,\n")
    table = rows.read_rows(jobs)
    assert [rows.is_scene_row(r) for r in table] == [False, True, False]
    job = audio_jobs.make_audio_job(0, table[0], tmp_path)
    assert isinstance(job, audio_jobs.AudioJob)
    assert job.audio == tmp_path / "vo" / "a.wav" and job.settings == {"strength": 0.5, "fps": 24.0}
    assert job.qc_paths[0] == tmp_path / "out" / "a_qc.json"
    scene_row = audio_jobs.make_audio_job(1, table[1], tmp_path)
    assert isinstance(scene_row, audio_jobs.RowError) and "Maya job" in scene_row.error
    bad_ext = audio_jobs.make_audio_job(2, table[2], tmp_path)
    assert isinstance(bad_ext, audio_jobs.RowError) and "curve file" in bad_ext.error


def test_settings_file_and_model_sit_under_each_rows_own_fields(tmp_path, tiny_bundle):
    settings = tmp_path / "look.json"
    settings.write_text(json.dumps({"smoothing_ms": 30, "strength": 0.7}))
    jobs = tmp_path / "jobs.json"
    jobs.write_text(json.dumps([{"audio": "a.wav", "output": "a.json", "strength": 1.2}]))
    defaults = job_defaults(str(settings), str(tiny_bundle))
    (row,) = rows.read_rows(jobs, defaults)
    assert row["strength"] == 1.2 and row["smoothing_ms"] == 30 and row["model"] == str(tiny_bundle.resolve())
    settings.write_text("[1, 2]")
    with pytest.raises(Audio2FaceError, match="look.json"):
        job_defaults(str(settings), "")
    with pytest.raises(Audio2FaceError, match="model folder not found"):
        job_defaults("", str(tmp_path / "nope"))


def test_plan_splits_rows_by_kind_and_chunks_them(tmp_path):
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("scene,audio,output\n" + "".join(
        f"{'s.ma' if i in (2, 3) else ''},a{i}.wav,o{i}.{'ma' if i in (2, 3) else 'json'}\n" for i in range(6)))
    plan = make_plan(jobs, chunk=2)
    assert plan.audio_rows == [0, 1, 4, 5] and plan.maya_rows == [2, 3]
    assert plan.audio_tasks == ["0-1", "4-5"] and plan.maya_tasks == ["2-3"]
    assert plan.results == tmp_path / "jobs.farm"
    with pytest.raises(Audio2FaceError, match="--chunk"):
        make_plan(jobs, chunk=0)


def _jobs(tmp_path, wav, tiny_bundle, n=2):
    jobs = tmp_path / "jobs.csv"
    lines = ["audio,output,name,model"] + [f"{wav},out/shot{i}.json,shot{i},{tiny_bundle}" for i in range(n)]
    jobs.write_text("\n".join(lines) + "\n")
    return jobs


def test_a_rerun_skips_up_to_date_jobs_and_redoes_changed_and_failed_ones(tmp_path, speech_wav, tiny_bundle):
    jobs = _jobs(tmp_path, speech_wav, tiny_bundle)
    store = results.ResultStore(tmp_path / "res")
    out = io.StringIO()
    assert run_task(jobs, store.folder, stream=out) == EXIT_OK
    first = store.read(0)
    assert first.status == "ok" and first.keys_written > 0 and first.qc_score is not None and first.peak_rss_mb
    assert (tmp_path / "out" / "shot0_qc.png").is_file()
    out = io.StringIO()
    assert run_task(jobs, store.folder, stream=out) == EXIT_OK
    assert out.getvalue().count("up to date, skipped") == 2
    before = store.read(1).input_hash
    # a changed setting for one row redoes that row only, replacing the file this farm wrote
    jobs.write_text(f"audio,output,name,model,strength\n{speech_wav},out/shot0.json,shot0,{tiny_bundle},\n"
                    f"{speech_wav},out/shot1.json,shot1,{tiny_bundle},0.5\n")
    out = io.StringIO()
    assert run_task(jobs, store.folder, stream=out) == EXIT_OK
    assert "[1/2] shot0: up to date" in out.getvalue() and "[2/2] shot1: animating" in out.getvalue()
    assert store.read(1).input_hash != before
    # an edited output is the user's now: the job reruns but refuses to replace it
    (tmp_path / "out" / "shot0.json").write_text("{}")
    out = io.StringIO()
    assert run_task(jobs, store.folder, "0", stream=out) == EXIT_JOB_FAILED
    assert "existing file" in store.read(0).error and (tmp_path / "out" / "shot0.json").read_text() == "{}"


def test_an_interrupted_job_is_redone_and_may_replace_the_output_it_wrote(tmp_path, speech_wav, tiny_bundle):
    jobs = _jobs(tmp_path, speech_wav, tiny_bundle, n=1)
    store = results.ResultStore(tmp_path / "res")
    assert run_task(jobs, store.folder, stream=io.StringIO()) == EXIT_OK
    # a task killed after writing the output, before its final record: the record says "running"
    record = store.read(0)
    record.status, record.output_hash, record.missing_at_start = "running", None, True
    store.write(record)
    out = io.StringIO()
    assert run_task(jobs, store.folder, stream=out) == EXIT_OK, out.getvalue()
    assert "animating" in out.getvalue() and store.read(0).status == "ok"


def test_failures_are_recorded_and_on_failure_record_keeps_the_exit_code_zero(tmp_path, tiny_bundle):
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(f"audio,output,model\nmissing.wav,a.json,{tiny_bundle}\n,b.json,\n")
    store = results.ResultStore(tmp_path / "res")
    assert run_task(jobs, store.folder, stream=io.StringIO()) == EXIT_JOB_FAILED
    assert "audio file not found" in store.read(0).error and "missing.wav" in store.read(0).error
    assert "audio is required" in store.read(1).error
    assert run_task(jobs, store.folder, on_failure="record", stream=io.StringIO()) == EXIT_OK
    assert not (tmp_path / "a.json").exists()


def test_report_puts_shots_that_need_a_look_first(tmp_path, speech_wav, tiny_bundle):
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(f"audio,output,name,model\n{speech_wav},out/good.json,good,{tiny_bundle}\n"
                    f"nope.wav,out/bad.json,bad,{tiny_bundle}\n{speech_wav},out/never.json,never,{tiny_bundle}\n")
    store = results.ResultStore(tmp_path / "res")
    run_task(jobs, store.folder, "0-1", stream=io.StringIO())
    done = report.write_report(jobs, store.folder)
    table = list(csv.DictReader(done["csv"].open()))
    assert [r["name"] for r in table] == ["bad", "never", "good"]
    assert [r["status"] for r in table] == ["failed", "not run", "ok"]
    assert table[2]["qc_score"] and int(table[2]["keys_written"]) > 0
    page = done["html"].read_text()
    assert page.count("<tr class=") == 3 and 'src="../out/good_qc.png"' in page
    assert "audio file not found" in page and f"{done['needs_look']} need a look" in page
    assert done["needs_look"] == 2 + (table[2]["needs_look"] == "yes") and done["failed"] == 2


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or sys.platform == "win32", reason="POSIX signals")
def test_a_task_stopped_by_sigterm_leaves_no_half_written_file_and_a_rerun_finishes(tmp_path, tiny_bundle):
    import soundfile as sf
    from conftest import speech_like

    wav = tmp_path / "long.wav"
    sf.write(wav, speech_like(60.0), 16000)
    jobs = tmp_path / "jobs.csv"
    rows = "".join(f"{wav},out/s{i}.json,s{i},{tiny_bundle}\n" for i in range(3))
    jobs.write_text("audio,output,name,model\n" + rows)
    command = [sys.executable, "-m", "audio2face", "farm", "run-task", str(jobs), "--results", str(tmp_path / "res")]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"), PYTHONUNBUFFERED="1")
    task = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    for line in task.stdout:
        if "s1: animating" in line:
            task.send_signal(signal.SIGTERM)  # s1 or s2 is in flight: the task cannot have finished yet
            break
    _, err = task.communicate(timeout=120)
    assert task.returncode == 130, err
    assert "nothing was half-written" in err
    store = results.ResultStore(tmp_path / "res")
    records = [store.read(i) for i in range(3)]
    assert records[0].status == "ok" and [r.status for r in records if r].count("running") == 1
    for index, record in enumerate(records):
        output = tmp_path / "out" / f"s{index}.json"
        if record is not None and record.status == "ok":
            assert results.file_hash(output) == record.output_hash
        else:
            assert not output.exists()
    assert not list((tmp_path / "out").glob(".*"))
    out = io.StringIO()
    assert run_task(jobs, store.folder, stream=out) == EXIT_OK, out.getvalue()
    assert "[1/3] s0: up to date, skipped" in out.getvalue()
    assert all(store.read(i).status == "ok" for i in range(3))
