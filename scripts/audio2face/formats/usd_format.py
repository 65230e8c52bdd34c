"""USD (``.usda`` text, ``.usdc`` crate, ``.usd`` crate): a layer holding one UsdSkel ``SkelAnimation``.

::

    #usda 1.0
    (
        customLayerData = {
            dictionary audio2face = {
                string interpolation = "linear"
                string samples = "frames"
                int version = 1
            }
        }
        defaultPrim = "FaceAnimation"
        endTimeCode = 120
        framesPerSecond = 30
        metersPerUnit = 0.01
        startTimeCode = 1
        timeCodesPerSecond = 30
        upAxis = "Y"
    )

    def SkelAnimation "FaceAnimation"
    {
        uniform token[] blendShapes = ["jawOpen", "mouthSmile_L"]
        float[] blendShapeWeights.timeSamples = {
            1: [0, 0.25],
            2: [0.125, 0.3],
        }
    }

Time codes are scene frames (``timeCodesPerSecond`` = the curves' rate, the start frame kept). The sparse form
samples the reduced keys (``samples.py``) instead of every frame; USD interpolates time samples linearly, which
``customLayerData.audio2face.interpolation`` states. Bind it with ``skel:animationSource`` on a Skeleton whose
meshes list the same names in ``skel:blendShapes``. usd-core (the ``usd`` extra) is imported only here, when a
file is written or read.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, List, Optional

import numpy as np

from ..atomic import atomic_path
from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from .numbers import require_finite
from .registry import OutputFormat, WriterOption, import_extra
from .samples import curves_from_samples, sample_table

logger = logging.getLogger(__name__)

DEFAULT_PRIM_PATH = "/FaceAnimation"
LAYER_DATA_KEY = "audio2face"
LAYER_DATA_VERSION = 1
UP_AXIS = "Y"
METERS_PER_UNIT = 0.01
"""Maya's defaults (Y up, centimetres): the layer has no geometry, but USD's stage validators ask for both."""


def _pxr(path: Optional[PathLike]) -> Any:
    import_extra(OUTPUT_FORMAT, path)
    from pxr import Sdf, Tf, Usd, UsdGeom, UsdSkel, Vt

    return Sdf, Tf, Usd, UsdGeom, UsdSkel, Vt


def _prim_path(sdf: Any, prim_path: str, path: PathLike) -> Any:
    text = str(prim_path)
    if not sdf.Path.IsValidPathString(text):
        raise Audio2FaceError(f"prim path {text!r} is not a USD path (e.g. /FaceAnimation)", path)
    prim = sdf.Path(text)
    if not (prim.IsAbsolutePath() and prim.IsPrimPath()) or prim == sdf.Path.absoluteRootPath:
        raise Audio2FaceError(f"prim path {text!r} must be an absolute prim path (e.g. /FaceAnimation)", path)
    return prim


def write(
    curves: Curves,
    path: PathLike,
    *,
    blendshape_node: Optional[str] = None,
    prim_path: str = DEFAULT_PRIM_PATH,
    sparse: bool = False,
) -> List[Path]:
    """Write ``curves`` as a USD layer with a SkelAnimation at ``prim_path`` (``blendshape_node`` is not used).

    Args:
        curves: What to write.
        path: ``.usda``, ``.usdc`` or ``.usd`` (crate).
        prim_path: Where the SkelAnimation goes; its ancestors become ``Scope`` prims and the top one the
            layer's ``defaultPrim``.
        sparse: Sample the reduced keys instead of every frame (needs ``curves.keys``).

    Raises:
        Audio2FaceError: nan/inf, no frames or channels, a bad prim path, sparse without keys, usd-core missing,
            or USD refusing the write; nothing is written.
    """
    require_finite(curves, path)
    if curves.frame_count == 0 or not curves.names:
        raise Audio2FaceError("no frames or no channels to write", path)
    sdf, tf, usd, usd_geom, usd_skel, vt = _pxr(path)
    prim = _prim_path(sdf, prim_path, path)
    times, weights = sample_table(curves, sparse, path)
    layer = sdf.Layer.CreateAnonymous(Path(path).suffix.lower())
    stage = usd.Stage.Open(layer)
    for ancestor in reversed(prim.GetParentPath().GetPrefixes()):
        if ancestor != sdf.Path.absoluteRootPath:
            stage.DefinePrim(ancestor, "Scope")
    anim = usd_skel.Animation.Define(stage, prim)
    stage.SetDefaultPrim(stage.GetPrimAtPath(prim.GetPrefixes()[0]))
    stage.SetTimeCodesPerSecond(float(curves.fps))
    stage.SetFramesPerSecond(float(curves.fps))
    stage.SetStartTimeCode(float(times[0]))
    stage.SetEndTimeCode(float(times[-1]))
    usd_geom.SetStageUpAxis(stage, UP_AXIS)
    usd_geom.SetStageMetersPerUnit(stage, METERS_PER_UNIT)
    layer.customLayerData = {
        LAYER_DATA_KEY: {
            "version": LAYER_DATA_VERSION,
            "samples": "keys" if sparse else "frames",
            "interpolation": "linear",
        }
    }
    anim.CreateBlendShapesAttr(vt.TokenArray(list(curves.names)))
    attribute = anim.CreateBlendShapeWeightsAttr()
    for time, row in zip(times.tolist(), weights):
        attribute.Set(vt.FloatArray.FromNumpy(row), usd.TimeCode(time))
    try:
        with atomic_path(path) as tmp:
            if not layer.Export(str(tmp)):
                raise Audio2FaceError("USD could not write the layer", path)
    except tf.ErrorException as exc:
        raise Audio2FaceError(f"USD could not write the layer: {str(exc).strip().splitlines()[-1]}", path) from None
    logger.debug("USD: %d samples x %d blend shapes at %s", times.size, len(curves.names), prim)
    return [Path(path)]


def _animation(stage: Any, usd_skel: Any, path: PathLike) -> Any:
    """The SkelAnimation to read: the default prim when it is one, else the first in the stage."""
    default = stage.GetDefaultPrim()
    if default and default.IsA(usd_skel.Animation):
        return usd_skel.Animation(default)
    for prim in stage.Traverse():
        if prim.IsA(usd_skel.Animation):
            return usd_skel.Animation(prim)
    raise Audio2FaceError("no SkelAnimation prim in the layer", path)


def read(path: PathLike) -> Curves:
    """Read the SkelAnimation's blendShapes and blendShapeWeights back into ``Curves`` (linear between samples).

    Raises:
        Audio2FaceError: USD cannot open the file, no SkelAnimation, no blend shapes or no time samples, or a sample
            whose length does not match the names.
    """
    _, tf, usd, _, usd_skel, _ = _pxr(path)
    try:
        stage = usd.Stage.Open(str(path))
    except tf.ErrorException as exc:
        raise Audio2FaceError(f"USD cannot open it: {str(exc).strip().splitlines()[-1]}", path) from None
    if stage is None:
        raise Audio2FaceError("USD cannot open it", path)
    anim = _animation(stage, usd_skel, path)
    names = [str(n) for n in (anim.GetBlendShapesAttr().Get() or [])]
    if not names:
        raise Audio2FaceError(f"{anim.GetPath()} has no blendShapes", path)
    attribute = anim.GetBlendShapeWeightsAttr()
    times = np.array(attribute.GetTimeSamples(), dtype=np.float64)
    if times.size == 0:
        raise Audio2FaceError(f"{anim.GetPath()}.blendShapeWeights has no time samples", path)
    rows = [np.asarray(attribute.Get(usd.TimeCode(float(t))), dtype=np.float64) for t in times]
    bad = [float(t) for t, row in zip(times, rows) if row.shape != (len(names),)]
    if bad:
        raise Audio2FaceError(
            f"blendShapeWeights at time {bad[0]:g} does not hold {len(names)} weights (one per blend shape)", path
        )
    fps = float(stage.GetTimeCodesPerSecond())
    source = {"file": str(path), "prim": str(anim.GetPath())}
    return curves_from_samples(names, fps, times, np.stack(rows), "linear", source, path)


OUTPUT_FORMAT = OutputFormat(
    "usd",
    (".usda", ".usdc", ".usd"),
    "USD SkelAnimation",
    write,
    read,
    order=60,
    extra="usd",
    extra_module="pxr",
    options=(
        WriterOption("prim_path", "USD: path of the SkelAnimation prim", DEFAULT_PRIM_PATH, metavar="PATH"),
        WriterOption("sparse", "USD: sample only the reduced keys (with --reduce), linear between them", False),
    ),
)
