"""What the plug-in's commands do, apart from Maya's argument parsing: their flags, help text and work.

The flag tables are the single source for the plug-in's ``MSyntax``, its ``-help`` text and
docs/maya.md. The settings flags are derived from the knob schema (``audio2face.settings_io.KNOBS``);
each flag names the field it fills (a knob, ``ApplyOptions`` or the export arguments), the same names
the batch job fields use.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError

from . import scene
from .apply_options import APPLY_MODES, ApplyOptions, ApplyReport

logger = logging.getLogger(__name__)

ANIMATE_COMMAND = "audio2faceAnimate"
EXPORT_COMMAND = "audio2faceExport"


@dataclasses.dataclass(frozen=True)
class Flag:
    """One command flag.

    Attributes:
        short: Short name without the dash (3 letters or fewer).
        long: Long name without the dash (4 letters or more).
        kind: ``string``, ``double``, ``int``, ``bool`` or ``none`` (no argument).
        field: The settings field it sets (empty for ``help``).
        help: One line for ``-help``.
    """

    short: str
    long: str
    kind: str
    field: str
    help: str


HELP = Flag("h", "help", "none", "", "Print this help and do nothing else.")

_KIND_OF = {"float": "double", "int": "int", "bool": "bool"}
"""Knob kinds -> flag argument types (every other kind is a string, parsed by the knob)."""


def setting_flags() -> Tuple[Flag, ...]:
    """One flag per knob on the ``mel`` surface (``audio2face.settings_io.KNOBS``), in schema order."""
    from audio2face.settings_io import knobs_on

    flags = []
    for entry in knobs_on("mel"):
        knob = entry.knob
        if not knob.mel:
            continue
        span = f" ({knob.range_text()})" if knob.range_text() else ""
        default = _MAYA_DEFAULTS.get(entry.name, entry.default)
        shown = "" if default in (None, {}, []) else f"; default {KNOB_TEXT.get(type(default), str)(default)}"
        text = f"{knob.help[:1].upper()}{knob.help[1:]}{span}{shown}."
        flags.append(Flag(knob.mel[0], knob.mel[1], _KIND_OF.get(knob.kind, "string"), entry.name, text))
    return tuple(flags)


KNOB_TEXT = {bool: lambda v: "on" if v else "off", float: lambda v: f"{v:g}"}
_MAYA_DEFAULTS = {"start_frame": "the playback start"}
"""Knobs whose default inside Maya comes from the scene."""

ANIMATE_FLAGS: Tuple[Flag, ...] = (
    Flag("a", "audio", "string", "audio", "Speech audio file (wav, flac, ogg...). Required."),
    Flag("n", "node", "string", "node", "blendShape node to key (default: the selected one)."),
    *setting_flags(),
    Flag("md", "mode", "string", "mode", "'range' (default): replace keys in the new range; 'curve': whole curves."),
    Flag("snd", "sound", "bool", "sound", "Create a sound node and show it on the time slider (default on)."),
    Flag("ly", "layer", "string", "layer", "Animation layer to key on, created if missing (default: base layer)."),
    HELP,
)
EXPORT_FLAGS: Tuple[Flag, ...] = (
    Flag("n", "node", "string", "node", "blendShape node to read (default: the selected one)."),
    Flag("st", "startFrame", "double", "start", "First frame (default: playback start)."),
    Flag("et", "endFrame", "double", "end", "Last frame (default: playback end)."),
    Flag("a", "audio", "string", "audio", "Audio file or sound node (default: the time slider's or the only sound)."),
    Flag("o", "output", "string", "folder", "Dataset folder (created if missing). Required."),
    Flag("nm", "name", "string", "name", "Clip name (default: the scene's file name)."),
    Flag("fg", "facegood", "bool", "facegood", "Also write FACEGOOD's BS_name.npy and BS_value.npy (default on)."),
    Flag("ow", "overwrite", "bool", "overwrite", "Replace a clip of the same name (default off)."),
    HELP,
)

_APPLY_FIELDS = {"mode", "layer", "start_frame"}


def help_text(command: str, flags: Sequence[Flag], summary: str) -> str:
    """The ``-help`` text: one line per flag, as ``-short -long <type>: help``."""
    lines = [f"{command}: {summary}", "Flags:"]
    for flag in flags:
        arg = "" if flag.kind == "none" else f" <{flag.kind}>"
        lines.append(f"  -{flag.short} -{flag.long}{arg}: {flag.help}")
    return "\n".join(lines)


def flag_table(flags: Sequence[Flag]) -> str:
    """The flags as the Markdown table of docs/maya.md (``docs/make_tables.py`` writes it)."""
    lines = ["| Long name (short name) | Argument type | Description |", "| --- | --- | --- |"]
    for flag in flags:
        kind = "-" if flag.kind == "none" else flag.kind
        lines.append(f"| `-{flag.long}` (`-{flag.short}`) | {kind} | {flag.help} |")
    return "\n".join(lines)


ANIMATE_HELP = help_text(ANIMATE_COMMAND, ANIMATE_FLAGS,
                         "turn speech audio into keys on a blendShape node (one undo step).")
EXPORT_HELP = help_text(EXPORT_COMMAND, EXPORT_FLAGS,
                        "write a blendShape node's weights and the audio as a training clip.")


@dataclasses.dataclass
class AnimateRequest:
    """A checked ``audio2faceAnimate`` call."""

    audio: str
    node: Optional[str]
    settings_values: Dict[str, Any]
    options: ApplyOptions
    sound: bool = True


def animate_request(values: Mapping[str, Any]) -> AnimateRequest:
    """Split flag values (by field name) into settings and apply options; check them."""
    values = dict(values)
    audio = values.pop("audio", None)
    if not audio:
        raise Audio2FaceError(f"{ANIMATE_COMMAND} needs -audio: the speech audio file")
    node = values.pop("node", None)
    want_sound = bool(values.pop("sound", True))
    mode = values.pop("mode", "range")
    if mode not in APPLY_MODES:
        raise Audio2FaceError(f"-mode must be one of {', '.join(APPLY_MODES)}, got {mode!r}")
    layer = values.pop("layer", None) or None
    start = values.pop("start_frame", None)
    if start is not None:
        from audio2face.settings_io import KNOBS

        start = KNOBS["start_frame"].knob.check("start_frame", start)
    options = ApplyOptions(mode=mode, start_frame=start, layer=layer)
    return AnimateRequest(audio=str(audio), node=node, settings_values=values, options=options, sound=want_sound)


def run_animate(request: AnimateRequest, progress: Any = None, cancel: Any = None) -> Tuple[Curves, str, ApplyOptions]:
    """Run the pipeline for the scene's rig: returns (curves, node, options with start frame and sound set).

    The curves are made at the scene's frame rate for the node's target names, starting at the
    requested frame (default: the start of the playback range).
    """
    from audio2face.pipeline import animate
    from audio2face.settings_io import animate_settings_from_dict

    from .sound import check_audio_file

    audio = check_audio_file(request.audio)
    node = scene.resolve_node(request.node)
    start = request.options.start_frame
    if start is None:
        start = scene.playback_range()[0]
    settings = animate_settings_from_dict(request.settings_values, where=ANIMATE_COMMAND)
    settings.fps = scene.scene_fps()
    settings.targets = scene.targets(node)
    settings.start_frame = float(start)
    curves = animate(audio, settings, progress=progress, cancel=cancel)
    options = dataclasses.replace(request.options, start_frame=float(start),
                                  sound=audio if request.sound else None)
    return curves, node, options


def export_arguments(values: Mapping[str, Any]) -> Dict[str, Any]:
    """Check ``audio2faceExport`` flag values; fill defaults from the scene."""
    values = dict(values)
    folder = values.get("folder")
    if not folder:
        raise Audio2FaceError(f"{EXPORT_COMMAND} needs -output: the dataset folder")
    node = scene.resolve_node(values.get("node"))
    start, end = values.get("start"), values.get("end")
    if start is None or end is None:
        low, high = scene.playback_range()
        start = low if start is None else start
        end = high if end is None else end
    name = values.get("name") or default_clip_name(node)
    return {"node": node, "start": float(start), "end": float(end), "folder": str(folder), "name": name,
            "audio": values.get("audio") or None, "facegood": bool(values.get("facegood", True)),
            "overwrite": bool(values.get("overwrite", False))}


def default_clip_name(node: str) -> str:
    """The scene file's name without extension, else the node name (letters, digits, ``._-``)."""
    import re
    from pathlib import Path

    from maya import cmds

    scene_name = str(cmds.file(query=True, sceneName=True) or "")
    stem = Path(scene_name).stem if scene_name else node
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem) or "clip"


def report_messages(report: ApplyReport) -> List[Tuple[str, str]]:
    """(level, text) lines for the Script Editor: info for what happened, warnings for what was left out."""
    out = [("info", report.summary())]
    for name, reason in report.skipped.items():
        out.append(("warning", f"skipped {name}: {reason}"))
    if report.unmatched:
        out.append(("warning", "no animation for these targets (unmatched): " + ", ".join(report.unmatched)))
    out.extend(("info", note) for note in report.notes)
    return out
