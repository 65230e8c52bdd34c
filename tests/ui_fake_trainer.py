"""A stand-in for ``python -m audio2face_trainer`` speaking the JSON-lines protocol (panel tests).

Usage: ui_fake_trainer.py train --data DIR... --out OUT [--epochs N] [--resume] [--val-clip NAME...]
                         [--mode ok|error|crash|wait] [--bundle-from DIR] [--delay S]

Modes: ``ok`` trains N epochs and copies ``--bundle-from`` to OUT as the result; ``error`` reports an
``error`` event after the first epoch; ``crash`` dies without a final event; ``wait`` keeps training slowly
to N epochs and then waits until ``cancel`` arrives on stdin; ``cancel`` in any mode saves a checkpoint
and exits with code 3.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
import time
from pathlib import Path


def emit(event: str, **fields: object) -> None:
    """Print one protocol event."""
    print(json.dumps({"event": event, **fields}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("--data", nargs="+", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--val-clip", nargs="*", default=[])
    parser.add_argument("--mode", default="ok", choices=("ok", "error", "crash", "wait"))
    parser.add_argument("--bundle-from")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()

    cancel = threading.Event()

    def watch_stdin() -> None:
        for line in sys.stdin:
            if line.strip() == "cancel":
                cancel.set()
                return

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("fake trainer: loading datasets " + ", ".join(args.data), file=sys.stderr, flush=True)
    print("a plain line on stdout that is not an event", flush=True)
    emit("started", out=args.out, epochs=args.epochs, resumed=args.resume)
    epoch = 0
    while epoch < args.epochs:
        for step in range(1, 4):
            emit("progress", stage="train", done=step, total=3)
        epoch += 1
        emit("epoch", epoch=epoch, epochs=args.epochs, train_loss=1.0 / (epoch + 1),
             val_loss=1.5 / (epoch + 1), eta_s=float(args.epochs - epoch) * 2.0)
        if args.mode == "error":
            print("Traceback (most recent call last): ... ValueError", file=sys.stderr, flush=True)
            emit("error", message=f"{args.data[0]}: clip shot02 has 0 frames of weights")
            return 1
        if args.mode == "crash":
            print("fatal: out of memory while building the graph", file=sys.stderr, flush=True)
            return 9
        if args.delay:
            time.sleep(args.delay)
        if cancel.is_set():
            emit("checkpoint", epoch=epoch, path=str(Path(args.out).with_name(Path(args.out).name + ".ckpt")))
            emit("cancelled", epoch=epoch)
            return 3
    while args.mode == "wait":
        if cancel.wait(0.05):
            emit("checkpoint", epoch=epoch, path=str(Path(args.out).with_name(Path(args.out).name + ".ckpt")))
            emit("cancelled", epoch=epoch)
            return 3
    if args.bundle_from:
        if Path(args.out).exists():
            shutil.rmtree(args.out)
        shutil.copytree(args.bundle_from, args.out)
    emit("done", bundle=args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
