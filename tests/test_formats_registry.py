"""The output-format registry: dispatch, CLI choices/help/flags, file filters, `info`, the docs table, a new format
added by its module alone, and the one-line error for a missing extra."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import audio2face.formats as formats_package
import numpy as np
import pytest
from audio2face.cli import build_parser, main
from audio2face.commands.animate import plan_outputs
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.formats import read_curves, registry, write_curves
from conftest import ROOT


def make_curves() -> Curves:
    weights = np.stack([np.linspace(0, 1, 12), np.linspace(1, 0, 12)], axis=1).astype(np.float32)
    return Curves(["jawOpen", "mouthSmile_L"], 30.0, weights, start_frame=1.0)


def animate_help() -> str:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices["animate"].format_help()


def test_every_format_registers_once_in_order():
    found = registry.all_formats()
    names = [f.name for f in found]
    assert names == ["json", "csv", "npy", "anim", "ma", "usd", "gltf"]
    extensions = registry.extensions()
    assert len(set(extensions)) == len(extensions)
    assert all(e.startswith(".") and e == e.lower() for e in extensions)
    assert {f.name: f.extra for f in found if f.extra} == {"usd": "usd", "gltf": "gltf"}
    assert formats_package.SUPPORTED_EXTENSIONS == extensions


def test_lookup_by_name_extension_and_path():
    assert registry.format_named("usdc").name == "usd"
    assert registry.format_named(".GLB").name == "gltf"
    assert [f.name for f in registry.formats_for_path("shot.USDA")] == ["usd"]
    assert registry.formats_for_path("shot.txt") == []
    assert registry.extension_for_choice("usd") == ".usd"
    assert registry.extension_for_choice("gltf") == ".gltf"
    with pytest.raises(Audio2FaceError, match="unknown format 'fbx'"):
        registry.format_named("fbx")


def test_unknown_extension_lists_the_registered_ones(tmp_path):
    with pytest.raises(Audio2FaceError, match=r"\.usda.*\.glb"):
        write_curves(make_curves(), tmp_path / "a.fbx")
    assert list(tmp_path.iterdir()) == []


def test_writer_options_are_checked_per_format(tmp_path):
    with pytest.raises(Audio2FaceError, match="json files take no options, not sparse"):
        write_curves(make_curves(), tmp_path / "a.json", sparse=True)
    with pytest.raises(Audio2FaceError, match="usd files take prim_path, sparse, not base"):
        write_curves(make_curves(), tmp_path / "a.usda", base="x.gltf")
    with pytest.raises(Audio2FaceError, match="interpolation must be one of LINEAR, STEP"):
        write_curves(make_curves(), tmp_path / "a.gltf", interpolation="CUBICSPLINE")
    assert list(tmp_path.iterdir()) == []


def test_fmt_forces_a_format_whatever_the_extension(tmp_path):
    path = tmp_path / "curves.txt"
    write_curves(make_curves(), path, fmt="csv")
    assert path.read_text().startswith("jawOpen,mouthSmile_L\n")


def test_file_filter_lists_every_format_for_qt_dialogs():
    text = registry.file_filter(first="ma")
    entries = text.split(";;")
    assert entries[0] == "Maya ASCII (*.ma)"
    assert entries[-1] == "All files (*)"
    assert "USD SkelAnimation (*.usda *.usdc *.usd)" in entries
    assert "glTF morph animation (*.gltf *.glb)" in entries
    assert len(entries) == len(registry.all_formats()) + 1
    for entry in entries[:-1]:
        assert registry.format_for_filter(entry) is not None
    assert registry.format_for_filter("All files (*)") is None


def test_the_panel_uses_the_registry_filter():
    source = (ROOT / "scripts" / "audio2face_maya" / "ui" / "generate_tab.py").read_text()
    assert 'OUTPUT_FILTER = file_filter(first="ma")' in source


def test_cli_help_comes_from_the_registry():
    text = " ".join(animate_help().split())
    assert f"comma-separated: {','.join(registry.cli_choices())} (default json)" in text
    for extension in registry.extensions():
        assert extension in text
    for fmt in registry.all_formats():
        assert fmt.label in text
        for option in fmt.options:
            assert option.flag(fmt.name) in text


def test_format_values_map_to_extensions(tmp_path, speech_wav):
    pairs = plan_outputs([str(speech_wav)], [str(tmp_path / "out")], "usdc,glb,usd,json")
    assert [p.name for p in pairs[0][1]] == ["speech.usdc", "speech.glb", "speech.usd", "speech.json"]
    with pytest.raises(Audio2FaceError, match="unknown --format 'fbx'"):
        plan_outputs([str(speech_wav)], [str(tmp_path / "out")], "json,fbx")


def test_cli_refuses_a_format_flag_without_that_output(tiny_bundle, speech_wav, tmp_path, capsys):
    code = main(["animate", str(speech_wav), "--model", str(tiny_bundle), "--out", str(tmp_path / "a.json"),
                 "--usd-sparse"])
    assert code == 1
    assert "--usd-sparse given but no USD SkelAnimation output" in capsys.readouterr().err
    assert list(tmp_path.glob("a.*")) == []


def test_info_lists_the_formats(capsys):
    assert main(["info", "--formats"]) == 0
    out = capsys.readouterr().out
    for fmt in registry.all_formats():
        assert re.search(rf"^  {fmt.name}\s+{re.escape(' '.join(fmt.extensions))}\s+{re.escape(fmt.label)}", out, re.M)
    assert "--usd-prim-path" in out and "--gltf-base" in out and "extra 'usd'" in out


def _docs_rows() -> list:
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    head = text.index("| format | extensions | label | extra | writer options |")
    rows = []
    for line in text[head:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")][:5]
        rows.append(tuple(re.findall(r"`([^`]*)`", c) if i in (1, 4) else c.strip("`") for i, c in enumerate(cells)))
    return rows


def test_docs_table_matches_the_registry():
    expected = [
        (
            f.name,
            list(f.extensions),
            f.label,
            f.extra or "",
            [o.flag(f.name) for o in f.options],
        )
        for f in registry.all_formats()
    ]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in _docs_rows()] == [tuple(e) for e in expected]


def test_missing_extra_is_one_line_naming_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pxr", None)
    monkeypatch.setitem(sys.modules, "pygltflib", None)
    for name, extra in (("a.usda", "usd"), ("a.glb", "gltf")):
        with pytest.raises(Audio2FaceError) as caught:
            write_curves(make_curves(), tmp_path / name)
        message = str(caught.value)
        assert "\n" not in message
        assert f"pip install 'audio2face-maya[{extra}]'" in message and name in message
    assert list(tmp_path.iterdir()) == []


def test_a_new_format_is_its_module_alone(tmp_path, monkeypatch, speech_wav):
    """A ``*_format.py`` module found on the package path shows up everywhere the registry feeds."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "toy_format.py").write_text(
        textwrap.dedent(
            '''
            from audio2face.formats.registry import OutputFormat, WriterOption

            def write(curves, path, *, blendshape_node=None, shout=False):
                text = ",".join(curves.names)
                open(path, "w").write(text.upper() if shout else text)
                return [path]

            def read(path):
                raise NotImplementedError

            OUTPUT_FORMAT = OutputFormat("toy", (".toy",), "Toy text", write, None, order=80,
                                         options=(WriterOption("shout", "toy: upper case", False),))
            '''
        )
    )
    monkeypatch.setattr(formats_package, "__path__", [*formats_package.__path__, str(folder)])
    registry.all_formats.cache_clear()
    try:
        assert registry.all_formats()[-1].name == "toy"
        assert "Toy text (*.toy)" in registry.file_filter()
        assert "toy" in registry.cli_choices()
        write_curves(make_curves(), tmp_path / "a.toy", shout=True)
        assert (tmp_path / "a.toy").read_text() == "JAWOPEN,MOUTHSMILE_L"
        with pytest.raises(Audio2FaceError, match="cannot be read back"):
            read_curves(tmp_path / "a.toy")
        assert "--toy-shout" in animate_help()
    finally:
        registry.all_formats.cache_clear()
        sys.modules.pop("audio2face.formats.toy_format", None)


def test_cli_writes_usd_and_gltf_with_their_flags(tiny_bundle, speech_wav, tmp_path):
    pytest.importorskip("pxr")
    pytest.importorskip("pygltflib")
    usd, glb = tmp_path / "o.usdc", tmp_path / "o.glb"
    code = main(["animate", str(speech_wav), "--model", str(tiny_bundle), "--out", str(usd), "--out", str(glb),
                 "--reduce", "0.01", "--usd-sparse", "--usd-prim-path", "/Face/Anim", "--gltf-interpolation", "STEP",
                 "--start-frame", "1001"])
    assert code == 0
    from pxr import Usd

    stage = Usd.Stage.Open(str(usd))
    attribute = stage.GetPrimAtPath("/Face/Anim").GetAttribute("blendShapeWeights")
    assert stage.GetStartTimeCode() == 1001 and 1 < len(attribute.GetTimeSamples()) < 60
    back = read_curves(glb)
    assert back.start_frame == 1001 and back.names[0] == "jawOpen"
    import pygltflib

    assert pygltflib.GLTF2.load(str(glb)).animations[0].samplers[0].interpolation == "STEP"


@pytest.mark.parametrize("module", ["usd_format", "gltf_format"])
def test_format_modules_import_without_their_library(module):
    source = (Path(formats_package.__file__).parent / f"{module}.py").read_text()
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not [line for line in top_level if "pxr" in line or "pygltflib" in line]
