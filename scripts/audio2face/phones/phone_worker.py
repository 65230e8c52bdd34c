"""Phone recognition on two cores: the later half of the stretches decoded by a helper Python process.

PocketSphinx holds the GIL while it decodes (a thread would not run beside it), so the second core is used
by a child interpreter: ``python -m audio2face.phones.phone_worker``, started with the running
interpreter (``mayapy`` inside Maya; in Maya's interface, the ``mayapy`` next to its binary). No
``multiprocessing``: nothing re-imports the caller's ``__main__``, which is what breaks spawned pools in
mayapy and on Windows and macOS.

The protocol on the child's pipes (no pickle): per stretch, one line of JSON ``{"start": s, "samples": n}``
then ``n`` int16 little-endian samples at 16 kHz; the end of input ends the list. The child decodes each
stretch as it arrives and, at the end, writes one line of JSON per stretch: ``[[phone, start_s, end_s],
...]``. Every stretch is decoded on its own (its own utterance and cepstral mean; its dither is seeded by
its start) and the later half always starts on a fresh decoder (a decoder keeps a little state from one
stretch to the next), here or in the child: the phones are the same whichever process decodes them, on
one core or two. When the child cannot start or fails, its stretches are decoded here (with a warning).

``AUDIO2FACE_PHONE_WORKERS=0`` turns the helper off (``1``, the default, allows one).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, List, Optional, Sequence, Tuple

import numpy as np

from .phone import PhoneSegment
from .sphinx import decode_region, new_phone_decoder, region_pcm, speech_regions

logger = logging.getLogger(__name__)

ENV = "AUDIO2FACE_PHONE_WORKERS"
MIN_HELPER_SPEECH_S = 60.0
"""Less speech than this is decoded here: starting the helper (about half a second) would not pay."""
HELPER_TIMEOUT_S = 600.0
"""How long the helper may take after this process has decoded its own half."""

Region = Tuple[float, float]


def helper_enabled(cpu_count: Optional[int] = None) -> bool:
    """Whether a helper process may be used: a second core and not turned off by ``AUDIO2FACE_PHONE_WORKERS``."""
    setting = os.environ.get(ENV, "1").strip()
    try:
        allowed = int(setting)
    except ValueError:
        logger.warning("%s=%r is not a number: the phone helper process stays off", ENV, setting)
        return False
    cores = os.cpu_count() if cpu_count is None else cpu_count
    return allowed > 0 and (cores or 1) >= 2


def python_executable(executable: Optional[str] = None, platform: Optional[str] = None) -> Optional[str]:
    """An interpreter that runs ``-m`` modules: ``executable`` (default ``sys.executable``), or, for Maya's
    interface binary, the ``mayapy`` beside it (``bin/`` on Windows and Linux, ``Contents/bin`` on macOS);
    ``None`` when there is none."""
    exe = executable if executable is not None else sys.executable
    if not exe:
        return None
    path = Path(exe)
    name = path.name.lower()
    if not name.startswith("maya") or name.startswith("mayapy"):
        return exe
    mayapy = "mayapy.exe" if (platform or sys.platform).startswith("win") else "mayapy"
    for candidate in (path.parent / mayapy, path.parent.parent / "bin" / mayapy):
        if candidate.is_file():
            return str(candidate)
    return None


def split_regions(regions: Sequence[Region]) -> int:
    """Index that splits ``regions`` into two runs of about equal speech (the later run for the helper; the
    first stretch always stays here)."""
    total = sum(end - start for start, end in regions)
    done = 0.0
    for index, (start, end) in enumerate(regions):
        if done + (end - start) / 2 >= total / 2:  # the stretch that holds the middle goes to the half it is most of
            return max(index, 1)
        done += end - start
    return len(regions)


def recognise(
    samples: np.ndarray, sample_rate: int, speech: Optional[np.ndarray] = None, fps: float = 100.0
) -> List[PhoneSegment]:
    """US English phones (``sphinx``'s phone loop) on each stretch of speech (``speech``: mask on a ``fps`` grid).

    With enough speech and a second core, the later half of the stretches goes to the helper process while
    this one decodes the first half (module docstring); the phones are the same either way.
    """
    regions = speech_regions(speech, fps, np.asarray(samples).size / sample_rate)
    return recognise_regions(samples, sample_rate, regions)


def recognise_regions(samples: np.ndarray, sample_rate: int, regions: Sequence[Region]) -> List[PhoneSegment]:
    """Phones of every stretch in ``regions`` (seconds), in order; half of them in a helper when it pays."""
    regions = list(regions)
    speech = sum(end - start for start, end in regions)
    split = split_regions(regions) if speech >= MIN_HELPER_SPEECH_S else len(regions)
    later = regions[split:]
    helper = _Helper.start(samples, sample_rate, later) if later and helper_enabled() else None
    out: List[PhoneSegment] = []
    try:
        decoder = new_phone_decoder()
        for start_s, end_s in regions[:split]:
            out += decode_region(decoder, region_pcm(samples, sample_rate, start_s, end_s), start_s)
    except BaseException:  # Ctrl-C, SIGTERM, a cancel: the helper must not outlive the work
        if helper is not None:
            helper.stop()
        raise
    found = helper.result() if helper is not None else None
    if found is None and later:
        fresh = new_phone_decoder()
        found = [decode_region(fresh, region_pcm(samples, sample_rate, a, b), a) for a, b in later]
    for segments in found or []:
        out += segments
    return out


class _Helper:
    """The child process and the thread that feeds it its stretches."""

    def __init__(self, process: subprocess.Popen, errors: IO[bytes], count: int) -> None:
        self.process = process
        self.errors = errors
        self.count = count
        self.feed_error: Optional[BaseException] = None
        self.feeder: Optional[threading.Thread] = None

    @classmethod
    def start(cls, samples: np.ndarray, sample_rate: int, regions: Sequence[Region]) -> Optional[_Helper]:
        """The running helper, fed on a thread, or ``None`` (logged) when it cannot start."""
        exe = python_executable()
        if exe is None:
            logger.info("no Python interpreter to run the phone helper: recognising on one core")
            return None
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(_import_roots() + [os.environ.get("PYTHONPATH", "")]))
        errors = tempfile.TemporaryFile()
        try:
            process = subprocess.Popen(
                [exe, "-m", "audio2face.phones.phone_worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=errors, env=env, creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError as exc:
            errors.close()
            logger.warning("the phone helper process did not start (%s): recognising on one core", exc)
            return None
        helper = cls(process, errors, len(regions))
        helper.feeder = threading.Thread(
            target=helper._feed, args=(samples, sample_rate, list(regions)), name="audio2face-phone-feed", daemon=True
        )
        helper.feeder.start()
        return helper

    def _feed(self, samples: np.ndarray, sample_rate: int, regions: List[Region]) -> None:
        pipe = self.process.stdin
        assert pipe is not None
        try:
            for start_s, end_s in regions:
                pcm = region_pcm(samples, sample_rate, start_s, end_s).astype("<i2", copy=False)
                pipe.write(json.dumps({"start": start_s, "samples": int(pcm.size)}).encode() + b"\n")
                pipe.write(pcm.tobytes())
        except (OSError, ValueError) as exc:  # the child died: result() reports it
            self.feed_error = exc
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    def stop(self) -> None:
        """End the child now (the work it was doing is no longer wanted)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.feeder is not None:
            self.feeder.join(timeout=5.0)
        for stream in (self.process.stdout, self.errors):
            if stream is not None:
                stream.close()

    def result(self) -> Optional[List[List[PhoneSegment]]]:
        """Each stretch's phones, or ``None`` (logged) when the helper failed."""
        assert self.process.stdout is not None and self.feeder is not None
        try:
            text = self.process.stdout.read()
            code = self.process.wait(timeout=HELPER_TIMEOUT_S)
            self.feeder.join()
            lines = text.decode("utf-8").splitlines()
            if code == 0 and self.feed_error is None and len(lines) == self.count:
                return [[PhoneSegment(str(p), float(a), float(b)) for p, a, b in json.loads(line)] for line in lines]
            self.errors.seek(0)
            problem = self.errors.read().decode("utf-8", "replace").strip().splitlines()
            logger.warning("the phone helper process failed (exit %s%s): recognising its half here", code,
                           f": {problem[-1]}" if problem else "")
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            logger.warning("the phone helper process failed (%s): recognising its half here", exc)
            self.process.kill()
            self.process.wait()
        finally:
            self.errors.close()
        return None


def _import_roots() -> List[str]:
    """Folders the child needs on its path: the one holding ``audio2face`` and the one holding ``pocketsphinx``."""
    import pocketsphinx

    roots = [str(Path(__file__).resolve().parents[2]), str(Path(pocketsphinx.__file__).resolve().parents[1])]
    return list(dict.fromkeys(roots))


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError(f"the input ended inside a stretch ({len(data)} of {size} bytes)")
    return data


def serve(source: IO[bytes], sink: IO[bytes]) -> int:
    """The child's side of the protocol (module docstring): decode every stretch read, then write them all."""
    decoder = new_phone_decoder()
    results = []
    while True:
        line = source.readline()
        if not line.strip():
            break
        head = json.loads(line)
        count = int(head["samples"])
        pcm = np.frombuffer(_read_exact(source, 2 * count), dtype="<i2")
        segments = decode_region(decoder, pcm, float(head["start"]))
        results.append(json.dumps([[s.phone, s.start_s, s.end_s] for s in segments]))
    sink.write("".join(r + "\n" for r in results).encode("utf-8"))
    sink.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer))
