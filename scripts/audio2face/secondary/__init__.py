"""Secondary motion: blinks, eye darts, brow raises and head motion that follow the speech.

A procedural stage after the network (FACEGOOD's data, like most, has no eye or head motion to learn from).
Each part has a switch and a strength and is deterministic for a given seed; each part draws from its own
random stream, so turning one on or off never changes another. On blendShape targets the stage blends
over the lip-sync (``a + b - a * b``: it never pushes a weight past 1 nor undoes what the model does); what
it adds is also kept apart (``SecondaryMotion.deltas``) so the Maya adapter can key it on its own animation
layer. Head (and gaze-control) rotations are curves in degrees for a transform node.
"""

from __future__ import annotations

import dataclasses
from typing import Collection, Dict, List, Mapping, Optional

import numpy as np

from ..curves import Curves
from ..retarget import Source
from ..schema import Panel, setting
from ..schema import validate as validate_knobs
from .blinks import Blink, blink_curve, plan_blinks
from .brows import brow_weights
from .gaze import gaze_weights, plan_gaze
from .head import head_angles
from .prosody import analyse
from .roles import find_roles

ARKIT_HEAD = "arkit"
"""``head=ARKIT_HEAD`` writes ARKit-style ``headYaw``/``headPitch``/``headRoll`` columns in radians (ARKit's
unit for its transforms; Live Link Face slots 52-54) instead of rotation curves in degrees on a node."""

HEAD_COLUMNS = {"yaw": "headYaw", "pitch": "headPitch", "roll": "headRoll"}
HEAD_ROTATE = {"pitch": "rotateX", "yaw": "rotateY", "roll": "rotateZ"}
GAZE_ROTATE = {"pitch": "rotateX", "yaw": "rotateY"}


@dataclasses.dataclass
class SecondarySettings:
    """Switches and strengths of the secondary motion (all off by default); described once (``schema``)."""

    blinks: bool = setting(
        False, kind="bool", label="Blinks", help="blink at a human rate, mostly in pauses",
        cli="--blinks", mel=("bl", "blinks"), panel=Panel())
    blink_rate: float = setting(
        17.0, label="Blink rate", help="blinks per minute (15-26 in conversation)", minimum=1.0, maximum=60.0,
        unit="/min", cli="--blink-rate", mel=("blr", "blinkRate"), panel=Panel(step=1.0, decimals=0))
    blink_strength: float = setting(
        1.0, label="Blink strength", help="how far the lids close", minimum=0.0, maximum=1.0,
        cli="--blink-strength", mel=("bls", "blinkStrength"), panel=Panel(step=0.05, decimals=2))
    half_blinks: bool = setting(
        True, kind="bool", label="Half blinks", help="some blinks close only partly",
        cli="--no-half-blinks", mel=("hbl", "halfBlinks"), panel=Panel())
    gaze: bool = setting(
        False, kind="bool", label="Eye darts", help="small gaze shifts between fixations",
        cli="--gaze", mel=("gz", "gaze"), panel=Panel())
    gaze_strength: float = setting(
        1.0, label="Eye dart strength", help="scales the dart range", minimum=0.0, maximum=2.0,
        cli="--gaze-strength", mel=("gzs", "gazeStrength"), panel=Panel(step=0.05, decimals=2))
    gaze_range_deg: float = setting(
        8.0, label="Eye dart range", help="largest gaze angle from the listener", minimum=0.0, maximum=30.0,
        unit="deg", cli="--gaze-range", mel=("gzr", "gazeRange"), panel=Panel(step=0.5, decimals=1))
    gaze_full_deg: float = setting(
        30.0, label="Gaze at weight 1", help="gaze angle an eyeLook target reaches at weight 1", minimum=5.0,
        maximum=90.0, unit="deg", cli="--gaze-full-deg", mel=("gzf", "gazeFullAngle"),
        panel=Panel(step=1.0, decimals=0))
    gaze_node: Optional[str] = setting(
        None, kind="text", optional=True, label="Gaze control",
        help="key the gaze as rotateX/rotateY (degrees) on this control instead of the eyeLook targets",
        cli="--gaze-node", mel=("gzn", "gazeNode"), panel=Panel())
    brows: bool = setting(
        False, kind="bool", label="Brows", help="raise the brows on pitch accents",
        cli="--brows", mel=("bw", "brows"), panel=Panel())
    brow_strength: float = setting(
        1.0, label="Brow strength", help="scales the brow raises", minimum=0.0, maximum=2.0,
        cli="--brow-strength", mel=("bws", "browStrength"), panel=Panel(step=0.05, decimals=2))
    brow_frowns: bool = setting(
        False, kind="bool", label="Brow frowns", help="low-pitch emphasis lowers the brows",
        cli="--brow-frowns", mel=("bwf", "browFrowns"), panel=Panel())
    head: Optional[str] = setting(
        None, kind="text", optional=True, label="Head motion",
        help="nods and tilts: rotate curves (degrees) on this node, or 'arkit' for headYaw/headPitch/headRoll",
        cli="--head", mel=("hd", "head"), panel=Panel())
    head_strength: float = setting(
        1.0, label="Head strength", help="scales the head motion", minimum=0.0, maximum=3.0,
        cli="--head-strength", mel=("hds", "headStrength"), panel=Panel(step=0.05, decimals=2))
    seed: int = setting(
        0, kind="int", label="Seed", help="random seed of the secondary motion (same seed, same motion)",
        minimum=0, maximum=2**31 - 1, cli="--seed", mel=("sd", "seed"), panel=Panel(step=1.0, decimals=0))

    @property
    def enabled(self) -> bool:
        """Whether any part is on."""
        return bool(self.blinks or self.gaze or self.brows or self.head)

    def validate(self) -> None:
        """Raise ``Audio2FaceError`` on a value out of its knob's range (one line naming it)."""
        validate_knobs(self)


@dataclasses.dataclass
class SecondaryMotion:
    """What the stage added, kept apart for its own animation layer.

    Attributes:
        names: The blendShape targets it touched (a subset of the Curves' names).
        deltas: float32 (frames, len(names)): what it added on top of the lip-sync.
        rotations: node -> {attribute: degrees per frame} (head and gaze controls).
        blinks: The blinks it placed (for QC and the benchmark).
        roles: role -> rig target it used.
        own: Its targets the model does not move (blinks, gaze, brows on most rigs): all their motion is
            this stage's, so the Maya adapter keys them on the secondary layer alone; on targets the model
            also moves the two are blended into the lip-sync keys.
    """

    names: List[str]
    deltas: np.ndarray
    rotations: Dict[str, Dict[str, np.ndarray]]
    blinks: List[Blink]
    roles: Dict[str, str]
    own: List[str] = dataclasses.field(default_factory=list)

    def restricted(self, names: Collection[str]) -> SecondaryMotion:
        """A copy holding only the targets in ``names`` (rotations and blinks kept)."""
        cols = [i for i, n in enumerate(self.names) if n in names]
        return dataclasses.replace(
            self, names=[self.names[i] for i in cols], deltas=self.deltas[:, cols],
            roles={r: t for r, t in self.roles.items() if t in names}, own=[t for t in self.own if t in names],
        )


def apply_secondary(
    curves: Curves,
    samples: np.ndarray,
    sample_rate: int,
    settings: SecondarySettings,
    mapping: Optional[Mapping[str, Optional[Source]]] = None,
    model_driven: Optional[Collection[str]] = None,
) -> Curves:
    """Add the secondary motion to ``curves`` (a new Curves; ``curves.secondary`` holds what was added).

    Args:
        model_driven: The targets the model moves (default: ``curves.driven``; ``None`` there = all): the
            others that this stage moves are ``SecondaryMotion.own``, the targets of its own layer.
    """
    settings.validate()
    if not settings.enabled:
        return curves
    frames = curves.frame_count
    prosody = analyse(samples, sample_rate, curves.fps, frames)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(settings.seed).spawn(4)]
    roles = find_roles(curves.names, mapping)
    layer: Dict[str, np.ndarray] = {}
    rotations: Dict[str, Dict[str, np.ndarray]] = {}
    blinks: List[Blink] = []
    if settings.blinks:
        blinks = plan_blinks(prosody, settings.blink_rate, streams[0], settings.half_blinks)
        closure = blink_curve(blinks, frames, curves.fps) * settings.blink_strength
        for role in ("blink_l", "blink_r"):
            layer[role] = closure
        if not ({"blink_l", "blink_r"} & set(roles)):
            _warn_missing("blinks", "eyeBlinkLeft/eyeBlinkRight")
    if settings.gaze:
        yaw, pitch = plan_gaze(prosody, settings.gaze_range_deg * settings.gaze_strength, streams[1])
        if settings.gaze_node:
            rotations[settings.gaze_node] = {GAZE_ROTATE["yaw"]: yaw, GAZE_ROTATE["pitch"]: pitch}
        else:
            layer.update(gaze_weights(yaw, pitch, settings.gaze_full_deg))
    if settings.brows:
        for role, values in brow_weights(prosody, settings.brow_frowns).items():
            layer[role] = np.clip(values * settings.brow_strength, 0.0, 1.0)
    head_columns: Dict[str, np.ndarray] = {}
    if settings.head:
        angles = {k: v * settings.head_strength for k, v in head_angles(prosody, streams[2]).items()}
        if settings.head == ARKIT_HEAD:
            head_columns = {HEAD_COLUMNS[k]: np.radians(v) for k, v in angles.items()}
        else:
            rotations[settings.head] = {HEAD_ROTATE[k]: v for k, v in angles.items()}
    if model_driven is None:
        model_driven = curves.names if curves.driven is None else curves.driven
    return _blend(curves, layer, roles, rotations, blinks, head_columns, set(model_driven))


def _warn_missing(part: str, wanted: str) -> None:
    import logging

    logging.getLogger(__name__).warning("%s: no rig target plays %s (map one in the mapping table)", part, wanted)


def _blend(
    curves: Curves,
    layer: Dict[str, np.ndarray],
    roles: Dict[str, str],
    rotations: Dict[str, Dict[str, np.ndarray]],
    blinks: List[Blink],
    head_columns: Dict[str, np.ndarray],
    model_driven: Collection[str],
) -> Curves:
    weights = curves.weights.copy()
    names = list(curves.names)
    touched: List[str] = []
    deltas: List[np.ndarray] = []
    for role, values in layer.items():
        target = roles.get(role)
        if target is None or target in touched:
            continue
        col = names.index(target)
        base = weights[:, col]
        added = (values.astype(np.float32) * (1.0 - base)).astype(np.float32)
        weights[:, col] = base + added
        touched.append(target)
        deltas.append(added)
    driven = None if curves.driven is None else list(curves.driven) + [t for t in touched if t not in curves.driven]
    for column, values in head_columns.items():
        if column in names:
            weights[:, names.index(column)] = values
        else:
            names.append(column)
            weights = np.concatenate([weights, values.astype(np.float32)[:, None]], axis=1)
            if driven is not None:
                driven.append(column)
    motion = SecondaryMotion(
        touched,
        np.stack(deltas, axis=1) if deltas else np.zeros((curves.frame_count, 0), np.float32),
        {node: {k: v.astype(np.float32) for k, v in attrs.items()} for node, attrs in rotations.items()},
        blinks,
        {role: roles[role] for role in layer if role in roles},
        [t for t in touched if t not in model_driven],
    )
    source = dict(curves.source, secondary={"blinks": len(blinks), "targets": touched, "rotations": sorted(rotations)})
    unmatched = [n for n in curves.unmatched if n not in touched]
    return dataclasses.replace(curves, names=names, weights=weights, driven=driven, source=source, keys=None,
                               unmatched=unmatched,
                               secondary=motion)
