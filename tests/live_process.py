"""``audio2face live`` in a child process, stopped by a signal, without ever blocking the test run."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import IO, Dict, List

import pytest

WAIT_S = 120.0


@dataclass
class Stopped:
    """What the stopped child left: its exit code, its stdout lines and its stderr."""

    returncode: int
    lines: List[str]
    log: str


def _signals_deliverable() -> None:
    """In the child: SIGINT/SIGTERM reach it even where the test run ignores or blocks them (CI jobs)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def _drain(stream: IO[bytes], into: List[bytes], first: threading.Event) -> None:
    for line in iter(stream.readline, b""):
        into.append(line)
        first.set()
    first.set()


def stop_live(arguments: List[str], pcm: bytes, signum: int, env: Dict[str, str]) -> Stopped:
    """Run ``audio2face live ARGUMENTS`` with PCM on its stdin (left open), send SIGNUM after its first frame.

    Both pipes are drained by threads and every wait has a timeout, so a child that never answers fails the test
    instead of hanging it.
    """
    process = subprocess.Popen([sys.executable, "-m", "audio2face", "live", *arguments], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               preexec_fn=_signals_deliverable)
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    out: List[bytes] = []
    err: List[bytes] = []
    first = threading.Event()
    readers = [threading.Thread(target=_drain, args=(process.stdout, out, first), daemon=True),
               threading.Thread(target=_drain, args=(process.stderr, err, threading.Event()), daemon=True)]
    try:
        for reader in readers:
            reader.start()
        process.stdin.write(pcm)
        process.stdin.flush()
        if not (first.wait(timeout=WAIT_S) and out):
            pytest.fail(f"no frame came out of `audio2face live`; its stderr: {b''.join(err).decode()}")
        process.send_signal(signum)
        try:
            process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{signal.Signals(signum).name} did not stop `audio2face live`; "
                        f"its stderr: {b''.join(err).decode()}")
        for reader in readers:
            reader.join(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdin.close()
    return Stopped(process.returncode, [line.decode() for line in out], b"".join(err).decode())
