"""Which rig targets blink, look and raise the brows: found by the same name matching as the retargeter."""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence

from ..retarget import Source, arkit_mapping, normalise

ROLES: Dict[str, str] = {
    "blink_l": "eyeBlinkLeft",
    "blink_r": "eyeBlinkRight",
    "look_up_l": "eyeLookUpLeft",
    "look_up_r": "eyeLookUpRight",
    "look_down_l": "eyeLookDownLeft",
    "look_down_r": "eyeLookDownRight",
    "look_in_l": "eyeLookInLeft",
    "look_in_r": "eyeLookInRight",
    "look_out_l": "eyeLookOutLeft",
    "look_out_r": "eyeLookOutRight",
    "brow_inner_up": "browInnerUp",
    "brow_outer_up_l": "browOuterUpLeft",
    "brow_outer_up_r": "browOuterUpRight",
    "brow_down_l": "browDownLeft",
    "brow_down_r": "browDownRight",
}
"""Role -> its ARKit blendshape name (the role's canonical name)."""

EXTRA_ALIASES: Dict[str, Sequence[str]] = {
    "blink_l": ("blink_l", "blinkL", "eyeBlink_L", "EyeBlinkLeft", "eyeClosedL"),
    "blink_r": ("blink_r", "blinkR", "eyeBlink_R", "EyeBlinkRight", "eyeClosedR"),
}
"""Common blink names beyond ARKit's and FACEGOOD's."""


def _aliases() -> Dict[str, List[str]]:
    """Role -> normalised names that play it: ARKit's, FACEGOOD's (through its ARKit table) and common ones."""
    table = arkit_mapping()
    by_norm = {normalise(k): v for k, v in table.items()}
    out: Dict[str, List[str]] = {}
    for role, arkit in ROLES.items():
        names = [arkit, *EXTRA_ALIASES.get(role, ())]
        source = by_norm.get(normalise(arkit))
        if source is not None:
            names.extend(source.channels)
        out[role] = list(dict.fromkeys(normalise(n) for n in names))
    return out


def find_roles(
    targets: Sequence[str], mapping: Optional[Mapping[str, Optional[Source]]] = None
) -> Dict[str, str]:
    """Role -> the rig target that plays it (the best-named one where several could).

    A target plays a role when its name (namespaces, separators and case ignored) is the role's ARKit name,
    FACEGOOD's name for it, or a common alias; or when the mapping drives it from such a channel.

    Args:
        targets: The rig's target names (the columns of the Curves).
        mapping: The retargeter's target -> source table, for custom names.
    """
    lookup: Dict[str, tuple] = {}
    for role, names in _aliases().items():
        for rank, name in enumerate(names):
            lookup.setdefault(name, (role, rank))
    best: Dict[str, tuple] = {}
    for target in targets:
        hit = lookup.get(normalise(target))
        if hit is None and mapping is not None:
            source = mapping.get(target)
            if source is not None and source.channels:
                hit = lookup.get(normalise(source.channels[0]))
        if hit is not None and (hit[0] not in best or hit[1] < best[hit[0]][0]):
            best[hit[0]] = (hit[1], target)
    found = {role: target for role, (_rank, target) in best.items()}
    if "blink_l" not in found and "blink_r" not in found:
        # Rigs with one blink shape for both eyes ("blink", "eyesClosed").
        both = [t for t in targets if normalise(t) in {"blink", "eyeblink", "eyesclosed", "blinkboth"}]
        if both:
            found["blink_l"] = both[0]
    return found
