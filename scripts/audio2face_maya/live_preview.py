"""Live preview in Maya: a stream drives a blendShape's target weights directly, frame by frame.

Threads: ``start`` (main thread) reads the rig and snapshots every weight, then a worker thread reads the
audio source and runs the streaming engine (``audio2face.streaming``); no Maya call is made off the main
thread. Each time frames are ready the worker asks for ``tick`` to run on Maya's main thread
(``maya.utils.executeDeferred`` by default, at most one request pending), and ``tick`` writes the newest
frame's values. A panel may instead pass ``schedule=MANUAL`` and call ``tick`` from a ``QTimer`` on the UI
thread at the frame rate. Either way the UI thread never waits for audio or inference.

Undo: the values are written with ``MPlug.setDouble`` - a direct plug set, no command and no
``MDGModifier`` - so nothing enters the undo queue while live and the queue is never flushed
(maya-facts §4.7, §4.9: API edits made outside a command are not recorded). ``stop`` puts every
weight back to the value it had at ``start`` the same way, then, when ``record`` is on, keys the take
through ``host.apply`` - the path Generate uses - which is one undo step; undoing it returns the rig
to where it was before Live started.

Which weights move: targets a model channel drives that are unlocked and either free or keyed. A keyed
weight's curve is *muted* while live: its connection to the weight is taken off with an ``MDGModifier``
(no command, so nothing on the undo queue) and put back on ``stop``, so the preview never fights the
curve and the keys themselves are never touched. Locked weights, weights driven by another connection,
set-driven keys and animation layers are left alone and listed in ``skipped``.

Scene safety: before File > New, File > Open or a save (``MSceneMessage``), when the node is deleted
(``MNodeMessage``) and when Maya exits, the preview stops at once (weights and curves put back, the
take dropped, ``error`` says why) without waiting for the audio thread; every write first checks that
the node's handle is still valid, so a stale ``MPlug`` is never written.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import Any, Callable, Dict, List, Optional

import numpy as np
from audio2face.bundle import Bundle
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.pipeline import AnimateSettings, mapping_provenance
from audio2face.streaming import LatencyMeter, LiveFrame, StreamSession, live_bundle

from .apply_options import ApplyOptions, ApplyReport
from .host import Host

logger = logging.getLogger(__name__)

Schedule = Callable[[Callable[[], Any]], Any]
"""Runs a function later on Maya's main thread without waiting for it."""

FrameCallback = Callable[[LiveFrame], None]


def MANUAL(fn: Callable[[], Any]) -> None:  # noqa: N802 - a constant-like sentinel callable
    """``schedule`` for callers that call ``LivePreview.tick`` themselves (a QTimer on the UI thread)."""


def _deferred(fn: Callable[[], Any]) -> Any:
    import maya.utils

    return maya.utils.executeDeferred(fn)


@dataclasses.dataclass
class _Target:
    """One weight the preview writes: its plug and the value to put back."""

    name: str
    column: int
    plug: Any
    original: float
    curve: Any = None  # the keyed curve's output plug, muted while live


class LivePreview:
    """Drive ``node``'s target weights from a live stream; restore them on stop; optionally key the take.

    Args:
        host: The Maya host (``audio2face_maya.host.MayaHost``); ``host.apply`` keys a recorded take.
        node: The blendShape node.
        bundle: A loaded model bundle, or ``None`` to load ``settings.model`` (cached per process).
        settings: Model, mapping, emotion and post-processing knobs (as for Generate). ``targets`` defaults
            to the node's targets and ``fps`` to the scene's; ``reduce`` gives a recorded take sparse keys.
        record: Key the take when ``stop`` is called.
        apply_options: How a recorded take is keyed (default: replace the keys in the take's range,
            starting at the current frame when Live started).
        schedule: How ``tick`` is run on the main thread (default ``maya.utils.executeDeferred``;
            ``MANUAL`` when the caller runs ``tick`` itself).

    Attributes:
        record: Whether ``stop`` keys the take (may be changed while live).
        skipped: Targets left alone, name -> reason.
        unmatched: Targets no model channel drives (left alone).
        at_rest: Targets fed only by channels the model never moves (left alone unless
            ``settings.key_rest_targets``).
        error: The worker's error in plain words, when it failed.
        report: What ``host.apply`` did with the last recorded take.
        latency: The delay from each frame's audio to its weights, measured as ``audio2face live`` measures
            it (``streaming.LatencyMeter``; read it after ``stop``).
    """

    def __init__(
        self,
        host: Host,
        node: str,
        bundle: Optional[Bundle] = None,
        settings: Optional[AnimateSettings] = None,
        *,
        record: bool = False,
        apply_options: Optional[ApplyOptions] = None,
        schedule: Optional[Schedule] = None,
    ) -> None:
        if getattr(host, "name", None) != "maya":
            raise Audio2FaceError("live preview drives a rig and needs Maya")
        self.host = host
        self.node = node
        self.settings = settings or AnimateSettings()
        self.bundle = bundle
        self.record = record
        self.apply_options = apply_options
        self._schedule: Schedule = schedule or _deferred
        self._frame_callbacks: List[FrameCallback] = []
        self._finished_callbacks: List[Callable[[], None]] = []
        self.skipped: Dict[str, str] = {}
        self.unmatched: List[str] = []
        self.at_rest: List[str] = []
        self.error: Optional[str] = None
        self.report: Optional[ApplyReport] = None
        self.session: Optional[StreamSession] = None
        self.latency: Optional[LatencyMeter] = None
        self._targets: List[_Target] = []
        self._lock = threading.Lock()
        self._latest: Optional[LiveFrame] = None
        self._take: List[np.ndarray] = []
        self._tick_pending = False
        self._worker: Optional[threading.Thread] = None
        self._source: Any = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._finish_announced = False
        self._start_frame = 1.0
        self.frames_applied = 0
        self._mute: Any = None
        self._handle: Any = None
        self._callbacks: List[Any] = []

    # -- hooks --------------------------------------------------------------------------------------
    def add_frame_callback(self, callback: FrameCallback) -> None:
        """Call ``callback(frame)`` on the main thread after each frame is written to the rig."""
        self._frame_callbacks.append(callback)

    def add_finished_callback(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` on the main thread once the source has ended or failed (then call ``stop``)."""
        self._finished_callbacks.append(callback)

    # -- state --------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether ``start`` was called and ``stop`` not yet."""
        return self._worker is not None

    @property
    def finished(self) -> bool:
        """Whether the source has ended (or failed); the rig keeps the last frame until ``stop``."""
        return self._done.is_set()

    @property
    def names(self) -> List[str]:
        """The stream's output names (the node's targets)."""
        return list(self.session.names) if self.session else []

    @property
    def frames_recorded(self) -> int:
        """Frames of the take so far."""
        with self._lock:
            return len(self._take)

    # -- main thread --------------------------------------------------------------------------------
    def start(self, source: Any) -> None:
        """Snapshot the weights and start streaming ``source`` (an ``audio2face.live.inputs`` source).

        Raises:
            Audio2FaceError: Already running, a missing node, or no weight that can be driven.
        """
        if self._worker is not None:
            raise Audio2FaceError("live preview is already running: stop it first")
        from maya import cmds

        targets = self.host.targets(self.node)
        if not targets:
            raise Audio2FaceError(f"{self.node} has no targets to drive")
        settings = dataclasses.replace(
            self.settings,
            targets=list(self.settings.targets or targets),
            fps=self.settings.fps or self.host.scene_fps(),
        )
        bundle = self.bundle if self.bundle is not None else live_bundle(settings.model, settings.threads or 1)
        session = StreamSession(settings, sample_rate=source.sample_rate, channels=source.channels, bundle=bundle)
        self.unmatched = list(session.retargeter.unmatched)
        driven = session.driven
        self.at_rest = [] if driven is None else [n for n in session.names
                                                  if n not in set(driven) and n not in set(self.unmatched)]
        self.skipped = {}
        self._targets = self._drivable(session.names, set(self.unmatched) | set(self.at_rest), set(targets))
        if not self._targets:
            reasons = "; ".join(f"{k}: {v}" for k, v in self.skipped.items()) or "no model channel drives them"
            raise Audio2FaceError(f"no target of {self.node} can be driven live ({reasons})")
        self._watch()
        self._mute_curves()
        self.session = session
        self.latency = LatencyMeter(session.fps)
        self.error = None
        self.report = None
        self._latest = None
        self._take = []
        self._tick_pending = False
        self._finish_announced = False
        self.frames_applied = 0
        self._start_frame = float(cmds.currentTime(query=True))
        self._stop.clear()
        self._done.clear()
        self._source = source
        self._worker = threading.Thread(target=self._run, args=(session, source), name="audio2face-live",
                                        daemon=True)
        self._worker.start()
        logger.info("live preview on %s: %d targets driven, %d skipped, %d unmatched",
                    self.node, len(self._targets), len(self.skipped), len(self.unmatched))

    def tick(self) -> bool:
        """Write the newest frame to the rig (main thread); returns whether a frame was written."""
        with self._lock:
            frame, self._latest = self._latest, None
            self._tick_pending = False
        wrote = False
        if frame is not None and self._worker is not None and not self._node_valid():
            self.abort("the blendShape node no longer exists")
            return False
        if frame is not None and self._worker is not None:
            self._write(frame.weights)
            self.frames_applied += 1
            wrote = True
            for callback in list(self._frame_callbacks):
                callback(frame)
        if self._done.is_set() and not self._finish_announced and self._worker is not None:
            self._finish_announced = True
            for finished in list(self._finished_callbacks):
                finished()
        return wrote

    def stop(self, timeout_s: float = 5.0) -> Optional[Curves]:
        """Stop streaming, put every weight back, and key the take when ``record`` is on (main thread).

        Returns:
            The recorded take (already keyed through ``host.apply``), or ``None`` when not recording or
            nothing was heard.
        """
        worker = self._worker
        if worker is None:
            return None
        self._stop.set()
        if self._source is not None:
            self._source.close()
        worker.join(timeout_s)
        if worker.is_alive():
            logger.warning("the live audio thread did not stop within %g s; it will end on its own", timeout_s)
        self._worker = None
        self._restore()
        self._unwatch()
        with self._lock:
            take, self._take = self._take, []
            self._latest = None
        if not self.record or not take or self.session is None:
            return None
        return self._key_take(np.stack(take))

    def abort(self, why: str, restore: bool = True) -> None:
        """Stop now without waiting for the audio thread (main thread): put back what is still there, drop
        the take. Called before the scene changes, when the node is deleted and when Maya exits."""
        if self._worker is None:
            return
        logger.info("live preview on %s stopped: %s", self.node, why)
        self._stop.set()
        if self._source is not None:
            try:
                self._source.close()
            except Exception:  # the source may already be closed
                logger.debug("closing the live source failed", exc_info=True)
        self._worker = None  # a daemon thread: it ends at its next chunk
        if restore and self._node_valid():
            self._restore()
        else:  # the node is going away: touch nothing of it
            self._targets, self._mute = [], None
        self._unwatch()
        with self._lock:
            self._take, self._latest = [], None
        self.error = f"live preview stopped: {why}"

    # -- worker thread ------------------------------------------------------------------------------
    def _run(self, session: StreamSession, source: Any) -> None:
        try:
            meter = self.latency
            for chunk in source.chunks():
                if self._stop.is_set():
                    break
                arrived = time.perf_counter()
                frames = session.push(chunk)
                self._deliver(frames)
                if meter is not None:
                    meter.add(frames, session.seconds_received, arrived, time.perf_counter())
            if not self._stop.is_set():
                self._deliver(session.finish())
        except Exception as exc:  # shown to the user by the panel; a bug is logged with its traceback
            if not isinstance(exc, (Audio2FaceError, OSError)):
                logger.exception("live preview failed")
            self.error = str(exc)
        finally:
            self._done.set()
            self._request_tick(force=True)

    def _deliver(self, frames: List[LiveFrame]) -> None:
        if not frames:
            return
        with self._lock:
            self._take.extend(frame.weights for frame in frames)
            self._latest = frames[-1]
        self._request_tick()

    def _request_tick(self, force: bool = False) -> None:
        with self._lock:
            if self._tick_pending and not force:
                return
            self._tick_pending = True
        try:
            self._schedule(self.tick)
        except Exception:  # a closing Maya can refuse deferred work; the next stop restores anyway
            logger.debug("could not schedule a live tick", exc_info=True)

    # -- Maya ---------------------------------------------------------------------------------------
    def _drivable(self, names: List[str], unmatched: set, rig: set) -> List[_Target]:
        import maya.api.OpenMaya as om

        from .keying import classify_input

        targets: List[_Target] = []
        for column, name in enumerate(names):
            if name in unmatched or name not in rig:
                continue
            plug_name = f"{self.node}.{name}"
            plug = om.MSelectionList().add(plug_name).getPlug(0)
            if plug.isLocked:
                self.skipped[name] = "the weight is locked"
                continue
            kind, source = classify_input(plug_name)
            if kind not in ("free", "curve"):
                self.skipped[name] = f"the weight is driven ({kind}{': ' + source if source else ''})"
                continue
            curve = plug.source() if kind == "curve" else None
            targets.append(_Target(name, column, plug, float(plug.asDouble()), curve))
        return targets

    def _node_valid(self) -> bool:
        return self._handle is None or bool(self._handle.isValid())

    def _watch(self) -> None:
        """Callbacks that stop the preview before the scene changes or the node goes away."""
        import maya.api.OpenMaya as om

        obj = om.MSelectionList().add(self.node).getDependNode(0)
        self._handle = om.MObjectHandle(obj)
        scene_events = {"kBeforeNew": "File > New", "kBeforeOpen": "a scene is being opened",
                        "kBeforeSave": "the scene is being saved", "kMayaExiting": "Maya is exiting"}
        for name, why in scene_events.items():
            message = getattr(om.MSceneMessage, name, None)
            if message is not None:
                self._callbacks.append(om.MSceneMessage.addCallback(
                    message, lambda *_a, reason=why: self.abort(reason)))
        self._callbacks.append(om.MNodeMessage.addNodePreRemovalCallback(
            obj, lambda *_a: self.abort("the blendShape node was deleted", restore=False)))

    def _unwatch(self) -> None:
        import maya.api.OpenMaya as om

        for callback in self._callbacks:
            try:
                om.MMessage.removeCallback(callback)
            except RuntimeError:  # already gone with its node
                pass
        self._callbacks = []

    def _mute_curves(self) -> None:
        """Take each keyed weight's curve off the weight for the preview (put back by ``_restore``)."""
        import maya.api.OpenMaya as om

        modifier = om.MDGModifier()
        muted = 0
        for target in self._targets:
            if target.curve is not None:
                modifier.disconnect(target.curve, target.plug)
                muted += 1
        if muted:
            modifier.doIt()
            self._mute = modifier

    def _write(self, weights: np.ndarray) -> None:
        values = weights.tolist()
        for target in list(self._targets):
            try:
                target.plug.setDouble(values[target.column])
            except RuntimeError as exc:  # the node was deleted or the weight locked while live
                logger.warning("live preview stops driving %s.%s: %s", self.node, target.name, exc)
                self.skipped[target.name] = f"could not be set while live ({exc})"
                self._targets.remove(target)

    def _restore(self) -> None:
        for target in self._targets:
            if target.curve is not None:
                continue  # the curve drives it again once reconnected
            try:
                target.plug.setDouble(target.original)
            except RuntimeError as exc:
                logger.warning("could not put %s.%s back to %g: %s", self.node, target.name, target.original, exc)
        if self._mute is not None:
            mute, self._mute = self._mute, None
            try:
                mute.undoIt()  # reconnect the curves
            except RuntimeError as exc:
                logger.warning("could not reconnect the curves of %s: %s", self.node, exc)

    def _key_take(self, weights: np.ndarray) -> Curves:
        assert self.session is not None
        options = self.apply_options or ApplyOptions()
        start = self._start_frame if options.start_frame is None else float(options.start_frame)
        options = dataclasses.replace(options, start_frame=start)
        curves = Curves(
            self.session.names, self.session.fps, weights, start_frame=start,
            source={"audio": "<live>", "model": str(self.session.bundle.path),
                    "mapping": mapping_provenance(self.settings.mapping),
                    "post": dataclasses.asdict(self.session.settings.post), "live": True},
            driven=self.session.driven, unmatched=list(self.unmatched),
        )
        if self.settings.reduce is not None:  # sparse keys, as Generate keys them
            from audio2face.key_reduction import reduce_curves

            curves = reduce_curves(curves, self.settings.reduce)
        self.report = self.host.apply(curves, self.node, options)
        return curves
