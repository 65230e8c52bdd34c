"""USD SkelAnimation files: USD's own validators, round trips through usd-core, the sparse form, and a skinned mesh
bound to the animation evaluated with UsdSkel's query API."""

from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pytest
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.formats import read_curves, write_curves
from audio2face.key_reduction import reduce_curves

pxr = pytest.importorskip("pxr", reason="usd-core is not installed (pip install '.[usd]')")
from pxr import Gf, Usd, UsdGeom, UsdSkel, UsdValidation, Vt  # noqa: E402

NAMES = ["jawOpen", "mouthSmile_L", "eyeBlink_L"]


def make_curves(frames: int = 90, fps: float = 24.0, start_frame: float = 1001.0) -> Curves:
    t = np.arange(frames)
    jaw = np.clip(np.sin(t / 6.0), 0, 1)
    smile = 0.5 + 0.4 * np.sin(t / 11.0)
    weights = np.stack([jaw, smile, np.zeros(frames)], axis=1).astype(np.float32)
    return Curves(list(NAMES), fps, weights, start_frame=start_frame, source={"audio": "take1.wav"})


def validation_errors(stage: Usd.Stage) -> List[str]:
    """What every registered UsdValidation validator reports on ``stage`` (stage metadata included)."""
    validators = UsdValidation.ValidationRegistry().GetOrLoadAllValidators()
    assert len(validators) > 10
    names = {v.GetMetadata().name for v in validators}
    assert {"usdValidation:StageMetadataChecker", "usdGeomValidators:StageMetadataChecker"} <= names
    errors = UsdValidation.ValidationContext(validators).Validate(stage)
    return [f"{e.GetName()}: {e.GetMessage()}" for e in errors]


def samples(path: Path, prim: str = "/FaceAnimation") -> list:
    stage = Usd.Stage.Open(str(path))
    return stage.GetPrimAtPath(prim).GetAttribute("blendShapeWeights").GetTimeSamples()


@pytest.mark.parametrize("name", ["a.usda", "a.usdc", "a.usd"])
def test_round_trip_through_usd_core(tmp_path, name):
    curves = make_curves()
    assert write_curves(curves, tmp_path / name) == [tmp_path / name]
    back = read_curves(tmp_path / name)
    assert back.names == NAMES
    assert back.fps == 24.0 and back.start_frame == 1001.0 and back.frame_count == 90
    assert back.keys is None
    np.testing.assert_allclose(back.weights, curves.weights, atol=1e-6, rtol=0)
    header = (tmp_path / name).read_bytes()[:8]
    assert header == (b"#usda 1." if name.endswith(".usda") else b"PXR-USDC")


def test_layer_layout_and_stage_metadata(tmp_path):
    write_curves(make_curves(), tmp_path / "a.usda")
    stage = Usd.Stage.Open(str(tmp_path / "a.usda"))
    anim = UsdSkel.Animation(stage.GetDefaultPrim())
    assert anim and str(anim.GetPath()) == "/FaceAnimation"
    assert list(anim.GetBlendShapesAttr().Get()) == NAMES
    assert stage.GetTimeCodesPerSecond() == 24.0 and stage.GetFramesPerSecond() == 24.0
    assert (stage.GetStartTimeCode(), stage.GetEndTimeCode()) == (1001.0, 1090.0)
    assert UsdGeom.GetStageUpAxis(stage) == "Y" and UsdGeom.GetStageMetersPerUnit(stage) == 0.01
    data = stage.GetRootLayer().customLayerData["audio2face"]
    assert data["samples"] == "frames" and data["interpolation"] == "linear"
    assert samples(tmp_path / "a.usda") == [1001.0 + i for i in range(90)]


def test_usd_validators_report_nothing(tmp_path):
    reduced = reduce_curves(make_curves(), 0.01)
    written = [
        write_curves(make_curves(), tmp_path / "dense.usda")[0],
        write_curves(reduced, tmp_path / "sparse.usdc", sparse=True)[0],
        write_curves(make_curves(), tmp_path / "nested.usda", prim_path="/Rig/Face/Anim")[0],
    ]
    for path in written:
        assert validation_errors(Usd.Stage.Open(str(path))) == [], path


def test_the_validators_do_find_a_stage_without_metadata():
    stage = Usd.Stage.CreateInMemory()
    UsdSkel.Animation.Define(stage, "/FaceAnimation")
    found = " ".join(validation_errors(stage))
    assert "MissingDefaultPrim" in found and "MissingUpAxisMetadata" in found and "MissingMetersPerUnit" in found


def test_nested_prim_path(tmp_path):
    write_curves(make_curves(), tmp_path / "a.usda", prim_path="/Rig/Face/Anim")
    stage = Usd.Stage.Open(str(tmp_path / "a.usda"))
    assert str(stage.GetDefaultPrim().GetPath()) == "/Rig"
    assert stage.GetPrimAtPath("/Rig/Face").GetTypeName() == "Scope"
    assert stage.GetPrimAtPath("/Rig/Face/Anim").IsA(UsdSkel.Animation)
    assert read_curves(tmp_path / "a.usda").source["prim"] == "/Rig/Face/Anim"


@pytest.mark.parametrize("prim_path", ["FaceAnimation", "/", "/Face Animation", "/Face.attr", ""])
def test_bad_prim_path_writes_nothing(tmp_path, prim_path):
    with pytest.raises(Audio2FaceError, match="prim path"):
        write_curves(make_curves(), tmp_path / "a.usda", prim_path=prim_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", ["hermite", "linear"])
def test_sparse_form_samples_the_reduced_keys(tmp_path, mode):
    curves = make_curves()
    reduced = reduce_curves(curves, 0.01, mode)
    write_curves(reduced, tmp_path / "a.usda", sparse=True)
    times = samples(tmp_path / "a.usda")
    key_times = sorted({k.time for keys in reduced.keys.values() for k in keys})
    assert len(times) < curves.frame_count
    if mode == "linear":
        assert times == key_times
    stage = Usd.Stage.Open(str(tmp_path / "a.usda"))
    assert stage.GetRootLayer().customLayerData["audio2face"]["samples"] == "keys"
    back = read_curves(tmp_path / "a.usda")
    assert back.start_frame == 1001.0 and back.frame_count == 90
    assert np.abs(back.weights - curves.weights).max() <= 0.01


def test_sparse_linear_keys_are_the_keyed_curves_exactly(tmp_path):
    from audio2face.key_reduction import evaluate_keys

    reduced = reduce_curves(make_curves(), 0.02, "linear")
    write_curves(reduced, tmp_path / "a.usdc", sparse=True)
    stage = Usd.Stage.Open(str(tmp_path / "a.usdc"))
    attribute = stage.GetPrimAtPath("/FaceAnimation").GetAttribute("blendShapeWeights")
    for time in (1001.0, 1013.5, 1040.25, 1090.0):
        expected = [evaluate_keys(reduced.keys[n], [time])[0] for n in NAMES]
        np.testing.assert_allclose(np.array(attribute.Get(time)), expected, atol=1e-6)


def test_sparse_needs_reduced_keys(tmp_path):
    with pytest.raises(Audio2FaceError, match="--reduce"):
        write_curves(make_curves(), tmp_path / "a.usda", sparse=True)
    assert list(tmp_path.iterdir()) == []


def test_non_finite_or_empty_writes_nothing(tmp_path):
    curves = make_curves()
    curves.weights[5, 1] = np.nan
    with pytest.raises(Audio2FaceError, match="mouthSmile_L"):
        write_curves(curves, tmp_path / "a.usda")
    with pytest.raises(Audio2FaceError, match="no frames"):
        write_curves(Curves(NAMES, 30.0, np.zeros((0, 3))), tmp_path / "b.usda")
    assert list(tmp_path.iterdir()) == []


def test_reader_errors_name_the_file(tmp_path):
    stage = Usd.Stage.CreateNew(str(tmp_path / "empty.usda"))
    UsdGeom.Xform.Define(stage, "/World")
    stage.GetRootLayer().Save()
    with pytest.raises(Audio2FaceError, match="empty.usda: no SkelAnimation"):
        read_curves(tmp_path / "empty.usda")
    (tmp_path / "junk.usda").write_text("#usda 1.0\ndef Nope {{{\n")
    with pytest.raises(Audio2FaceError, match="junk.usda: USD cannot open it"):
        read_curves(tmp_path / "junk.usda")


def build_rig(stage: Usd.Stage, animation: Path, mesh_targets: List[str]) -> tuple:
    """A SkelRoot with a one-joint skeleton whose animationSource references ``animation``, and a triangle mesh
    bound to it with one blend shape per name in ``mesh_targets`` (offset +z on every point)."""
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y)
    UsdGeom.SetStageMetersPerUnit(stage, 0.01)
    root = UsdSkel.Root.Define(stage, "/Rig")
    stage.SetDefaultPrim(root.GetPrim())
    skeleton = UsdSkel.Skeleton.Define(stage, "/Rig/Skel")
    skeleton.CreateJointsAttr(Vt.TokenArray(["root"]))
    skeleton.CreateBindTransformsAttr(Vt.Matrix4dArray([Gf.Matrix4d(1)]))
    skeleton.CreateRestTransformsAttr(Vt.Matrix4dArray([Gf.Matrix4d(1)]))
    anim = stage.DefinePrim("/Rig/Skel/Anim")
    anim.GetReferences().AddReference(str(animation))
    UsdSkel.BindingAPI.Apply(skeleton.GetPrim()).CreateAnimationSourceRel().SetTargets([anim.GetPath()])
    mesh = UsdGeom.Mesh.Define(stage, "/Rig/Face")
    mesh.CreatePointsAttr(Vt.Vec3fArray([(0, 0, 0), (1, 0, 0), (0, 1, 0)]))
    mesh.CreateFaceVertexCountsAttr([3])
    mesh.CreateFaceVertexIndicesAttr([0, 1, 2])
    mesh.CreateExtentAttr(Vt.Vec3fArray([(0, 0, 0), (1, 1, 0)]))
    binding = UsdSkel.BindingAPI.Apply(mesh.GetPrim())
    binding.CreateSkeletonRel().SetTargets([skeleton.GetPath()])
    binding.CreateJointIndicesPrimvar(True, 1).Set(Vt.IntArray([0]))
    binding.CreateJointWeightsPrimvar(True, 1).Set(Vt.FloatArray([1.0]))
    targets = []
    for number in range(len(mesh_targets)):
        shape = UsdSkel.BlendShape.Define(stage, f"/Rig/Face/shape{number}")
        shape.CreateOffsetsAttr(Vt.Vec3fArray([(0, 0, 1.0)] * 3))
        shape.CreatePointIndicesAttr(Vt.IntArray([0, 1, 2]))
        targets.append(shape.GetPath())
    binding.CreateBlendShapesAttr(Vt.TokenArray(mesh_targets))
    binding.CreateBlendShapeTargetsRel().SetTargets(targets)
    return root, skeleton, mesh


@pytest.mark.parametrize("sparse", [False, True])
def test_a_skinned_mesh_bound_to_the_animation_gets_the_weights(tmp_path, sparse):
    curves = reduce_curves(make_curves(), 0.01) if sparse else make_curves()
    write_curves(curves, tmp_path / "anim.usdc", sparse=sparse)
    stage = Usd.Stage.CreateNew(str(tmp_path / "rig.usda"))
    mesh_targets = ["eyeBlink_L", "jawOpen", "browUp", "mouthSmile_L"]
    root, skeleton, mesh = build_rig(stage, tmp_path / "anim.usdc", mesh_targets)
    stage.GetRootLayer().Save()
    assert validation_errors(stage) == []

    cache = UsdSkel.Cache()
    cache.Populate(root, Usd.TraverseInstanceProxies())
    anim_query = cache.GetSkelQuery(skeleton).GetAnimQuery()
    assert list(anim_query.GetBlendShapeOrder()) == NAMES
    skinning = cache.GetSkinningQuery(mesh.GetPrim())
    mapper = skinning.GetBlendShapeMapper()
    shapes = UsdSkel.BlendShapeQuery(UsdSkel.BindingAPI(mesh.GetPrim()))
    rest = mesh.GetPointsAttr().Get()
    tolerance = 0.01 if sparse else 1e-6
    for frame in (1001, 1010, 1047, 1090):
        row = curves.weights[frame - 1001]
        weights = anim_query.ComputeBlendShapeWeights(Usd.TimeCode(frame))
        np.testing.assert_allclose(np.array(weights), row, atol=tolerance, rtol=0)
        on_mesh = np.array(mapper.Remap(weights))
        expected = [row[NAMES.index(n)] if n in NAMES else 0.0 for n in mesh_targets]
        np.testing.assert_allclose(on_mesh, expected, atol=tolerance, rtol=0)
        sub_weights, indices, sub_indices = shapes.ComputeSubShapeWeights(mapper.Remap(weights))
        points = Vt.Vec3fArray(rest)
        assert shapes.ComputeDeformedPoints(sub_weights, indices, sub_indices,
                                            shapes.ComputeBlendShapePointIndices(),
                                            shapes.ComputeSubShapePointOffsets(), points)
        np.testing.assert_allclose([p[2] for p in points], [sum(expected)] * 3, atol=3 * tolerance)
