"""``audio2face live --input mic|FILE|- --send osc://HOST:PORT|livelink://HOST[:PORT]|jsonl``: stream weights.

Frames go out as soon as their audio is complete: the model's lookahead after their time (260 ms for the
default model, 80 ms for the low-latency one that ``--latency-ms`` picks) plus the block and the processing.
Ctrl-C stops cleanly: the frames of the audio heard so far are sent, sockets are closed and the frame count
and the measured latency are printed (on stdout, or on stderr when ``--send jsonl`` uses stdout).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
import time
from typing import Any, Iterator, List, Optional, TextIO

from ..live.inputs import DEFAULT_BLOCK_MS, PCM_FORMATS, FileSource, open_input
from ..live.sinks import FrameSink, open_sink, parse_destination
from ..signals import Terminated, silence_stdout
from ..streaming import LatencyMeter, LiveFrame, StreamSession, live_model
from .options import add_settings_arguments, settings_from_args

logger = logging.getLogger(__name__)

LIVE_THREADS = 1
"""Inference threads unless --threads says otherwise. One thread leaves the other cores to audio and the UI;
with more, idle inference threads sleep instead of spinning (``streaming.live_bundle``)."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command."""
    parser = sub.add_parser(
        "live",
        help="stream weights from a microphone, a file or stdin to OSC, Unreal Live Link or JSON lines",
        description="Speak (or play a file) and stream per-frame blendShape weights as they are computed: "
        "OSC messages, Unreal Live Link Face packets (ARKit names: add --mapping arkit) or JSON lines.",
    )
    parser.add_argument(
        "--input", required=True, metavar="mic|FILE|-",
        help="'mic' (needs the live extra), an audio file, or '-' for raw PCM on stdin",
    )
    parser.add_argument("--realtime", action="store_true", help="pace a file at real time, as a microphone would")
    parser.add_argument("--rate", type=float, help="sample rate of mic or stdin input in Hz (stdin default 16000)")
    parser.add_argument("--channels", type=int, help="channels of mic or stdin input (default 1)")
    parser.add_argument(
        "--pcm", default="s16", choices=sorted(PCM_FORMATS), help="stdin sample format, little-endian (default s16)"
    )
    parser.add_argument("--device", help="microphone name or index (default: the system's input)")
    parser.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this much audio")
    parser.add_argument(
        "--block-ms", type=float, default=DEFAULT_BLOCK_MS, help="audio block length in ms (default 20)"
    )
    parser.add_argument(
        "--send", action="append", required=True, metavar="osc://HOST:PORT|livelink://HOST[:PORT]|jsonl",
        help="where frames go; repeat to send to several places",
    )
    parser.add_argument("--batch-frames", type=int, default=8, help="most frames per model call (default 8)")
    parser.add_argument(
        "--latency-ms", type=float, metavar="MS",
        help="most delay wanted from a frame's audio to its weights: picks the shipped model whose lookahead "
        "fits with the block and 10 ms of processing (with 20 ms blocks: 110 or more picks the low-latency model, "
        "80 ms ahead; 290 or more the default, 260 ms ahead)",
    )
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


def _device(text: Optional[str]) -> object:
    if text is None:
        return None
    return int(text) if text.isdigit() else text


def run(args: argparse.Namespace) -> int:
    """Stream until the input ends or Ctrl-C."""
    settings = settings_from_args(args)
    if not settings.threads:
        settings.threads = LIVE_THREADS
    if settings.reduce is not None:
        logger.warning("--reduce does not apply to a live stream; ignored")
    settings.model = live_model(settings.model, args.latency_ms, args.block_ms)
    destinations = [parse_destination(text) for text in args.send]
    uses_stdout = any(d.scheme == "jsonl" for d in destinations)
    report: TextIO = sys.stderr if uses_stdout else sys.stdout
    source = open_input(
        args.input, realtime=args.realtime, sample_rate=args.rate, channels=args.channels, sample_format=args.pcm,
        block_ms=args.block_ms, duration=args.duration, device=_device(args.device),
    )
    session = StreamSession(settings, sample_rate=source.sample_rate, channels=source.channels,
                            batch_frames=args.batch_frames)
    sinks: List[FrameSink] = []
    meter = LatencyMeter(session.fps)
    guard = _CtrlC()
    pipe_closed = False
    try:
        for destination in destinations:
            sink = open_sink(destination, sys.stdout)
            sinks.append(sink)
            sink.open(session.names, session.fps)
        print(f"streaming {source.description} at {session.fps:g} fps to {', '.join(map(str, destinations))} "
              f"({len(session.names)} channels; model {session.bundle.path.name}, frames out "
              f"{session.lookahead_ms:g} ms after their audio + block + processing)", file=sys.stderr)
        with guard:
            try:
                for chunk in source.chunks():
                    arrived = time.perf_counter()
                    frames = session.push(chunk)
                    with guard.deferred():
                        _send(frames, sinks)
                    meter.add(frames, session.seconds_received, arrived, time.perf_counter())
            except KeyboardInterrupt as exc:
                guard.interrupted = True
                guard.by = exc.name if isinstance(exc, Terminated) else "Ctrl-C"
            except BrokenPipeError:  # `live ... --send jsonl | head`: the reader has had enough
                pipe_closed = True
        if not pipe_closed:
            _send(session.finish(), sinks)
    finally:
        source.close()
        for sink in sinks:
            try:
                sink.close()
            except OSError as exc:  # a closed pipe must not hide the count
                if not pipe_closed:
                    logger.warning("closing %s: %s", type(sink).__name__, exc)
    if pipe_closed:
        silence_stdout()
    stopped = f" (stopped with {guard.by})" if guard.interrupted else ""
    if pipe_closed:
        stopped = " (stopped: the reader closed stdout)"
    print(f"{session.frames_out} frames streamed at {session.fps:g} fps from {session.seconds_received:.2f} s "
          f"of audio{stopped}", file=report)
    if isinstance(source, FileSource) and not source.realtime:
        print("latency not measured: the file was read as fast as possible (add --realtime)", file=report)
    else:
        print(meter.summary(), file=report)
    return 0


class _CtrlC:
    """Ctrl-C stops reading audio, but never in the middle of sending a frame (no torn or lost frames).

    Inside ``deferred()`` a Ctrl-C is remembered and raised as ``KeyboardInterrupt`` when the block ends.
    Outside the main thread (no signal handlers there) Ctrl-C behaves as usual.
    """

    def __init__(self) -> None:
        self.interrupted = False
        self.by = "Ctrl-C"
        self._sending = False
        self._pending = False
        self._previous: Any = None
        self._installed = False

    def _handler(self, signum: int, frame: Any) -> None:
        self.interrupted = True
        if self._sending:
            self._pending = True
            return
        raise KeyboardInterrupt

    def __enter__(self) -> _CtrlC:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold Ctrl-C until the block is done."""
        self._sending = True
        try:
            yield
        finally:
            self._sending = False
        if self._pending:
            raise KeyboardInterrupt


def _send(frames: List[LiveFrame], sinks: List[FrameSink]) -> None:
    for frame in frames:
        for sink in sinks:
            sink.send(frame)

