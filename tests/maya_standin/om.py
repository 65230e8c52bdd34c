"""The stand-in ``maya.api.OpenMaya`` (API 2.0): selection lists, plugs, MTime, modifiers, commands.

Only what the project calls. Failures raise ``RuntimeError`` whose text starts with the MStatus code,
wrong Python types raise ``TypeError`` (maya-facts §0).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import cmds as _cmds
from . import dg


def _scene() -> dg.Scene:
    return _cmds.SCENE


class _PluginHandle:
    def __init__(self, name: str) -> None:
        self.name = name


class MObject:
    """A handle to a node (or a plug-in while it is being initialised)."""

    kNullObj: MObject

    def __init__(self, target: Any = None) -> None:
        self._target = target

    def isNull(self) -> bool:
        return self._target is None

    @property
    def node(self) -> dg.Node:
        if not isinstance(self._target, dg.Node):
            raise RuntimeError("(kInvalidParameter): Object is not a node")
        return self._target


MObject.kNullObj = MObject()


class MTime:
    """A time value with a unit (enum values as in Maya 2024, maya-facts §2)."""

    kInvalid, kHours, kMinutes, kSeconds, kMilliseconds = 0, 1, 2, 3, 4
    k15FPS, k24FPS, k25FPS, k30FPS, k48FPS, k50FPS, k60FPS = 5, 6, 7, 8, 9, 10, 11
    kGames, kFilm, kPALFrame, kNTSCFrame, kShowScan, kPALField, kNTSCField = 5, 6, 7, 8, 9, 10, 11
    k23_976FPS, k29_97FPS, k29_97DF, k47_952FPS, k59_94FPS, k44100FPS, k48000FPS = 43, 44, 45, 46, 47, 48, 49

    _RATES: Dict[int, Fraction] = {
        1: Fraction(1, 3600), 2: Fraction(1, 60), 3: Fraction(1), 4: Fraction(1000),
        5: Fraction(15), 6: Fraction(24), 7: Fraction(25), 8: Fraction(30), 9: Fraction(48), 10: Fraction(50),
        11: Fraction(60), 43: Fraction(24000, 1001), 44: Fraction(30000, 1001), 45: Fraction(30000, 1001),
        46: Fraction(48000, 1001), 47: Fraction(60000, 1001), 48: Fraction(44100), 49: Fraction(48000),
    }
    for _i, _n in enumerate((2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 40, 75, 80, 100, 120, 125, 150, 200, 240, 250,
                             300, 375, 400, 500, 600, 750, 1200, 1500, 2000, 3000, 6000)):
        _RATES[12 + _i] = Fraction(_n)
    _UNIT_NAMES = {"hour": 1, "min": 2, "sec": 3, "millisec": 4, "game": 5, "film": 6, "pal": 7, "ntsc": 8,
                   "show": 9, "palf": 10, "ntscf": 11, "23.976fps": 43, "29.97fps": 44, "29.97df": 45,
                   "47.952fps": 46, "59.94fps": 47, "44100fps": 48, "48000fps": 49}

    def __init__(self, value: float = 0.0, unit: Optional[int] = None) -> None:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TypeError("MTime value must be a number")
        self.unit = MTime.uiUnit() if unit is None else int(unit)
        if self.unit not in self._RATES:
            raise RuntimeError("(kInvalidParameter): invalid time unit")
        self.value = float(value)

    @staticmethod
    def uiUnit() -> int:
        name = _scene().time_unit
        if name in MTime._UNIT_NAMES:
            return MTime._UNIT_NAMES[name]
        rate = dg.unit_rate(name)
        for unit, r in MTime._RATES.items():
            if r == rate and unit >= 12:
                return unit
        raise RuntimeError("(kFailure): no MTime unit for the UI unit")

    def seconds(self) -> Fraction:
        return Fraction(self.value).limit_denominator(1 << 40) / self._RATES[self.unit]

    def asUnits(self, unit: int) -> float:
        return float(self.seconds() * self._RATES[unit])


class MTimeArray(list):
    """A list of MTime."""

    def __init__(self, items: Sequence[MTime] = ()) -> None:
        for item in items:
            if not isinstance(item, MTime):
                raise TypeError("MTimeArray holds MTime values")
        super().__init__(items)


class MDoubleArray(list):
    """A list of floats."""

    def __init__(self, items: Sequence[float] = ()) -> None:
        super().__init__(float(v) for v in items)


class MPlug:
    """A plug; ``isNull`` when it refers to nothing."""

    def __init__(self, plug: Optional[dg.Plug] = None) -> None:
        self._plug = plug

    @property
    def isNull(self) -> bool:
        return self._plug is None

    def _p(self) -> dg.Plug:
        if self._plug is None:
            raise RuntimeError("(kInvalidParameter): Plug is null")
        return self._plug

    def name(self) -> str:
        return self._p().name()

    def partialName(self, includeNodeName: bool = False, *args: Any, useLongNames: bool = False, **kw: Any) -> str:
        p = self._p()
        text = p.long_name() if useLongNames else p.short_name()
        return f"{p.node.name}.{text}" if includeNodeName else text

    def node(self) -> MObject:
        return MObject(self._p().node)

    @property
    def isLocked(self) -> bool:
        p = self._p()
        return p.key() in p.node.locked

    @property
    def isDestination(self) -> bool:
        return self._p() in _scene().inputs

    @property
    def isConnected(self) -> bool:
        p = self._p()
        return p in _scene().inputs or any(src == p for src in _scene().inputs.values())

    @property
    def isKeyable(self) -> bool:
        return self._p().spec.keyable

    def source(self) -> MPlug:
        return MPlug(_scene().inputs.get(self._p()))

    def asDouble(self) -> float:
        return float(_scene().evaluate(self._p(), _scene().current_time))

    def setDouble(self, value: float) -> MPlug:
        """A direct plug set: no command, no modifier, so it is recorded in no undo journal (maya-facts §4.7,
        §4.9). A locked plug refuses it, as in Maya. On a destination plug the value is set but the input
        wins at the next evaluation (a keyed weight shows its curve's value here)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("setDouble takes a number")
        p = self._p()
        if not p.node.alive:
            raise RuntimeError("(kInvalidParameter): the plug's node no longer exists")
        if p.spec.kind not in ("double", "doubleAngle", "int", "bool"):
            raise RuntimeError(f"(kInvalidParameter): {p.name()} is not numeric")
        if p.key() in p.node.locked:
            raise RuntimeError(f"(kFailure): cannot set the locked plug {p.name()}")
        _scene().set_value(p, float(value), None, force=True)
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MPlug) and self._plug == other._plug

    def __hash__(self) -> int:
        return hash(self._plug)


class MSelectionList:
    """Names resolved to nodes or plugs (aliases resolve, maya-facts §4.6)."""

    def __init__(self) -> None:
        self._items: List[Any] = []

    def add(self, name: str) -> MSelectionList:
        if not isinstance(name, str):
            raise TypeError("MSelectionList.add takes a name")
        scene = _scene()
        try:
            item = scene.resolve(name)
        except RuntimeError:
            raise RuntimeError("(kInvalidParameter): Object does not exist") from None
        self._items.append(item)
        return self

    def length(self) -> int:
        return len(self._items)

    def _item(self, index: int) -> Any:
        if not 0 <= index < len(self._items):
            raise IndexError("MSelectionList index out of range")
        return self._items[index]

    def getPlug(self, index: int) -> MPlug:
        item = self._item(index)
        if not isinstance(item, dg.Plug):
            raise TypeError("(kInvalidParameter): item is not a plug")
        return MPlug(item)

    def getDependNode(self, index: int) -> MObject:
        item = self._item(index)
        return MObject(item.node if isinstance(item, dg.Plug) else item)


class MFnDependencyNode:
    """Name and type of a node."""

    def __init__(self, obj: Optional[MObject] = None) -> None:
        self._obj = obj

    def setObject(self, obj: MObject) -> MFnDependencyNode:
        self._obj = obj
        return self

    def name(self) -> str:
        assert self._obj is not None
        return self._obj.node.name

    @property
    def typeName(self) -> str:
        assert self._obj is not None
        return self._obj.node.type


class MDGModifier:
    """Queued DG edits; nothing happens until ``doIt``; ``undoIt`` reverses what was done."""

    def __init__(self) -> None:
        self._queue: List[Callable[[dg.Journal], None]] = []
        self._done: List[dg.Journal] = []
        self._undone = False

    def _push(self, op: Callable[[dg.Journal], None]) -> None:
        self._queue.append(op)

    def createNode(self, type_name: str) -> MObject:
        if not isinstance(type_name, str):
            raise TypeError("createNode takes a type name")
        if type_name not in dg.ATTRS:
            raise TypeError(f"(kInvalidParameter): unknown node type {type_name}")
        node = _scene().create_node(type_name, None, None, attach=False)
        node.alive = False
        self._push(lambda j: _scene().attach_node(node, j))
        return MObject(node)

    def renameNode(self, obj: MObject, name: str) -> MDGModifier:
        node = obj.node
        self._push(lambda j: _scene().rename_node(node, name, j))
        return self

    def connect(self, src: MPlug, dst: MPlug) -> MDGModifier:
        s, d = src._p(), dst._p()

        def run(j: dg.Journal) -> None:
            _scene().connect(s, d, j, keep_value_on_undo=False)

        self._push(run)
        return self

    def disconnect(self, src: MPlug, dst: MPlug) -> MDGModifier:
        d = dst._p()
        self._push(lambda j: _scene().disconnect(d, j))
        return self

    def deleteNode(self, obj: MObject) -> MDGModifier:
        node = obj.node
        self._push(lambda j: _scene().delete_node(node, j))
        return self

    def newPlugValueDouble(self, plug: MPlug, value: float) -> MDGModifier:
        p = plug._p()
        if p.spec.kind not in ("double", "doubleAngle"):
            raise RuntimeError("(kInvalidParameter): plug is not a double")
        self._push(lambda j: _scene().set_value(p, float(value), j, force=True))
        return self

    def newPlugValueString(self, plug: MPlug, value: str) -> MDGModifier:
        p = plug._p()
        if p.spec.kind != "string":
            raise RuntimeError("(kInvalidParameter): plug is not a string")
        self._push(lambda j: _scene().set_value(p, str(value), j, force=True))
        return self

    def newPlugValueMTime(self, plug: MPlug, value: MTime) -> MDGModifier:
        p = plug._p()
        if p.spec.kind != "time":
            raise RuntimeError("(kInvalidParameter): plug is not a time")
        if not isinstance(value, MTime):
            raise TypeError("newPlugValueMTime takes an MTime")
        self._push(lambda j: _scene().set_value(p, value.seconds(), j, force=True))
        return self

    def commandToExecute(self, command: str) -> MDGModifier:
        from . import mel

        def run(j: dg.Journal) -> None:
            _cmds._Context.capture.append(j)
            try:
                mel.eval(command)
            finally:
                _cmds._Context.capture.pop()

        self._push(run)
        return self

    def doIt(self) -> MDGModifier:
        if self._undone:  # doIt after undoIt redoes what was undone (the Autodesk redoIt pattern)
            for journal in self._done:
                journal.redo()
            self._undone = False
        while self._queue:
            op = self._queue.pop(0)
            journal = dg.Journal("MDGModifier")
            try:
                op(journal)
            except Exception:
                journal.undo()
                raise
            self._done.append(journal)
        return self

    def undoIt(self) -> MDGModifier:
        if not self._undone:
            for journal in reversed(self._done):
                journal.undo()
            self._undone = True
        return self


class MGlobal:
    """Messages to the Script Editor."""

    @staticmethod
    def displayInfo(message: str) -> None:
        _scene().log.append(("info", str(message)))

    @staticmethod
    def displayWarning(message: str) -> None:
        _scene().log.append(("warning", str(message)))

    @staticmethod
    def displayError(message: str) -> None:
        _scene().log.append(("error", str(message)))


# --------------------------------------------------------------------------- commands (maya-facts §4.8)


class MSyntax:
    """Flags and object arguments of a plug-in command."""

    kNoArg, kBoolean, kLong, kDouble, kString, kUnsigned, kDistance, kAngle, kTime, kSelectionItem = range(1, 11)
    kInvalidObjectFormat, kNone, kStringObjects, kSelectionList = 0, 1, 2, 3

    def __init__(self) -> None:
        self.flags: Dict[str, Tuple[str, str, Tuple[int, ...]]] = {}
        self.object_type = MSyntax.kNone
        self.object_range = (0, 0)
        self.enableQuery = False
        self.enableEdit = False
        self.multi_use: set = set()

    def addFlag(self, short: str, long: str, *types: int) -> MSyntax:
        for name in (short, long):
            if not isinstance(name, str) or not name.startswith("-"):
                raise TypeError("flag names start with '-'")
        if len(short) - 1 > 3 or len(long) - 1 < 4:
            raise RuntimeError(f"(kInvalidParameter): short flag names have at most 3 letters and long names "
                               f"at least 4 (got {short}, {long})")
        if len(types) > 6:
            raise TypeError("addFlag takes at most 6 argument types")
        for key in (short[1:], long[1:]):
            if key in self.flags:
                raise RuntimeError(f"(kInvalidParameter): flag {key} defined twice")
        kinds = tuple(t for t in types if t != MSyntax.kNoArg)
        entry = (short[1:], long[1:], kinds)
        self.flags[short[1:]] = entry
        self.flags[long[1:]] = entry
        return self

    def makeFlagMultiUse(self, flag: str) -> MSyntax:
        self.multi_use.add(self.flags[flag.lstrip("-")][1])
        return self

    def setObjectType(self, object_type: int, minimum: int = 0, maximum: int = 0) -> MSyntax:
        self.object_type = object_type
        self.object_range = (minimum, maximum)
        return self

    def useSelectionAsDefault(self, value: bool) -> MSyntax:
        return self


class _ArgList:
    """What ``cmds.<plug-in command>(...)`` hands to ``doIt`` (Python keyword flags)."""

    def __init__(self, objects: List[str], flags: Dict[str, Any]) -> None:
        self.objects = objects
        self.flags = flags


class MArgList(_ArgList):
    pass


_TYPE_NAMES = {2: "bool", 3: "int", 4: "float", 5: "string", 6: "int", 9: "time"}


class MArgParser:
    """Parses a command's arguments with its syntax; bad flags raise (maya-facts §4.8)."""

    def __init__(self, syntax: MSyntax, args: _ArgList) -> None:
        self._syntax = syntax
        self._values: Dict[str, List[Tuple[Any, ...]]] = {}
        query = bool(args.flags.get("query") or args.flags.get("q"))
        edit = bool(args.flags.get("edit") or args.flags.get("e"))
        if query and not syntax.enableQuery:
            raise TypeError("Invalid flag 'query'")
        if edit and not syntax.enableEdit:
            raise TypeError("Invalid flag 'edit'")
        self.isQuery, self.isEdit = query, edit
        for name, value in args.flags.items():
            if name in ("query", "q", "edit", "e"):
                continue
            if name not in syntax.flags:
                raise TypeError(f"Invalid flag '{name}'")
            short, long, kinds = syntax.flags[name]
            uses = value if long in syntax.multi_use and isinstance(value, list) else [value]
            for use in uses:
                self._values.setdefault(long, []).append(self._convert(long, kinds, use))
        self._objects = list(args.objects)
        low, high = syntax.object_range
        if syntax.object_type == MSyntax.kNone and self._objects:
            raise RuntimeError("(kInvalidParameter): this command takes no objects")
        if high and len(self._objects) > high:
            raise RuntimeError("(kInvalidParameter): too many objects")

    @staticmethod
    def _convert(flag: str, kinds: Tuple[int, ...], value: Any) -> Tuple[Any, ...]:
        if not kinds:
            if value is not True and value is not False and value not in (0, 1):
                raise TypeError(f"Invalid argument for flag '{flag}': it takes no value")
            return ()
        values = value if len(kinds) > 1 else (value,)
        if not isinstance(values, (list, tuple)) or len(values) != len(kinds):
            raise TypeError(f"Invalid argument for flag '{flag}'")
        out = []
        for kind, item in zip(kinds, values):
            if kind == MSyntax.kString and not isinstance(item, str):
                raise TypeError(f"Invalid argument for flag '{flag}': expected a string")
            if kind in (MSyntax.kDouble, MSyntax.kTime, MSyntax.kDistance, MSyntax.kAngle):
                if isinstance(item, bool) or not isinstance(item, (int, float)):
                    raise TypeError(f"Invalid argument for flag '{flag}': expected a number")
                item = float(item)
            if kind in (MSyntax.kLong, MSyntax.kUnsigned):
                if isinstance(item, bool) or not isinstance(item, int):
                    raise TypeError(f"Invalid argument for flag '{flag}': expected an integer")
            if kind == MSyntax.kBoolean:
                if not isinstance(item, (bool, int)):
                    raise TypeError(f"Invalid argument for flag '{flag}': expected a boolean")
                item = bool(item)
            out.append(item)
        return tuple(out)

    def _entry(self, flag: str) -> Tuple[str, str, Tuple[int, ...]]:
        key = flag.lstrip("-")
        if key not in self._syntax.flags:
            raise RuntimeError(f"(kInvalidParameter): unknown flag {flag}")
        return self._syntax.flags[key]

    def isFlagSet(self, flag: str) -> bool:
        return self._entry(flag)[1] in self._values

    def numberOfFlagUses(self, flag: str) -> int:
        return len(self._values.get(self._entry(flag)[1], []))

    def _arg(self, flag: str, index: int, kind: int, use: int = 0) -> Any:
        short, long, kinds = self._entry(flag)
        if long not in self._values:
            raise RuntimeError(f"(kFailure): flag {flag} is not set")
        if index >= len(kinds):
            raise RuntimeError(f"(kInvalidParameter): flag {flag} has no argument {index}")
        if kinds[index] != kind and not (kind == MSyntax.kDouble and kinds[index] in (MSyntax.kTime,)):
            raise RuntimeError(f"(kInvalidParameter): flag {flag} argument {index} is a "
                               f"{_TYPE_NAMES.get(kinds[index], kinds[index])}")
        return self._values[long][use][index]

    def flagArgumentString(self, flag: str, index: int) -> str:
        return self._arg(flag, index, MSyntax.kString)

    def flagArgumentDouble(self, flag: str, index: int) -> float:
        return self._arg(flag, index, MSyntax.kDouble)

    def flagArgumentBool(self, flag: str, index: int) -> bool:
        return self._arg(flag, index, MSyntax.kBoolean)

    def flagArgumentInt(self, flag: str, index: int) -> int:
        return self._arg(flag, index, MSyntax.kLong)

    def getFlagArgumentList(self, flag: str, use: int) -> List[Any]:
        short, long, kinds = self._entry(flag)
        return list(self._values[long][use])

    def getObjectStrings(self) -> List[str]:
        return list(self._objects)


class MArgDatabase(MArgParser):
    pass


class MPxCommand:
    """Base class of plug-in commands."""

    _result: Any = None

    def __init__(self) -> None:
        pass

    def isUndoable(self) -> bool:
        return False

    def undoIt(self) -> None:
        pass

    def redoIt(self) -> None:
        pass

    def syntax(self) -> MSyntax:
        return self._syntax_object

    @staticmethod
    def setResult(value: Any) -> None:
        MPxCommand._result = value

    @staticmethod
    def clearResult() -> None:
        MPxCommand._result = None

    @staticmethod
    def appendToResult(value: Any) -> None:
        if not isinstance(MPxCommand._result, list):
            MPxCommand._result = [] if MPxCommand._result is None else [MPxCommand._result]
        MPxCommand._result.append(value)


class MFnPlugin:
    """Registers and deregisters commands for a plug-in."""

    def __init__(self, obj: MObject, vendor: str = "", version: str = "", apiVersion: str = "Any") -> None:
        handle = obj._target
        if not isinstance(handle, _PluginHandle):
            raise RuntimeError("(kInvalidParameter): MFnPlugin needs the plug-in object")
        self._plugin = handle.name
        self.vendor = vendor
        self._version = version

    def registerCommand(self, name: str, creator: Callable[[], MPxCommand],
                        syntax_creator: Optional[Callable[[], MSyntax]] = None) -> None:
        scene = _scene()
        if name in scene.commands or hasattr(_cmds, name):
            raise RuntimeError(f"(kFailure): command {name} is already registered")
        syntax = syntax_creator() if syntax_creator else MSyntax()
        if not isinstance(syntax, MSyntax):
            raise TypeError("the syntax creator must return an MSyntax")

        def run(*objects: Any, **flags: Any) -> Any:
            instance = creator()
            if not isinstance(instance, MPxCommand):
                raise TypeError("the creator must return an MPxCommand")
            instance._syntax_object = syntax
            MPxCommand._result = None
            names: List[str] = []
            for obj in objects:
                names.extend(obj if isinstance(obj, (list, tuple)) else [obj])
            instance.doIt(MArgList([str(n) for n in names], flags))
            if instance.isUndoable():
                scene.push_undo(dg.UndoEntry(name, instance.undoIt, instance.redoIt))
            return MPxCommand._result

        run.__name__ = name
        run.syntax = syntax  # type: ignore[attr-defined]
        scene.commands[name] = run
        scene.plugins[self._plugin]["commands"].append(name)

    def deregisterCommand(self, name: str) -> None:
        scene = _scene()
        if name not in scene.commands:
            raise RuntimeError(f"(kFailure): command {name} is not registered")
        del scene.commands[name]
        scene.plugins[self._plugin]["commands"].remove(name)

    def version(self) -> str:
        return self._version


# --------------------------------------------------------------------------- messages (callbacks)


class _Callbacks:
    """Registered callbacks by id: (kind, message or node, function, client data)."""

    table: Dict[int, Tuple[str, Any, Callable[..., Any], Any]] = {}
    next_id = 1

    @classmethod
    def add(cls, kind: str, key: Any, fn: Callable[..., Any], data: Any) -> int:
        if not callable(fn):
            raise TypeError("the callback must be callable")
        cid = cls.next_id
        cls.next_id += 1
        cls.table[cid] = (kind, key, fn, data)
        return cid

    @classmethod
    def fire(cls, kind: str, key: Any, *args: Any) -> None:
        for _cid, (k, registered, fn, data) in list(cls.table.items()):
            if k == kind and (registered is None or registered == key):
                fn(*args, data)


class MMessage:
    @staticmethod
    def removeCallback(callback_id: int) -> None:
        if callback_id not in _Callbacks.table:
            raise RuntimeError("(kInvalidParameter): no such callback")
        del _Callbacks.table[callback_id]

    @staticmethod
    def removeCallbacks(ids: List[int]) -> None:
        for cid in ids:
            MMessage.removeCallback(cid)


class MSceneMessage(MMessage):
    kBeforeNew, kAfterNew, kBeforeOpen, kAfterOpen, kBeforeSave, kAfterSave, kMayaExiting = 1, 2, 3, 4, 6, 7, 18

    @staticmethod
    def addCallback(message: int, function: Callable[..., Any], clientData: Any = None) -> int:
        return _Callbacks.add("scene", message, function, clientData)


class MNodeMessage(MMessage):
    @staticmethod
    def addNodePreRemovalCallback(node: MObject, function: Callable[..., Any], clientData: Any = None) -> int:
        return _Callbacks.add("node_removal", node.node, function, clientData)


class MObjectHandle:
    """Whether an MObject still points at a live node (File > New/Open and deletion invalidate it)."""

    def __init__(self, obj: MObject) -> None:
        self._obj = obj

    def isValid(self) -> bool:
        target = self._obj._target
        return isinstance(target, dg.Node) and target.alive

    def isAlive(self) -> bool:
        return self.isValid()


def fire_scene_message(message: int) -> None:
    """What Maya does around File > New/Open and on exit (called by the stand-in's ``file`` and tests)."""
    _Callbacks.fire("scene", message)


def _node_removed(node: dg.Node) -> None:
    _Callbacks.fire("node_removal", node, MObject(node))
