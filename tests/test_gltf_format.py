"""glTF morph-target weights animation: structure, pygltflib's validator, round trips, STEP/LINEAR, the sparse samples,
and adding the animation to a copy of a base file."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.formats import read_curves, write_curves
from audio2face.key_reduction import reduce_curves

pygltflib = pytest.importorskip("pygltflib", reason="pygltflib is not installed (pip install '.[gltf]')")
from pygltflib import validator  # noqa: E402

NAMES = ["jawOpen", "mouthSmile_L", "eyeBlink_L"]


def _png() -> bytes:
    """A valid 1x1 grey PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PNG = _png()


def make_curves(frames: int = 90, fps: float = 24.0, start_frame: float = 1001.0) -> Curves:
    t = np.arange(frames)
    jaw = np.clip(np.sin(t / 6.0), 0, 1)
    smile = 0.5 + 0.4 * np.sin(t / 11.0)
    weights = np.stack([jaw, smile, np.zeros(frames)], axis=1).astype(np.float32)
    return Curves(list(NAMES), fps, weights, start_frame=start_frame)


def load(path: Path) -> Any:
    gltf = pygltflib.GLTF2.load(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert validator.validate(gltf) == []
    return gltf


def accessor_floats(gltf: Any, path: Path, index: int) -> np.ndarray:
    accessor = gltf.accessors[index]
    view = gltf.bufferViews[accessor.bufferView]
    uri = gltf.buffers[view.buffer].uri
    data = gltf.binary_blob() if uri is None else base64.b64decode(uri.split(",", 1)[1])
    start = view.byteOffset + (accessor.byteOffset or 0)
    assert start % 4 == 0
    return np.frombuffer(data, dtype="<f4", count=accessor.count * 3 if accessor.type == "VEC3" else accessor.count,
                         offset=start)


@pytest.mark.parametrize("name", ["a.gltf", "a.glb"])
def test_placeholder_mesh_and_one_weights_animation(tmp_path, name):
    curves = make_curves()
    assert write_curves(curves, tmp_path / name) == [tmp_path / name]
    gltf = load(tmp_path / name)
    assert gltf.asset.version == "2.0"
    assert len(gltf.meshes) == 1 and len(gltf.nodes) == 1 and gltf.scenes[gltf.scene].nodes == [0]
    mesh = gltf.meshes[0]
    assert mesh.extras["targetNames"] == NAMES and mesh.weights == [0.0, 0.0, 0.0]
    (primitive,) = mesh.primitives
    assert len(primitive.targets) == 3
    for target in primitive.targets:
        zeros = gltf.accessors[target["POSITION"]]
        assert zeros.bufferView is None and zeros.count == 3 and zeros.min == zeros.max == [0.0, 0.0, 0.0]
    (animation,) = gltf.animations
    (channel,) = animation.channels
    assert (channel.target.node, channel.target.path) == (0, "weights")
    sampler = animation.samplers[channel.sampler]
    assert sampler.interpolation == "LINEAR"
    times = accessor_floats(gltf, tmp_path / name, sampler.input)
    np.testing.assert_allclose(times, np.arange(90) / 24.0, atol=1e-6)
    assert gltf.accessors[sampler.input].min == [0.0] and gltf.accessors[sampler.input].max[0] == pytest.approx(89 / 24)
    values = accessor_floats(gltf, tmp_path / name, sampler.output).reshape(90, 3)
    np.testing.assert_array_equal(values, curves.weights)
    assert animation.extras["audio2face"] == {"fps": 24.0, "start_frame": 1001.0}


@pytest.mark.parametrize("name", ["a.gltf", "a.glb"])
@pytest.mark.parametrize("interpolation", ["LINEAR", "STEP"])
def test_round_trip(tmp_path, name, interpolation):
    curves = make_curves()
    write_curves(curves, tmp_path / name, interpolation=interpolation)
    back = read_curves(tmp_path / name)
    assert back.names == NAMES and back.fps == 24.0 and back.start_frame == 1001.0 and back.frame_count == 90
    np.testing.assert_array_equal(back.weights, curves.weights)


def test_gltf_is_one_self_contained_file(tmp_path):
    write_curves(make_curves(), tmp_path / "a.gltf")
    assert [p.name for p in tmp_path.iterdir()] == ["a.gltf"]
    data = json.loads((tmp_path / "a.gltf").read_text())
    assert data["buffers"][0]["uri"].startswith("data:application/octet-stream;base64,")


def test_reduced_keys_give_fewer_samples(tmp_path):
    curves = make_curves()
    reduced = reduce_curves(curves, 0.01)
    write_curves(reduced, tmp_path / "a.glb")
    gltf = load(tmp_path / "a.glb")
    count = gltf.accessors[gltf.animations[0].samplers[0].input].count
    assert count < curves.frame_count
    back = read_curves(tmp_path / "a.glb")
    assert back.frame_count == 90 and np.abs(back.weights - curves.weights).max() <= 0.01
    write_curves(reduced, tmp_path / "s.glb", interpolation="STEP")
    stepped = read_curves(tmp_path / "s.glb")
    sampled = np.round(accessor_floats(gltf, tmp_path / "a.glb", gltf.animations[0].samplers[0].input) * 24).astype(int)
    np.testing.assert_allclose(stepped.weights[sampled], back.weights[sampled], atol=1e-6)
    held = np.setdiff1d(np.arange(90), sampled)
    np.testing.assert_array_equal(stepped.weights[held], stepped.weights[held - 1])


def test_bad_interpolation_and_non_finite_write_nothing(tmp_path):
    with pytest.raises(Audio2FaceError, match="interpolation"):
        write_curves(make_curves(), tmp_path / "a.glb", interpolation="CUBICSPLINE")
    curves = make_curves()
    curves.weights[3, 0] = np.inf
    with pytest.raises(Audio2FaceError, match="jawOpen"):
        write_curves(curves, tmp_path / "a.glb")
    assert list(tmp_path.iterdir()) == []


def make_base(folder: Path) -> Path:
    """A base .gltf with an external .bin and image: a head mesh with four named targets (another order, one
    extra), default weights, a second node and a translation animation of its own."""
    lib = pygltflib
    positions = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], dtype="<f4")
    deltas = [np.full((3, 3), 0.1 * (i + 1), dtype="<f4") for i in range(4)]
    times = np.array([0.0, 1.0], dtype="<f4")
    moves = np.array([[0, 0, 0], [0, 1, 0]], dtype="<f4")
    pieces = [positions, *deltas, times, moves]
    blob, views = b"", []
    for number, piece in enumerate(pieces):
        target = 34962 if number < 5 else None
        views.append(lib.BufferView(buffer=0, byteOffset=len(blob), byteLength=piece.nbytes, target=target))
        blob += piece.tobytes()
    (folder / "base.bin").write_bytes(blob)
    (folder / "skin.png").write_bytes(PNG)

    def vec3(view: int, values: np.ndarray) -> Any:
        return lib.Accessor(bufferView=view, componentType=5126, count=3, type="VEC3",
                            min=values.min(0).tolist(), max=values.max(0).tolist())

    accessors = [vec3(0, positions)] + [vec3(i + 1, d) for i, d in enumerate(deltas)] + [
        lib.Accessor(bufferView=5, componentType=5126, count=2, type="SCALAR", min=[0.0], max=[1.0]),
        lib.Accessor(bufferView=6, componentType=5126, count=2, type="VEC3"),
    ]
    targets = ["browUp", "eyeBlink_L", "jawOpen", "mouthSmile_L"]
    gltf = lib.GLTF2(
        asset=lib.Asset(version="2.0", generator="test"),
        buffers=[lib.Buffer(uri="base.bin", byteLength=len(blob))],
        bufferViews=views,
        accessors=accessors,
        images=[lib.Image(uri="skin.png")],
        meshes=[lib.Mesh(name="head", weights=[0.25, 0.0, 0.0, 0.0],
                         primitives=[lib.Primitive(attributes=lib.Attributes(POSITION=0),
                                                   targets=[lib.Attributes(POSITION=i + 1) for i in range(4)])],
                         extras={"targetNames": targets})],
        nodes=[lib.Node(name="root", children=[1]), lib.Node(name="head", mesh=0)],
        scenes=[lib.Scene(nodes=[0])],
        scene=0,
        animations=[lib.Animation(name="bob", samplers=[lib.AnimationSampler(input=5, output=6)],
                                  channels=[lib.AnimationChannel(sampler=0, target=lib.AnimationChannelTarget(
                                      node=0, path="translation"))])],
    )
    path = folder / "base.gltf"
    path.write_text(gltf.gltf_to_json())
    return path


@pytest.mark.parametrize("name", ["out.gltf", "out.glb"])
def test_base_file_gets_the_animation_in_a_copy(tmp_path, name):
    base_folder = tmp_path / "base"
    base_folder.mkdir()
    base = make_base(base_folder)
    before = {p.name: p.read_bytes() for p in base_folder.iterdir()}
    out_folder = tmp_path / "elsewhere"
    out_folder.mkdir()
    curves = make_curves()
    write_curves(curves, out_folder / name, base=base)
    assert {p.name: p.read_bytes() for p in base_folder.iterdir()} == before
    assert [p.name for p in out_folder.iterdir()] == [name]

    gltf = load(out_folder / name)
    assert [n.name for n in gltf.nodes] == ["root", "head"] and [m.name for m in gltf.meshes] == ["head"]
    assert [a.name for a in gltf.animations] == ["bob", "audio2face"]
    assert len(gltf.buffers) == 1
    if name.endswith(".glb"):
        image = gltf.images[0]
        assert image.uri is None and image.mimeType == "image/png"
        view = gltf.bufferViews[image.bufferView]
        assert gltf.binary_blob()[view.byteOffset : view.byteOffset + view.byteLength] == PNG
    else:
        assert gltf.images[0].uri == "data:image/png;base64," + base64.b64encode(PNG).decode()
    ours = gltf.animations[1]
    assert (ours.channels[0].target.node, ours.channels[0].target.path) == (1, "weights")
    deltas = accessor_floats(gltf, out_folder / name, gltf.meshes[0].primitives[0].targets[3]["POSITION"])
    np.testing.assert_allclose(deltas, 0.4, atol=1e-7)
    bob = accessor_floats(gltf, out_folder / name, gltf.animations[0].samplers[0].output)
    np.testing.assert_array_equal(bob, [0, 0, 0, 0, 1, 0])

    back = read_curves(out_folder / name)
    assert back.names == ["browUp", "eyeBlink_L", "jawOpen", "mouthSmile_L"]
    np.testing.assert_allclose(back.channel("browUp"), 0.25)
    for channel in NAMES:
        np.testing.assert_array_equal(back.channel(channel), curves.channel(channel))


def test_base_without_a_matching_mesh_is_refused(tmp_path):
    base = make_base(tmp_path)
    curves = Curves(["jawOpen", "tongueOut"], 30.0, np.zeros((5, 2)))
    with pytest.raises(Audio2FaceError, match="no mesh whose targetNames hold every curve name.*lacks tongueOut"):
        write_curves(curves, tmp_path / "out.glb", base=base)
    with pytest.raises(Audio2FaceError, match="no such base glTF file"):
        write_curves(make_curves(), tmp_path / "out.glb", base=tmp_path / "missing.gltf")
    assert not (tmp_path / "out.glb").exists()


def test_reader_refuses_what_it_cannot_read(tmp_path):
    write_curves(make_curves(), tmp_path / "a.gltf")
    data = json.loads((tmp_path / "a.gltf").read_text())
    data["animations"][0]["samplers"][0]["interpolation"] = "CUBICSPLINE"
    (tmp_path / "cubic.gltf").write_text(json.dumps(data))
    with pytest.raises(Audio2FaceError, match="cubic.gltf: CUBICSPLINE"):
        read_curves(tmp_path / "cubic.gltf")
    del data["animations"]
    (tmp_path / "still.gltf").write_text(json.dumps(data))
    with pytest.raises(Audio2FaceError, match="still.gltf: no morph-target weights animation"):
        read_curves(tmp_path / "still.gltf")


def test_other_tools_files_take_the_rate_from_the_caller(tmp_path):
    write_curves(make_curves(fps=30.0, start_frame=1.0), tmp_path / "a.gltf")
    data = json.loads((tmp_path / "a.gltf").read_text())
    del data["animations"][0]["extras"]
    (tmp_path / "plain.gltf").write_text(json.dumps(data))
    assert read_curves(tmp_path / "plain.gltf").fps == 30.0
    back = read_curves(tmp_path / "plain.gltf", fps=60.0, start_frame=10.0)
    assert back.fps == 60.0 and back.start_frame == 10.0 and back.frame_count == 179


def _khronos_validator() -> str:
    folder = os.environ.get("GLTF_VALIDATOR_NODE_PATH", "")
    node = shutil.which("node")
    if not node or not (Path(folder) / "gltf-validator").is_dir():
        pytest.skip("Khronos glTF-Validator not found: npm install gltf-validator, set GLTF_VALIDATOR_NODE_PATH")
    return node


def test_khronos_validator_reports_nothing(tmp_path):
    node = _khronos_validator()
    base_folder = tmp_path / "base"
    base_folder.mkdir()
    files = [write_curves(make_curves(), tmp_path / "a.gltf")[0],
             write_curves(reduce_curves(make_curves(), 0.01), tmp_path / "b.glb", interpolation="STEP")[0],
             write_curves(make_curves(), tmp_path / "c.glb", base=make_base(base_folder))[0]]
    script = (
        "const v = require('gltf-validator'); const fs = require('fs');"
        "v.validateBytes(new Uint8Array(fs.readFileSync(process.argv[1])))"
        ".then(r => console.log(JSON.stringify(r.issues)));"
    )
    env = dict(os.environ, NODE_PATH=os.environ["GLTF_VALIDATOR_NODE_PATH"])
    for path in files:
        out = subprocess.run([node, "-e", script, str(path)], capture_output=True, text=True, env=env, check=True)
        issues = json.loads(out.stdout)
        codes = [m["code"] for m in issues["messages"] if m["code"] != "UNUSED_OBJECT" or path.name != "c.glb"]
        assert issues["numErrors"] == 0 and issues["numWarnings"] == 0 and not codes, (path.name, issues)
