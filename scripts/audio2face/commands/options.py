"""Command-line flags of every knob (``audio2face.settings_io.KNOBS``), shared by the sub-commands.

Each flag comes from the knob's description: its ``cli`` name, type, range and help. A flag left off the
command line leaves the knob at its ``--settings`` file value, else at its default.
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, Iterable, List, Optional

from ..errors import Audio2FaceError
from ..pipeline import AnimateSettings
from ..settings_io import FlatKnob, animate_settings_from_dict, knobs_on, read_settings_values, write_settings

GROUPS = {"animate": "model and timing", "post": "post-processing"}


def _metavar(entry: FlatKnob) -> str:
    knob = entry.knob
    if entry.name == "targets":
        return "FILE"
    if knob.kind == "table":
        return "NAME=X,..."
    if knob.kind in ("path", "mapping"):
        return "FILE|arkit" if knob.kind == "mapping" else "DIR"
    return knob.unit.upper() if knob.unit else entry.name.split("_")[-1].upper()


def _help(entry: FlatKnob) -> str:
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
    groups: Dict[str, argparse._ArgumentGroup] = {}
    skipped = set(skip)
    for entry in knobs_on("cli"):
        knob = entry.knob
        if entry.name in skipped or not knob.cli:
            continue
        if entry.owner not in groups:
            groups[entry.owner] = parser.add_argument_group(GROUPS[entry.owner])
        group = groups[entry.owner]
        if knob.kind == "bool":
            value = not bool(entry.default)
            action = "store_true" if value else "store_false"
            text = knob.help if value else f"turn off: {knob.help}"
            group.add_argument(knob.cli, dest=entry.name, action=action, default=argparse.SUPPRESS, help=text)
        else:  # text, parsed and range-checked by the knob in settings_from_args (errors exit 1, one line)
            group.add_argument(knob.cli, dest=entry.name, metavar=_metavar(entry), default=argparse.SUPPRESS,
                               help=_help(entry))


def _read_targets(path: str) -> List[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            names = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    except OSError as exc:
        raise Audio2FaceError(f"cannot read target list: {exc.strerror}", path) from None
    if not names:
        raise Audio2FaceError("target list is empty", path)
    return names


def given_settings(args: argparse.Namespace) -> Dict[str, Any]:
    """The knob values given on the command line (by flat name), parsed and checked.

    Raises:
        Audio2FaceError: a value its knob refuses, naming the flag and the range.
    """
    values: Dict[str, Any] = {}
    for entry in knobs_on("cli"):
        if not hasattr(args, entry.name):
            continue
        value = getattr(args, entry.name)
        knob = entry.knob
        if entry.name == "targets":
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
    values.update(given_settings(args))
    settings = animate_settings_from_dict(values, where=path or "command line")
    save = getattr(args, "save_settings", None)
    if save:
        write_settings(save, settings, only_changed=True)
    return settings
