"""The stand-in's dependency graph: nodes, attributes, connections, anim curves, time and undo.

Modelled on the Maya behaviour written down in ../shared/maya-facts.md (cited by section below):
sparse multi attributes with aliases (§1), time stored in seconds and shown in the UI unit (§2,
§4.6), a connected attribute reads its input and keeps its last value when disconnected (§4.4),
and undo that is explicit: a change is undoable only when it was recorded into a journal that sits
on the undo queue (a command's, an MDGModifier's or an MAnimCurveChange's); API edits made without
one are not undone by ``cmds.undo`` (§4.7, §4.9).
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

# --------------------------------------------------------------------------- node types

# type -> parents (nearest first); Maya 2024 hierarchy from pymel's cache (blendShape gains
# weightGeometryFilter in 2025, see maya-facts §1).
HIERARCHY: Dict[str, Tuple[str, ...]] = {
    "transform": ("dagNode", "entity", "containerBase", "dependNode"),
    "mesh": ("surfaceShape", "controlPoint", "deformableShape", "geometryShape", "shape", "dagNode",
             "entity", "containerBase", "dependNode"),
    "blendShape": ("geometryFilter", "dependNode"),
    "animCurveTU": ("animCurve", "dependNode"),
    "animCurveTL": ("animCurve", "dependNode"),
    "animCurveTA": ("animCurve", "dependNode"),
    "animCurveUU": ("animCurve", "dependNode"),
    "audio": ("dependNode",),
    "multDoubleLinear": ("dependNode",),
    "animLayer": ("objectSet", "entity", "containerBase", "dependNode"),
    "animBlendNodeAdditive": ("animBlendNodeBase", "dependNode"),
    "animBlendNodeAdditiveDA": ("animBlendNodeBase", "dependNode"),
    "time": ("dependNode",),
}
DAG_TYPES = {"transform", "mesh"}
ABSTRACT_TYPES = {"dependNode", "dagNode", "entity", "containerBase", "shape", "geometryShape",
                  "deformableShape", "controlPoint", "surfaceShape", "geometryFilter",
                  "weightGeometryFilter", "animCurve", "objectSet", "animBlendNodeBase"}


@dataclass(frozen=True)
class AttrSpec:
    """One attribute of a node type: long/short name, data type, multi, keyable."""

    long: str
    short: str
    kind: str  # double | doubleAngle (radians inside) | time | string | bool | int | message | geometry | compound
    multi: bool = False
    keyable: bool = False
    default: Any = 0.0
    readable_only: bool = False


def _specs(*specs: AttrSpec) -> Dict[str, AttrSpec]:
    return {s.long: s for s in specs}


COMMON = (AttrSpec("message", "msg", "message", default=None),)
ATTRS: Dict[str, Dict[str, AttrSpec]] = {
    # rotate values are held in internal units (radians); cmds shows them in degrees (maya-facts, units)
    "transform": _specs(*COMMON, AttrSpec("translateX", "tx", "double", keyable=True),
                        AttrSpec("rotateX", "rx", "doubleAngle", keyable=True),
                        AttrSpec("rotateY", "ry", "doubleAngle", keyable=True),
                        AttrSpec("rotateZ", "rz", "doubleAngle", keyable=True),
                        AttrSpec("visibility", "v", "bool", keyable=True, default=True)),
    "mesh": _specs(*COMMON, AttrSpec("inMesh", "i", "geometry", default=None),
                   AttrSpec("worldMesh", "wm", "geometry", multi=True, default=None),
                   AttrSpec("outMesh", "o", "geometry", default=None)),
    "blendShape": _specs(*COMMON, AttrSpec("weight", "w", "double", multi=True, keyable=True),
                         AttrSpec("envelope", "en", "double", keyable=True, default=1.0),
                         AttrSpec("input", "ip", "compound", multi=True, default=None),
                         AttrSpec("inputTarget", "it", "compound", multi=True, default=None),
                         AttrSpec("outputGeometry", "og", "geometry", multi=True, default=None)),
    "animCurveTU": _specs(*COMMON, AttrSpec("input", "i", "time"), AttrSpec("output", "o", "double")),
    "animCurveTL": _specs(*COMMON, AttrSpec("input", "i", "time"), AttrSpec("output", "o", "double")),
    "animCurveTA": _specs(*COMMON, AttrSpec("input", "i", "time"), AttrSpec("output", "o", "doubleAngle")),
    "animCurveUU": _specs(*COMMON, AttrSpec("input", "i", "double"), AttrSpec("output", "o", "double")),
    "audio": _specs(*COMMON, AttrSpec("filename", "f", "string", default=""),
                    AttrSpec("offset", "o", "time"), AttrSpec("sourceStart", "ss", "time"),
                    AttrSpec("sourceEnd", "se", "time"), AttrSpec("mute", "mu", "bool", default=False)),
    "multDoubleLinear": _specs(*COMMON, AttrSpec("input1", "i1", "double", keyable=True),
                               AttrSpec("input2", "i2", "double", keyable=True, default=1.0),
                               AttrSpec("output", "o", "double")),
    "animLayer": _specs(*COMMON, AttrSpec("weight", "w", "double", keyable=True, default=1.0),
                        AttrSpec("mute", "m", "bool", default=False),
                        AttrSpec("override", "o", "bool", default=False),
                        AttrSpec("parentLayer", "pl", "message", default=None),
                        AttrSpec("childrenLayers", "cl", "message", multi=True, default=None),
                        AttrSpec("blendNodes", "bn", "message", multi=True, default=None),
                        AttrSpec("dagSetMembers", "dsm", "message", multi=True, default=None)),
    "animBlendNodeAdditive": _specs(*COMMON, AttrSpec("inputA", "ia", "double", keyable=True),
                                    AttrSpec("inputB", "ib", "double", keyable=True),
                                    AttrSpec("weightA", "wa", "double", keyable=True, default=1.0),
                                    AttrSpec("weightB", "wb", "double", keyable=True, default=1.0),
                                    AttrSpec("output", "o", "double")),
    "animBlendNodeAdditiveDA": _specs(*COMMON, AttrSpec("inputA", "ia", "doubleAngle", keyable=True),
                                    AttrSpec("inputB", "ib", "doubleAngle", keyable=True),
                                    AttrSpec("weightA", "wa", "double", keyable=True, default=1.0),
                                    AttrSpec("weightB", "wb", "double", keyable=True, default=1.0),
                                    AttrSpec("output", "o", "doubleAngle")),
    "time": _specs(*COMMON, AttrSpec("outTime", "o", "time")),
}

# --------------------------------------------------------------------------- time units (maya-facts §2)

UNIT_RATES: Dict[str, Fraction] = {
    "game": Fraction(15), "film": Fraction(24), "pal": Fraction(25), "ntsc": Fraction(30),
    "show": Fraction(48), "palf": Fraction(50), "ntscf": Fraction(60),
    "23.976fps": Fraction(24000, 1001), "29.97fps": Fraction(30000, 1001), "29.97df": Fraction(30000, 1001),
    "47.952fps": Fraction(48000, 1001), "59.94fps": Fraction(60000, 1001), "44100fps": Fraction(44100),
    "48000fps": Fraction(48000), "hour": Fraction(1, 3600), "min": Fraction(1, 60), "sec": Fraction(1),
    "millisec": Fraction(1000),
}
WHOLE_FPS_NAMES = {f"{n}fps": Fraction(n) for n in (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 40, 75, 80, 100, 120,
                                                    125, 150, 200, 240, 250, 300, 375, 400, 500, 600, 750,
                                                    1200, 1500, 2000, 3000, 6000)}
# Maya reports a rate by its name when it has one (30 -> 'ntsc'), maya-facts §2.
NAME_FOR_RATE = {Fraction(15): "game", Fraction(24): "film", Fraction(25): "pal", Fraction(30): "ntsc",
                 Fraction(48): "show", Fraction(50): "palf", Fraction(60): "ntscf"}


def unit_rate(name: str) -> Fraction:
    """Frames per second of a time-unit name; ValueError-free: unknown names raise RuntimeError."""
    if name in UNIT_RATES:
        return UNIT_RATES[name]
    if name in WHOLE_FPS_NAMES:
        return WHOLE_FPS_NAMES[name]
    raise RuntimeError(f"currentUnit: Invalid time unit: {name}")


# --------------------------------------------------------------------------- errors


def no_object(name: str, command: str = "") -> RuntimeError:
    prefix = f"{command}: " if command else ""
    return RuntimeError(f"{prefix}No object matches name: {name}")


# --------------------------------------------------------------------------- journal / undo


@dataclass
class Op:
    """One primitive change with its inverse."""

    undo: Callable[[], None]
    redo: Callable[[], None]
    label: str = ""


class Journal:
    """An ordered list of primitive changes that can be undone and redone together."""

    def __init__(self, label: str = "") -> None:
        self.label = label
        self.ops: List[Op] = []

    def add(self, op: Op) -> None:
        self.ops.append(op)

    def undo(self) -> None:
        for op in reversed(self.ops):
            op.undo()

    def redo(self) -> None:
        for op in self.ops:
            op.redo()

    def __bool__(self) -> bool:
        return bool(self.ops)


@dataclass
class UndoEntry:
    """One step on the undo queue: a journal, a plug-in command instance or a closed chunk."""

    name: str
    undo: Callable[[], None]
    redo: Callable[[], None]


# --------------------------------------------------------------------------- curves


@dataclass
class Key:
    time: float  # seconds for T* curves, input units for U* curves
    value: float
    in_type: str = "linear"
    out_type: str = "linear"
    in_slope: float = 0.0  # fixed tangents: value units per second (tangent y / x in internal units)
    out_slope: float = 0.0


@dataclass
class CurveData:
    keys: List[Key] = field(default_factory=list)

    def times(self) -> List[float]:
        return [k.time for k in self.keys]

    def evaluate(self, x: float) -> float:
        keys = self.keys
        if not keys:
            return 0.0
        if x <= keys[0].time:
            return keys[0].value  # constant pre-infinity
        if x >= keys[-1].time:
            return keys[-1].value  # constant post-infinity
        i = bisect.bisect_right([k.time for k in keys], x) - 1
        a, b = keys[i], keys[i + 1]
        if a.out_type == "step":
            return a.value
        if a.out_type == "stepnext":
            return b.value
        for kind in (a.out_type, b.in_type):
            if kind not in ("linear", "fixed"):
                raise NotImplementedError(f"stand-in evaluates linear, fixed and step tangents only, got {kind}")
        h = float(b.time) - float(a.time)
        u = (x - float(a.time)) / h
        if a.out_type == "linear" and b.in_type == "linear":
            return a.value + (b.value - a.value) * u
        # non-weighted cubic Hermite; a linear side takes the chord's slope
        chord = (b.value - a.value) / h
        m0 = a.out_slope if a.out_type == "fixed" else chord
        m1 = b.in_slope if b.in_type == "fixed" else chord
        h00, h10 = 2 * u**3 - 3 * u**2 + 1, u**3 - 2 * u**2 + u
        h01, h11 = -2 * u**3 + 3 * u**2, u**3 - u**2
        return h00 * a.value + h10 * h * m0 + h01 * b.value + h11 * h * m1

    def snapshot(self) -> List[tuple]:
        return [(k.time, k.value, k.in_type, k.out_type, k.in_slope, k.out_slope) for k in self.keys]

    def restore(self, snap: List[tuple]) -> None:
        self.keys = [Key(*k) for k in snap]


# --------------------------------------------------------------------------- nodes and plugs


_ids = itertools.count(1)


class Node:
    """A dependency node."""

    def __init__(self, name: str, type_name: str) -> None:
        if type_name not in ATTRS:
            raise RuntimeError(f"Unknown object type: {type_name}")
        self.uid = next(_ids)
        self.name = name
        self.type = type_name
        self.values: Dict[Tuple[str, Optional[int]], Any] = {}
        self.indices: Dict[str, List[int]] = {}  # existing elements of multi attributes
        self.aliases: Dict[str, Tuple[str, int]] = {}  # insertion order kept (maya-facts §1: not sorted)
        self.locked: set = set()
        self.parent: Optional[Node] = None
        self.children: List[Node] = []
        self.curve: Optional[CurveData] = CurveData() if type_name.startswith("animCurve") else None
        self.alive = True
        self.node_locked = False

    @property
    def spec(self) -> Dict[str, AttrSpec]:
        return ATTRS[self.type]

    def is_a(self, type_name: str) -> bool:
        return type_name == self.type or type_name in HIERARCHY.get(self.type, ())

    def is_dag(self) -> bool:
        return self.type in DAG_TYPES

    def __repr__(self) -> str:
        return f"<Node {self.name} ({self.type})>"


@dataclass(frozen=True)
class Plug:
    node: Node
    attr: str  # long name
    index: Optional[int] = None
    child: Optional[str] = None  # free-form rest for compound plugs (".itg[0].iti[6000].igt")

    def key(self) -> Tuple[str, Optional[int]]:
        return (self.attr, self.index)

    @property
    def spec(self) -> AttrSpec:
        return self.node.spec[self.attr]

    def long_name(self) -> str:
        text = self.attr if self.index is None else f"{self.attr}[{self.index}]"
        return text + (self.child or "")

    def short_name(self) -> str:
        spec = self.spec
        text = spec.short if self.index is None else f"{spec.short}[{self.index}]"
        return text + (self.child or "")

    def name(self) -> str:
        return f"{self.node.name}.{self.long_name()}"

    def __hash__(self) -> int:
        return hash((self.node.uid, self.attr, self.index, self.child))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Plug) and self.node is other.node and self.attr == other.attr
                and self.index == other.index and self.child == other.child)


_PLUG_RE = re.compile(r"^([A-Za-z_][\w:|]*)\.([A-Za-z_]\w*)(?:\[(\d+)\])?((?:\.[A-Za-z_]\w*(?:\[\d+\])?)*)$")
_NAME_RE = re.compile(r"^[A-Za-z_][\w]*$")


# --------------------------------------------------------------------------- the scene


class Scene:
    """Everything one Maya session holds."""

    def __init__(self) -> None:
        self.reset()
        self.batch = False
        self.batch_allowed = False
        self.plugins: Dict[str, Any] = {}
        self.plugin_paths: List[str] = []
        self.loaded_modules: List[str] = []
        self.user_app_dir = ""
        self.commands: Dict[str, Callable[..., Any]] = {}
        self.deferred: List[Tuple[Callable[..., Any], tuple]] = []
        self.node_removed_hooks: List[Callable[[Node], None]] = []
        self.log: List[Tuple[str, str]] = []  # (level, message) from MGlobal.display*

    # ---- state
    def reset(self) -> None:
        for old in getattr(self, "nodes", {}).values():  # File > New/Open: every handle to the old scene dies
            old.alive = False
        self.nodes: Dict[str, Node] = {}
        self.inputs: Dict[Plug, Plug] = {}  # destination -> source
        self.time_unit = "film"
        self.current_time = Fraction(1, 24)  # seconds
        self.playback = [Fraction(1, 24), Fraction(120, 24), Fraction(1, 24), Fraction(200, 24)]  # min max ast aet
        self.selection: List[str] = []
        self.undo_queue: List[UndoEntry] = []
        self.redo_queue: List[UndoEntry] = []
        self.chunks: List[List[UndoEntry]] = []
        self.chunk_names: List[str] = []
        self.undo_enabled = True
        self.scene_name = ""
        self.modified = False
        self.slider_sound = ""
        self.slider_display_sound = False
        self.layer_members: Dict[str, List[Plug]] = {}  # layer name -> member plugs (original plugs)
        self.layer_blends: Dict[Tuple[str, Plug], Node] = {}  # (layer, plug) -> blend node

    # ---- time
    @property
    def fps(self) -> Fraction:
        return unit_rate(self.time_unit)

    def to_seconds(self, frames: float) -> Fraction:
        return Fraction(frames).limit_denominator(1 << 40) / self.fps

    def to_frames(self, seconds: float) -> float:
        return float(Fraction(seconds) * self.fps)

    # ---- names
    def unique_name(self, wanted: str) -> str:
        namespace, _, leaf = (wanted or "").rpartition(":")
        if namespace and namespace in getattr(self, "namespaces", set()) and _NAME_RE.match(leaf):
            base = wanted  # a node of a reference or an existing namespace
        else:
            base = wanted if _NAME_RE.match(wanted or "") else "node"
        if base not in self.nodes:
            return base
        stem = base.rstrip("0123456789") or base
        for n in itertools.count(1):
            candidate = f"{stem}{n}"
            if candidate not in self.nodes:
                return candidate
        raise AssertionError("unreachable")

    def node(self, name: str, command: str = "") -> Node:
        short = name.split("|")[-1].lstrip(":")
        node = self.nodes.get(short)
        if node is None:
            raise no_object(name, command)
        return node

    def exists(self, name: str) -> bool:
        try:
            self.resolve(name)
        except (RuntimeError, ValueError):
            return False
        return True

    # ---- plug resolution (long, short or alias names; maya-facts §1)
    def resolve_attr(self, node: Node, attr: str, index: Optional[int]) -> Tuple[str, Optional[int]]:
        if attr in node.aliases and index is None:
            return node.aliases[attr]
        for spec in node.spec.values():
            if attr in (spec.long, spec.short):
                if index is not None and not spec.multi:
                    raise no_object(f"{node.name}.{attr}[{index}]")
                return spec.long, index
        raise no_object(f"{node.name}.{attr}")

    def plug(self, text: str, command: str = "") -> Plug:
        match = _PLUG_RE.match(text.strip())
        if not match:
            raise no_object(text, command)
        node = self.node(match.group(1), command)
        index = int(match.group(3)) if match.group(3) is not None else None
        try:
            attr, index = self.resolve_attr(node, match.group(2), index)
        except RuntimeError:
            raise no_object(text, command) from None
        rest = match.group(4) or None
        if rest and node.spec[attr].kind != "compound":
            raise no_object(text, command)
        return Plug(node, attr, index, rest)

    def resolve(self, text: str) -> Any:
        """A node or a plug."""
        if "." in text:
            return self.plug(text)
        return self.node(text)

    # ---- primitive changes (each records into ``journal`` when given)
    def _record(self, journal: Optional[Journal], undo: Callable[[], None], redo: Callable[[], None],
                label: str) -> None:
        self.modified = True
        if journal is not None:
            journal.add(Op(undo, redo, label))

    def create_node(self, type_name: str, name: Optional[str], journal: Optional[Journal],
                    parent: Optional[Node] = None, attach: bool = True) -> Node:
        node = Node(self.unique_name(name or f"{type_name}1"), type_name)
        if type_name == "blendShape":
            node.indices["weight"] = []
        if attach:
            self.attach_node(node, journal, parent)
        return node

    def attach_node(self, node: Node, journal: Optional[Journal], parent: Optional[Node] = None) -> None:
        if node.name in self.nodes and self.nodes[node.name] is not node:
            node.name = self.unique_name(node.name)

        def redo() -> None:
            self.nodes[node.name] = node
            node.alive = True
            if parent is not None:
                node.parent = parent
                parent.children.append(node)

        def undo() -> None:
            self._detach(node)

        redo()
        self._record(journal, undo, redo, f"create {node.name}")

    def _detach(self, node: Node) -> None:
        self.nodes.pop(node.name, None)
        node.alive = False
        if node.parent is not None and node in node.parent.children:
            node.parent.children.remove(node)

    def delete_node(self, node: Node, journal: Optional[Journal]) -> None:
        links = [(d, s) for d, s in self.inputs.items() if d.node is node or s.node is node]
        parent = node.parent

        def redo() -> None:
            for hook in list(self.node_removed_hooks):
                hook(node)
            for dst, _src in links:
                self._disconnect(dst)
            self._detach(node)

        def undo() -> None:
            self.nodes[node.name] = node
            node.alive = True
            if parent is not None:
                node.parent = parent
                parent.children.append(node)
            for dst, src in links:
                self.inputs[dst] = src

        redo()
        self._record(journal, undo, redo, f"delete {node.name}")

    def rename_node(self, node: Node, new: str, journal: Optional[Journal]) -> str:
        old = node.name
        target = self.unique_name(new) if new != old else old

        def redo() -> None:
            self.nodes.pop(old, None)
            node.name = target
            if node.alive:
                self.nodes[target] = node

        def undo() -> None:
            self.nodes.pop(target, None)
            node.name = old
            if node.alive:
                self.nodes[old] = node

        redo()
        self._record(journal, undo, redo, f"rename {old}")
        return target

    def ensure_element(self, plug: Plug, journal: Optional[Journal]) -> None:
        if plug.index is None or not plug.spec.multi:
            return
        indices = plug.node.indices.setdefault(plug.attr, [])
        if plug.index in indices:
            return

        def redo() -> None:
            bisect.insort(indices, plug.index)

        def undo() -> None:
            indices.remove(plug.index)

        redo()
        self._record(journal, undo, redo, "element")

    def set_value(self, plug: Plug, value: Any, journal: Optional[Journal], force: bool = False) -> None:
        if not force and (plug.key() in plug.node.locked):
            raise RuntimeError(f"setAttr: The attribute '{plug.name()}' is locked or connected and cannot be modified.")
        if not force and plug in self.inputs:
            raise RuntimeError(f"setAttr: The attribute '{plug.name()}' is locked or connected and cannot be modified.")
        self.ensure_element(plug, journal)
        key = plug.key()
        had = key in plug.node.values
        old = plug.node.values.get(key)

        def redo() -> None:
            plug.node.values[key] = value

        def undo() -> None:
            if had:
                plug.node.values[key] = old
            else:
                plug.node.values.pop(key, None)

        redo()
        self._record(journal, undo, redo, f"set {plug.name()}")

    def set_lock(self, plug: Plug, locked: bool, journal: Optional[Journal]) -> None:
        key = plug.key()
        was = key in plug.node.locked

        def apply(state: bool) -> None:
            if state:
                plug.node.locked.add(key)
            else:
                plug.node.locked.discard(key)

        apply(locked)
        self._record(journal, lambda: apply(was), lambda: apply(locked), "lock")

    def set_alias(self, node: Node, alias: str, attr: str, index: int, journal: Optional[Journal]) -> None:
        before = dict(node.aliases)
        for name, target in list(node.aliases.items()):
            if target == (attr, index):  # one alias per attribute: the new one replaces the old
                del node.aliases[name]
        node.aliases[alias] = (attr, index)
        after = dict(node.aliases)

        def restore(state: Dict[str, Tuple[str, int]]) -> Callable[[], None]:
            def run() -> None:
                node.aliases.clear()
                node.aliases.update(state)
            return run

        self._record(journal, restore(before), restore(after), "alias")

    def connect(self, src: Plug, dst: Plug, journal: Optional[Journal], force: bool = False,
                keep_value_on_undo: bool = True) -> None:
        """Connect ``src`` to ``dst``.

        ``keep_value_on_undo``: whether undoing puts ``dst``'s previous static value back. What Maya does is
        not confirmed; Maya's own commands are taken to restore it, API modifiers (MDGModifier.connect,
        MFnAnimCurve.create) to leave the last evaluated value, the harsher reading for the code under test.
        """
        if dst in self.inputs:
            if not force:
                raise RuntimeError(
                    f"connectAttr: '{src.name()}' cannot be connected to '{dst.name()}': destination is connected."
                )
            self.disconnect(dst, journal)
        if dst.key() in dst.node.locked:
            raise RuntimeError(f"connectAttr: The destination attribute '{dst.name()}' is locked.")
        self.ensure_element(dst, journal)
        self.ensure_element(src, journal)
        key = dst.key()
        had = key in dst.node.values
        old = dst.node.values.get(key)

        def redo() -> None:
            self.inputs[dst] = src

        def undo() -> None:
            self._disconnect(dst)
            if keep_value_on_undo:
                if had:
                    dst.node.values[key] = old
                else:
                    dst.node.values.pop(key, None)

        redo()
        self._record(journal, undo, redo, f"connect {src.name()} {dst.name()}")

    def _disconnect(self, dst: Plug) -> None:
        """Break ``dst``'s input; the attribute keeps the value it had (maya-facts §4.4)."""
        if dst not in self.inputs:
            return
        last = self.evaluate(dst, self.current_time)
        del self.inputs[dst]
        if dst.spec.kind in ("double", "doubleAngle", "time", "bool", "int"):
            dst.node.values[dst.key()] = last

    def disconnect(self, dst: Plug, journal: Optional[Journal]) -> None:
        src = self.inputs.get(dst)
        if src is None:
            return
        key = dst.key()
        had = key in dst.node.values
        old = dst.node.values.get(key)

        def redo() -> None:
            self._disconnect(dst)

        def undo() -> None:
            self.inputs[dst] = src
            if had:
                dst.node.values[key] = old
            else:
                dst.node.values.pop(key, None)

        redo()
        self._record(journal, undo, redo, "disconnect")

    def set_curve_keys(self, node: Node, keys: List[Tuple[float, float, str, str]], journal: Optional[Journal]) -> None:
        assert node.curve is not None
        before = node.curve.snapshot()
        node.curve.restore(sorted(keys, key=lambda k: k[0]))
        after = node.curve.snapshot()
        curve = node.curve
        self._record(journal, lambda: curve.restore(before), lambda: curve.restore(after), f"keys {node.name}")

    def set_time_settings(self, journal: Optional[Journal], **changes: Any) -> None:
        before = {k: getattr(self, k) for k in changes}
        before["playback"] = list(self.playback)

        def apply(state: Dict[str, Any]) -> Callable[[], None]:
            def run() -> None:
                for k, v in state.items():
                    setattr(self, k, list(v) if k == "playback" else v)
            return run

        for k, v in changes.items():
            setattr(self, k, v)
        after = {k: getattr(self, k) for k in changes}
        after["playback"] = list(self.playback)
        self._record(journal, apply(before), apply(after), "time")

    # ---- evaluation
    def source(self, plug: Plug) -> Optional[Plug]:
        src = self.inputs.get(plug)
        if src is None and plug.index is not None and plug.child is None:
            return None
        return src

    def evaluate(self, plug: Plug, time: Fraction) -> Any:
        src = self.inputs.get(plug)
        if src is not None:
            return self.compute(src, time)
        return self.static_value(plug)

    def static_value(self, plug: Plug) -> Any:
        return plug.node.values.get(plug.key(), plug.spec.default)

    def compute(self, plug: Plug, time: Fraction) -> Any:
        node = plug.node
        if node.type.startswith("animCurveT") and plug.attr == "output":
            assert node.curve is not None
            return node.curve.evaluate(float(time))
        if node.type == "animCurveUU" and plug.attr == "output":
            assert node.curve is not None
            return node.curve.evaluate(float(self.evaluate(Plug(node, "input"), time)))
        if node.type == "multDoubleLinear" and plug.attr == "output":
            return self.evaluate(Plug(node, "input1"), time) * self.evaluate(Plug(node, "input2"), time)
        if node.type in ("animBlendNodeAdditive", "animBlendNodeAdditiveDA") and plug.attr == "output":
            a = self.evaluate(Plug(node, "inputA"), time)
            b = self.evaluate(Plug(node, "inputB"), time)
            return a * self.evaluate(Plug(node, "weightA"), time) + b * self.evaluate(Plug(node, "weightB"), time)
        if node.type == "animLayer" and plug.attr == "weight":
            if node.values.get(("mute", None), False):
                return 0.0
        return self.evaluate(plug, time)

    # ---- history (maya-facts §1: upstream; pruneDagObjects stops at DAG nodes)
    def history(self, start: Node, prune_dag: bool) -> List[Node]:
        roots = [start]
        if start.type == "transform":
            roots = [c for c in start.children if c.type == "mesh"] or [start]
        seen: List[Node] = []
        stack = list(roots)
        while stack:
            node = stack.pop(0)
            if node in seen:
                continue
            if prune_dag and node.is_dag() and node not in roots:
                continue
            seen.append(node)
            for dst, src in self.inputs.items():
                if dst.node is node and src.node not in seen:
                    stack.append(src.node)
        if prune_dag:
            seen = [n for n in seen if not n.is_dag()]
        return seen

    # ---- undo queue
    def push_undo(self, entry: UndoEntry) -> None:
        if not self.undo_enabled:
            return
        self.redo_queue.clear()
        if self.chunks:
            self.chunks[-1].append(entry)
        else:
            self.undo_queue.append(entry)

    def push_journal(self, journal: Journal) -> None:
        if journal:
            self.push_undo(UndoEntry(journal.label, journal.undo, journal.redo))

    def flush_undo(self) -> None:
        self.undo_queue.clear()
        self.redo_queue.clear()

    # ---- files (a JSON representation; enough for batch tests)
    def to_json(self) -> Dict[str, Any]:
        nodes = []
        for node in self.nodes.values():
            nodes.append({
                "name": node.name, "type": node.type,
                "values": [[a, i, _jsonable(v)] for (a, i), v in node.values.items()],
                "indices": node.indices, "aliases": [[k, a, i] for k, (a, i) in node.aliases.items()],
                "locked": [[a, i] for a, i in node.locked],
                "parent": node.parent.name if node.parent else None,
                "keys": [[str(Fraction(k[0])), *k[1:]] for k in node.curve.snapshot()]
                if node.curve is not None else None,
            })
        links = [[s.node.name, s.attr, s.index, s.child, d.node.name, d.attr, d.index, d.child]
                 for d, s in self.inputs.items()]
        return {"format": "maya-standin-scene", "nodes": nodes, "connections": links,
                "time_unit": self.time_unit, "playback": [str(p) for p in self.playback],
                "layer_members": {k: [[p.node.name, p.attr, p.index] for p in v]
                                  for k, v in self.layer_members.items()},
                "layer_blends": [[layer, p.node.name, p.attr, p.index, blend.name]
                                 for (layer, p), blend in self.layer_blends.items()]}

    def load_json(self, data: Dict[str, Any]) -> None:
        if data.get("format") != "maya-standin-scene":
            raise RuntimeError("File read error: not a scene this stand-in wrote")
        self.reset()
        for item in data["nodes"]:
            node = Node(item["name"], item["type"])
            for a, i, v in item["values"]:
                node.values[(a, i)] = Fraction(v[1]) if isinstance(v, list) and v[:1] == ["F"] else v
            node.indices = {k: list(v) for k, v in item["indices"].items()}
            node.aliases = {k: (a, i) for k, a, i in item["aliases"]}
            node.locked = {(a, i) for a, i in item["locked"]}
            if item["keys"] is not None:
                assert node.curve is not None
                node.curve.restore([(Fraction(k[0]), *k[1:]) for k in item["keys"]])
            self.nodes[node.name] = node
        for item in data["nodes"]:
            if item["parent"]:
                child, parent = self.nodes[item["name"]], self.nodes[item["parent"]]
                child.parent = parent
                parent.children.append(child)
        for sn, sa, si, sc, dn, da, di, dc in data["connections"]:
            self.inputs[Plug(self.nodes[dn], da, di, dc)] = Plug(self.nodes[sn], sa, si, sc)
        self.time_unit = data["time_unit"]
        self.playback = [Fraction(p) for p in data["playback"]]
        self.current_time = self.playback[0]
        self.layer_members = {k: [Plug(self.nodes[n], a, i) for n, a, i in v]
                              for k, v in data.get("layer_members", {}).items()}
        self.layer_blends = {(layer, Plug(self.nodes[n], a, i)): self.nodes[b]
                             for layer, n, a, i, b in data.get("layer_blends", [])}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Fraction):
        return ["F", str(value)]
    return value


def dump_scene(scene: Scene, path: str, maya_version: int = 2024) -> None:
    """Write the scene; like a ``.ma`` header (``//Name: <file>``, ``//Last modified``, ``requires maya``)
    it records the file name it was saved under and the Maya version that saved it."""
    data = scene.to_json()
    data["header"] = {"name": os.path.basename(path), "maya_version": int(maya_version)}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def file_header(path: str) -> Dict[str, Any]:
    """The saved header of a stand-in scene file ({} for files written before headers existed)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return dict(json.load(handle).get("header") or {})
    except (OSError, ValueError):
        return {}


def file_version(path: str) -> int:
    """The Maya version that saved ``path`` (0 when unknown)."""
    return int(file_header(path).get("maya_version") or 0)


def load_scene(scene: Scene, path: str) -> None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"File read error: {path}: {exc}") from None
    scene.load_json(data)


def iter_plugs_named(nodes: Iterable[Node]) -> Iterable[str]:
    for node in nodes:
        yield node.name
