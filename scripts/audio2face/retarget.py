"""Retargeting: model channels onto a rig's blendShape target names.

A mapping says, for each rig target, which model channel(s) drive it::

    {"format": "audio2face-mapping", "format_version": 1,
     "targets": {"jawOpen": "mouth_stretch_c",
                 "mouthFunnel": {"expr": "max(mouth_funnel_dl, mouth_funnel_dr)", "gain": 0.8, "offset": 0.0},
                 "tongueOut": null}}

An expression is a channel name or ``max(...)``, ``min(...)``, ``mean(...)`` of channel names; it is parsed,
never evaluated as code. Targets a mapping leaves out are matched automatically: exact name, then
case-insensitive, then ignoring namespaces, separators and case, then by ARKit name through FACEGOOD's table.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .atomic import atomic_open
from .errors import Audio2FaceError, PathLike
from .text_input import load_json

logger = logging.getLogger(__name__)

MAPPING_FORMAT = "audio2face-mapping"
MAPPING_VERSION = 1
ARKIT_TABLE = Path(__file__).resolve().parent / "data" / "arkit_facegood.json"
_OPS = ("max", "min", "mean")
_NAME = r"[A-Za-z_][A-Za-z0-9_:.|\[\]]*"
_CALL = re.compile(rf"^\s*({'|'.join(_OPS)})\s*\((.*)\)\s*$")

Spec = Union[None, str, Dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Source:
    """How one target is computed from model channels."""

    op: str
    channels: Tuple[str, ...]
    gain: float = 1.0
    offset: float = 0.0

    @property
    def expr(self) -> str:
        """The expression in mapping-file syntax."""
        if self.op == "ch":
            return self.channels[0]
        return f"{self.op}({', '.join(self.channels)})"

    def to_spec(self) -> Spec:
        """The mapping-file value for this source."""
        if self.gain == 1.0 and self.offset == 0.0:
            return self.expr
        return {"expr": self.expr, "gain": self.gain, "offset": self.offset}


def parse_expr(text: str, where: Optional[PathLike] = None) -> Tuple[str, Tuple[str, ...]]:
    """Parse ``name`` or ``max(a, b, ...)`` into (op, channels)."""
    text = text.strip()
    match = _CALL.match(text)
    if match:
        op, inner = match.group(1), match.group(2)
        names = tuple(part.strip() for part in inner.split(","))
        if not names or not all(re.fullmatch(_NAME, n) for n in names):
            raise Audio2FaceError(f"bad channel list in mapping expression {text!r}", where)
        return op, names
    if re.fullmatch(_NAME, text):
        return "ch", (text,)
    raise Audio2FaceError(
        f"cannot read mapping expression {text!r}: use a channel name or max(...), min(...), mean(...)", where
    )


def parse_spec(spec: Spec, where: Optional[PathLike] = None) -> Optional[Source]:
    """Turn a mapping-file value into a ``Source`` (``None`` = drive nothing)."""
    if spec is None or spec == "":
        return None
    if isinstance(spec, str):
        op, names = parse_expr(spec, where)
        return Source(op, names)
    if isinstance(spec, dict):
        unknown = set(spec) - {"expr", "gain", "offset"}
        if unknown:
            raise Audio2FaceError(f"unknown mapping keys {sorted(unknown)}", where)
        if not isinstance(spec.get("expr"), str):
            raise Audio2FaceError("a mapping entry needs an 'expr' string", where)
        op, names = parse_expr(spec["expr"], where)
        try:
            gain, offset = float(spec.get("gain", 1.0)), float(spec.get("offset", 0.0))
        except (TypeError, ValueError):
            raise Audio2FaceError(f"gain/offset of {spec['expr']!r} must be numbers", where) from None
        if not (np.isfinite(gain) and np.isfinite(offset)):
            raise Audio2FaceError(f"gain/offset of {spec['expr']!r} must be finite", where)
        return Source(op, names, gain, offset)
    raise Audio2FaceError(f"a mapping entry must be a string, an object or null, got {spec!r}", where)


def load_mapping(path: PathLike) -> Dict[str, Optional[Source]]:
    """Read a mapping file: target name -> ``Source`` (or ``None``)."""
    file = Path(path)
    if not file.is_file():
        raise Audio2FaceError("mapping file not found", file)
    doc = load_json(file, "mapping file")
    if not isinstance(doc, dict) or not isinstance(doc.get("targets"), dict):
        raise Audio2FaceError("a mapping file is a JSON object with a 'targets' object", file)
    if doc.get("format", MAPPING_FORMAT) != MAPPING_FORMAT:
        raise Audio2FaceError(f"not an {MAPPING_FORMAT} file", file)
    if doc.get("format_version", MAPPING_VERSION) != MAPPING_VERSION:
        raise Audio2FaceError(f"unknown mapping format version {doc.get('format_version')!r}", file)
    return {str(target): parse_spec(spec, file) for target, spec in doc["targets"].items()}


def save_mapping(path: PathLike, mapping: Mapping[str, Any]) -> None:
    """Write a mapping file atomically. Values may be ``Source``, expression strings, dicts or ``None``."""
    targets: Dict[str, Spec] = {}
    for target, value in mapping.items():
        source = value if isinstance(value, Source) or value is None else parse_spec(value, path)
        targets[str(target)] = source.to_spec() if source is not None else None
    doc = {"format": MAPPING_FORMAT, "format_version": MAPPING_VERSION, "targets": targets}
    with atomic_open(path) as handle:
        json.dump(doc, handle, indent=2)
        handle.write("\n")


def arkit_mapping() -> Dict[str, Optional[Source]]:
    """FACEGOOD's table from its 116 channel names to the 52 ARKit blendshapes."""
    return load_mapping(ARKIT_TABLE)


def normalise(name: str) -> str:
    """Compare form of a name: no namespace or node prefix, no separators, lower case."""
    leaf = re.split(r"[:|.]", name)[-1]
    return re.sub(r"[^0-9a-z]", "", leaf.lower())


def auto_match(channels: Sequence[str], targets: Sequence[str]) -> Dict[str, Optional[str]]:
    """Match each rig target to a channel expression (``None`` when nothing fits).

    Order: exact, case-insensitive, normalised (namespaces, separators, case), then ARKit names through
    FACEGOOD's table when the channels are FACEGOOD's.
    """
    by_lower: Dict[str, str] = {}
    by_norm: Dict[str, str] = {}
    for channel in channels:
        by_lower.setdefault(channel.lower(), channel)
        by_norm.setdefault(normalise(channel), channel)
    channel_set = set(channels)
    arkit: Dict[str, Optional[Source]] = {}
    arkit_norm: Dict[str, str] = {}
    result: Dict[str, Optional[str]] = {}
    for target in targets:
        found = target if target in channel_set else by_lower.get(target.lower()) or by_norm.get(normalise(target))
        if found is None:
            if not arkit:
                arkit = arkit_mapping()
                arkit_norm = {normalise(k): k for k in arkit}
            key = arkit_norm.get(normalise(target))
            source = arkit.get(key) if key else None
            if source is not None and all(c in channel_set for c in source.channels):
                found = source.expr
        result[target] = found
    return result


@dataclasses.dataclass
class Retargeter:
    """Computes rig target weights from model channel weights.

    Attributes:
        channels: Model channel names (input columns).
        targets: Output names, in output order.
        sources: One ``Source`` (or ``None``) per target.
    """

    channels: List[str]
    targets: List[str]
    sources: List[Optional[Source]]

    def __post_init__(self) -> None:
        index = {name: i for i, name in enumerate(self.channels)}
        missing = sorted({c for s in self.sources if s for c in s.channels if c not in index})
        if missing:
            raise Audio2FaceError(f"the mapping names channels the model does not have: {', '.join(missing)}")
        self._columns = [[index[c] for c in s.channels] if s else [] for s in self.sources]

    @property
    def unmatched(self) -> List[str]:
        """Targets no channel drives (they are kept at 0 and reported)."""
        return [t for t, s in zip(self.targets, self.sources) if s is None]

    @property
    def unused(self) -> List[str]:
        """Model channels no target uses."""
        used = {c for s in self.sources if s for c in s.channels}
        return [c for c in self.channels if c not in used]

    @property
    def identity(self) -> bool:
        """True when the output equals the input."""
        return self.targets == self.channels and all(
            s is not None and s.op == "ch" and s.channels == (t,) and s.gain == 1 and s.offset == 0
            for t, s in zip(self.targets, self.sources)
        )

    def apply(self, weights: np.ndarray) -> np.ndarray:
        """(frames, channels) -> (frames, targets)."""
        weights = np.asarray(weights, dtype=np.float32)
        if self.identity:
            return weights
        out = np.zeros((weights.shape[0], len(self.targets)), dtype=np.float32)
        reducers = {"ch": np.max, "max": np.max, "min": np.min, "mean": np.mean}
        for i, (source, cols) in enumerate(zip(self.sources, self._columns)):
            if source is None:
                continue
            values = weights[:, cols[0]] if len(cols) == 1 else reducers[source.op](weights[:, cols], axis=1)
            out[:, i] = values * source.gain + source.offset
        return out

    def mapping(self) -> Dict[str, Optional[Source]]:
        """target -> source, for saving as a mapping file."""
        return dict(zip(self.targets, self.sources))


def _resolve(spec: Union[None, str, PathLike, Mapping[str, Any]]) -> Optional[Dict[str, Optional[Source]]]:
    if spec is None:
        return None
    if isinstance(spec, Mapping):
        return {str(t): v if isinstance(v, Source) or v is None else parse_spec(v) for t, v in spec.items()}
    if str(spec).lower() == "arkit":
        return arkit_mapping()
    return load_mapping(spec)


def build_retargeter(
    channels: Sequence[str],
    targets: Optional[Iterable[str]] = None,
    mapping: Union[None, str, PathLike, Mapping[str, Any]] = None,
) -> Retargeter:
    """Build the retargeter for a model and (optionally) a rig.

    Args:
        channels: The model's channel names.
        targets: The rig's target names; ``None`` = the mapping's targets, or the model's own names.
        mapping: ``None``, ``"arkit"``, a mapping file path, or a dict target -> spec.
    """
    channels = list(channels)
    explicit = _resolve(mapping)
    if targets is None:
        if explicit is None:
            return Retargeter(channels, list(channels), [Source("ch", (c,)) for c in channels])
        names = list(explicit)
        return Retargeter(channels, names, [explicit[n] for n in names])
    targets = list(targets)
    sources: List[Optional[Source]] = []
    if explicit is not None:
        lookup = {normalise(k): k for k in explicit}
        keys = [target if target in explicit else lookup.get(normalise(target)) for target in targets]
        # Targets the mapping names (even as null: "drive nothing") are taken as written; the rest are auto-matched.
        left = [t for t, k in zip(targets, keys) if k is None]
        auto = auto_match(channels, left) if left else {}
        sources = [explicit[k] if k is not None else parse_spec(auto[t]) for t, k in zip(targets, keys)]
    else:
        matched = auto_match(channels, targets)
        sources = [parse_spec(matched[t]) for t in targets]
    retargeter = Retargeter(channels, targets, sources)
    if retargeter.unmatched:
        logger.warning("no model channel drives: %s", ", ".join(retargeter.unmatched))
    return retargeter
