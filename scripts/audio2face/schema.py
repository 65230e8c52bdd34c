"""Knobs described once: type, range, unit, label, help and the flags of every surface.

A settings dataclass declares each field with :func:`setting`; the description rides in the field's
metadata. The CLI flags (``commands/options.py``), the plug-in's flags (``audio2face_maya.plugin_commands``), the
panel's knobs (``audio2face_maya.ui.knobs``), batch job fields (``audio2face_maya.jobs``), settings files
(``settings_io``) and the docs table are all derived from it. A knob left off a surface says why in
``off`` (``tests/test_settings_schema.py`` walks every knob over every surface).
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from .errors import Audio2FaceError

SURFACES = ("cli", "mel", "panel", "job", "file")
"""Where a knob can be set: command line, MEL/Python command flags, the panel, batch jobs, settings files."""

KINDS = ("float", "int", "bool", "text", "path", "names", "table", "mapping", "emotion")
"""``names``: a list of names (a text file of names on the CLI); ``table``: name -> number
(``name=value,name=value`` as text); ``mapping``: ``"arkit"``, a mapping file path or a ``Mapping`` value;
``emotion``: a preset name, or from Python a vector of numbers."""

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclasses.dataclass(frozen=True)
class Panel:
    """How the panel shows a number knob.

    Attributes:
        step: Spin box step.
        decimals: Digits after the point.
        off_text: Shown at the minimum when it means "off" (``None``: the plain number).
    """

    step: float = 1.0
    decimals: int = 2
    off_text: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class Knob:
    """One setting as every surface sees it.

    Attributes:
        label: Short human name (panel label, docs).
        help: One line: what it does.
        kind: One of ``KINDS``.
        minimum: Smallest allowed value (numbers), inclusive.
        maximum: Largest allowed value (numbers), inclusive.
        unit: ``ms``, ``dB``, ``fps``... (empty for none).
        optional: ``None`` is allowed (its meaning is in ``help``).
        cli: The command-line flag (``--smoothing-ms``; ``--no-silence-gate`` for a bool that defaults on).
        mel: (short, long) flag names of the Maya command, without the dash.
        panel: How the panel shows it (``None``: not a generic panel knob; see ``off``).
        off: Surface -> why the knob is not there (``SURFACES``).
        exclusive_minimum: The minimum itself is not allowed (``reduce`` > 0).
    """

    label: str
    help: str
    kind: str = "float"
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    unit: str = ""
    optional: bool = False
    cli: Optional[str] = None
    mel: Optional[Tuple[str, str]] = None
    panel: Optional[Panel] = None
    off: Mapping[str, str] = dataclasses.field(default_factory=dict)
    exclusive_minimum: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown knob kind {self.kind!r}")
        unknown = set(self.off) - set(SURFACES)
        if unknown:
            raise ValueError(f"unknown surfaces {sorted(unknown)}")

    # --- checking ------------------------------------------------------------------------------------

    def range_text(self) -> str:
        """``between 0 and 1000 ms`` (empty when the knob has no range)."""
        unit = f" {self.unit}" if self.unit else ""
        if self.minimum is not None and self.maximum is not None:
            low = f"above {self.minimum:g}" if self.exclusive_minimum else f"between {self.minimum:g}"
            joint = " and at most " if self.exclusive_minimum else " and "
            return f"{low}{joint}{self.maximum:g}{unit}"
        if self.minimum is not None:
            return f"{'above' if self.exclusive_minimum else 'at least'} {self.minimum:g}{unit}"
        if self.maximum is not None:
            return f"at most {self.maximum:g}{unit}"
        return ""

    def check(self, name: str, value: Any) -> Any:
        """``value`` checked and normalised (ints to float for float knobs).

        Raises:
            Audio2FaceError: wrong type or out of range, one line naming the knob and its range.
        """
        if value is None:
            if self.optional:
                return None
            raise Audio2FaceError(f"{name} must be given ({self.help})")
        if self.kind in ("float", "int"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                rule = f" {self.range_text()}" if self.range_text() else ""
                raise Audio2FaceError(f"{name} must be a number{rule}, got {value!r}")
            if self.kind == "int":
                if isinstance(value, float) and not value.is_integer():
                    raise Audio2FaceError(f"{name} must be a whole number, got {value!r}")
                value = int(value)
            else:
                value = float(value)
            low, high = self.minimum, self.maximum
            below = low is not None and (value <= low if self.exclusive_minimum else value < low)
            if not math.isfinite(value) or below or (high is not None and value > high):
                rule = self.range_text() or "finite"
                raise Audio2FaceError(f"{name} must be {rule}, got {value:g}")
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise Audio2FaceError(f"{name} must be true or false, got {value!r}")
            return value
        if self.kind == "emotion" and isinstance(value, (list, tuple)):
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value):
                raise Audio2FaceError(f"{name} must be a preset name or finite numbers, got {value!r}")
            return [float(v) for v in value]
        if self.kind == "path" and isinstance(value, os.PathLike):
            return os.fspath(value)
        if self.kind in ("text", "path", "emotion"):
            if not isinstance(value, str):
                raise Audio2FaceError(f"{name} must be text, got {value!r}")
            return value
        if self.kind == "names":
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise Audio2FaceError(f"{name} must be a list of names, got {value!r}")
            return [str(v) for v in value]
        if self.kind == "table":
            if not isinstance(value, Mapping):
                raise Audio2FaceError(f"{name} must map names to numbers, got {value!r}")
            table = {}
            for key, number in value.items():
                if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
                    raise Audio2FaceError(f"{name}: {key} must be a finite number, got {number!r}")
                table[str(key)] = float(number)
            return table
        # mapping: "arkit", a file path, or target -> spec (checked where it is used)
        if isinstance(value, (str, Mapping)):
            return value
        if isinstance(value, os.PathLike):
            return os.fspath(value)
        raise Audio2FaceError(f"{name} must be 'arkit', a mapping file or a Mapping, got {value!r}")

    # --- text forms (CSV cells, CLI arguments, settings written as text) -------------------------------

    def parse(self, name: str, text: str) -> Any:
        """The value of a text cell (CSV job, CLI argument), checked; ``""`` = ``None`` for optional knobs.

        Raises:
            Audio2FaceError: not a value of this knob.
        """
        text = str(text).strip()
        if text == "" and self.optional:
            return None
        if self.kind in ("float", "int"):
            try:
                number: Any = float(text)
            except ValueError:
                rule = f" {self.range_text()}" if self.range_text() else ""
                raise Audio2FaceError(f"{name} must be a number{rule}, got {text!r}") from None
            return self.check(name, number)
        if self.kind == "bool":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise Audio2FaceError(f"{name} must be true or false, got {text!r}")
        if self.kind == "names":
            return self.check(name, [n.strip() for n in text.replace(";", ",").split(",") if n.strip()])
        if self.kind == "table":
            table: Dict[str, float] = {}
            for item in filter(None, (part.strip() for part in text.replace(";", ",").split(","))):
                key, sep, number = item.partition("=")
                try:
                    if not sep or not key.strip():
                        raise ValueError
                    table[key.strip()] = float(number)
                except ValueError:
                    raise Audio2FaceError(
                        f"{name} must be name=number pairs separated by commas, got {text!r}") from None
            return self.check(name, table)
        return self.check(name, text)

    def format(self, value: Any) -> str:
        """The text form of a value (inverse of :meth:`parse`)."""
        if value is None:
            return ""
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind in ("float", "int"):
            return repr(value) if self.kind == "float" else str(int(value))
        if self.kind == "names":
            return ",".join(value)
        if self.kind == "table":
            return ",".join(f"{k}={v!r}" for k, v in value.items())
        return str(value)


def setting(default: Any = None, *, factory: Any = None, **description: Any) -> Any:
    """A dataclass field described by a :class:`Knob` (``description`` are ``Knob``'s arguments)."""
    metadata = {"knob": Knob(**description)}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


@dataclasses.dataclass(frozen=True)
class Entry:
    """A knob of a settings class: its field name, description and default."""

    name: str
    knob: Knob
    default: Any


def entries(cls: type) -> Iterator[Entry]:
    """The described fields of a settings dataclass, in declaration order."""
    instance = cls()
    for field in dataclasses.fields(cls):
        knob = field.metadata.get("knob")
        if knob is not None:
            yield Entry(field.name, knob, getattr(instance, field.name))


def validate(settings: Any) -> None:
    """Check every described field of a settings instance in place (normalising numbers).

    Raises:
        Audio2FaceError: the first bad value, one line naming the knob and its range.
    """
    for field in dataclasses.fields(settings):
        knob = field.metadata.get("knob")
        if knob is not None:
            object.__setattr__(settings, field.name, knob.check(field.name, getattr(settings, field.name)))


def markdown_table(rows: List[Entry]) -> str:
    """The docs table of knobs: setting, CLI flag, MEL flag, other surfaces, default, range, meaning."""
    lines = ["| setting | CLI | MEL | panel, jobs, files | default | range | meaning |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for entry in rows:
        knob = entry.knob
        mel = f"`-{knob.mel[1]}` (`-{knob.mel[0]}`)" if knob.mel else "-"
        cli = f"`{knob.cli}`" if knob.cli else "-"
        default = entry.default
        if default is None:
            shown = "none"
        elif isinstance(default, bool):
            shown = "on" if default else "off"
        elif isinstance(default, (dict, list)) and not default:
            shown = "none"
        else:
            shown = f"{default:g}" if isinstance(default, float) else str(default)
        span = knob.range_text() or "-"
        where = ", ".join(label for surface, label in (("panel", "panel"), ("job", "jobs"), ("file", "files"))
                          if surface not in knob.off) or "-"
        lines.append(f"| `{entry.name}` | {cli} | {mel} | {where} | {shown} | {span} | {knob.help} |")
    return "\n".join(lines)
