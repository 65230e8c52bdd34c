"""Hostile text inputs: BOMs, Latin-1, 100000-deep nesting, repeated keys and columns, reserved names.

Every text file is read as UTF-8 with an optional BOM (Windows Notepad); anything else, and any shape the
readers cannot trust, is a one-line ``Audio2FaceError`` naming the file (docs/errors.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from audio2face.bundle import load_bundle
from audio2face.cli import main
from audio2face.dataset import load_dataset
from audio2face.errors import Audio2FaceError
from audio2face.formats import read_curves, write_curves
from audio2face.qc import qc_report
from audio2face.retarget import load_mapping
from audio2face_maya.jobs import load_jobs
from fuzz_factory import BOM, nested_json
from test_fuzz_audio import one_line_error

JOB = {"scene": "shot.ma", "audio": "shot.wav", "output": "out.ma"}


def job_count(path: Path) -> int:
    return len(load_jobs(path))


# --- item 9: BOM and encodings ---------------------------------------------------------------------------


def test_a_target_list_saved_by_notepad_loses_its_bom(tmp_path: Path, tiny_bundle: Path, speech_wav: Path,
                                                     capsys) -> None:
    targets = tmp_path / "targets.txt"
    targets.write_bytes((BOM + "jawOpen\r\nmouthFunnel\r\n").encode("utf-8"))
    out = tmp_path / "o.json"
    assert main(["animate", str(speech_wav), "--model", str(tiny_bundle), "--targets", str(targets),
                 "--out", str(out)]) == 0
    assert "no model channel drives" not in capsys.readouterr().err
    assert json.loads(out.read_text())["names"] == ["jawOpen", "mouthFunnel"]


def test_json_inputs_with_a_bom_are_read(tmp_path: Path, tiny_bundle: Path) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text(BOM + json.dumps({"targets": {"JawOpen": "jawOpen"}}), encoding="utf-8")
    assert list(load_mapping(mapping)) == ["JawOpen"]
    jobs = tmp_path / "jobs.json"
    jobs.write_text(BOM + json.dumps([JOB]), encoding="utf-8")
    assert job_count(jobs) == 1
    csv_jobs = tmp_path / "jobs.csv"
    csv_jobs.write_text(BOM + "scene,audio,output\nshot.ma,shot.wav,out.ma\n", encoding="utf-8")
    assert job_count(csv_jobs) == 1
    meta = tiny_bundle / "model.json"
    meta.write_text(BOM + meta.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_bundle(tiny_bundle).channels[0] == "jawOpen"


def test_latin1_files_are_a_one_line_error(tmp_path: Path, tiny_bundle: Path, speech_wav: Path, capsys) -> None:
    targets = tmp_path / "targets.txt"
    targets.write_bytes("mâchoire\n".encode("latin-1"))
    code = main(["animate", str(speech_wav), "--model", str(tiny_bundle), "--targets", str(targets)])
    one_line_error(capsys, code, "targets.txt", "not UTF-8", "line 1")
    mapping = tmp_path / "map.json"
    mapping.write_bytes('{"targets": {"mâchoire": "jawOpen"}}'.encode("latin-1"))
    with pytest.raises(Audio2FaceError, match="map.json: mapping file is not UTF-8"):
        load_mapping(mapping)
    for name, text in (("jobs.json", json.dumps([{**JOB, "name": "é"}], ensure_ascii=False)),
                       ("jobs.csv", "scene,audio,output,name\nshot.ma,shot.wav,out.ma,é\n")):
        (tmp_path / name).write_bytes(text.encode("latin-1"))
        with pytest.raises(Audio2FaceError, match=f"{name}: jobs file is not UTF-8"):
            load_jobs(tmp_path / name)


# --- depth ----------------------------------------------------------------------------------------------


def test_json_nested_100000_deep_is_a_one_line_error(tmp_path: Path, tiny_bundle: Path, speech_wav: Path,
                                                     capsys) -> None:
    deep = nested_json(100_000)
    (tiny_bundle / "model.json").write_text('{"format": ' + deep + "}")
    with pytest.raises(Audio2FaceError, match="model.json.*nested too deeply"):
        load_bundle(tiny_bundle)
    code = main(["animate", str(speech_wav), "--model", str(tiny_bundle)])
    one_line_error(capsys, code, "model.json", "nested too deeply")
    for name, read in (("jobs.json", load_jobs), ("map.json", load_mapping), ("curves.json", read_curves)):
        (tmp_path / name).write_text('{"jobs": ' + deep + "}")
        with pytest.raises(Audio2FaceError, match=f"{name}: .*nested too deeply"):
            read(tmp_path / name)


# --- repeated keys and columns: no silent "last one wins" ---------------------------------------------


def test_a_mapping_naming_a_target_twice_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text('{"targets": {"jawOpen": "jawOpen", "jawOpen": "mouthClose"}}')
    with pytest.raises(Audio2FaceError, match="map.json: mapping file has the key 'jawOpen' twice"):
        load_mapping(mapping)


def test_repeated_csv_columns_are_refused(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("scene,audio,output,output\nshot.ma,shot.wav,a.ma,b.ma\n")
    with pytest.raises(Audio2FaceError, match="jobs.csv: CSV jobs file has the column 'output' twice"):
        load_jobs(jobs)
    curves = tmp_path / "c.csv"
    curves.write_text("jawOpen,jawOpen\n0.1,0.2\n0.3,0.4\n")
    with pytest.raises(Audio2FaceError, match="c.csv: .*'jawOpen' twice"):
        read_curves(curves)


def test_a_jobs_file_or_index_with_a_repeated_key_is_refused(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.json"
    jobs.write_text('[{"scene": "a.ma", "audio": "a.wav", "output": "x.ma", "output": "y.ma"}]')
    with pytest.raises(Audio2FaceError, match="jobs.json: jobs file has the key 'output' twice"):
        load_jobs(jobs)
    data = tmp_path / "data"
    data.mkdir()
    (data / "dataset.json").write_text('{"format": "audio2face-dataset", "format_version": 1, "clips": [], '
                                       '"clips": []}')
    with pytest.raises(Audio2FaceError, match="dataset.json: .*'clips' twice"):
        load_dataset(data)


# --- reserved and mismatched ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["neutral", "", " ", "Neutral"])
def test_an_emotion_preset_with_a_reserved_name_is_refused(tiny_bundle: Path, name: str) -> None:
    meta = json.loads((tiny_bundle / "model.json").read_text())
    meta["emotion"]["presets"][name] = [0.5, 0.0, 0.0, 0.0]
    (tiny_bundle / "model.json").write_text(json.dumps(meta))
    with pytest.raises(Audio2FaceError, match="preset name .* is reserved"):
        load_bundle(tiny_bundle)


@pytest.mark.parametrize("emotion", [["size"], "x", {"size": 4, "neutral": [0, 0, 0, 0], "presets": ["open"]},
                                     {"size": True}])
def test_an_emotion_block_of_the_wrong_shape_is_refused(tiny_bundle: Path, emotion) -> None:
    meta = json.loads((tiny_bundle / "model.json").read_text())
    meta["emotion"] = emotion
    (tiny_bundle / "model.json").write_text(json.dumps(meta))
    with pytest.raises(Audio2FaceError, match="model.json"):
        load_bundle(tiny_bundle)


def test_qc_refuses_curves_that_are_not_the_audio_s_shot(tmp_path: Path, speech_wav: Path) -> None:
    from audio2face.curves import Curves

    long_curves = Curves(["jawOpen"], 30.0, np.zeros((9993 * 30, 1), np.float32))
    write_curves(long_curves, tmp_path / "long.npy")
    with pytest.raises(Audio2FaceError, match="9993.00 s but the audio 2.00 s: not the same shot"):
        qc_report(speech_wav, tmp_path / "long.npy")


# --- generated: mutated JSON documents --------------------------------------------------------------


def mutations(doc: str, count: int, seed: int):
    rng = np.random.default_rng(seed)
    pieces = ["[", "]", "{", "}", '"', ",", ":", "null", "true", "1e999", "-1", '""', "[]", "{}", "NaN", "\ufeff"]
    for _ in range(count):
        text = list(doc)
        for _ in range(int(rng.integers(1, 4))):
            at = int(rng.integers(0, len(text)))
            text[at] = pieces[int(rng.integers(0, len(pieces)))]
        yield "".join(text)


def test_mutated_model_json_mapping_and_jobs_end_in_a_result_or_a_one_line_error(tmp_path: Path,
                                                                                tiny_bundle: Path) -> None:
    meta_text = (tiny_bundle / "model.json").read_text()
    cases = [
        (tiny_bundle / "model.json", meta_text, load_bundle, tiny_bundle),
        (tmp_path / "map.json", json.dumps({"targets": {"a": "jawOpen", "b": {"expr": "max(x, y)", "gain": 2}}}),
         load_mapping, None),
        (tmp_path / "jobs.json", json.dumps({"defaults": {"fps": 24}, "jobs": [JOB]}), load_jobs, None),
    ]
    seen = {"ok": 0, "refused": 0}
    for path, good, read, argument in cases:
        for text in mutations(good, 40, seed=len(good)):
            path.write_text(text, encoding="utf-8")
            try:
                read(argument or path)
            except Audio2FaceError as exc:
                assert "\n" not in str(exc)
                seen["refused"] += 1
            else:
                seen["ok"] += 1
    assert seen["refused"] > 0
