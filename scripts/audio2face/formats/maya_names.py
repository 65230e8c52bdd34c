"""Maya node and attribute names in generated files: validation and sanitising."""

from __future__ import annotations

import re
from typing import Dict, Optional, Sequence, Set

from ..errors import Audio2FaceError, PathLike

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NODE = re.compile(r"^:?(?:[A-Za-z_][A-Za-z0-9_]*:)*[A-Za-z_][A-Za-z0-9_]*$")
_BAD_CHARS = re.compile(r"[^A-Za-z0-9_]")


def is_attribute_name(name: str) -> bool:
    """Whether ``name`` is a valid Maya attribute (alias) name: ``[A-Za-z_][A-Za-z0-9_]*``."""
    return bool(_IDENTIFIER.match(name))


def check_node_name(node: str, path: Optional[PathLike] = None) -> str:
    """Return ``node`` if it is a valid Maya node name (namespaces like ``ns:blendShape1`` allowed).

    Raises:
        Audio2FaceError: not a valid name.
    """
    if not isinstance(node, str) or not _NODE.match(node):
        raise Audio2FaceError(
            f"{node!r} is not a valid Maya node name (letters, digits and _, optional namespace:)", path
        )
    return node


def check_aliases(names: Sequence[str], path: Optional[PathLike] = None) -> None:
    """Raise ``Audio2FaceError`` listing the target names that cannot be blendShape weight aliases."""
    bad = [n for n in names if not is_attribute_name(n)]
    if bad:
        shown = ", ".join(repr(n) for n in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise Audio2FaceError(
            f"target names must be valid Maya attribute names ([A-Za-z_][A-Za-z0-9_]*) to connect to the "
            f"blendShape by alias: {shown}",
            path,
        )


def sanitize(name: str) -> str:
    """``name`` turned into ``[A-Za-z_][A-Za-z0-9_]*`` (other characters become ``_``)."""
    clean = _BAD_CHARS.sub("_", name) or "_"
    return clean if not clean[0].isdigit() else "_" + clean


def curve_node_names(targets: Sequence[str], node: Optional[str]) -> Dict[str, str]:
    """Unique, valid animCurve node names ``<node>_<target>`` (or ``<target>``), one per target."""
    prefix = sanitize(node.lstrip(":").replace(":", "_")) + "_" if node else ""
    used: Dict[str, str] = {}
    taken: Set[str] = set()
    for target in targets:
        base = sanitize(prefix + target)
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}{number}"
        taken.add(name)
        used[target] = name
    return used
