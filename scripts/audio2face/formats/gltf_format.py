"""glTF 2.0 (``.gltf`` JSON with an embedded buffer, ``.glb`` binary): one morph-target weights animation.

The animation (named ``audio2face``) has one sampler and one channel, ``path: "weights"``, on a node whose mesh
names its morph targets in ``mesh.extras.targetNames`` (the convention Blender and three.js read):

* without ``base``: a minimal placeholder, one node ``audio2face_face`` with a one-triangle mesh and one morph
  target per curve name (zero deltas: an accessor without a bufferView, which glTF defines as zeros);
* with ``base`` (a ``.gltf``/``.glb``): a copy of it with the animation added, on the first node whose mesh's
  ``targetNames`` hold every curve name; its other targets keep the mesh's default weight. The base file is not
  changed; the copy holds all of its buffers in one and its images embedded (in the binary chunk for ``.glb``,
  as data URIs for ``.gltf``).

Sampler input is seconds from the first sample, ``(frame - first) / fps``; output is one weight per target per
sample. ``LINEAR`` or ``STEP`` interpolation; the samples are every frame, or the reduced keys when the curves carry
them (``samples.py``). ``animation.extras.audio2face`` keeps ``fps`` and ``start_frame`` so reading it back
restores scene frames. pygltflib (the ``gltf`` extra) is imported only here, when a file is written or read.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import unquote

import numpy as np

from ..atomic import atomic_open
from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from .numbers import require_finite
from .registry import OutputFormat, WriterOption, import_extra
from .samples import curves_from_samples, sample_table

logger = logging.getLogger(__name__)

INTERPOLATIONS = ("LINEAR", "STEP")
ANIMATION_NAME = "audio2face"
NODE_NAME = "audio2face_face"
EXTRAS_KEY = "audio2face"
GENERATOR = "audio2face-maya"
FLOAT = 5126
ARRAY_BUFFER = 34962
DATA_URI = "data:application/octet-stream;base64,"
TRIANGLE = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
"""The placeholder mesh: one triangle (1 unit), so any viewer has a mesh to morph."""


def _pygltflib(path: Optional[PathLike]) -> Any:
    return import_extra(OUTPUT_FORMAT, path)


# --- buffers ------------------------------------------------------------------------------------------------


def _buffer_bytes(gltf: Any, index: int, folder: Path, path: PathLike) -> bytes:
    """The bytes of buffer ``index``: the GLB chunk, a data URI or a file beside the glTF."""
    uri = gltf.buffers[index].uri
    if uri is None:
        blob = gltf.binary_blob()
        if blob is None:
            raise Audio2FaceError(f"buffer {index} has no uri and the file has no binary chunk", path)
        return bytes(blob)
    if uri.startswith("data:"):
        try:
            return base64.b64decode(uri.split(",", 1)[1])
        except (IndexError, ValueError):
            raise Audio2FaceError(f"buffer {index} has a bad data URI", path) from None
    try:
        return (folder / unquote(uri)).read_bytes()
    except OSError as exc:
        raise Audio2FaceError(f"buffer {index}: cannot read {uri}: {exc.strerror or exc}", path) from None


class _Blob:
    """One growing buffer; pieces keep their offset modulo 4 (so accessors stay aligned)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def add(self, piece: bytes, phase: int = 0) -> int:
        self.data += b"\0" * ((phase - len(self.data)) % 4)
        offset = len(self.data)
        self.data += piece
        return offset


def _image_bytes(image: Any, number: int, folder: Path, path: PathLike) -> bytes:
    if image.uri.startswith("data:"):
        try:
            return base64.b64decode(image.uri.split(",", 1)[1])
        except (IndexError, ValueError):
            raise Audio2FaceError(f"image {number} has a bad data URI", path) from None
    try:
        return (folder / unquote(image.uri)).read_bytes()
    except OSError as exc:
        raise Audio2FaceError(f"image {number}: cannot read {image.uri}: {exc.strerror or exc}", path) from None


def _embed(lib: Any, gltf: Any, folder: Path, path: PathLike, glb: bool) -> _Blob:
    """Move every bufferView of ``gltf`` into one blob (buffer 0), and its URI images into it (``glb``) or into
    data URIs (``.gltf``), so the copy stands alone wherever it is written."""
    sources = [_buffer_bytes(gltf, i, folder, path) for i in range(len(gltf.buffers))]
    blob = _Blob()
    for number, view in enumerate(gltf.bufferViews):
        start = view.byteOffset or 0
        data = sources[view.buffer][start : start + view.byteLength]
        if len(data) != view.byteLength:
            raise Audio2FaceError(f"bufferView {number} runs past the end of buffer {view.buffer}", path)
        view.byteOffset = blob.add(data, start % 4)
        view.buffer = 0
    for number, image in enumerate(gltf.images):
        if not image.uri or (image.uri.startswith("data:") and not glb):
            continue
        data = _image_bytes(image, number, folder, path)
        mime = image.mimeType or mimetypes.guess_type(unquote(image.uri.split(",", 1)[0]))[0]
        if image.uri.startswith("data:"):
            mime = image.uri[5:].split(";", 1)[0] or mime
        mime = mime or "image/png"
        if glb:
            gltf.bufferViews.append(lib.BufferView(buffer=0, byteOffset=blob.add(data), byteLength=len(data)))
            image.bufferView, image.uri, image.mimeType = len(gltf.bufferViews) - 1, None, mime
        else:
            image.uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return blob


# --- writing ------------------------------------------------------------------------------------------------


def _view(lib: Any, gltf: Any, blob: _Blob, data: np.ndarray, target: Optional[int] = None) -> int:
    raw = np.ascontiguousarray(data, dtype="<f4").tobytes()
    gltf.bufferViews.append(lib.BufferView(buffer=0, byteOffset=blob.add(raw), byteLength=len(raw), target=target))
    return len(gltf.bufferViews) - 1


def _accessor(lib: Any, gltf: Any, **fields: Any) -> int:
    gltf.accessors.append(lib.Accessor(componentType=FLOAT, **fields))
    return len(gltf.accessors) - 1


def _placeholder(lib: Any, names: Sequence[str]) -> Tuple[Any, _Blob, int, List[str], List[float]]:
    """A new glTF with the placeholder node and mesh: (gltf, blob, node index, target names, default weights)."""
    gltf = lib.GLTF2(asset=lib.Asset(version="2.0", generator=GENERATOR))
    blob = _Blob()
    view = _view(lib, gltf, blob, TRIANGLE, ARRAY_BUFFER)
    positions = _accessor(
        lib, gltf, bufferView=view, count=3, type="VEC3", min=TRIANGLE.min(0).tolist(), max=TRIANGLE.max(0).tolist()
    )
    zeros = _accessor(lib, gltf, byteOffset=None, count=3, type="VEC3", min=[0.0, 0.0, 0.0], max=[0.0, 0.0, 0.0])
    primitive = lib.Primitive(
        attributes=lib.Attributes(POSITION=positions),
        targets=[lib.Attributes(POSITION=zeros) for _ in names],
        mode=lib.TRIANGLES,
    )
    defaults = [0.0] * len(names)
    gltf.meshes.append(
        lib.Mesh(name=NODE_NAME, primitives=[primitive], weights=defaults, extras={"targetNames": list(names)})
    )
    gltf.nodes.append(lib.Node(name=NODE_NAME, mesh=0))
    gltf.scenes.append(lib.Scene(nodes=[0]))
    gltf.scene = 0
    return gltf, blob, 0, list(names), defaults


def _target_names(mesh: Any) -> Optional[List[str]]:
    names = (mesh.extras or {}).get("targetNames") if isinstance(mesh.extras, dict) else None
    if isinstance(names, list) and all(isinstance(n, str) for n in names):
        return names
    return None


def _load(lib: Any, file: PathLike) -> Any:
    try:
        return lib.GLTF2.load(str(file))
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise Audio2FaceError(f"not a readable glTF file: {exc}", file) from None


def _from_base(
    lib: Any, base: PathLike, names: Sequence[str], glb: bool
) -> Tuple[Any, _Blob, int, List[str], List[float]]:
    """A copy of ``base`` with its data embedded, and the node to animate (see the module docstring)."""
    if not Path(base).is_file():
        raise Audio2FaceError("no such base glTF file", base)
    gltf = _load(lib, base)
    if gltf is None or not str(getattr(gltf.asset, "version", "")).startswith("2."):
        raise Audio2FaceError("the base file is not glTF 2.0", base)
    wanted = set(names)
    closest: Tuple[int, str] = (-1, "")
    for mesh_index, mesh in enumerate(gltf.meshes):
        targets = _target_names(mesh)
        if targets is None:
            continue
        missing = [n for n in names if n not in targets]
        if missing:
            score = len(wanted) - len(missing)
            if score > closest[0]:
                closest = (score, f"mesh {mesh.name or mesh_index!r} lacks {', '.join(missing[:5])}")
            continue
        counts = {len(p.targets or []) for p in mesh.primitives}
        if counts != {len(targets)}:
            raise Audio2FaceError(
                f"mesh {mesh.name or mesh_index!r} names {len(targets)} targets but its primitives have "
                f"{', '.join(str(c) for c in sorted(counts))}",
                base,
            )
        nodes = [i for i, node in enumerate(gltf.nodes) if node.mesh == mesh_index]
        if not nodes:
            raise Audio2FaceError(f"mesh {mesh.name or mesh_index!r} is used by no node to animate", base)
        defaults = list(mesh.weights or []) or [0.0] * len(targets)
        if len(defaults) != len(targets):
            raise Audio2FaceError(f"mesh {mesh.name or mesh_index!r} has {len(defaults)} default weights", base)
        blob = _embed(lib, gltf, Path(base).parent, base, glb)
        return gltf, blob, nodes[0], targets, [float(w) for w in defaults]
    hint = f" ({closest[1]})" if closest[1] else " (no mesh has extras.targetNames)"
    raise Audio2FaceError(f"no mesh whose targetNames hold every curve name{hint}", base)


def _seconds(times: np.ndarray, fps: float) -> np.ndarray:
    return ((times - times[0]) / fps).astype(np.float32)


def write(
    curves: Curves,
    path: PathLike,
    *,
    blendshape_node: Optional[str] = None,
    base: Optional[PathLike] = None,
    interpolation: str = "LINEAR",
) -> List[Path]:
    """Write ``curves`` as a glTF weights animation (``blendshape_node`` is not used).

    Args:
        curves: What to write; reduced keys (``curves.keys``) make sparse samples.
        path: ``.gltf`` (one JSON file, buffer embedded) or ``.glb``.
        base: A glTF/GLB whose mesh names the targets; the animation goes into a copy of it.
        interpolation: ``LINEAR`` or ``STEP``.

    Raises:
        Audio2FaceError: nan/inf, no frames or channels, a bad interpolation, a base without a matching mesh,
            pygltflib missing; nothing is written.
    """
    require_finite(curves, path)
    if curves.frame_count == 0 or not curves.names:
        raise Audio2FaceError("no frames or no channels to write", path)
    mode = str(interpolation).upper()
    if mode not in INTERPOLATIONS:
        raise Audio2FaceError(f"glTF interpolation must be LINEAR or STEP, not {interpolation!r}", path)
    lib = _pygltflib(path)
    glb = Path(path).suffix.lower() == ".glb"
    gltf, blob, node, targets, defaults = (
        _from_base(lib, base, curves.names, glb) if base is not None else _placeholder(lib, curves.names)
    )
    times, weights = sample_table(curves, curves.keys is not None, path)
    table = np.tile(np.asarray(defaults, dtype=np.float32), (times.size, 1))
    columns = [targets.index(n) for n in curves.names]
    table[:, columns] = weights
    seconds = _seconds(times, float(curves.fps))
    inputs = _accessor(
        lib, gltf, bufferView=_view(lib, gltf, blob, seconds), count=int(seconds.size), type="SCALAR",
        min=[float(seconds[0])], max=[float(seconds[-1])],
    )
    outputs = _accessor(lib, gltf, bufferView=_view(lib, gltf, blob, table), count=int(table.size), type="SCALAR")
    gltf.animations.append(
        lib.Animation(
            name=ANIMATION_NAME,
            samplers=[lib.AnimationSampler(input=inputs, output=outputs, interpolation=mode)],
            channels=[lib.AnimationChannel(sampler=0, target=lib.AnimationChannelTarget(node=node, path="weights"))],
            extras={EXTRAS_KEY: {"fps": float(curves.fps), "start_frame": float(times[0])}},
        )
    )
    gltf.buffers = [lib.Buffer(byteLength=len(blob.data))]
    if glb:
        gltf.set_binary_blob(bytes(blob.data))
        with atomic_open(path, "wb") as handle:
            for chunk in gltf.save_to_bytes():
                handle.write(chunk)
    else:
        gltf.buffers[0].uri = DATA_URI + base64.b64encode(bytes(blob.data)).decode("ascii")
        with atomic_open(path, "w") as handle:
            handle.write(gltf.gltf_to_json() + "\n")
    logger.debug("glTF: %d samples x %d targets on node %d", times.size, len(targets), node)
    return [Path(path)]


# --- reading ------------------------------------------------------------------------------------------------


def _floats(gltf: Any, index: int, buffers: Dict[int, bytes], path: PathLike) -> np.ndarray:
    """Accessor ``index`` as float64 (FLOAT components only; no bufferView = zeros)."""
    accessor = gltf.accessors[index]
    width = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}.get(accessor.type)
    if accessor.componentType != FLOAT or width is None or accessor.sparse:
        raise Audio2FaceError(f"accessor {index}: only plain float accessors are read", path)
    if accessor.bufferView is None:
        return np.zeros(accessor.count * width)
    view = gltf.bufferViews[accessor.bufferView]
    data = buffers[view.buffer]
    stride = view.byteStride or 4 * width
    start = (view.byteOffset or 0) + (accessor.byteOffset or 0)
    end = start + stride * (accessor.count - 1) + 4 * width
    if accessor.count and end > len(data):
        raise Audio2FaceError(f"accessor {index} runs past the end of its buffer", path)
    rows = np.ndarray((accessor.count, width), dtype="<f4", buffer=data, offset=start, strides=(stride, 4))
    return rows.astype(np.float64).reshape(-1)


def _weights_channel(gltf: Any, path: PathLike) -> Tuple[Any, Any]:
    """(animation, channel): ours by name when present, else the first weights channel."""
    found = [(a, c) for a in gltf.animations for c in a.channels if c.target and c.target.path == "weights"]
    if not found:
        raise Audio2FaceError("no morph-target weights animation in the file", path)
    ours = [(a, c) for a, c in found if a.name == ANIMATION_NAME]
    return (ours or found)[0]


def read(path: PathLike, *, fps: Optional[float] = None, start_frame: float = 1.0) -> Curves:
    """Read a glTF weights animation back into ``Curves`` (names from the mesh's ``extras.targetNames``).

    Args:
        path: ``.gltf`` or ``.glb``.
        fps: Frame rate when the animation has no ``extras.audio2face`` (another tool's file); default 30.
        start_frame: Scene frame of time 0 for such files.

    Raises:
        Audio2FaceError: unreadable file, no weights animation, CUBICSPLINE or non-float data, sizes that do not
            match the mesh's targets.
    """
    lib = _pygltflib(path)
    gltf = _load(lib, path)
    if gltf is None:
        raise Audio2FaceError("not a readable glTF file", path)
    animation, channel = _weights_channel(gltf, path)
    sampler = animation.samplers[channel.sampler]
    mode = sampler.interpolation or "LINEAR"
    if mode not in INTERPOLATIONS:
        raise Audio2FaceError(f"{mode} animation samplers are not read (LINEAR and STEP are)", path)
    node = gltf.nodes[channel.target.node]
    if node.mesh is None:
        raise Audio2FaceError(f"weights channel targets node {channel.target.node}, which has no mesh", path)
    mesh = gltf.meshes[node.mesh]
    count = len(mesh.primitives[0].targets or []) if mesh.primitives else 0
    names = _target_names(mesh) or [f"target_{i}" for i in range(count)]
    if len(names) != count or count == 0:
        raise Audio2FaceError(f"mesh {mesh.name or node.mesh!r} has {count} targets but {len(names)} names", path)
    folder = Path(path).parent
    used = {gltf.bufferViews[gltf.accessors[i].bufferView].buffer for i in (sampler.input, sampler.output)
            if gltf.accessors[i].bufferView is not None}
    buffers = {i: _buffer_bytes(gltf, i, folder, path) for i in used}
    seconds = _floats(gltf, sampler.input, buffers, path)
    values = _floats(gltf, sampler.output, buffers, path)
    if values.size != seconds.size * count:
        raise Audio2FaceError(f"{values.size} weights for {seconds.size} times x {count} targets", path)
    extras = (animation.extras or {}).get(EXTRAS_KEY) if isinstance(animation.extras, dict) else None
    rate, first = float(fps or 30.0), float(start_frame)
    if isinstance(extras, dict):
        rate, first = float(extras.get("fps", rate)), float(extras.get("start_frame", first))
    frames = first + seconds * rate
    whole = np.round(frames)
    frames = np.where(np.abs(frames - whole) < 0.01, whole, frames)
    source = {"file": str(path), "animation": animation.name or ""}
    return curves_from_samples(names, rate, frames, values.reshape(seconds.size, count), mode.lower(), source, path)


OUTPUT_FORMAT = OutputFormat(
    "gltf",
    (".gltf", ".glb"),
    "glTF morph animation",
    write,
    read,
    order=70,
    extra="gltf",
    extra_module="pygltflib",
    options=(
        WriterOption("base", "glTF: add the animation to a copy of this .gltf/.glb (its mesh names the targets)",
                     metavar="FILE"),
        WriterOption("interpolation", "glTF: LINEAR or STEP between samples", "LINEAR", choices=INTERPOLATIONS),
    ),
    rate_options=True,
)
