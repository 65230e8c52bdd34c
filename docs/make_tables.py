"""Rewrite the generated tables of the docs from the code: ``python docs/make_tables.py``.

Each table sits between ``<!-- generated: NAME -->`` and ``<!-- end generated -->``:

- ``settings`` (README.md): every knob of the settings schema (``audio2face.settings_io.docs_table``);
- ``panel-knobs`` (docs/panel.md): the knobs the panel shows;
- ``animate-flags`` and ``export-flags`` (docs/maya.md): the plug-in commands' flags
  (``audio2face_maya.plugin_commands``).

``tests/test_docs_tables.py`` fails when a file is out of step with the code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from audio2face.settings_io import docs_table, knobs_on  # noqa: E402
from audio2face_maya.plugin_commands import ANIMATE_FLAGS, EXPORT_FLAGS, flag_table  # noqa: E402


def panel_table() -> str:
    """The panel's knobs (docs/panel.md): label, setting, range, meaning, in the panel's order."""
    lines = ["   | knob | setting | range | |", "   | --- | --- | --- | --- |"]
    for entry in sorted(knobs_on("panel"), key=lambda e: e.owner != "post"):
        knob = entry.knob
        lines.append(f"   | {knob.label} | `{entry.name}` | {knob.range_text() or '-'} | {knob.help} |")
    return "\n".join(lines)


TABLES: Dict[str, Tuple[str, Callable[[], str]]] = {
    "settings": ("README.md", docs_table),
    "panel-knobs": ("docs/panel.md", panel_table),
    "animate-flags": ("docs/maya.md", lambda: flag_table(ANIMATE_FLAGS)),
    "export-flags": ("docs/maya.md", lambda: flag_table(EXPORT_FLAGS)),
}
_BLOCK = "<!-- generated: {name} -->\n{body}\n<!-- end generated -->"


def render(text: str, name: str, body: str) -> str:
    """``text`` with table ``name`` replaced by ``body`` (raises ``KeyError`` without its markers)."""
    pattern = re.compile(rf"<!-- generated: {re.escape(name)} -->\n(?:.*?\n)?<!-- end generated -->", re.S)
    if not pattern.search(text):
        raise KeyError(f"no generated table {name!r}")
    return pattern.sub(lambda _m: _BLOCK.format(name=name, body=body), text, count=1)


def stale() -> List[str]:
    """Names of tables whose file differs from what the code generates."""
    out = []
    for name, (path, make) in TABLES.items():
        text = (ROOT / path).read_text(encoding="utf-8")
        if render(text, name, make()) != text:
            out.append(f"{path}: {name}")
    return out


def main() -> int:
    """Rewrite every table in place."""
    for name, (path, make) in TABLES.items():
        file = ROOT / path
        text = file.read_text(encoding="utf-8")
        new = render(text, name, make())
        if new != text:
            file.write_text(new, encoding="utf-8")
            print(f"{path}: {name} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
