"""Secondary motion: blinks, eye darts, brows and head motion from the speech, deterministic per seed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.retarget import parse_spec
from audio2face.secondary import ARKIT_HEAD, SecondarySettings, apply_secondary
from audio2face.secondary.blinks import Blink, blink_curve
from audio2face.secondary.prosody import analyse
from audio2face.secondary.roles import find_roles
from conftest import speech_like

RATE = 16000
FPS = 30.0
ARKIT_EYES_BROWS = [
    "jawOpen", "eyeBlinkLeft", "eyeBlinkRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeLookDownLeft",
    "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight", "eyeLookOutLeft", "eyeLookOutRight", "browInnerUp",
    "browOuterUpLeft", "browOuterUpRight", "browDownLeft", "browDownRight",
]


def _phrases(seconds: float = 120.0, seed: int = 0) -> np.ndarray:
    """Speech in phrases of 1.5-4 s with 0.3-1.2 s pauses between them."""
    rng = np.random.default_rng(seed)
    pauses, t = [], 0.0
    while t < seconds:
        t += rng.uniform(1.5, 4.0)
        gap = rng.uniform(0.3, 1.2)
        pauses.append((t, min(t + gap, seconds)))
        t += gap
    return speech_like(seconds, RATE, silence=tuple(pauses), seed=seed)


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return _phrases()


def _curves(samples: np.ndarray, names=ARKIT_EYES_BROWS) -> Curves:
    frames = int(samples.size / RATE * FPS)
    weights = np.zeros((frames, len(names)), np.float32)
    weights[:, 0] = 0.3
    return Curves(names, FPS, weights)


def test_off_by_default_changes_nothing(speech):
    curves = _curves(speech)
    assert apply_secondary(curves, speech, RATE, SecondarySettings()) is curves


def test_blinks_at_a_human_rate_and_duration_mostly_in_pauses(speech):
    out = apply_secondary(_curves(speech), speech, RATE, SecondarySettings(blinks=True))
    blinks = out.secondary.blinks
    minutes = speech.size / RATE / 60.0
    assert 15 <= len(blinks) / minutes <= 20
    durations = np.array([b.duration for b in blinks])
    assert ((durations >= 0.1) & (durations <= 0.4)).all()
    prosody = analyse(speech, RATE, FPS, out.frame_count)
    pause = np.zeros(out.frame_count, bool)
    for a, b in prosody.pauses:
        pause[a:b] = True
    in_pause = np.mean([pause[min(int((b.start + 0.3 * b.duration) * FPS), out.frame_count - 1)] for b in blinks])
    assert in_pause > 1.5 * pause.mean()
    left = out.channel("eyeBlinkLeft")
    np.testing.assert_array_equal(left, out.channel("eyeBlinkRight"))
    assert left.max() == pytest.approx(1.0) and left.min() == 0.0
    assert out.secondary.names[:2] == ["eyeBlinkLeft", "eyeBlinkRight"]
    np.testing.assert_array_equal(out.channel("jawOpen"), np.float32(0.3))


def test_blink_closes_faster_than_it_opens():
    fps = 1000.0
    curve = blink_curve([Blink(0.1, 0.3, 1.0)], 500, fps)
    peak = int(np.argmax(curve))
    closing = peak - int(np.flatnonzero(curve > 0.05)[0])
    opening = int(np.flatnonzero(curve > 0.05)[-1]) - peak
    assert opening > 1.5 * closing


def test_same_seed_same_motion_and_parts_are_independent(speech):
    both = SecondarySettings(blinks=True, gaze=True, seed=3)
    a = apply_secondary(_curves(speech), speech, RATE, both)
    b = apply_secondary(_curves(speech), speech, RATE, both)
    np.testing.assert_array_equal(a.weights, b.weights)
    other = apply_secondary(_curves(speech), speech, RATE, dataclasses.replace(both, seed=4))
    assert not np.array_equal(a.weights, other.weights)
    blinks_only = apply_secondary(_curves(speech), speech, RATE, SecondarySettings(blinks=True, seed=3))
    np.testing.assert_array_equal(blinks_only.channel("eyeBlinkLeft"), a.channel("eyeBlinkLeft"))


def test_gaze_darts_are_small_fast_and_conjugate(speech):
    out = apply_secondary(_curves(speech), speech, RATE, SecondarySettings(gaze=True, gaze_range_deg=10))
    look_out_l, look_in_r = out.channel("eyeLookOutLeft"), out.channel("eyeLookInRight")
    np.testing.assert_array_equal(look_out_l, look_in_r)
    assert 0 < look_out_l.max() <= 10 / 30 + 1e-6
    moves = np.abs(np.diff(look_out_l - out.channel("eyeLookInLeft")))
    fixations = np.sum(moves < 1e-6) / moves.size
    assert fixations > 0.8
    assert not (out.channel("eyeLookOutLeft") * out.channel("eyeLookInLeft")).any()


def test_gaze_on_a_control_node_gives_rotations_in_degrees(speech):
    out = apply_secondary(_curves(speech), speech, RATE, SecondarySettings(gaze=True, gaze_node="eyes_aim"))
    rotations = out.secondary.rotations["eyes_aim"]
    assert set(rotations) == {"rotateX", "rotateY"}
    assert 0 < np.abs(rotations["rotateY"]).max() <= 8.0 + 1e-6
    np.testing.assert_array_equal(out.channel("eyeLookOutLeft"), 0.0)


def test_brows_blend_over_the_model_never_past_one(speech):
    curves = _curves(speech)
    curves.weights[:, curves.names.index("browInnerUp")] = np.linspace(0, 1, curves.frame_count)
    out = apply_secondary(curves, speech, RATE, SecondarySettings(brows=True, brow_strength=2.0))
    before, after = curves.channel("browInnerUp"), out.channel("browInnerUp")
    assert (after >= before - 1e-7).all() and (after <= 1.0).all()
    assert (after - before).max() > 0.1
    raised = after[: curves.frame_count // 2] - before[: curves.frame_count // 2]
    assert np.count_nonzero(raised > 0.01) > 0
    col = out.secondary.names.index("browInnerUp")
    np.testing.assert_allclose(before + out.secondary.deltas[:, col], after, atol=1e-6)


def test_head_motion_as_rotations_or_arkit_columns(speech):
    on_node = apply_secondary(_curves(speech), speech, RATE, SecondarySettings(head="head_ctrl"))
    angles = on_node.secondary.rotations["head_ctrl"]
    assert set(angles) == {"rotateX", "rotateY", "rotateZ"}
    for values in angles.values():
        assert 0.2 < np.abs(values).max() < 15.0
    assert on_node.names == ARKIT_EYES_BROWS
    arkit = apply_secondary(_curves(speech), speech, RATE, SecondarySettings(head=ARKIT_HEAD))
    assert arkit.names[-3:] == ["headYaw", "headPitch", "headRoll"]
    np.testing.assert_allclose(arkit.channel("headYaw"), np.radians(angles["rotateY"]), atol=1e-6)


def test_roles_found_on_arkit_facegood_namespaced_and_mapped_rigs():
    facegood = find_roles(["eye_blink1_l", "eye_blink2_l", "eye_blink2_r", "brow_raise_c"])
    assert facegood == {"blink_l": "eye_blink2_l", "blink_r": "eye_blink2_r", "brow_inner_up": "brow_raise_c"}
    assert find_roles(["hero:Eye_Blink_L", "hero:eye_blink_R"]) == {
        "blink_l": "hero:Eye_Blink_L", "blink_r": "hero:eye_blink_R"}
    custom = find_roles(["lidsL", "lidsR"], {"lidsL": parse_spec("eye_blink2_l"), "lidsR": parse_spec("eyeBlinkRight")})
    assert custom == {"blink_l": "lidsL", "blink_r": "lidsR"}
    assert find_roles(["eyesClosed"]) == {"blink_l": "eyesClosed"}


def test_a_rig_without_blink_targets_gets_nothing_and_a_warning(speech, caplog):
    out = apply_secondary(_curves(speech, ["jawOpen"]), speech, RATE, SecondarySettings(blinks=True))
    assert out.secondary.names == []
    assert "eyeBlinkLeft" in caplog.text


def test_out_of_range_settings_are_refused(speech):
    with pytest.raises(Audio2FaceError, match="blink_rate"):
        apply_secondary(_curves(speech), speech, RATE, SecondarySettings(blinks=True, blink_rate=1e9))


def test_cli_writes_blinks_and_head_rotations_into_a_strict_ma_and_json(tmp_path):
    import json

    import soundfile as sf
    from audio2face.cli import main
    from audio2face.formats import read_curves
    from maya_file_parsers import evaluate, keys_from_ma, parse_ma

    wav = tmp_path / "line.wav"
    sf.write(wav, _phrases(20.0, seed=1), RATE, subtype="PCM_16")
    ma, js = tmp_path / "line.ma", tmp_path / "line.json"
    code = main(["animate", str(wav), "--mapping", "arkit", "--blendshape-node", "face_bs", "--blinks", "--brows",
                 "--head", "hero:head_ctrl", "--seed", "2", "--out", str(ma), "--out", str(js)])
    assert code == 0
    parsed = parse_ma(ma.read_text(encoding="utf-8"))
    assert parsed.angle_unit == "degree"
    ta = {name: c for name, c in parsed.curves.items() if c.node_type == "animCurveTA"}
    plugs = {dst: src for src, dst, _force in parsed.connections}
    assert set(plugs) >= {":hero:head_ctrl.rotateX", ":hero:head_ctrl.rotateY", ":hero:head_ctrl.rotateZ"}
    doc = json.loads(js.read_text(encoding="utf-8"))
    yaw = np.array(doc["rotations"]["hero:head_ctrl"]["rotateY"])
    curve = ta[plugs[":hero:head_ctrl.rotateY"].rsplit(".", 1)[0]]
    frames = np.arange(yaw.size) + 1.0
    np.testing.assert_allclose(evaluate(keys_from_ma(curve), frames, parsed.fps), yaw, atol=1e-4)
    back = read_curves(ma)
    blink = back.channel("eyeBlinkLeft")
    assert blink.max() > 0.9 and "rotateY" not in back.names
    np.testing.assert_allclose(blink, np.array(doc["weights"])[:, doc["names"].index("eyeBlinkLeft")], atol=1e-6)


def _live_settings(model, secondary):
    from audio2face.pipeline import AnimateSettings

    return AnimateSettings(model=str(model), targets=ARKIT_EYES_BROWS, secondary=secondary)


def _stream(model, samples, settings, block=320):
    from audio2face.streaming import StreamSession

    session = StreamSession(_live_settings(model, settings), sample_rate=RATE)
    frames = []
    for start in range(0, samples.size, block):
        frames.extend(session.push(samples[start : start + block]))
    frames.extend(session.finish())
    return session, np.stack([f.weights for f in frames]), [f.index for f in frames]


def test_live_stream_blinks_at_a_human_rate_without_extra_delay(speech, tiny_bundle):
    from audio2face.streaming import StreamSession

    motion = SecondarySettings(blinks=True, gaze=True, brows=True)
    session, weights, indices = _stream(tiny_bundle, speech[: 45 * RATE], motion)
    assert indices == list(range(len(indices)))
    blink = weights[:, session.names.index("eyeBlinkLeft")]
    starts = np.flatnonzero((blink[1:] > 0.3) & (blink[:-1] <= 0.3))
    assert 15 * 0.75 * 0.8 <= starts.size <= 20 * 0.75 * 1.2
    assert weights[:, session.names.index("eyeLookOutLeft")].max() > 0
    short = speech[: 8 * RATE]
    counts = []
    for settings in (SecondarySettings(), motion):
        stream = StreamSession(_live_settings(tiny_bundle, settings), sample_rate=RATE)
        counts.append([len(stream.push(short[s : s + 320])) for s in range(0, short.size, 320)])
    assert counts[0] == counts[1]
    np.testing.assert_array_equal(_stream(tiny_bundle, short, motion)[1], _stream(tiny_bundle, short, motion)[1])


def test_live_head_channels_reach_live_link_slots(speech, tiny_bundle):
    from audio2face.live.livelink import SLOTS, slot_columns

    session, weights, _ = _stream(tiny_bundle, speech[: 6 * RATE], SecondarySettings(head=ARKIT_HEAD))
    assert session.names[-3:] == ["headYaw", "headPitch", "headRoll"]
    columns = slot_columns(session.names)
    assert columns[SLOTS.index("headYaw")] == len(session.names) - 3
    assert 0 < np.abs(weights[:, -3:]).max() < np.radians(15)
