"""The settings schema: every knob reaches every surface (CLI, plug-in flags, panel, batch jobs, settings
files), round-trips, and is refused out of range everywhere with one line naming it."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any, Dict

import pytest
from audio2face.commands.options import add_settings_arguments, settings_from_args
from audio2face.errors import Audio2FaceError
from audio2face.pipeline import AnimateSettings
from audio2face.schema import SURFACES, Knob
from audio2face.settings_io import (
    KNOBS,
    animate_settings_from_dict,
    knob_holder,
    knobs_on,
    read_settings,
    settings_to_dict,
    write_settings,
)


def sample(name: str, knob: Knob, default: Any) -> Any:
    """A value of the knob that is not its default."""
    if knob.kind in ("float", "int"):
        low = knob.minimum if knob.minimum is not None else -10.0
        high = knob.maximum if knob.maximum is not None else 10.0
        value = low + (high - low) * 0.37
        if knob.kind == "int":
            value = int(round(value))
        return value if value != default else value + 1
    return {
        "bool": not default,
        "text": "some text",
        "path": "/models/hero_v3",
        "mapping": "arkit",
        "emotion": "open",
        "names": ["jawOpen", "mouthClose"],
        "table": {"jawOpen": 1.25, "mouthClose": 0.5},
    }[knob.kind]


SAMPLES: Dict[str, Any] = {name: sample(name, k.knob, k.default) for name, k in KNOBS.items()}


def value_of(settings: AnimateSettings, name: str) -> Any:
    return getattr(knob_holder(settings, name), name)


def test_every_knob_is_described_and_its_default_is_in_range():
    assert "smoothing_ms" in KNOBS and "silence_db" in KNOBS and "key_rest_targets" in KNOBS
    for name, entry in KNOBS.items():
        knob = entry.knob
        assert knob.label and knob.help, name
        assert knob.check(name, entry.default) == entry.default or entry.default is None
        for surface in SURFACES:
            assert surface in (knob.off or {}) or surface not in knob.off
            if surface in knob.off:
                assert knob.off[surface].strip(), f"{name} is left off {surface} without a reason"
        if knob.kind in ("float", "int"):
            assert knob.minimum is not None and knob.maximum is not None, f"{name} has no range"
        assert knob.cli or "cli" in knob.off, name
        assert knob.mel or "mel" in knob.off, name
        assert knob.panel or "panel" in knob.off or knob.kind == "emotion", name


def test_every_cli_knob_is_a_flag_and_reaches_the_settings(tmp_path):
    parser = argparse.ArgumentParser()
    add_settings_arguments(parser)
    argv = []
    for entry in knobs_on("cli"):
        knob, value = entry.knob, SAMPLES[entry.name]
        if knob.kind == "bool":
            argv.append(knob.cli)  # the flag turns the default around
        elif knob.kind == "names":
            path = tmp_path / "targets.txt"
            path.write_text("\n".join(value) + "\n", encoding="utf-8")
            argv += [knob.cli, str(path)]
        else:
            argv += [knob.cli, knob.format(value)]
    settings = settings_from_args(parser.parse_args(argv))
    for entry in knobs_on("cli"):
        assert value_of(settings, entry.name) == pytest.approx(SAMPLES[entry.name]), entry.name


def test_every_mel_knob_is_a_plugin_flag_and_reaches_the_settings():
    from audio2face_maya import plugin_commands as commands

    by_field = {flag.field: flag for flag in commands.ANIMATE_FLAGS}
    values: Dict[str, Any] = {"audio": "vo.wav"}
    for entry in knobs_on("mel"):
        flag = by_field[entry.name]
        assert (flag.short, flag.long) == entry.knob.mel
        kind = {"float": "double", "int": "int", "bool": "bool"}.get(entry.knob.kind, "string")
        assert flag.kind == kind, entry.name
        value = SAMPLES[entry.name]
        values[entry.name] = value if kind != "string" else entry.knob.format(value)  # what MArgParser hands over
    request = commands.animate_request(values)
    assert request.options.start_frame == pytest.approx(SAMPLES["start_frame"])
    settings = animate_settings_from_dict(request.settings_values, where=commands.ANIMATE_COMMAND)
    for entry in knobs_on("mel"):
        if entry.name != "start_frame":
            assert value_of(settings, entry.name) == pytest.approx(SAMPLES[entry.name]), entry.name


def test_every_job_knob_round_trips_through_a_csv_job_file(tmp_path):
    from audio2face_maya.jobs import Job, load_jobs

    knobs = knobs_on("job")
    header = ["scene", "audio", "output"] + [k.name for k in knobs]
    row = ["shot.ma", "vo.wav", "out.ma"] + [k.knob.format(SAMPLES[k.name]) for k in knobs]
    path = tmp_path / "jobs.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, row])
    (job,) = load_jobs(path)
    assert isinstance(job, Job), job
    assert job.start_frame == pytest.approx(SAMPLES["start_frame"])
    settings = animate_settings_from_dict(job.settings)
    for entry in knobs:
        expected = SAMPLES[entry.name]
        if entry.name == "model":
            expected = str(tmp_path / "models" / "hero_v3") if not Path(expected).is_absolute() else expected
        if entry.name != "start_frame":
            assert value_of(settings, entry.name) == pytest.approx(expected), entry.name


def test_a_csv_job_with_silence_ramp_ms_is_a_number_not_text(tmp_path):
    from audio2face_maya.jobs import Job, load_jobs

    path = tmp_path / "jobs.csv"
    path.write_text("scene,audio,output,silence_ramp_ms,silence_db\nshot.ma,vo.wav,out.ma,100,-40\n", encoding="utf-8")
    (job,) = load_jobs(path)
    assert isinstance(job, Job), job
    settings = animate_settings_from_dict(job.settings)
    assert settings.post.silence_ramp_ms == 100.0 and settings.post.silence_db == -40.0


def test_every_knob_round_trips_through_a_settings_file(tmp_path):
    settings = animate_settings_from_dict(SAMPLES)
    path = write_settings(tmp_path / "look.json", settings)
    back = read_settings(path)
    assert settings_to_dict(back) == settings_to_dict(settings)
    for name in KNOBS:
        assert value_of(back, name) == pytest.approx(SAMPLES[name]), name


def _too_big(knob: Knob) -> float:
    return knob.maximum * 10 + 1 if knob.maximum else 1e12


@pytest.mark.parametrize("name", [k.name for k in KNOBS.values() if k.knob.kind in ("float", "int")])
def test_out_of_range_values_are_refused_on_every_surface_naming_the_knob(name, tmp_path, capsys):
    from audio2face.cli import main
    from audio2face_maya.jobs import JobError, load_jobs

    knob = KNOBS[name].knob
    bad = _too_big(knob)
    with pytest.raises(Audio2FaceError, match=rf"^where: {name} must be .*{re.escape(format(knob.maximum, 'g'))}"):
        animate_settings_from_dict({name: bad}, where="where")
    with pytest.raises(Audio2FaceError, match=name):
        animate_settings_from_dict({name: math.nan})
    settings = AnimateSettings()
    setattr(knob_holder(settings, name), name, bad)
    with pytest.raises(Audio2FaceError, match=name):
        settings.validate()
    settings_file = tmp_path / "s.json"
    data = {"format": "audio2face-settings", "format_version": 1, "settings": {name: bad}}
    settings_file.write_text(json.dumps(data))
    with pytest.raises(Audio2FaceError, match=f"s.json.*{name}"):
        read_settings(settings_file)
    if "job" not in knob.off:
        jobs = tmp_path / "jobs.csv"
        jobs.write_text(f"scene,audio,output,{name}\nshot.ma,vo.wav,out.ma,{bad!r}\n", encoding="utf-8")
        (job,) = load_jobs(jobs)
        assert isinstance(job, JobError) and name in job.error and "\n" not in job.error
    if knob.cli:
        capsys.readouterr()
        assert main(["animate", "missing.wav", knob.cli, repr(bad)]) == 1
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert line.startswith(f"audio2face: error: {knob.cli}: {name} must be")


def test_the_cli_refuses_a_huge_smoothing_before_any_work(capsys, speech_wav):
    from audio2face.cli import main

    assert main(["animate", str(speech_wav), "--smoothing-ms", "1e12"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["audio2face: error: --smoothing-ms: smoothing_ms must be between 0 and 1000 ms, got 1e+12"]


def test_a_settings_file_is_the_base_and_flags_override_it(tmp_path):
    path = write_settings(tmp_path / "s.json", AnimateSettings(reduce=0.01), only_changed=True)
    parser = argparse.ArgumentParser()
    add_settings_arguments(parser)
    settings = settings_from_args(parser.parse_args(["--settings", str(path), "--smoothing-ms", "20"]))
    assert settings.reduce == 0.01 and settings.post.smoothing_ms == 20.0
    path.write_text('{"format": "audio2face-settings", "format_version": 1, "settings": {"smoothing": 3}}')
    with pytest.raises(Audio2FaceError, match="unknown settings: smoothing"):
        read_settings(path)


def test_paths_may_be_path_objects_and_wrong_types_are_refused_naming_the_knob(tmp_path):
    settings = AnimateSettings(model=tmp_path / "model", mapping=tmp_path / "map.json")
    settings.validate()
    assert settings.model == str(tmp_path / "model") and settings.mapping == str(tmp_path / "map.json")
    for name, value, message in (("strength", "loud", "strength must be a number between 0 and 5"),
                                 ("silence_gate", 1, "silence_gate must be true or false"),
                                 ("threads", 2.5, "threads must be a whole number"),
                                 ("gains", {"jawOpen": "x"}, "gains: jawOpen must be a finite number")):
        with pytest.raises(Audio2FaceError, match=message):
            animate_settings_from_dict({name: value})


def test_the_cli_saves_the_settings_it_ran_with(tmp_path):
    parser = argparse.ArgumentParser()
    add_settings_arguments(parser)
    saved = tmp_path / "look.json"
    settings = settings_from_args(parser.parse_args(["--smoothing-ms", "25", "--no-silence-gate",
                                                     "--save-settings", str(saved)]))
    data = json.loads(saved.read_text())
    assert data["settings"] == {"smoothing_ms": 25.0, "silence_gate": False}
    assert settings_to_dict(read_settings(saved)) == settings_to_dict(settings)


def test_mapping_takes_a_value_as_well_as_a_name(tiny_bundle, speech_wav):
    from audio2face.pipeline import animate

    value = {"jawOpen": "jawOpen", "lipsShut": {"expr": "max(jawOpen, mouthClose)", "gain": 0.5}}
    settings = AnimateSettings(model=str(tiny_bundle), mapping=value)
    curves = animate(speech_wav, settings)
    assert curves.names == ["jawOpen", "lipsShut"]
    assert curves.source["mapping"] == value
    assert settings_to_dict(settings)["mapping"] == value


def test_every_qc_threshold_is_a_qc_flag_checked_by_its_knob(capsys):
    from audio2face.cli import build_parser, main
    from audio2face.qc import QcSettings
    from audio2face.schema import entries

    knobs = list(entries(QcSettings))
    assert {k.name for k in knobs} == {f.name for f in dataclasses.fields(QcSettings)}
    argv = ["qc", "a.wav", "c.json"]
    for entry in knobs:
        if entry.knob.kind == "bool":  # a switch
            argv += [entry.knob.cli]
        else:
            argv += [entry.knob.cli, entry.knob.format(sample(entry.name, entry.knob, entry.default))]
    args = build_parser().parse_args(argv)
    from audio2face.commands.options import given_values

    settings = QcSettings(**given_values(args, knobs))
    for entry in knobs:
        assert getattr(settings, entry.name) == pytest.approx(sample(entry.name, entry.knob, entry.default))
    for entry in knobs:
        if entry.knob.kind not in ("float", "int"):
            continue
        capsys.readouterr()
        assert main(["qc", "a.wav", "c.json", entry.knob.cli, repr(_too_big(entry.knob))]) == 1
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert line.startswith(f"audio2face: error: {entry.knob.cli}: {entry.name} must be"), line
