"""The stand-in ``maya.api.OpenMayaAnim``: MFnAnimCurve and MAnimCurveChange (maya-facts §4.6, §4.7).

Key edits made with a ``change`` are recorded into it and are undone only through it; edits without
one are permanent. ``create`` fails when the plug already has an input, as Maya's does.
"""

from __future__ import annotations

import bisect
from fractions import Fraction
from typing import Any, List, Optional, Sequence

from . import cmds as _cmds
from . import dg
from .om import MDGModifier, MObject, MPlug, MTime


def _scene() -> dg.Scene:
    return _cmds.SCENE


class MAnimCurveChange:
    """Accumulates curve edits; ``undoIt``/``redoIt`` replay them."""

    def __init__(self) -> None:
        self._journal = dg.Journal("MAnimCurveChange")

    def undoIt(self) -> None:
        self._journal.undo()

    def redoIt(self) -> None:
        self._journal.redo()


_TANGENTS = {0: "global", 1: "fixed", 2: "linear", 3: "flat", 4: "spline", 5: "step", 6: "slow", 7: "fast",
             8: "clamped", 9: "plateau", 10: "stepnext", 11: "auto"}


class MFnAnimCurve:
    """Function set for anim curve nodes."""

    kAnimCurveTA, kAnimCurveTL, kAnimCurveTT, kAnimCurveTU = 0, 1, 2, 3
    kAnimCurveUA, kAnimCurveUL, kAnimCurveUT, kAnimCurveUU, kAnimCurveUnknown = 4, 5, 6, 7, 8
    kTangentGlobal, kTangentFixed, kTangentLinear, kTangentFlat, kTangentSmooth, kTangentStep = 0, 1, 2, 3, 4, 5
    kTangentSlow, kTangentFast, kTangentClamped, kTangentPlateau, kTangentStepNext, kTangentAuto = 6, 7, 8, 9, 10, 11
    kConstant, kLinear, kCycle, kCycleRelative, kOscillate = 0, 1, 3, 4, 5

    _TYPE_NAMES = {0: "animCurveTA", 1: "animCurveTL", 2: "animCurveTT", 3: "animCurveTU",
                   4: "animCurveUA", 5: "animCurveUL", 6: "animCurveUT", 7: "animCurveUU"}

    def __init__(self, obj: Optional[Any] = None) -> None:
        self._node: Optional[dg.Node] = None
        if isinstance(obj, MObject):
            self.setObject(obj)
        elif isinstance(obj, MPlug):
            src = _scene().inputs.get(obj._p())
            if src is None or not src.node.is_a("animCurve"):
                raise RuntimeError("(kInvalidParameter): plug is not animated by a curve")
            self._node = src.node
        elif obj is not None:
            raise TypeError("MFnAnimCurve takes an MObject or an MPlug")

    def setObject(self, obj: MObject) -> MFnAnimCurve:
        node = obj.node
        if not node.is_a("animCurve"):
            raise RuntimeError("(kInvalidParameter): Object is incompatible with this method")
        self._node = node
        return self

    def _n(self) -> dg.Node:
        if self._node is None:
            raise RuntimeError("(kInvalidParameter): no anim curve attached")
        return self._node

    def object(self) -> MObject:
        return MObject(self._n())

    def name(self) -> str:
        return self._n().name

    # ---- creation
    def create(self, target: Any, animCurveType: int = 8, modifier: Optional[MDGModifier] = None) -> MObject:
        if not isinstance(target, MPlug):
            raise NotImplementedError("stand-in MFnAnimCurve.create takes a plug")
        plug = target._p()
        scene = _scene()
        if plug in scene.inputs:
            raise RuntimeError("(kFailure): the attribute already has an incoming connection")
        if not plug.spec.keyable or plug.spec.kind not in ("double", "doubleAngle"):
            raise RuntimeError("(kFailure): the attribute is not animatable")
        if plug.key() in plug.node.locked:
            raise RuntimeError("(kFailure): the attribute is locked")
        wanted = self.kAnimCurveTA if plug.spec.kind == "doubleAngle" else self.kAnimCurveTU
        if animCurveType == self.kAnimCurveUnknown:
            animCurveType = wanted
        if animCurveType != wanted:
            raise RuntimeError("(kInvalidParameter): the curve type does not match the attribute's type")
        by_target = {v: k for k, v in plug.node.aliases.items()}
        label = by_target.get((plug.attr, plug.index), plug.long_name().replace("[", "_").replace("]", ""))
        node = scene.create_node(self._TYPE_NAMES[animCurveType], f"{plug.node.name}_{label}", None, attach=False)
        node.alive = False
        src = dg.Plug(node, "output")
        if modifier is None:
            scene.attach_node(node, None)
            scene.connect(src, plug, None, keep_value_on_undo=False)
        else:
            def run(journal: dg.Journal) -> None:
                scene.attach_node(node, journal)
                scene.connect(src, plug, journal, keep_value_on_undo=False)

            modifier._push(run)
        self._node = node
        return MObject(node)

    # ---- queries
    @property
    def numKeys(self) -> int:
        assert self._n().curve is not None
        return len(self._n().curve.keys)

    @property
    def animCurveType(self) -> int:
        names = {v: k for k, v in self._TYPE_NAMES.items()}
        return names[self._n().type]

    def _time_seconds(self, time: Any) -> Fraction:
        if not isinstance(time, MTime):
            raise TypeError("expected an MTime")
        return time.seconds()

    def input(self, index: int) -> MTime:
        keys = self._n().curve.keys  # type: ignore[union-attr]
        if not 0 <= index < len(keys):
            raise IndexError("(kInvalidParameter): key index out of range")
        ui = MTime.uiUnit()
        return MTime(float(Fraction(keys[index].time) * MTime._RATES[ui]), ui)

    def value(self, index: int) -> float:
        keys = self._n().curve.keys  # type: ignore[union-attr]
        if not 0 <= index < len(keys):
            raise IndexError("(kInvalidParameter): key index out of range")
        return keys[index].value

    def find(self, time: MTime) -> Optional[int]:
        target = self._time_seconds(time)
        for i, key in enumerate(self._n().curve.keys):  # type: ignore[union-attr]
            if abs(Fraction(key.time) - target) < Fraction(1, 10**9):
                return i
        return None

    def evaluate(self, time: MTime) -> float:
        return self._n().curve.evaluate(float(self._time_seconds(time)))  # type: ignore[union-attr]

    def inTangentType(self, index: int) -> int:
        names = {v: k for k, v in _TANGENTS.items()}
        return names[self._n().curve.keys[index].in_type]  # type: ignore[union-attr]

    def outTangentType(self, index: int) -> int:
        names = {v: k for k, v in _TANGENTS.items()}
        return names[self._n().curve.keys[index].out_type]  # type: ignore[union-attr]

    # ---- edits
    def _edit(self, keys: List[tuple], change: Optional[MAnimCurveChange]) -> None:
        if change is not None and not isinstance(change, MAnimCurveChange):
            raise TypeError("change must be an MAnimCurveChange")
        _scene().set_curve_keys(self._n(), keys, change._journal if change is not None else None)

    def remove(self, index: int, change: Optional[MAnimCurveChange] = None) -> None:
        keys = self._n().curve.snapshot()  # type: ignore[union-attr]
        if not 0 <= index < len(keys):
            raise RuntimeError("(kInvalidParameter): key index out of range")
        del keys[index]
        self._edit(keys, change)

    def addKeys(self, times: Sequence[MTime], values: Sequence[float], tangentInType: int = 0,
                tangentOutType: int = 0, keepExistingKeys: bool = False,
                change: Optional[MAnimCurveChange] = None) -> MFnAnimCurve:
        if not self._n().type.startswith("animCurveT") or self._n().type == "animCurveTT":
            raise RuntimeError("(kInvalidParameter): addKeys works on TA, TL and TU curves only")
        if len(times) != len(values):
            raise RuntimeError("(kInvalidParameter): times and values differ in length")
        tin, tout = _TANGENTS.get(tangentInType), _TANGENTS.get(tangentOutType)
        if tin is None or tout is None:
            raise RuntimeError("(kInvalidParameter): unknown tangent type")
        if tin == "step":
            raise RuntimeError("(kInvalidParameter): step is not a valid in-tangent")
        if tin != "linear" or tout not in ("linear", "step"):
            raise NotImplementedError("stand-in evaluates linear/step keys only")
        new = [(self._time_seconds(t), float(v), tin, tout, 0.0, 0.0) for t, v in zip(times, values)]
        self._merge(new, keepExistingKeys, change)
        return self

    def _merge(self, new: List[tuple], keepExistingKeys: bool, change: Optional[MAnimCurveChange]) -> None:
        new_times = [k[0] for k in new]
        if len(set(new_times)) != len(new_times):
            raise RuntimeError("(kInvalidParameter): duplicate key times")
        if keepExistingKeys:
            merged = {Fraction(k[0]): k for k in self._n().curve.snapshot()}  # type: ignore[union-attr]
            for key in new:
                merged[key[0]] = key  # a new key at an existing time replaces it
            keys = [merged[t] for t in sorted(merged)]
        else:
            # Whether Maya cuts the whole curve or only the covered range is not confirmed
            # (maya-facts §4.6 [?]); the stand-in takes the harsher reading: the whole curve.
            keys = sorted(new, key=lambda k: k[0])
        self._edit(keys, change)

    def addKeysWithTangents(self, times: Sequence[MTime], values: Sequence[float], tangentInType: int = 0,
                            tangentOutType: int = 0, tangentInTypeArray: Sequence[int] = (),
                            tangentOutTypeArray: Sequence[int] = (), tangentInXArray: Sequence[float] = (),
                            tangentInYArray: Sequence[float] = (), tangentOutXArray: Sequence[float] = (),
                            tangentOutYArray: Sequence[float] = (), tangentsLockedArray: Sequence[bool] = (),
                            weightsLockedArray: Sequence[bool] = (), convertUnits: bool = True,
                            keepExistingKeys: bool = False, change: Optional[MAnimCurveChange] = None
                            ) -> MFnAnimCurve:
        """Keys with per-key tangent types and (x, y) tangents.

        The stand-in implements ``convertUnits=False`` only: x in seconds, y in value units (internal
        units, maya-facts §4.6); the tangent's slope is y / x per second.
        """
        if not self._n().type.startswith("animCurveT") or self._n().type == "animCurveTT":
            raise RuntimeError("(kInvalidParameter): addKeys works on TA, TL and TU curves only")
        if convertUnits:
            raise NotImplementedError("stand-in addKeysWithTangents takes internal units (convertUnits=False)")
        n = len(times)
        arrays = (values, tangentInTypeArray, tangentOutTypeArray, tangentInXArray, tangentInYArray,
                  tangentOutXArray, tangentOutYArray, tangentsLockedArray, weightsLockedArray)
        if any(len(a) != n for a in arrays):
            raise RuntimeError("(kInvalidParameter): array lengths differ")
        new = []
        for i in range(n):
            tin, tout = _TANGENTS.get(tangentInTypeArray[i]), _TANGENTS.get(tangentOutTypeArray[i])
            if tin not in ("linear", "fixed") or tout not in ("linear", "fixed"):
                raise NotImplementedError("stand-in evaluates linear and fixed tangents only")
            slopes = []
            for x, y in ((tangentInXArray[i], tangentInYArray[i]), (tangentOutXArray[i], tangentOutYArray[i])):
                if x <= 0:
                    raise RuntimeError("(kInvalidParameter): tangent x must be positive")
                slopes.append(float(y) / float(x))
            new.append((self._time_seconds(times[i]), float(values[i]), tin, tout, slopes[0], slopes[1]))
        self._merge(new, keepExistingKeys, change)
        return self

    def addKey(self, time: MTime, value: float, tangentInType: int = 0, tangentOutType: int = 0,
               change: Optional[MAnimCurveChange] = None) -> int:
        self.addKeys([time], [value], tangentInType, tangentOutType, True, change)
        seconds = self._time_seconds(time)
        return bisect.bisect_left([Fraction(k.time) for k in self._n().curve.keys], seconds)  # type: ignore[union-attr]
