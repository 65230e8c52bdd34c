"""MEL command strings for ``MDGModifier.commandToExecute`` (values quoted and escaped)."""

from __future__ import annotations

from typing import Union

Value = Union[str, int, float, bool]


def quote(text: str) -> str:
    """A MEL string literal."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def mel_command(name: str, *objects: str, **flags: Value) -> str:
    """``name -flag value ... "object" ...;`` with long flag names.

    ``True`` renders a flag without an argument (``-edit``); ``False`` is refused, since MEL flags
    that take a boolean argument differ from those that take none.
    """
    parts = [name]
    for flag, value in flags.items():
        if value is True:
            parts.append(f"-{flag}")
        elif value is False:
            raise ValueError(f"flag {flag}=False cannot be rendered; leave it out")
        elif isinstance(value, str):
            parts.extend([f"-{flag}", quote(value)])
        else:
            parts.extend([f"-{flag}", repr(float(value)) if isinstance(value, float) else str(int(value))])
    parts.extend(quote(o) for o in objects)
    return " ".join(parts) + ";"
