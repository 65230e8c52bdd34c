"""The stand-in ``maya.cmds``: only the commands and flags the project calls, with Maya's behaviour.

Every command checks its flags (long or short names, modes) against ``flags.COMMANDS`` and raises
``TypeError`` for a flag it does not know, as Maya does for an invalid flag. Empty results are
``None`` where Maya returns ``None`` (listConnections, listHistory, listAttr, keyframe, aliasAttr;
maya-facts §0). Scene changes are recorded into an undo journal per call (one undo step each).
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import dg
from .flags import COMMANDS

SCENE: dg.Scene = dg.Scene()  # replaced by the fixture for each test
SLIDER = "MayaWindow|mayaMainWindowForm|TimeSliderForm|formLayout16|flowLayout2|formLayout17|timeControl1"


class _Context:
    capture: List[dg.Journal] = []  # journals of MDGModifier.commandToExecute in progress


def _scene() -> dg.Scene:
    return SCENE


def parse_flags(command: str, flags: Dict[str, Any]) -> Tuple[str, Dict[str, Any]]:
    """Map short names to long, check modes; return (mode, flags by long name)."""
    spec = COMMANDS[command]
    short_to_long = {s[0]: long for long, s in spec.items()}
    out: Dict[str, Any] = {}
    for name, value in flags.items():
        long = name if name in spec else short_to_long.get(name)
        if long is None:
            raise TypeError(f"Invalid flag '{name}'")
        if long in out:
            raise TypeError(f"{command}: flag '{name}' given twice")
        out[long] = value
    mode = "q" if out.pop("query", False) else "e" if out.pop("edit", False) else "c"
    for long in out:
        modes = spec[long][1]
        if mode == "q" and not ({"q", "c"} & set(modes)):
            raise RuntimeError(f"{command}: flag '{long}' cannot be used in query mode")
        if mode == "e" and "e" not in modes:
            raise RuntimeError(f"{command}: flag '{long}' cannot be used in edit mode")
        if mode == "c" and "c" not in modes:
            other = "query" if "q" in modes else "edit"
            raise RuntimeError(f"{command}: flag '{long}' can only be used in {other} mode")
    alone = ("keyframe", "aliasAttr", "currentTime")
    # -exists answers in query mode too (cmds.workspaceControl(name, q=True, exists=True) is the usual idiom)
    if mode == "q" and not any("q" in spec[f][1] or f == "exists" for f in out) and command not in alone:
        raise RuntimeError(f"{command}: nothing to query")
    return mode, out


def command(name: str, undoable: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a stand-in command: flag checking, and a journal pushed on the undo queue when it changed things."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            if SCENE.batch_allowed and not SCENE.batch:  # mayapy before maya.standalone.initialize()
                raise AttributeError(f"module 'maya.cmds' has no attribute '{name}'")
            for arg in args:
                _check_object_arg(arg)
            mode, flags = parse_flags(name, kwargs)
            if not undoable:
                return fn(mode, flags, *args)
            if _Context.capture:
                return fn(mode, flags, *args, journal=_Context.capture[-1])
            journal = dg.Journal(name)
            result = fn(mode, flags, *args, journal=journal)
            SCENE.push_journal(journal)
            return result

        run.__name__ = name
        return run

    return wrap


def _check_object_arg(arg: Any) -> None:
    if isinstance(arg, (list, tuple)):
        for item in arg:
            _check_object_arg(item)
    elif not isinstance(arg, (str, int, float)):
        raise TypeError(f"Object {arg!r} is invalid")


def _flatten(args: Tuple[Any, ...]) -> Tuple[List[str], bool]:
    """Objects from positional args; the bool says whether any were given (``ls([])`` counts as none)."""
    names: List[str] = []
    for arg in args:
        if isinstance(arg, (list, tuple)):
            names.extend(str(a) for a in arg)
        else:
            names.append(str(arg))
    return names, bool(names)


def _ui_only(command: str) -> None:
    if SCENE.batch:
        raise RuntimeError(f"{command}: this command is not available in batch mode (UI commands are disabled)")


# --------------------------------------------------------------------------- queries


@command("about")
def about(mode: str, flags: Dict[str, Any]) -> Any:
    if flags.get("batch"):
        return SCENE.batch
    if flags.get("version"):
        return "2024"
    if flags.get("apiVersion"):
        return 20240300
    if flags.get("operatingSystem"):
        return {"win32": "win64", "darwin": "mac"}.get(sys.platform, "linux64")
    raise NotImplementedError(f"about {flags}")


@command("ls")
def ls(mode: str, flags: Dict[str, Any], *args: Any) -> List[str]:
    names, given = _flatten(args)
    if flags.get("selection"):
        pool = [SCENE.node(n) for n in SCENE.selection if n in SCENE.nodes]
    elif given:
        pool = [SCENE.node(n.split(".")[0]) for n in names if n.split(".")[0] in SCENE.nodes]
    else:  # ls() and ls([]) list every node (maya-facts §0)
        pool = list(SCENE.nodes.values())
    types = flags.get("type")
    if types is not None:
        wanted = [types] if isinstance(types, str) else list(types)
        pool = [n for n in pool if any(n.is_a(t) for t in wanted)]
    exact = flags.get("exactType")
    if exact is not None:
        wanted = [exact] if isinstance(exact, str) else list(exact)
        pool = [n for n in pool if n.type in wanted]
    result: List[str] = []
    for node in pool:
        if node.name not in result:
            result.append(node.name)
    return result


@command("objExists")
def objExists(mode: str, flags: Dict[str, Any], name: str) -> bool:
    return SCENE.exists(name)


@command("nodeType")
def nodeType(mode: str, flags: Dict[str, Any], name: str) -> Any:
    if flags.get("isTypeName"):
        return name in dg.ATTRS or name in dg.ABSTRACT_TYPES
    obj = SCENE.resolve(name) if SCENE.exists(name) else None
    if obj is None:
        raise RuntimeError(f"No object matches name: {name}")
    node = obj.node if isinstance(obj, dg.Plug) else obj
    if flags.get("inherited"):
        return list(reversed(dg.HIERARCHY[node.type]))[1:] + [node.type]
    if flags.get("apiType"):
        return "k" + node.type[0].upper() + node.type[1:]
    return node.type


@command("listHistory")
def listHistory(mode: str, flags: Dict[str, Any], *args: Any) -> Optional[List[str]]:
    names, given = _flatten(args)
    if args and not given:
        raise TypeError("listHistory: an empty list is not an object")  # maya-facts §0
    if not names:
        names = list(SCENE.selection)
    result: List[str] = []
    for name in names:
        for node in SCENE.history(SCENE.node(name, "listHistory"), bool(flags.get("pruneDagObjects"))):
            if node.name not in result:
                result.append(node.name)
    return result or None


@command("listAttr")
def listAttr(mode: str, flags: Dict[str, Any], target: str) -> Optional[List[str]]:
    if not flags.get("multi") or "." not in target:
        raise NotImplementedError("stand-in listAttr supports only listAttr('node.multi', multi=True)")
    plug = SCENE.plug(target)
    if not plug.spec.multi or plug.index is not None:
        raise NotImplementedError("stand-in listAttr supports only whole multi attributes")
    names: List[str] = []
    by_target = {v: k for k, v in plug.node.aliases.items()}
    for index in plug.node.indices.get(plug.attr, []):
        names.append(by_target.get((plug.attr, index), f"{plug.attr}[{index}]"))
    return names or None


@command("aliasAttr", undoable=True)
def aliasAttr(mode: str, flags: Dict[str, Any], *args: Any, journal: dg.Journal) -> Any:
    if mode == "q":
        node = SCENE.node(args[0], "aliasAttr")
        flat: List[str] = []
        for alias, (attr, index) in node.aliases.items():  # insertion order, not index order
            flat.extend([alias, f"{attr}[{index}]"])
        return flat or None
    if flags.get("remove"):
        raise NotImplementedError("aliasAttr -rm")
    alias, target = args
    plug = SCENE.plug(target, "aliasAttr")
    if plug.index is None:
        raise NotImplementedError("stand-in aliases multi elements only")
    SCENE.ensure_element(plug, journal)
    SCENE.set_alias(plug.node, alias, plug.attr, plug.index, journal)
    return True


def _frames_to_seconds(value: Any) -> Fraction:
    if isinstance(value, str):
        match = re.match(r"^(-?[\d.]+)(\w+)?$", value)
        if not match:
            raise RuntimeError(f"Invalid time value: {value}")
        rate = dg.unit_rate(match.group(2)) if match.group(2) else SCENE.fps
        return Fraction(match.group(1)) / rate
    return Fraction(value).limit_denominator(1 << 40) / SCENE.fps


@command("getAttr")
def getAttr(mode: str, flags: Dict[str, Any], target: str) -> Any:
    try:
        plug = SCENE.plug(target)
    except RuntimeError:
        raise ValueError(f"No object matches name: {target}") from None  # getAttr raises ValueError
    if flags.get("multiIndices"):
        if not plug.spec.multi:
            raise RuntimeError(f"getAttr: '{target}' is not a multi attribute")
        return list(plug.node.indices.get(plug.attr, [])) or None
    if flags.get("size"):
        return len(plug.node.indices.get(plug.attr, [])) if plug.spec.multi else 1
    if flags.get("lock"):
        return plug.key() in plug.node.locked
    if flags.get("type"):
        kinds = {"double": "double", "doubleAngle": "doubleAngle", "time": "time", "string": "string", "bool": "bool"}
        return kinds.get(plug.spec.kind, "TdataCompound")
    time = _frames_to_seconds(flags["time"]) if "time" in flags else SCENE.current_time
    if plug.spec.multi and plug.index is None:
        values = tuple(float(SCENE.evaluate(dg.Plug(plug.node, plug.attr, i), time))
                       for i in plug.node.indices.get(plug.attr, []))
        return [values]
    if plug.spec.multi and plug.index not in plug.node.indices.get(plug.attr, []):
        if plug.spec.kind == "double":
            return float(plug.spec.default)
    value = SCENE.evaluate(plug, time)
    if plug.spec.kind == "time":
        return SCENE.to_frames(value)
    if plug.spec.kind == "double":
        return float(value)
    if plug.spec.kind == "doubleAngle":  # the UI unit, degrees by default
        return math.degrees(float(value))
    return value


@command("listConnections")
def listConnections(mode: str, flags: Dict[str, Any], target: str) -> Optional[List[str]]:
    source = flags.get("source", True)
    destination = flags.get("destination", True)
    want_plugs = flags.get("plugs", False)
    type_name = flags.get("type")
    exact = flags.get("exactType", False)
    obj = SCENE.resolve(target)
    pairs: List[Tuple[dg.Plug, dg.Plug]] = []  # (own plug, other plug)
    for dst, src in SCENE.inputs.items():
        own_dst = dst == obj if isinstance(obj, dg.Plug) else dst.node is obj
        own_src = src == obj if isinstance(obj, dg.Plug) else src.node is obj
        if source and own_dst:
            pairs.append((dst, src))
        if destination and own_src:
            pairs.append((src, dst))
    out: List[str] = []
    for own, other in pairs:
        node = other.node
        if type_name and not (node.type == type_name if exact else node.is_a(type_name)):
            continue
        if flags.get("connections"):
            out.append(own.name())
        out.append(other.name() if want_plugs else node.name)
    return out or None


@command("keyframe")
def keyframe(mode: str, flags: Dict[str, Any], target: str) -> Any:
    if mode != "q":
        raise NotImplementedError("stand-in keyframe supports query mode only")
    obj = SCENE.resolve(target)
    if isinstance(obj, dg.Plug):
        src = SCENE.inputs.get(obj)
        if src is None or not src.node.is_a("animCurve"):
            if src is not None and src.node.is_a("animBlendNodeBase"):
                raise NotImplementedError("stand-in keyframe does not resolve animation layers")
            return None
        curve_node = src.node
    else:
        curve_node = obj
        if not curve_node.is_a("animCurve"):
            return None
    assert curve_node.curve is not None
    keys = list(curve_node.curve.keys)
    timed = curve_node.type.startswith("animCurveT")
    if "time" in flags:
        a, b = flags["time"] if isinstance(flags["time"], (list, tuple)) else (flags["time"], flags["time"])
        lo, hi = _frames_to_seconds(a), _frames_to_seconds(b)
        if flags.get("eval"):
            return [float(curve_node.curve.evaluate(float(lo)))]
        keys = [k for k in keys if lo - Fraction(1, 10**9) <= Fraction(k.time) <= hi + Fraction(1, 10**9)]
    if flags.get("name"):
        return [curve_node.name]
    if flags.get("keyframeCount"):
        return len(keys)
    if not keys:
        return None
    times = [SCENE.to_frames(k.time) if timed else k.time for k in keys]
    values = [k.value for k in keys]
    if flags.get("timeChange") and flags.get("valueChange"):
        flat: List[float] = []
        for t, v in zip(times, values):
            flat.extend([t, v])
        return flat
    if flags.get("timeChange"):
        return times
    if flags.get("valueChange"):
        return values
    raise NotImplementedError(f"keyframe query {flags}")


# --------------------------------------------------------------------------- time and sound


@command("currentUnit", undoable=True)
def currentUnit(mode: str, flags: Dict[str, Any], journal: dg.Journal) -> Any:
    if mode == "q":
        if flags.get("time"):
            rate = SCENE.fps
            if SCENE.time_unit in dg.UNIT_RATES:
                return SCENE.time_unit
            return dg.NAME_FOR_RATE.get(rate, SCENE.time_unit)
        raise NotImplementedError("currentUnit query other than time")
    unit = flags["time"]
    new_rate = dg.unit_rate(unit)
    if not flags.get("updateAnimation", True):  # keep frame numbers: move keys in real time
        ratio = SCENE.fps / new_rate
        for node in SCENE.nodes.values():
            if node.curve is not None and node.type.startswith("animCurveT"):
                keys = [(Fraction(k.time) * ratio, k.value, k.in_type, k.out_type, k.in_slope / float(ratio),
                         k.out_slope / float(ratio)) for k in node.curve.keys]
                SCENE.set_curve_keys(node, keys, journal)
    SCENE.set_time_settings(journal, time_unit=unit)
    return None


@command("playbackOptions", undoable=True)
def playbackOptions(mode: str, flags: Dict[str, Any], journal: dg.Journal) -> Any:
    order = ["minTime", "maxTime", "animationStartTime", "animationEndTime"]
    if mode == "q":
        for i, name in enumerate(order):
            if flags.get(name):
                return SCENE.to_frames(SCENE.playback[i])
        raise NotImplementedError(f"playbackOptions query {flags}")
    playback = list(SCENE.playback)
    for i, name in enumerate(order):
        if name in flags:
            playback[i] = _frames_to_seconds(flags[name])
    before = list(SCENE.playback)
    SCENE.playback = playback
    after = list(playback)
    SCENE._record(journal, lambda: setattr(SCENE, "playback", list(before)),
                  lambda: setattr(SCENE, "playback", list(after)), "playbackOptions")
    return None


@command("currentTime")
def currentTime(mode: str, flags: Dict[str, Any], *args: Any) -> Any:
    if mode == "q":
        return SCENE.to_frames(SCENE.current_time)
    SCENE.current_time = _frames_to_seconds(args[0])
    return SCENE.to_frames(SCENE.current_time)


@command("sound", undoable=True)
def sound(mode: str, flags: Dict[str, Any], *args: Any, journal: dg.Journal) -> Any:
    if mode == "c":
        path = flags.get("file")
        if not path:
            raise RuntimeError("sound: -file is required")
        node = SCENE.create_node("audio", flags.get("name") or Path(path).stem, journal)
        SCENE.set_value(dg.Plug(node, "filename"), path, journal)
        SCENE.set_value(dg.Plug(node, "offset"), _frames_to_seconds(flags.get("offset", 0)), journal)
        return node.name
    node = SCENE.node(args[0], "sound")
    if node.type != "audio":
        raise RuntimeError(f"sound: '{node.name}' is not a sound node")
    if mode == "q":
        for flag, attr in (("file", "filename"), ("offset", "offset"), ("sourceStart", "sourceStart"),
                           ("sourceEnd", "sourceEnd")):
            if flags.get(flag):
                value = SCENE.static_value(dg.Plug(node, attr))
                return SCENE.to_frames(value) if attr != "filename" else value
        raise NotImplementedError(f"sound query {flags}")
    if "offset" in flags:
        SCENE.set_value(dg.Plug(node, "offset"), _frames_to_seconds(flags["offset"]), journal)
    if "file" in flags:
        SCENE.set_value(dg.Plug(node, "filename"), flags["file"], journal)
    return None


@command("timeControl", undoable=True)
def timeControl(mode: str, flags: Dict[str, Any], control: str, journal: dg.Journal) -> Any:
    """timeControl is undoable: an edit is its own undo step unless a command's modifier runs it."""
    _ui_only("timeControl")
    if control != SLIDER:
        raise RuntimeError(f"timeControl: Object '{control}' not found.")
    if mode == "q":
        if flags.get("sound"):
            return SCENE.slider_sound
        if flags.get("displaySound"):
            return int(SCENE.slider_display_sound)
        raise NotImplementedError(f"timeControl query {flags}")
    before = (SCENE.slider_sound, SCENE.slider_display_sound)
    after = list(before)
    if "sound" in flags:
        if flags["sound"] and flags["sound"] not in SCENE.nodes:
            raise RuntimeError(f"timeControl: sound node '{flags['sound']}' not found")
        after[0] = flags["sound"]
    if "displaySound" in flags:
        after[1] = bool(flags["displaySound"])

    def put(state: Tuple[Any, bool]) -> Callable[[], None]:
        def run() -> None:
            SCENE.slider_sound, SCENE.slider_display_sound = state
        return run

    put(tuple(after))()
    journal.add(dg.Op(put(before), put(tuple(after)), "timeControl"))  # a UI edit: the scene is not modified
    return None


# --------------------------------------------------------------------------- undo


@command("undoInfo")
def undoInfo(mode: str, flags: Dict[str, Any]) -> Any:
    if mode == "q":
        if flags.get("state"):
            return SCENE.undo_enabled
        raise NotImplementedError(f"undoInfo query {flags}")
    if flags.get("openChunk"):
        SCENE.chunks.append([])
        SCENE.chunk_names.append(flags.get("chunkName", ""))
        return None
    if flags.get("closeChunk"):
        if not SCENE.chunks:
            raise RuntimeError("undoInfo: no open chunk to close")  # unbalanced: the queue is in a bad state
        entries = SCENE.chunks.pop()
        chunk_name = SCENE.chunk_names.pop()
        if entries:
            def undo_all(items: List[dg.UndoEntry] = entries) -> None:
                for entry in reversed(items):
                    entry.undo()

            def redo_all(items: List[dg.UndoEntry] = entries) -> None:
                for entry in items:
                    entry.redo()

            SCENE.push_undo(dg.UndoEntry(chunk_name or entries[-1].name, undo_all, redo_all))
        return None
    if "state" in flags:
        SCENE.undo_enabled = bool(flags["state"])
        if not SCENE.undo_enabled:
            SCENE.flush_undo()
        return None
    raise NotImplementedError(f"undoInfo {flags}")


@command("undo")
def undo(mode: str, flags: Dict[str, Any]) -> None:
    if SCENE.chunks:
        raise RuntimeError("undo: an undo chunk is still open")
    if not SCENE.undo_queue:
        SCENE.log.append(("warning", "There are no more commands to undo."))
        return
    entry = SCENE.undo_queue.pop()
    entry.undo()
    SCENE.redo_queue.append(entry)


@command("redo")
def redo(mode: str, flags: Dict[str, Any]) -> None:
    if not SCENE.redo_queue:
        SCENE.log.append(("warning", "There are no more commands to redo."))
        return
    entry = SCENE.redo_queue.pop()
    entry.redo()
    SCENE.undo_queue.append(entry)


# --------------------------------------------------------------------------- building scenes (tests)


@command("createNode", undoable=True)
def createNode(mode: str, flags: Dict[str, Any], type_name: str, journal: dg.Journal) -> str:
    parent = SCENE.node(flags["parent"], "createNode") if flags.get("parent") else None
    node = SCENE.create_node(type_name, flags.get("name"), journal, parent=parent)
    if not flags.get("skipSelect"):
        SCENE.selection = [node.name]
    return node.name


@command("setAttr", undoable=True)
def setAttr(mode: str, flags: Dict[str, Any], target: str, *values: Any, journal: dg.Journal) -> None:
    plug = SCENE.plug(target, "setAttr")
    if "lock" in flags and not values:
        SCENE.set_lock(plug, bool(flags["lock"]), journal)
        return
    if len(values) != 1:
        raise RuntimeError("setAttr: stand-in sets one value at a time")
    value = values[0]
    kind = plug.spec.kind
    if kind == "string":
        if flags.get("type") != "string":
            raise RuntimeError("setAttr: a string attribute needs type='string'")
    elif kind == "time":
        value = _frames_to_seconds(value)
    elif kind == "double":
        value = float(value)
    elif kind == "doubleAngle":
        value = math.radians(float(value))
    SCENE.set_value(plug, value, journal)
    if "lock" in flags:
        SCENE.set_lock(plug, bool(flags["lock"]), journal)


@command("connectAttr", undoable=True)
def connectAttr(mode: str, flags: Dict[str, Any], src: str, dst: str, journal: dg.Journal) -> None:
    SCENE.connect(SCENE.plug(src, "connectAttr"), SCENE.plug(dst, "connectAttr"), journal,
                  force=bool(flags.get("force")))


@command("select")
def select(mode: str, flags: Dict[str, Any], *args: Any) -> None:
    names, _ = _flatten(args)
    for name in names:
        SCENE.node(name.split(".")[0], "select")
    if flags.get("clear"):
        SCENE.selection = []
    elif flags.get("add"):
        SCENE.selection.extend(n for n in names if n not in SCENE.selection)
    else:
        SCENE.selection = list(names)


# --------------------------------------------------------------------------- animation layers (issue 7)


def _layer(name: str) -> dg.Node:
    node = SCENE.nodes.get(name)
    if node is None or node.type != "animLayer":
        raise RuntimeError(f"animLayer: Object '{name}' not found or not an animation layer.")
    return node


def _layer_chain(plug: dg.Plug) -> List[Tuple[str, dg.Node]]:
    """Blend nodes between ``plug`` and its base curve, top (latest layer) first."""
    chain: List[Tuple[str, dg.Node]] = []
    current = SCENE.inputs.get(plug)
    while current is not None and current.node.is_a("animBlendNodeBase"):
        layer = next((lay for (lay, p), b in SCENE.layer_blends.items() if b is current.node and p == plug), None)
        chain.append((layer or "", current.node))
        current = SCENE.inputs.get(dg.Plug(current.node, "inputA"))
    return chain


@command("animLayer", undoable=True)
def animLayer(mode: str, flags: Dict[str, Any], *args: Any, journal: dg.Journal) -> Any:
    names, _ = _flatten(args)
    if mode == "q":
        if flags.get("exists"):
            return bool(names) and names[0] in SCENE.nodes and SCENE.nodes[names[0]].type == "animLayer"
        if flags.get("root"):
            return "BaseAnimation" if "BaseAnimation" in SCENE.nodes else None
        layer = _layer(names[0])
        if "findCurveForPlug" in flags or "layeredPlug" in flags:
            plug = SCENE.plug(flags.get("findCurveForPlug") or flags.get("layeredPlug"), "animLayer")
            chain = _layer_chain(plug)
            if layer.name == "BaseAnimation":
                if not chain:
                    return None
                input_plug = dg.Plug(chain[-1][1], "inputA")
            else:
                blend = SCENE.layer_blends.get((layer.name, plug))
                if blend is None:
                    return None
                input_plug = dg.Plug(blend, "inputB")
            if "layeredPlug" in flags:
                return input_plug.name()
            src = SCENE.inputs.get(input_plug)
            return [src.node.name] if src is not None and src.node.is_a("animCurve") else None
        if flags.get("attribute"):
            members = SCENE.layer_members.get(layer.name, [])
            return [p.name() for p in members] or None
        if flags.get("mute"):
            return bool(layer.values.get(("mute", None), False))
        if flags.get("weight"):
            return float(layer.values.get(("weight", None), 1.0))
        raise NotImplementedError(f"animLayer query {flags}")
    if mode == "c":
        if "BaseAnimation" not in SCENE.nodes:
            SCENE.create_node("animLayer", "BaseAnimation", journal)
            _set_members("BaseAnimation", [], journal)
        wanted = names[0] if names else "AnimLayer1"
        node = SCENE.create_node("animLayer", wanted, journal)
        SCENE.connect(dg.Plug(SCENE.nodes["BaseAnimation"], "message"), dg.Plug(node, "parentLayer"), journal)
        _set_members(node.name, [], journal)
        for flag in ("override", "mute"):
            if flag in flags:
                SCENE.set_value(dg.Plug(node, flag), bool(flags[flag]), journal)
        if "weight" in flags:
            SCENE.set_value(dg.Plug(node, "weight"), float(flags["weight"]), journal)
        return node.name
    layer = _layer(names[0])
    attrs = flags.get("attribute")
    if attrs is not None:
        for text in [attrs] if isinstance(attrs, str) else list(attrs):
            _add_to_layer(layer, SCENE.plug(text, "animLayer"), journal)
    for flag in ("override", "mute"):
        if flag in flags:
            SCENE.set_value(dg.Plug(layer, flag), bool(flags[flag]), journal)
    if "weight" in flags:
        SCENE.set_value(dg.Plug(layer, "weight"), float(flags["weight"]), journal)
    return None


def _set_members(layer: str, members: List[dg.Plug], journal: dg.Journal) -> None:
    before = SCENE.layer_members.get(layer)
    SCENE.layer_members[layer] = list(members)
    after = list(members)

    def restore(state: Optional[List[dg.Plug]]) -> Callable[[], None]:
        def run() -> None:
            if state is None:
                SCENE.layer_members.pop(layer, None)
            else:
                SCENE.layer_members[layer] = list(state)
        return run

    SCENE._record(journal, restore(before), restore(after), "layer members")


def _add_to_layer(layer: dg.Node, plug: dg.Plug, journal: dg.Journal) -> None:
    """Put a blend node between the attribute and whatever drove it (maya-facts-style, docs/maya.md)."""
    if (layer.name, plug) in SCENE.layer_blends:
        return
    if plug.key() in plug.node.locked:
        raise RuntimeError(f"animLayer: '{plug.name()}' is locked and cannot be added to a layer.")
    by_target = {v: k for k, v in plug.node.aliases.items()}
    label = by_target.get((plug.attr, plug.index), plug.long_name().replace("[", "_").replace("]", ""))
    kind = "animBlendNodeAdditiveDA" if plug.spec.kind == "doubleAngle" else "animBlendNodeAdditive"
    blend = SCENE.create_node(kind, f"{plug.node.name}_{label}_{layer.name}", journal)
    previous = SCENE.inputs.get(plug)
    static = SCENE.static_value(plug)
    if previous is not None:
        SCENE.disconnect(plug, journal)
        SCENE.connect(previous, dg.Plug(blend, "inputA"), journal)
    else:
        SCENE.set_value(dg.Plug(blend, "inputA"), float(static), journal)
    SCENE.connect(dg.Plug(blend, "output"), plug, journal)
    SCENE.connect(dg.Plug(layer, "weight"), dg.Plug(blend, "weightB"), journal)
    _set_members(layer.name, SCENE.layer_members.get(layer.name, []) + [plug], journal)
    key = (layer.name, plug)

    def redo() -> None:
        SCENE.layer_blends[key] = blend

    def undo() -> None:
        SCENE.layer_blends.pop(key, None)

    redo()
    SCENE._record(journal, undo, redo, "layer blend")


# --------------------------------------------------------------------------- session, files, plug-ins


@command("internalVar")
def internalVar(mode: str, flags: Dict[str, Any]) -> str:
    if flags.get("userAppDir"):
        return SCENE.user_app_dir.rstrip("/") + "/"
    if flags.get("userShelfDir"):
        return f"{SCENE.user_app_dir.rstrip('/')}/{about(version=True)}/prefs/shelves/"
    raise NotImplementedError(f"internalVar {flags}")


# --------------------------------------------------------------------------- UI: shelves, optionVars


class UI:
    """Maya's interface state that outlives scenes: shelf tabs, buttons, optionVars (reset by ``install``)."""

    shelf_top = "ShelfLayout"
    tabs: Dict[str, List[str]] = {}
    buttons: Dict[str, Dict[str, Any]] = {}
    current: Optional[str] = None
    options: Dict[str, Any] = {}
    controls: Dict[str, Dict[str, Any]] = {}  # workspaceControls

    @classmethod
    def reset(cls) -> None:
        cls.tabs, cls.buttons, cls.current, cls.options, cls.controls = {}, {}, None, {}, {}


class QtAbort(BaseException):
    """What Qt does to the whole process when a running QThread is destroyed (qFatal): nothing survives it."""


@command("workspaceControl")
def workspaceControl(mode: str, flags: Dict[str, Any], name: str) -> Any:
    """Dock controls. Closing one (``-e -close``, the user's X) calls the mixin's close hook; with
    ``retain`` false Maya deletes the control and the widgets in it."""
    _ui_only("workspaceControl")
    control = UI.controls.get(name)
    if mode == "q":
        if flags.get("exists"):
            return control is not None
        if control is None:
            raise RuntimeError(f"workspaceControl: Object '{name}' not found.")
        (key,) = list(flags)
        return control.get(key)
    if mode == "c":
        if control is not None:
            raise RuntimeError(f"workspaceControl: Object's name '{name}' is not unique.")
        UI.controls[name] = {"retain": flags.get("retain", True), "visible": True, "uiScript": flags.get("uiScript"),
                             "label": flags.get("label", ""), "widget": None, "states": True}
        return name
    if control is None:
        raise RuntimeError(f"workspaceControl: Object '{name}' not found.")
    if flags.get("close"):
        widget = control.get("widget")
        hook = getattr(widget, "dockCloseEventTriggered", None)
        if hook is not None:
            hook()
        if control["retain"]:
            control["visible"] = False
            if widget is not None:
                widget.hide()
        else:
            destroy_control(name)
        return None
    if flags.get("restore") or flags.get("visible"):
        control["visible"] = True
        if control.get("widget") is not None:
            control["widget"].show()
    return None


def destroy_control(name: str) -> None:
    """Delete a control and its widgets, as Qt does: a running QThread in them aborts the process."""
    control = UI.controls.pop(name, None)
    widget = control.get("widget") if control else None
    if widget is None:
        return
    from audio2face_maya.vendor.Qt import QtCore

    running = [t for t in widget.findChildren(QtCore.QThread) if t.isRunning()]
    if running:
        raise QtAbort("QThread: Destroyed while thread is still running")
    widget.setParent(None)
    widget.deleteLater()


@command("workspaceControlState")
def workspaceControlState(mode: str, flags: Dict[str, Any], name: str) -> Any:
    states = UI.options.setdefault("__workspace_states", set())
    if flags.get("exists"):
        return name in states or name in UI.controls
    if flags.get("remove"):
        states.discard(name)
        return None
    raise NotImplementedError(f"workspaceControlState {flags}")


@command("progressWindow")
def progressWindow(mode: str, flags: Dict[str, Any]) -> Any:
    """One modal progress window; ``UI.cancel_progress_at`` (a test's Esc press) cancels at that percent."""
    _ui_only("progressWindow")
    state = UI.controls.setdefault("progressWindow", {"open": False, "history": []})
    if flags.get("endProgress"):
        state["open"] = False
        return None
    if mode == "c":
        if state["open"]:
            raise RuntimeError("progressWindow: a progress window is already open")
        state.update({"open": True, "progress": 0, **flags})
        return True
    if not state["open"]:
        raise RuntimeError("progressWindow: no progress window is open")
    if mode == "q":
        if flags.get("isCancelled"):
            at = UI.options.get("__cancel_progress_at")
            return at is not None and state.get("progress", 0) >= at
        raise NotImplementedError(f"progressWindow query {flags}")
    state.update(flags)
    state["history"].append(flags.get("progress"))
    return None


@command("optionVar")
def optionVar(mode: str, flags: Dict[str, Any]) -> Any:
    if "exists" in flags:
        return flags["exists"] in UI.options
    if "query" in flags:
        return UI.options.get(flags["query"], 0)  # 0 for a missing optionVar
    if "remove" in flags:
        UI.options.pop(flags["remove"], None)
        return None
    for kind, cast in (("intValue", int), ("stringValue", str)):
        if kind in flags:
            name, value = flags[kind]
            UI.options[name] = cast(value)
    return None


@command("tabLayout")
def tabLayout(mode: str, flags: Dict[str, Any], name: str) -> Any:
    _ui_only("tabLayout")
    if name != UI.shelf_top:
        raise RuntimeError(f"tabLayout: Object '{name}' not found.")
    if mode == "q":
        if flags.get("selectTab"):
            return UI.current
        if flags.get("childArray"):
            return list(UI.tabs) or None
        raise NotImplementedError(f"tabLayout query {flags}")
    if "selectTab" in flags:
        if flags["selectTab"] not in UI.tabs:
            raise RuntimeError(f"tabLayout: no tab {flags['selectTab']!r}")
        UI.current = flags["selectTab"]
    return None


@command("shelfLayout")
def shelfLayout(mode: str, flags: Dict[str, Any], name: str) -> Any:
    _ui_only("shelfLayout")
    if flags.get("exists"):
        return name in UI.tabs
    if mode == "q":
        if name not in UI.tabs:
            raise RuntimeError(f"shelfLayout: Object '{name}' not found.")
        return list(UI.tabs[name]) or None  # None, not [], for no children
    if mode == "c":
        if name in UI.tabs:
            raise RuntimeError(f"shelfLayout: Object's name '{name}' is not unique.")
        if flags.get("parent") != UI.shelf_top:
            raise RuntimeError("shelfLayout: a shelf needs -parent $gShelfTopLevel")
        UI.tabs[name] = []
        UI.current = name  # a new shelf becomes the current tab
        return name
    raise NotImplementedError(f"shelfLayout {mode} {flags}")


@command("shelfButton")
def shelfButton(mode: str, flags: Dict[str, Any], *args: Any) -> Any:
    _ui_only("shelfButton")
    if mode == "c":
        parent = flags.pop("parent", None) or UI.current
        if parent not in UI.tabs:
            raise RuntimeError(f"shelfButton: no shelf {parent!r}")
        name = f"shelfButton{len(UI.buttons) + 1}"
        while name in UI.buttons:
            name += "x"
        UI.buttons[name] = dict(flags)
        UI.tabs[parent].append(name)
        return f"{UI.shelf_top}|{parent}|{name}"
    button = str(args[0]).split("|")[-1]
    if button not in UI.buttons:
        raise RuntimeError(f"shelfButton: Object '{args[0]}' not found.")
    if mode == "q":
        (key,) = [k for k in flags]
        return UI.buttons[button].get(key, "")
    UI.buttons[button].update(flags)
    return None


@command("objectTypeUI")
def objectTypeUI(mode: str, flags: Dict[str, Any], name: str) -> str:
    leaf = str(name).split("|")[-1]
    if leaf in UI.buttons:
        return "shelfButton"
    if leaf in UI.tabs:
        return "shelfLayout"
    raise RuntimeError(f"objectTypeUI: Object '{name}' not found.")


@command("deleteUI")
def deleteUI(mode: str, flags: Dict[str, Any], *names: Any) -> None:
    _ui_only("deleteUI")
    for name in names:
        leaf = str(name).split("|")[-1]
        if leaf in UI.tabs and (flags.get("layout") or not flags):
            for child in UI.tabs.pop(leaf):
                UI.buttons.pop(child, None)
            UI.current = next(iter(UI.tabs), None) if UI.current == leaf else UI.current
        elif leaf in UI.buttons:
            UI.buttons.pop(leaf)
            for children in UI.tabs.values():
                if leaf in children:
                    children.remove(leaf)
        elif leaf in UI.controls:
            destroy_control(leaf)
        else:
            raise RuntimeError(f"deleteUI: Object '{name}' not found.")


@command("loadModule")
def loadModule(mode: str, flags: Dict[str, Any]) -> List[str]:
    if "load" in flags:
        path = flags["load"]
        if not os.path.isfile(path):
            raise RuntimeError(f"loadModule: module file not found: {path}")
        SCENE.loaded_modules.append(path)
        return [path]
    if flags.get("scan"):
        return []
    raise NotImplementedError(f"loadModule {flags}")


def _plugin_file(name: str) -> Path:
    path = Path(name)
    if path.is_absolute() or path.parent != Path("."):
        if path.is_file():
            return path
        raise RuntimeError(f"loadPlugin: Plug-in, \"{name}\", was not found on MAYA_PLUG_IN_PATH.")
    if path.suffix != ".py":  # Python plug-ins need the .py extension (maya-facts §10)
        raise RuntimeError(f"loadPlugin: Plug-in, \"{name}\", was not found on MAYA_PLUG_IN_PATH.")
    folders = SCENE.plugin_paths + os.environ.get("MAYA_PLUG_IN_PATH", "").split(os.pathsep)
    for folder in [os.getcwd()] + [f for f in folders if f]:
        candidate = Path(folder) / path
        if candidate.is_file():
            return candidate
    raise RuntimeError(f"loadPlugin: Plug-in, \"{name}\", was not found on MAYA_PLUG_IN_PATH.")


@command("loadPlugin")
def loadPlugin(mode: str, flags: Dict[str, Any], name: str) -> List[str]:
    from . import om

    path = _plugin_file(name)
    plugin_name = path.stem
    if plugin_name in SCENE.plugins:
        if not flags.get("quiet"):
            SCENE.log.append(("warning", f"Plug-in {plugin_name} is already loaded"))
        return [plugin_name]
    spec = importlib.util.spec_from_file_location(plugin_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "maya_useNewAPI"):
        raise RuntimeError(f"loadPlugin: {name} does not define maya_useNewAPI(): an API 1.0 plug-in")
    SCENE.plugins[plugin_name] = {"module": module, "path": str(path), "commands": []}
    try:
        module.initializePlugin(om.MObject(om._PluginHandle(plugin_name)))
    except Exception:
        SCENE.plugins.pop(plugin_name, None)
        raise RuntimeError(f"loadPlugin: initializePlugin function failed ({plugin_name})") from None
    return [plugin_name]


@command("unloadPlugin")
def unloadPlugin(mode: str, flags: Dict[str, Any], name: str) -> List[str]:
    from . import om

    plugin_name = Path(name).stem
    info = SCENE.plugins.get(plugin_name)
    if info is None:
        raise RuntimeError(f"unloadPlugin: Plug-in {name} is not loaded")
    info["module"].uninitializePlugin(om.MObject(om._PluginHandle(plugin_name)))
    leftover = list(info["commands"])
    if leftover:
        raise RuntimeError(f"unloadPlugin: commands still registered: {leftover}")
    del SCENE.plugins[plugin_name]
    return [plugin_name]


@command("pluginInfo")
def pluginInfo(mode: str, flags: Dict[str, Any], name: str) -> Any:
    plugin_name = Path(name).stem
    info = SCENE.plugins.get(plugin_name)
    if flags.get("loaded") or flags.get("registered"):
        return info is not None
    if flags.get("path"):
        if info is None:
            raise RuntimeError(f"pluginInfo: Plug-in {name} is not loaded")
        return info["path"]
    raise NotImplementedError(f"pluginInfo {flags}")


@command("file")
def file(mode: str, flags: Dict[str, Any], *args: Any) -> Any:
    if mode == "q":
        if flags.get("sceneName"):
            return SCENE.scene_name
        raise NotImplementedError(f"file query {flags}")
    from . import om

    if flags.get("newFile"):
        if SCENE.modified and not flags.get("force"):
            raise RuntimeError("file: Unsaved changes.")
        om.fire_scene_message(om.MSceneMessage.kBeforeNew)
        _reset_scene()
        om.fire_scene_message(om.MSceneMessage.kAfterNew)
        return ""
    if flags.get("open"):
        path = str(args[0])
        if SCENE.modified and not flags.get("force"):
            raise RuntimeError("file: Unsaved changes.")
        if not os.path.isfile(path):
            raise RuntimeError(f"file: File not found: {path}")
        if dg.file_version(path) > int(about(version=True)) and not flags.get("ignoreVersion"):
            raise RuntimeError(f"file: {path} was saved by a newer Maya ({dg.file_version(path)}); "
                               "use -ignoreVersion to open it")
        om.fire_scene_message(om.MSceneMessage.kBeforeOpen)
        keep = (SCENE.batch, SCENE.plugins, SCENE.plugin_paths, SCENE.user_app_dir, SCENE.commands,
                SCENE.node_removed_hooks)
        for old in SCENE.nodes.values():
            old.alive = False
        dg.load_scene(SCENE, path)
        (SCENE.batch, SCENE.plugins, SCENE.plugin_paths, SCENE.user_app_dir, SCENE.commands,
         SCENE.node_removed_hooks) = keep
        om.fire_scene_message(om.MSceneMessage.kAfterOpen)
        SCENE.scene_name = path
        SCENE.modified = False
        return path
    if "rename" in flags:
        SCENE.scene_name = str(flags["rename"])
        return SCENE.scene_name
    if flags.get("save"):
        if not SCENE.scene_name:
            raise RuntimeError("file: the scene has no name; use file -rename first")
        if flags.get("type") not in ("mayaAscii", "mayaBinary"):
            raise RuntimeError(f"file: invalid type {flags.get('type')!r}")
        if not os.path.isdir(os.path.dirname(os.path.abspath(SCENE.scene_name))):
            raise RuntimeError(f"file: cannot write {SCENE.scene_name}")
        om.fire_scene_message(om.MSceneMessage.kBeforeSave)
        dg.dump_scene(SCENE, SCENE.scene_name, int(about(version=True)))
        SCENE.modified = False
        om.fire_scene_message(om.MSceneMessage.kAfterSave)
        return SCENE.scene_name
    raise NotImplementedError(f"file {flags}")


def _reset_scene() -> None:
    keep = (SCENE.batch, SCENE.plugins, SCENE.plugin_paths, SCENE.user_app_dir, SCENE.commands,
            SCENE.node_removed_hooks)
    SCENE.reset()
    (SCENE.batch, SCENE.plugins, SCENE.plugin_paths, SCENE.user_app_dir, SCENE.commands,
     SCENE.node_removed_hooks) = keep
    SCENE.modified = False


def __getattr__(name: str) -> Any:
    """Commands registered by plug-ins appear here; anything else is missing (AttributeError)."""
    if name in SCENE.commands:
        return SCENE.commands[name]
    raise AttributeError(f"module 'maya.cmds' has no attribute '{name}'")
