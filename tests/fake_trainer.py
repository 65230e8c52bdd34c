"""A stand-in for ``python -m audio2face_trainer`` that speaks the same protocol without TensorFlow.

For client and panel tests. It takes the trainer's arguments plus test knobs:

    python tests/fake_trainer.py train --data DIR... --out DIR [--epochs N] [--resume] [--val-clip NAME...]
        [--step-seconds S] [--fail-at EPOCH] [--crash] [--noise]

It keeps its "checkpoint" (the epoch reached) in ``OUT.training/state.json`` so cancel and resume
behave like the real trainer: a cancel writes the checkpoint, prints ``checkpoint`` and ``cancelled``
and exits 3; ``--resume`` continues from the saved epoch; ``done`` writes a marker file into OUT.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE.parent / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

from audio2face_trainer.protocol import CancelWatcher, EventWriter, protect_stdout  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["train"])
    parser.add_argument("--data", nargs="+", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--val-clip", nargs="+", action="extend", default=[])
    parser.add_argument("--step-seconds", type=float, default=0.0)
    parser.add_argument("--fail-at", type=int, default=0)
    parser.add_argument("--crash", action="store_true")
    parser.add_argument("--noise", action="store_true")
    args = parser.parse_args()

    if args.crash:
        print("Traceback (most recent call last):\nImportError: No module named 'tensorflow'", file=sys.stderr)
        return 7
    raw_stdout = sys.stdout
    events = EventWriter(protect_stdout())
    watcher = CancelWatcher().install()
    if args.noise:
        events.stream.write("a library printed this on stdout\n")
        events.stream.write('{"event": "from_the_future", "x": 1}\n')
        events.stream.write("[1, 2, 3]\n")
        raw_stdout.write("this goes to stderr once stdout is protected\n")
    out = Path(args.out)
    checkpoint = Path(f"{out}.training")
    start = 0
    events.emit("started", pid=os.getpid(), out=str(out), data=args.data, epochs=args.epochs, resume=args.resume,
                recipe="fake", checkpoint_dir=str(checkpoint))
    if args.resume:
        state = checkpoint / "state.json"
        if not state.is_file():
            events.emit("error", message="nothing to resume: no checkpoint from an earlier run",
                        path=str(checkpoint))
            return 1
        start = int(json.loads(state.read_text())["epoch"])
    events.emit("prepared", device="CPU", channels=3, animated_channels=2, train_clips=["a"],
                val_clips=args.val_clip or ["b"], train_frames=100, val_frames=20, steps_per_epoch=3,
                parameters=10, start_epoch=start + 1)
    print(f"fake trainer: epochs {start + 1}..{args.epochs}", file=sys.stderr)
    for epoch in range(start, args.epochs):
        for step in range(3):
            time.sleep(args.step_seconds)
            events.emit("progress", stage="train", epoch=epoch + 1, done=step + 1, total=3)
            if watcher.cancelled:
                checkpoint.mkdir(parents=True, exist_ok=True)
                (checkpoint / "state.json").write_text(json.dumps({"epoch": epoch}))
                events.emit("checkpoint", epoch=epoch, path=str(checkpoint), reason="cancel", step=step)
                events.emit("cancelled", epoch=epoch, checkpoint=str(checkpoint))
                return 3
        if args.fail_at == epoch + 1:
            events.emit("error", message=f"failure requested at epoch {epoch + 1}", path=None)
            return 1
        loss = 1.0 / (epoch + 1)
        checkpoint.mkdir(parents=True, exist_ok=True)
        (checkpoint / "state.json").write_text(json.dumps({"epoch": epoch + 1}))
        events.emit("checkpoint", epoch=epoch + 1, path=str(checkpoint), reason="epoch", step=3 * (epoch + 1))
        events.emit("epoch", epoch=epoch + 1, epochs=args.epochs, train_loss=loss, val_loss=loss * 1.5,
                    val={"mse": loss / 100, "mae": loss / 10, "pearson": 0.5, "jaw_pearson": float("nan")},
                    best=True, best_epoch=epoch + 1, seconds=args.step_seconds * 3,
                    eta_s=args.step_seconds * 3 * (args.epochs - epoch - 1), learning_rate=1e-3)
    out.mkdir(parents=True, exist_ok=True)
    (out / "FAKE_BUNDLE.txt").write_text("written by tests/fake_trainer.py\n")
    events.emit("done", bundle=str(out), epochs=args.epochs, best_epoch=args.epochs, stopped="done",
                metrics={"mse": 0.001})
    return 0


if __name__ == "__main__":
    sys.exit(main())
