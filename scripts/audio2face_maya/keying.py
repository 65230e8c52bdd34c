"""Keying curves on a blendShape node: one ``animCurveTU`` per target, keys added in bulk, one undo step.

``plan_apply`` checks everything and changes nothing (node type, target names, locked or driven
weights, audio file, frame rate). ``execute`` makes the changes through an ``ApiUndo`` recorder:
``MFnAnimCurve.create`` (with an MDGModifier) where a weight has no curve, ``remove`` of the keys
being replaced and one ``addKeys`` per target, all with one ``MAnimCurveChange``. It runs inside a
plug-in command (``audio2faceApply`` or ``audio2faceAnimate``) whose ``undoIt``/``redoIt`` replay the
recorder, so the whole apply is one step on Maya's undo queue. ``apply_curves`` is the entry point
for Python callers (the panel, the batch).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from audio2face import timeunits
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError

from . import layers, scene, sound
from .apply_options import ApplyOptions, ApplyReport
from .melcmd import mel_command
from .undo import ApiUndo, undo_chunk

logger = logging.getLogger(__name__)

APPLY_COMMAND = "audio2faceApply"
"""The plug-in command that runs a queued plan (used by ``apply_curves``)."""

_EPS = 1e-6


@dataclasses.dataclass
class TargetPlan:
    """One target to key.

    Attributes:
        name: Target name (alias).
        plug: ``node.alias``.
        column: Column of the plan's values.
        curve: Existing base curve driving the weight (``None``: one is created, or the layer's is used).
    """

    name: str
    plug: str
    column: int
    curve: Optional[str] = None


@dataclasses.dataclass
class KeyPlan:
    """Everything ``execute`` needs, checked before the scene is touched."""

    node: str
    frames: np.ndarray
    values: np.ndarray
    targets: List[TargetPlan]
    options: ApplyOptions
    report: ApplyReport
    sound_path: Optional[str] = None
    interactive: bool = False
    sound_node: Optional[str] = None
    fps: float = 24.0
    sparse: Dict[str, List[Any]] = dataclasses.field(default_factory=dict)
    """Reduced keys per target (``audio2face.key_reduction.Key``, times in scene frames); others get a key per frame."""
    secondary_targets: List[TargetPlan] = dataclasses.field(default_factory=list)
    """Targets keyed on ``options.secondary_layer`` (the secondary motion's own), columns of ``secondary_values``."""
    secondary_values: Optional[np.ndarray] = None
    rotation_targets: List[TargetPlan] = dataclasses.field(default_factory=list)
    """Head / gaze-control rotate plugs (``node.rotateY``), columns of ``rotation_values``, in radians."""
    rotation_values: Optional[np.ndarray] = None

    @property
    def first_frame(self) -> float:
        return float(self.frames[0])

    @property
    def last_frame(self) -> float:
        return float(self.frames[-1])


# --------------------------------------------------------------------------- planning


def resample(curves: Curves, fps: float) -> Curves:
    """``curves`` at another frame rate (linear interpolation over the same duration, same start frame)."""
    if timeunits.same_rate(curves.fps, fps) or curves.frame_count < 2:
        return dataclasses.replace(curves, fps=fps, keys=None) if curves.fps != fps else curves
    duration = (curves.frame_count - 1) / curves.fps
    count = int(np.floor(duration * fps + 1e-9)) + 1
    src = np.arange(curves.frame_count, dtype=np.float64) / curves.fps
    dst = np.arange(count, dtype=np.float64) / fps
    weights = np.stack([np.interp(dst, src, curves.weights[:, i].astype(np.float64))
                        for i in range(len(curves.names))], axis=1).astype(np.float32)
    return dataclasses.replace(curves, fps=float(fps), weights=weights, keys=None)


def _source_of(plug: str) -> Optional[str]:
    from maya import cmds

    sources = cmds.listConnections(plug, source=True, destination=False, plugs=True,
                                   skipConversionNodes=True) or []
    return str(sources[0]) if sources else None


def classify_input(plug: str) -> Tuple[str, Optional[str]]:
    """What drives a weight: ("free", None), ("curve", curve), ("layers", blend node),
    ("driven key", curve) or ("connection", source plug)."""
    from maya import cmds

    source = _source_of(plug)
    if source is None:
        return "free", None
    node = source.split(".")[0]
    kind = str(cmds.nodeType(node))
    if kind in ("animCurveTU", "animCurveTL", "animCurveTA"):
        return "curve", node
    inherited = cmds.nodeType(node, inherited=True) or []
    if "animBlendNodeBase" in inherited:
        return "layers", node
    if kind.startswith("animCurveU"):
        return "driven key", node
    return "connection", source


def _skip_reason(plug: str, layer: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """(reason to skip or None, existing base curve)."""
    from maya import cmds

    if cmds.getAttr(plug, lock=True):
        return "the weight is locked", None
    kind, source = classify_input(plug)
    if kind == "free":
        return None, None
    if kind == "curve":
        return None, source
    if kind == "layers":
        if layer is None:
            return "the weight is on animation layers: apply with a layer", None
        return None, None
    if kind == "driven key":
        return f"driven by the set-driven-key curve {source}", None
    return f"driven by a connection from {source}", None


def _values_for(curves: Curves, names: Sequence[str]) -> np.ndarray:
    cols = [curves.names.index(n) for n in names]
    values = curves.weights[:, cols].astype(np.float64) if cols else np.zeros((curves.frame_count, 0))
    if not np.all(np.isfinite(values)):
        raise Audio2FaceError("the curves hold NaN or infinite values")
    return values


def plan_apply(curves: Curves, node: str, options: ApplyOptions) -> KeyPlan:
    """Check an apply and work out what to key, without changing the scene.

    Raises:
        Audio2FaceError: ``node`` is missing or not a blendShape, the audio file is missing, the
            layer name is unusable, or the curves are empty.
    """
    scene.require_blendshape(node)
    if curves.frame_count < 1:
        raise Audio2FaceError("the curves hold no frames")
    report = ApplyReport(node=node)
    sound_path = sound.check_audio_file(options.sound) if options.sound else None
    if options.layer:
        layers.check_layer_usable(options.layer)
    fps = scene.scene_fps()
    if not timeunits.same_rate(curves.fps, fps):
        report.notes.append(
            f"the curves are at {curves.fps:g} fps and the scene at {fps:g} fps: resampled in time to {fps:g} fps"
        )
        if curves.keys:
            report.notes.append("reduced keys were dropped by the resampling: a key on every frame instead")
        curves = resample(curves, fps)
    start = float(options.start_frame) if options.start_frame is not None else float(curves.start_frame)
    rig = scene.target_indices(node)
    # rig targets no model channel drives, or only channels the model never moves, hold only the rest
    # value: report them, never key them (their existing animation stays)
    # the secondary motion's own targets (blinks, darts, brows the model never moves) go on their own layer
    own = list(curves.secondary.own) if curves.secondary is not None and options.secondary_layer else []
    if own:
        layers.check_layer_usable(options.secondary_layer)  # type: ignore[arg-type]
    unmatched = set(curves.unmatched) - set(own)
    report.at_rest = [n for n in curves.rest_names() if n not in unmatched and n not in own]
    undriven = unmatched | set(report.at_rest)
    keyed: List[TargetPlan] = []
    secondary: List[TargetPlan] = []
    for name in curves.names:
        if name in undriven:
            continue
        plans = secondary if name in own else keyed
        if name not in rig:
            report.skipped[name] = f"{node} has no target named {name!r}"
            continue
        plug = scene.weight_plug(node, name)
        reason, curve = _skip_reason(plug, options.secondary_layer if name in own else options.layer)
        if reason:
            report.skipped[name] = reason
            continue
        plans.append(TargetPlan(name=name, plug=plug, column=len(plans), curve=curve))
    report.unmatched = [t for t in rig if t not in curves.names or t in unmatched]
    values = _values_for(curves, [t.name for t in keyed])
    frames = start + np.arange(curves.frame_count, dtype=np.float64)
    shift = start - float(curves.start_frame)
    sparse = {t.name: [dataclasses.replace(k, time=float(k.time) + shift) for k in curves.keys[t.name]]
              for t in keyed if curves.keys and curves.keys.get(t.name)}
    rotations, rotation_values = _plan_rotations(curves, options, report)
    for t in secondary:
        if curves.keys and curves.keys.get(t.name):
            sparse[t.name] = [dataclasses.replace(k, time=float(k.time) + shift) for k in curves.keys[t.name]]
    return KeyPlan(node=node, frames=frames, values=values, targets=keyed, options=options, report=report,
                   sound_path=sound_path, interactive=not scene.is_batch(), fps=fps, sparse=sparse,
                   secondary_targets=secondary, secondary_values=_values_for(curves, [t.name for t in secondary]),
                   rotation_targets=rotations, rotation_values=rotation_values)


def _plan_rotations(curves: Curves, options: ApplyOptions, report: ApplyReport) -> Tuple[List[TargetPlan], np.ndarray]:
    """The secondary motion's rotate curves (degrees) as plugs to key, values in radians (Maya's internal
    angle unit, what ``MFnAnimCurve`` takes); a missing node or attribute is reported and skipped."""
    from maya import cmds

    plans: List[TargetPlan] = []
    columns: List[np.ndarray] = []
    rotations = curves.secondary.rotations if curves.secondary is not None else {}
    for node, attrs in rotations.items():
        for attr, degrees in attrs.items():
            plug = f"{node}.{attr}"
            if not cmds.objExists(plug):
                report.skipped[plug] = f"no attribute {plug} for the secondary motion's rotations"
                continue
            reason, curve = _skip_reason(plug, options.secondary_layer)
            if reason:
                report.skipped[plug] = reason
                continue
            plans.append(TargetPlan(name=plug, plug=plug, column=len(plans), curve=curve))
            columns.append(np.radians(np.asarray(degrees, dtype=np.float64)))
    values = np.stack(columns, axis=1) if columns else np.zeros((curves.frame_count, 0))
    if values.shape[0] != curves.frame_count:  # resampled curves: the rotations follow by time
        src = np.linspace(0.0, 1.0, values.shape[0])
        dst = np.linspace(0.0, 1.0, curves.frame_count)
        values = np.stack([np.interp(dst, src, values[:, i]) for i in range(values.shape[1])], axis=1) \
            if values.shape[1] else np.zeros((curves.frame_count, 0))
    return plans, values


# --------------------------------------------------------------------------- executing (inside a command)


def _mobject(name: str) -> Any:
    import maya.api.OpenMaya as om

    return om.MSelectionList().add(name).getDependNode(0)


def _mplug(name: str) -> Any:
    import maya.api.OpenMaya as om

    return om.MSelectionList().add(name).getPlug(0)


def _curve_fn(plug_name: str, curve: Optional[str], recorder: ApiUndo) -> Tuple[Any, bool]:
    """An MFnAnimCurve on ``curve``, or on a new animCurveTU (TA for an angle) connected to ``plug_name``."""
    import maya.api.OpenMayaAnim as oma

    fn = oma.MFnAnimCurve()
    if curve:
        fn.setObject(_mobject(curve))
        return fn, False
    plug = _mplug(plug_name)
    modifier = recorder.modifier()
    # Re-set the current static value so that undo puts it back after the curve is gone
    # (a disconnected attribute keeps its last evaluated value).
    modifier.newPlugValueDouble(plug, plug.asDouble())
    from maya import cmds

    angle = cmds.getAttr(plug_name, type=True) == "doubleAngle"  # rotate plugs take an animCurveTA
    fn.create(plug, oma.MFnAnimCurve.kAnimCurveTA if angle else oma.MFnAnimCurve.kAnimCurveTU, modifier)
    modifier.doIt()
    return fn, True


def _remove_keys(fn: Any, first: Optional[float], last: Optional[float], change: Any) -> int:
    """Remove keys in [first, last] (all keys when both are ``None``), newest index first."""
    import maya.api.OpenMaya as om

    unit = om.MTime.uiUnit()
    removed = 0
    for index in range(fn.numKeys - 1, -1, -1):
        frame = fn.input(index).asUnits(unit)
        if first is None or (first - _EPS <= frame <= last + _EPS):  # type: ignore[operator]
            fn.remove(index, change)
            removed += 1
    return removed


def _add_keys(fn: Any, frames: np.ndarray, values: np.ndarray, change: Any) -> int:
    import maya.api.OpenMaya as om
    import maya.api.OpenMayaAnim as oma

    unit = om.MTime.uiUnit()
    times = om.MTimeArray([om.MTime(float(f), unit) for f in frames])
    fn.addKeys(times, om.MDoubleArray([float(v) for v in values]), oma.MFnAnimCurve.kTangentLinear,
               oma.MFnAnimCurve.kTangentLinear, True, change)
    return int(len(frames))


def _add_sparse_keys(fn: Any, keys: Sequence[Any], fps: float, change: Any) -> int:
    """Reduced keys with their tangents: linear, or fixed with the slope given per frame.

    Fixed tangents are passed in internal units (``convertUnits=False``): x is one frame in seconds,
    y the value change over that frame, so y / x is the slope per second (docs/maya.md, "Sparse keys").
    """
    import maya.api.OpenMaya as om
    import maya.api.OpenMayaAnim as oma

    unit = om.MTime.uiUnit()
    times = om.MTimeArray([om.MTime(float(k.time), unit) for k in keys])
    values = om.MDoubleArray([float(k.value) for k in keys])
    linear, fixed = oma.MFnAnimCurve.kTangentLinear, oma.MFnAnimCurve.kTangentFixed
    if all(k.in_tangent == "linear" and k.out_tangent == "linear" for k in keys):
        fn.addKeys(times, values, linear, linear, True, change)
        return len(keys)
    step = 1.0 / float(fps)
    fn.addKeysWithTangents(
        times, values, linear, linear,
        [fixed if k.in_tangent == "fixed" else linear for k in keys],
        [fixed if k.out_tangent == "fixed" else linear for k in keys],
        [step] * len(keys), [float(k.in_slope) for k in keys],
        [step] * len(keys), [float(k.out_slope) for k in keys],
        [k.in_tangent == k.out_tangent and abs(k.in_slope - k.out_slope) < 1e-12 for k in keys],
        [True] * len(keys), False, True, change,
    )
    return len(keys)


def execute(plan: KeyPlan, recorder: ApiUndo) -> ApplyReport:
    """Make the planned changes, recording them in ``recorder``; on any error undo them and re-raise."""
    try:
        return _execute(plan, recorder)
    except BaseException:
        recorder.undo()
        raise


def _execute(plan: KeyPlan, recorder: ApiUndo) -> ApplyReport:
    options, report = plan.options, plan.report
    layer = options.layer
    if layer and layers.ensure_layer(layer, recorder):
        report.notes.append(f"created animation layer {layer!r}")
    replaced = 0
    for target in plan.targets:
        replaced += _key_target(plan, target, plan.values[:, target.column], layer, recorder)
    own = [(t, plan.secondary_values) for t in plan.secondary_targets]
    own += [(t, plan.rotation_values) for t in plan.rotation_targets]
    if own:
        extra = options.secondary_layer
        if extra and layers.ensure_layer(extra, recorder):
            report.notes.append(f"created animation layer {extra!r}")
        for target, values in own:
            assert values is not None
            replaced += _key_target(plan, target, values[:, target.column], extra, recorder)
        where = f"on animation layer {extra!r} (mute it to see the lip-sync alone)" if extra else "keyed"
        report.notes.append(f"secondary motion on {len(own)} targets and controls is {where}")
    if replaced:
        report.notes.append(f"replaced {replaced} existing keys")
    if plan.sound_path:
        plan.sound_node, created = sound.ensure_sound(plan.sound_path, plan.first_frame, recorder)
        report.notes.append(f"{'created' if created else 'moved'} sound node {plan.sound_node!r}")
    if plan.interactive and options.set_time_slider:
        _fit_playback(plan, recorder)
        if plan.sound_node and scene.show_sound_on_time_slider(plan.sound_node, recorder):
            report.notes.append("the sound is shown on the time slider")
    logger.info("%s", report.summary())
    return report


def _key_target(plan: KeyPlan, target: TargetPlan, values: np.ndarray, layer: Optional[str],
                recorder: ApiUndo) -> int:
    """Key one target (on ``layer``, or its base curve); returns how many existing keys were replaced."""
    if layer:
        curve, input_plug = layers.curve_or_input(layer, target.plug, recorder)
        fn, _created = _curve_fn(input_plug or "", curve, recorder)
    else:
        fn, _created = _curve_fn(target.plug, target.curve, recorder)
    if plan.options.mode == "curve":
        replaced = _remove_keys(fn, None, None, recorder.change)
    else:
        replaced = _remove_keys(fn, plan.first_frame, plan.last_frame, recorder.change)
    if target.name in plan.sparse:
        plan.report.key_count += _add_sparse_keys(fn, plan.sparse[target.name], plan.fps, recorder.change)
    else:
        plan.report.key_count += _add_keys(fn, plan.frames, values, recorder.change)
    plan.report.keyed.append(target.name)
    return replaced


def _fit_playback(plan: KeyPlan, recorder: ApiUndo) -> None:
    low, high = scene.playback_range()
    new_low, new_high = min(low, plan.first_frame), max(high, plan.last_frame)
    if (new_low, new_high) != (low, high):
        recorder.run_mel(mel_command("playbackOptions", minTime=new_low, maxTime=new_high))
        plan.report.notes.append(f"playback range widened to {new_low:g}-{new_high:g}")


# --------------------------------------------------------------------------- entry point for scripts

_PENDING: List[KeyPlan] = []


def take_pending() -> KeyPlan:
    """The plan queued for the ``audio2faceApply`` command (raises when there is none)."""
    if not _PENDING:
        raise Audio2FaceError(
            f"{APPLY_COMMAND} has nothing to apply: it is run by audio2face_maya.keying.apply_curves; "
            "from MEL use audio2faceAnimate"
        )
    return _PENDING.pop()


def apply_curves(curves: Curves, node: str, options: Optional[ApplyOptions] = None) -> ApplyReport:
    """Key ``curves`` on ``node`` as one undo step (through the plug-in's ``audio2faceApply`` command).

    Raises:
        Audio2FaceError: bad input (see ``plan_apply``) or the plug-in cannot be loaded.
    """
    from maya import cmds

    from . import plugin

    options = options or ApplyOptions()
    plan = plan_apply(curves, node, options)
    plugin.ensure_loaded()
    _PENDING.append(plan)
    try:
        with undo_chunk("audio2face: apply curves"):
            getattr(cmds, APPLY_COMMAND)()
    finally:
        if plan in _PENDING:
            _PENDING.remove(plan)
    return plan.report
