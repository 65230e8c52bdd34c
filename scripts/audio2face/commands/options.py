"""Command-line flags of every knob (``audio2face.settings_io.KNOBS``), shared by the sub-commands.

Each flag comes from the knob's description: its ``cli`` name, type, range and help. A flag left off the
command line leaves the knob at its ``--settings`` file value, else at its default.
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, Iterable, List, Optional

from ..errors import Audio2FaceError
from ..pipeline import AnimateSettings
from ..schema import Entry
from ..settings_io import animate_settings_from_dict, knobs_on, read_settings_values, write_settings
from ..text_input import read_lines

GROUPS = {"animate": "model and timing", "post": "post-processing",
          "secondary": "secondary motion (blinks, eye darts, brows, head; procedural, from the speech)"}


def _metavar(entry: Entry) -> str:
    knob = entry.knob
    if entry.name == "targets":
        return "FILE"
    if knob.kind == "table":
        return "NAME=X,..."
    if knob.kind == "mapping":
        return "FILE|arkit"
    if knob.kind == "path":
        return "DIR" if entry.name == "model" else "FILE"
    return knob.unit.upper() if knob.unit else entry.name.split("_")[-1].upper()


def _help(entry: Entry) -> str:
    knob = entry.knob
    span = f"; {knob.range_text()}" if knob.range_text() else ""
    default = entry.default
    shown = f"; default {default:g}" if isinstance(default, float) else ""
    return f"{knob.help}{span}{shown}"


def add_settings_arguments(parser: argparse.ArgumentParser, skip: Iterable[str] = ()) -> None:
    """Add ``--settings FILE`` and one flag per knob with a ``cli`` name (except ``skip``)."""
    parser.add_argument(
        "--settings", metavar="FILE", help="settings file (audio2face-settings JSON); flags given override it"
    )
    parser.add_argument(
        "--save-settings", metavar="FILE", help="write the settings in effect (those not at their defaults) to FILE"
    )
    skipped = set(skip)
    for owner, title in GROUPS.items():
        add_knob_arguments(parser.add_argument_group(title),
                           [k for k in knobs_on("cli") if k.owner == owner and k.name not in skipped])


def add_knob_arguments(group: Any, knobs: Iterable[Entry]) -> None:
    """One flag per knob that has a ``cli`` name: a switch for a bool, else a value its knob parses."""
    for entry in knobs:
        knob = entry.knob
        if not knob.cli:
            continue
        if knob.kind == "bool":
            value = not bool(entry.default)
            action = "store_true" if value else "store_false"
            text = knob.help if value else f"turn off: {knob.help}"
            group.add_argument(knob.cli, dest=entry.name, action=action, default=argparse.SUPPRESS, help=text)
        else:  # text, parsed and range-checked by the knob in given_values (errors exit 1, one line)
            group.add_argument(knob.cli, dest=entry.name, metavar=_metavar(entry), default=argparse.SUPPRESS,
                               help=_help(entry))


def _read_targets(path: str) -> List[str]:
    names = read_lines(path, "target list")
    if not names:
        raise Audio2FaceError("target list is empty", path)
    return names


def given_values(args: argparse.Namespace, knobs: Iterable[Entry]) -> Dict[str, Any]:
    """The values of ``knobs`` given on the command line (by field name), parsed and checked.

    Raises:
        Audio2FaceError: a value its knob refuses, naming the flag and the range.
    """
    values: Dict[str, Any] = {}
    for entry in knobs:
        if not hasattr(args, entry.name):
            continue
        value = getattr(args, entry.name)
        knob = entry.knob
        if knob.kind == "names":  # a text file of names, one per line
            value = _read_targets(value)
        elif isinstance(value, str):
            try:
                value = knob.parse(entry.name, value)
            except Audio2FaceError as exc:
                raise Audio2FaceError(f"{knob.cli}: {exc}") from None
        values[entry.name] = value
    return values


def settings_from_args(args: argparse.Namespace, base: Optional[Dict[str, Any]] = None) -> AnimateSettings:
    """``AnimateSettings`` from ``--settings`` (if given), overridden by the flags given.

    Raises:
        Audio2FaceError: an unreadable settings file or a value out of range, naming it.
    """
    values: Dict[str, Any] = dict(base or {})
    path = getattr(args, "settings", None)
    if path:
        values.update(read_settings_values(path))
    values.update(given_values(args, knobs_on("cli")))
    settings = animate_settings_from_dict(values, where=path or "command line")
    save = getattr(args, "save_settings", None)
    if save:
        write_settings(save, settings, only_changed=True)
    return settings
