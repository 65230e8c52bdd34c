"""The stand-in ``maya.mel``: the few MEL forms the project evaluates.

- ``$tmpVar=$gPlayBackSlider`` (the time slider's name; an undeclared variable in batch, so
  RuntimeError there, maya-facts §3),
- one command per statement in MEL's command syntax, ``name -flag value ... "object";``, for the
  stand-in's commands (flag arguments typed from ``flags.COMMANDS``) and plug-in commands (typed from
  their MSyntax). Errors raise RuntimeError, as ``mel.eval`` does.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

from . import cmds as _cmds
from .flags import COMMANDS

_VAR = re.compile(r"^\s*\$(\w+)\s*=\s*\$(\w+)\s*;?\s*$")
_GLOBALS: Dict[str, str] = {}


def _tokens(text: str) -> List[Tuple[str, str]]:
    """('str', value) for quoted strings, ('word', value) otherwise."""
    out: List[Tuple[str, str]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace() or ch == ";":
            i += 1
            continue
        if ch == '"':
            value = []
            i += 1
            while i < len(text) and text[i] != '"':
                if text[i] == "\\" and i + 1 < len(text):
                    nxt = text[i + 1]
                    value.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, nxt))
                    i += 2
                    continue
                value.append(text[i])
                i += 1
            if i >= len(text):
                raise RuntimeError("// Error: Syntax error: unterminated string")
            out.append(("str", "".join(value)))
            i += 1
            continue
        j = i
        while j < len(text) and not text[j].isspace() and text[j] != ";":
            j += 1
        out.append(("word", text[i:j]))
        i = j
    return out


def _number(token: str) -> Any:
    try:
        return int(token)
    except ValueError:
        try:
            return float(token)
        except ValueError:
            raise RuntimeError(f"// Error: invalid number {token!r}") from None


def _builtin_flag(command: str, name: str) -> Tuple[str, str, int]:
    spec = COMMANDS[command]
    for long, (short, _modes, kind, nargs) in spec.items():
        if name in (long, short):
            return long, kind, nargs
    raise RuntimeError(f"// Error: {command}: Invalid flag '-{name}'")


def _plugin_flag(syntax: Any, name: str) -> Tuple[str, List[int]]:
    if name in ("q", "query", "e", "edit"):
        return {"q": "query", "e": "edit"}.get(name, name), []
    if name not in syntax.flags:
        raise RuntimeError(f"// Error: Invalid flag '-{name}'")
    short, long, kinds = syntax.flags[name]
    return long, list(kinds)


def _convert(kind: str, token: Tuple[str, str]) -> Any:
    if kind in ("str", "string"):
        return token[1]
    if kind == "bool":
        return token[1] in ("true", "on", "yes", "1")
    if kind in ("float", "time", "int"):
        return _number(token[1])
    raise RuntimeError(f"// Error: unsupported argument kind {kind}")


def eval(text: str) -> Any:  # noqa: A001 - the name Maya uses
    """Evaluate one MEL statement."""
    match = _VAR.match(text)
    if match:
        if match.group(2) == "gPlayBackSlider":
            if _cmds.SCENE.batch:
                raise RuntimeError("// Error: line 1: \"$gPlayBackSlider\" is an undeclared variable.")
            return _cmds.SLIDER
        if match.group(2) == "gShelfTopLevel":
            if _cmds.SCENE.batch:
                raise RuntimeError("// Error: line 1: \"$gShelfTopLevel\" is an undeclared variable.")
            return _cmds.UI.shelf_top
        if match.group(2) in _GLOBALS:
            return _GLOBALS[match.group(2)]
        raise RuntimeError(f"// Error: line 1: \"${match.group(2)}\" is an undeclared variable.")
    tokens = _tokens(text)
    if not tokens or tokens[0][0] != "word":
        raise RuntimeError("// Error: Syntax error")
    name = tokens[0][1]
    plugin = _cmds.SCENE.commands.get(name)
    if plugin is None and name not in COMMANDS:
        raise RuntimeError(f"// Error: Cannot find procedure \"{name}\".")
    flags: Dict[str, Any] = {}
    objects: List[str] = []
    i = 1
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "word" and value.startswith("-") and not re.match(r"^-[\d.]", value):
            flag = value[1:]
            if plugin is not None:
                long, kinds = _plugin_flag(plugin.syntax, flag)
                args = []
                for k in kinds:
                    i += 1
                    args.append(_convert({2: "bool", 3: "int", 4: "float", 5: "str", 9: "time"}[k], tokens[i]))
                flags[long] = True if not kinds else (args[0] if len(args) == 1 else tuple(args))
            else:
                long, arg_kind, nargs = _builtin_flag(name, flag)
                if nargs == 0 or (arg_kind == "bool" and (i + 1 >= len(tokens) or tokens[i + 1][1].startswith("-"))):
                    flags[long] = True
                else:
                    i += 1
                    flags[long] = _convert(arg_kind, tokens[i])
        else:
            objects.append(value)
        i += 1
    target = plugin if plugin is not None else getattr(_cmds, name)
    try:
        return target(*objects, **flags)
    except (TypeError, ValueError) as exc:
        raise RuntimeError(f"// Error: {name}: {exc}") from None
