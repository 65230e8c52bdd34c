"""Settings as plain data: the flat knob list, dicts (batch jobs, plug-in flags, panel state) and settings files.

Every knob of ``AnimateSettings``, ``PostSettings`` and ``SecondarySettings`` has one flat name (its field
name); :data:`KNOBS` lists them with their descriptions (``audio2face.schema``). A settings file is JSON::

    {"format": "audio2face-settings", "format_version": 1, "settings": {"smoothing_ms": 20, ...}}
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping

from .atomic import atomic_open
from .errors import Audio2FaceError, PathLike
from .pipeline import AnimateSettings, mapping_provenance
from .post import PostSettings
from .schema import Entry, entries, markdown_table
from .secondary import SecondarySettings
from .text_input import load_json

SETTINGS_FORMAT = "audio2face-settings"
SETTINGS_VERSION = 1
TEXT_PARSED = ("float", "int", "bool", "table", "names")
"""Kinds whose values given as text (CSV cells, MEL strings) are parsed, not taken as they are."""


@dataclasses.dataclass(frozen=True)
class FlatKnob(Entry):
    """A knob with the settings class that holds it (``"animate"``, ``"post"`` or ``"secondary"``)."""

    owner: str = "animate"


def _flat() -> Dict[str, FlatKnob]:
    out: Dict[str, FlatKnob] = {}
    for owner, cls in (("animate", AnimateSettings), ("post", PostSettings), ("secondary", SecondarySettings)):
        for entry in entries(cls):
            if entry.name in out:
                raise RuntimeError(f"knob {entry.name} is declared twice")
            out[entry.name] = FlatKnob(entry.name, entry.knob, entry.default, owner)
    return out


KNOBS: Dict[str, FlatKnob] = _flat()
"""Every knob by its flat name, ``AnimateSettings``' first, in declaration order."""


def knob_holder(settings: AnimateSettings, name: str) -> Any:
    """The object holding knob ``name``: ``settings`` itself, its ``post`` or its ``secondary``."""
    owner = KNOBS[name].owner
    return settings if owner == "animate" else getattr(settings, owner)


def knobs_on(surface: str) -> List[FlatKnob]:
    """The knobs a surface (``schema.SURFACES``) shows, in order."""
    return [k for k in KNOBS.values() if surface not in k.knob.off]


def _checked(values: Mapping[str, Any], where: str) -> Dict[str, Any]:
    out = {}
    for name, value in values.items():
        knob = KNOBS[name].knob
        try:
            parse = isinstance(value, str) and knob.kind in TEXT_PARSED
            out[name] = knob.parse(name, value) if parse else knob.check(name, value)
        except Audio2FaceError as exc:
            raise Audio2FaceError(f"{where}: {exc}") from None
    return out


def animate_settings_from_dict(values: Mapping[str, Any], where: str = "settings") -> AnimateSettings:
    """Build ``AnimateSettings`` from a flat dict of knob names (or a nested ``"post"`` dict).

    Text values (CSV cells, MEL strings) are parsed by the knob's kind; every value is range-checked.

    Raises:
        Audio2FaceError: an unknown name or a bad value, one line naming it (prefixed with ``where``).
    """
    values = dict(values)
    for group in ("post", "secondary"):
        nested = values.pop(group, None)
        if isinstance(nested, (PostSettings, SecondarySettings)):
            nested = dataclasses.asdict(nested)
        if isinstance(nested, Mapping):
            values.update(nested)
    unknown = sorted(set(values) - set(KNOBS))
    if unknown:
        raise Audio2FaceError(f"{where}: unknown settings: {', '.join(unknown)}")
    checked = _checked(values, where)
    post = PostSettings(**{k: v for k, v in checked.items() if KNOBS[k].owner == "post"})
    secondary = SecondarySettings(**{k: v for k, v in checked.items() if KNOBS[k].owner == "secondary"})
    own = {k: v for k, v in checked.items() if KNOBS[k].owner == "animate"}
    return AnimateSettings(post=post, secondary=secondary, **own)


def settings_to_dict(settings: AnimateSettings) -> Dict[str, Any]:
    """The flat dict form of ``AnimateSettings`` (inverse of ``animate_settings_from_dict``), JSON-able."""
    flat: Dict[str, Any] = {}
    for name in KNOBS:
        value = getattr(knob_holder(settings, name), name)
        if name == "mapping":
            value = mapping_provenance(value)
        elif isinstance(value, (list, tuple)):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        flat[name] = value
    return flat


def changed_settings(settings: AnimateSettings) -> Dict[str, Any]:
    """Only the knobs that differ from their defaults (what a settings file needs to hold)."""
    defaults = settings_to_dict(AnimateSettings())
    return {k: v for k, v in settings_to_dict(settings).items() if v != defaults[k]}


def write_settings(path: PathLike, settings: AnimateSettings, *, only_changed: bool = False) -> Path:
    """Write a settings file (atomically)."""
    target = Path(os.fspath(path))
    values = changed_settings(settings) if only_changed else settings_to_dict(settings)
    data = {"format": SETTINGS_FORMAT, "format_version": SETTINGS_VERSION, "settings": values}
    with atomic_open(target, "w") as handle:
        handle.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
    return target


def read_settings_values(path: PathLike) -> Dict[str, Any]:
    """The flat values of a settings file, unchecked (see :func:`read_settings`)."""
    source = Path(os.fspath(path))
    data = load_json(source, "settings file")
    if not isinstance(data, dict) or data.get("format") != SETTINGS_FORMAT:
        raise Audio2FaceError(f"not an {SETTINGS_FORMAT} file", source)
    if data.get("format_version") != SETTINGS_VERSION:
        raise Audio2FaceError(f"unknown settings format version {data.get('format_version')!r}", source)
    values = data.get("settings")
    if not isinstance(values, dict):
        raise Audio2FaceError("'settings' must be an object", source)
    return values


def read_settings(path: PathLike) -> AnimateSettings:
    """Read and check a settings file written by :func:`write_settings` (or by hand).

    Raises:
        Audio2FaceError: unreadable, not a settings file, an unknown name or a bad value (naming the file).
    """
    values = read_settings_values(path)
    return animate_settings_from_dict(values, where=os.fspath(path))


def docs_table() -> str:
    """The Markdown table of every knob (README "Settings"; a test keeps the README in step)."""
    return markdown_table(list(KNOBS.values()))
