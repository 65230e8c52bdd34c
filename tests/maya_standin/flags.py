"""Flags the stand-in's commands implement: long name -> (short name, modes, argument kind, numArgs).

Modes: ``c`` create, ``q`` query, ``e`` edit, ``m`` multi-use. Names, short names and modes are
copied from pymel's ``mayaCmdsList2024.py``; ``tests/test_maya_contract.py`` checks every entry
against the 2022-2025 tables, so a flag Maya does not have cannot hide here.
A flag Maya has but the stand-in does not implement raises ``NotImplementedError`` (never ignored).
"""

from __future__ import annotations

from typing import Dict, Tuple

Spec = Tuple[str, str, str, int]

QUERY: Dict[str, Spec] = {"query": ("q", "", "bool", 0)}
EDIT: Dict[str, Spec] = {"edit": ("e", "", "bool", 0)}

COMMANDS: Dict[str, Dict[str, Spec]] = {
    "about": {"batch": ("b", "c", "bool", 0), "version": ("v", "c", "bool", 0),
              "apiVersion": ("api", "c", "bool", 0), "operatingSystem": ("os", "c", "bool", 0)},
    "aliasAttr": {**QUERY, **EDIT, "remove": ("rm", "c", "bool", 0)},
    "animLayer": {**QUERY, **EDIT, "attribute": ("at", "cqem", "str", 1), "exists": ("ex", "q", "bool", 0),
                  "findCurveForPlug": ("fcv", "qe", "str", 1), "layeredPlug": ("lp", "q", "str", 1),
                  "root": ("r", "q", "str", 1), "parent": ("p", "cqe", "str", 1),
                  "override": ("o", "cqe", "bool", 1), "mute": ("m", "cqe", "bool", 1),
                  "weight": ("w", "cqe", "float", 1)},
    "connectAttr": {"force": ("f", "c", "bool", 0)},
    "createNode": {"name": ("n", "c", "str", 1), "parent": ("p", "c", "str", 1),
                   "skipSelect": ("ss", "c", "bool", 0)},
    "currentTime": {**QUERY, **EDIT, "update": ("u", "c", "bool", 1)},
    "currentUnit": {**QUERY, "time": ("t", "cq", "str", 1), "updateAnimation": ("ua", "c", "bool", 1)},
    "file": {**QUERY, "open": ("o", "c", "bool", 0), "force": ("f", "c", "bool", 0),
             "prompt": ("pmt", "cq", "bool", 1), "newFile": ("new", "c", "bool", 0),
             "rename": ("rn", "c", "str", 1), "save": ("s", "c", "bool", 0), "type": ("typ", "cq", "str", 1),
             "sceneName": ("sn", "q", "bool", 0), "i": ("i", "c", "bool", 0),
             "returnNewNodes": ("rnn", "c", "bool", 0), "ignoreVersion": ("iv", "c", "bool", 0)},
    "getAttr": {"time": ("t", "c", "time", 1), "multiIndices": ("mi", "c", "bool", 0),
                "lock": ("l", "c", "bool", 0), "size": ("s", "c", "bool", 0), "type": ("typ", "c", "bool", 0)},
    "internalVar": {"userAppDir": ("uad", "c", "bool", 0), "userShelfDir": ("ush", "c", "bool", 0)},
    "keyframe": {**QUERY, **EDIT, "timeChange": ("tc", "cqe", "time", 1), "valueChange": ("vc", "cqe", "float", 1),
                 "keyframeCount": ("kc", "cq", "bool", 0), "time": ("t", "cm", "timerange", 1),
                 "eval": ("ev", "cq", "bool", 0), "name": ("n", "cq", "bool", 0)},
    "listAttr": {"multi": ("m", "c", "bool", 0)},
    "listConnections": {"source": ("s", "c", "bool", 1), "destination": ("d", "c", "bool", 1),
                        "plugs": ("p", "c", "bool", 1), "type": ("t", "c", "str", 1),
                        "skipConversionNodes": ("scn", "c", "bool", 1), "connections": ("c", "c", "bool", 1),
                        "exactType": ("et", "c", "bool", 1)},
    "listHistory": {"pruneDagObjects": ("pdo", "c", "bool", 1)},
    "loadModule": {"load": ("ld", "c", "str", 1), "scan": ("sc", "c", "bool", 0),
                   "allModules": ("a", "c", "bool", 0)},
    "loadPlugin": {"quiet": ("qt", "c", "bool", 0)},
    "ls": {"type": ("typ", "cm", "str", 1), "selection": ("sl", "c", "bool", 0),
           "objectsOnly": ("o", "c", "bool", 0), "exactType": ("et", "cm", "str", 1)},
    "nodeType": {"inherited": ("i", "c", "bool", 0), "isTypeName": ("itn", "c", "bool", 0),
                 "apiType": ("api", "c", "bool", 0)},
    "objExists": {},
    "playbackOptions": {**QUERY, **EDIT, "minTime": ("min", "cqe", "time", 1), "maxTime": ("max", "cqe", "time", 1),
                        "animationStartTime": ("ast", "cqe", "time", 1),
                        "animationEndTime": ("aet", "cqe", "time", 1)},
    "pluginInfo": {**QUERY, "loaded": ("l", "q", "bool", 0), "registered": ("r", "q", "bool", 0),
                   "path": ("p", "q", "str", 0)},
    "progressWindow": {**QUERY, **EDIT, "title": ("t", "cqe", "str", 1), "progress": ("pr", "cqe", "int", 1),
                       "maxValue": ("max", "cqe", "int", 1), "status": ("st", "cqe", "str", 1),
                       "isInterruptable": ("ii", "cqe", "bool", 1), "isCancelled": ("ic", "q", "bool", 0),
                       "endProgress": ("ep", "c", "bool", 0)},
    "redo": {},
    "select": {"replace": ("r", "c", "bool", 0), "add": ("add", "c", "bool", 0), "clear": ("cl", "c", "bool", 0)},
    "setAttr": {"lock": ("l", "c", "bool", 1), "type": ("typ", "c", "str", 1)},
    "sound": {**QUERY, **EDIT, "file": ("f", "cqe", "str", 1), "offset": ("o", "cqe", "time", 1),
              "name": ("n", "cqe", "str", 1), "sourceStart": ("ss", "cqe", "time", 1),
              "sourceEnd": ("se", "cqe", "time", 1), "length": ("l", "q", "bool", 0)},
    "timeControl": {**QUERY, **EDIT, "sound": ("s", "qe", "str", 1), "displaySound": ("ds", "qe", "bool", 1)},
    "deleteUI": {"layout": ("lay", "c", "bool", 0), "control": ("ctl", "c", "bool", 0)},
    "objectTypeUI": {},
    "optionVar": {"exists": ("ex", "c", "str", 1), "query": ("q", "c", "str", 1), "remove": ("rm", "cm", "str", 1),
                  "intValue": ("iv", "cm", "str", 2), "stringValue": ("sv", "cm", "str", 2)},
    "shelfButton": {**QUERY, **EDIT, "parent": ("p", "cq", "str", 1), "label": ("l", "cqe", "str", 1),
                    "annotation": ("ann", "cqe", "str", 1), "image": ("i", "cqe", "str", 1),
                    "image1": ("i1", "cqe", "str", 1), "imageOverlayLabel": ("iol", "cqe", "str", 1),
                    "style": ("st", "cqe", "str", 1), "command": ("c", "cqe", "str", 1),
                    "sourceType": ("stp", "cqe", "str", 1), "exists": ("ex", "c", "bool", 0)},
    "shelfLayout": {**QUERY, **EDIT, "parent": ("p", "cq", "str", 1), "exists": ("ex", "c", "bool", 0),
                    "childArray": ("ca", "q", "bool", 0)},
    "tabLayout": {**QUERY, **EDIT, "selectTab": ("st", "cqe", "str", 1), "childArray": ("ca", "q", "bool", 0)},
    "workspaceControl": {**QUERY, **EDIT, "exists": ("ex", "c", "bool", 0), "visible": ("vis", "cqe", "bool", 1),
                         "restore": ("rs", "ce", "bool", 0), "close": ("cl", "e", "bool", 0),
                         "retain": ("rt", "c", "bool", 1), "uiScript": ("ui", "ce", "str", 1),
                         "label": ("l", "cqe", "str", 1), "closeCommand": ("cc", "ce", "str", 1),
                         "floating": ("fl", "cqe", "bool", 1)},
    "workspaceControlState": {"exists": ("ex", "c", "bool", 0), "remove": ("r", "c", "bool", 0)},
    "undo": {},
    "undoInfo": {**QUERY, "openChunk": ("ock", "c", "bool", 0), "closeChunk": ("cck", "c", "bool", 0),
                 "chunkName": ("cn", "cq", "str", 1), "state": ("st", "cq", "bool", 1)},
    "unloadPlugin": {"force": ("f", "c", "bool", 0)},
}
"""Command -> implemented flags. ``query``/``edit`` appear only where the command has that mode."""
