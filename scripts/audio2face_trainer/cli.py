"""``python -m audio2face_trainer train``: the trainer's command line and its JSON-lines events.

Exit codes: 0 done, 1 error (an ``error`` event was printed), 2 bad command line, 3 cancelled.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import shutil
import sys
import traceback
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from audio2face.bundle import check_bundle_target
from audio2face.errors import Audio2FaceError, Cancelled
from audio2face.progress import CancelToken
from audio2face.training import EXIT_CANCELLED, EXIT_DONE, EXIT_ERROR, EXIT_USAGE

from .config import RECIPES, TrainConfig
from .lock import TrainingLock
from .protocol import CancelWatcher, EventWriter, protect_stdout

logger = logging.getLogger("audio2face_trainer")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (``train`` is the only command)."""
    parser = argparse.ArgumentParser(prog="python -m audio2face_trainer",
                                     description="Train an audio2face model bundle from dataset folders.")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a model bundle",
                                description="Train a bundle; events are JSON lines on stdout, logs on stderr.")
    train.add_argument("--data", nargs="+", required=True, metavar="DIR",
                       help="dataset folders (our layout or FACEGOOD's)")
    train.add_argument("--out", required=True, metavar="BUNDLE_DIR", help="the model bundle folder to write")
    train.add_argument("--epochs", type=int, help="maximum epochs (default: the recipe's)")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint of an earlier run")
    train.add_argument("--val-clip", nargs="+", action="extend", default=[], metavar="NAME",
                       help="clips held out for validation (default: the shortest clip)")
    train.add_argument("--recipe", choices=RECIPES, default="ours", help="training recipe (default: ours)")
    train.add_argument("--batch", type=int, help="frames per step")
    train.add_argument("--patience", type=int, help="epochs without improvement before stopping (0: never)")
    train.add_argument("--seed", type=int, help="random seed")
    train.add_argument("--lookahead-ms", type=float, metavar="MS",
                       help="how far each feature window reaches past its frame (default: half the window, "
                            "centred; less = a low-latency model for live mode)")
    train.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override any recipe setting (see docs/trainer.md), e.g. --set input_noise=0.1")
    train.add_argument("--cache", metavar="DIR", help="feature cache folder (default: the user cache folder)")
    train.add_argument("--no-cache", action="store_true", help="do not read or write cached features")
    train.add_argument("--checkpoint-dir", metavar="DIR", help="checkpoint folder (default: BUNDLE_DIR.training)")
    train.add_argument("--keep-checkpoints", action="store_true", help="keep the checkpoint folder when done")
    train.add_argument("--threads", type=int, default=0, help="TensorFlow CPU threads (0: all cores)")
    train.add_argument("--data-source", help="where the data comes from (stored in the bundle's provenance)")
    train.add_argument("--data-licence", help="the data's licence (stored in the bundle's provenance)")
    train.add_argument("--verbose", "-v", action="store_true", help="debug logs on stderr")
    return parser


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The recipe defaults with the command line's overrides."""
    from .config import recipe_config

    overrides: Dict[str, Any] = {}
    for key in ("epochs", "batch", "patience", "seed"):
        if getattr(args, key) is not None:
            overrides[key] = getattr(args, key)
    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    defaults = TrainConfig()
    for item in args.set:
        key, sep, text = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in fields or key == "recipe":
            raise Audio2FaceError(f"--set {item!r}: expected KEY=VALUE with KEY one of "
                                  f"{', '.join(sorted(k for k in fields if k != 'recipe'))}")
        current = getattr(defaults, key)
        try:
            if isinstance(current, bool):
                value: Any = text.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(current, tuple):
                value = tuple(int(v) for v in text.split(",") if v.strip())
            else:
                value = type(current)(text)
        except ValueError:
            raise Audio2FaceError(f"--set {item!r}: {text!r} is not a valid {type(current).__name__}") from None
        overrides[key] = value
    config = recipe_config(args.recipe, **overrides)
    if config.epochs < 1 or config.batch < 2 or config.batch % 2 or config.steps_per_call < 1:
        raise Audio2FaceError("epochs must be >= 1 and batch an even number >= 2")
    return config


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the trainer; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_DONE
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    events = EventWriter(protect_stdout())
    watcher = CancelWatcher().install()
    token = CancelToken()
    command = ["python", "-m", "audio2face_trainer", *(sys.argv[1:] if argv is None else list(argv))]
    try:
        return _train(args, events, watcher, token, command)
    except Cancelled:
        events.emit("cancelled", epoch=0, checkpoint=None)
        return EXIT_CANCELLED
    except Audio2FaceError as exc:
        logger.error("%s", exc)
        events.emit("error", message=str(exc), path=exc.path)
        return EXIT_ERROR
    except KeyboardInterrupt:
        events.emit("error", message="interrupted")
        return EXIT_ERROR
    except Exception as exc:  # the protocol must end with an event whatever happened
        traceback.print_exc(file=sys.stderr)
        events.emit("error", message=f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_ERROR


def _train(args: argparse.Namespace, events: EventWriter, watcher: CancelWatcher, token: CancelToken,
           command: List[str]) -> int:
    config = config_from_args(args)
    out = Path(args.out).absolute()
    data_dirs = [Path(os.path.abspath(d)) for d in args.data]
    checkpoint_dir = Path(args.checkpoint_dir).absolute() if args.checkpoint_dir else Path(f"{out}.training")
    events.emit("started", pid=os.getpid(), out=str(out), data=[str(d) for d in data_dirs],
                epochs=config.epochs, resume=bool(args.resume), recipe=config.recipe,
                checkpoint_dir=str(checkpoint_dir))
    check_bundle_target(out)  # before hours of training, not after
    if args.resume and not (checkpoint_dir / "state.json").is_file():
        raise Audio2FaceError("nothing to resume: no checkpoint from an earlier run", checkpoint_dir)
    with TrainingLock(out):
        return _train_locked(args, config, out, data_dirs, checkpoint_dir, events, watcher, token, command)


def _train_locked(args: argparse.Namespace, config: TrainConfig, out: Path, data_dirs: List[Path],
                  checkpoint_dir: Path, events: EventWriter, watcher: CancelWatcher, token: CancelToken,
                  command: List[str]) -> int:
    from audio2face.features import FeatureParams

    from .data import build_training_set
    from .feature_cache import default_cache_dir

    def cancel_check() -> bool:
        if watcher.cancelled:
            token.cancel()
        return watcher.cancelled

    def feature_progress(done: int, total: int) -> None:
        cancel_check()
        events.emit("progress", stage="features", epoch=0, done=int(done), total=int(total))

    def warn(message: str) -> None:
        logger.warning("%s", message)
        events.emit("warning", message=message)

    cache = None if args.no_cache else (Path(args.cache) if args.cache else default_cache_dir())
    shift = config.time_shift if config.recipe == "ours" else 1
    params = FeatureParams(lookahead_ms=args.lookahead_ms)
    data = build_training_set(data_dirs, params, cache, args.val_clip, progress=feature_progress,
                              cancel=token, warn=warn, time_shift=shift, augment_copies=config.augment_copies,
                              augment_seed=config.seed)
    cancel_check()
    token.check()

    import tensorflow as tf

    if args.threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from .loop import Training
    from .network import count_parameters
    from .package import build_bundle

    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    training = Training(config, data, checkpoint_dir, emit=events.emit, cancelled=cancel_check)
    if args.resume:
        training.load_checkpoint()
    elif (checkpoint_dir / "state.json").is_file():
        warn(f"starting from scratch: the checkpoint in {checkpoint_dir} is replaced (pass --resume to continue)")
        shutil.rmtree(checkpoint_dir, ignore_errors=True)
    events.emit(
        "prepared", device=device, channels=len(data.channels), animated_channels=int(training.norm.animated.size),
        train_clips=[c.name for c in data.train], val_clips=[c.name for c in data.val],
        train_frames=training.train_frames, val_frames=sum(c.frames for c in data.val),
        steps_per_epoch=training.steps_per_epoch, parameters=count_parameters(training.params),
        start_epoch=training.epoch + 1,
    )
    logger.info("training on %s: %d frames, %d validation frames, %d animated channels of %d",
                device, training.train_frames, sum(c.frames for c in data.val), training.norm.animated.size,
                len(data.channels))
    result = training.run()
    if result.status == "cancelled":
        events.emit("cancelled", epoch=result.epochs, checkpoint=str(checkpoint_dir))
        return EXIT_CANCELLED
    if not result.history:
        raise Audio2FaceError("training stopped before its first epoch")
    events.emit("progress", stage="export", epoch=result.epochs, done=0, total=1)
    provenance: Dict[str, Any] = {}
    if args.data_source:
        provenance["data_source"] = args.data_source
    if args.data_licence:
        provenance["data_licence"] = args.data_licence
    metadata = build_bundle(training, out, command=command, provenance=provenance, status=result.status)
    events.emit("progress", stage="export", epoch=result.epochs, done=1, total=1)
    if not args.keep_checkpoints:
        shutil.rmtree(checkpoint_dir, ignore_errors=True)
    events.emit("done", bundle=str(out), epochs=result.epochs, best_epoch=result.best_epoch,
                stopped=result.status, metrics=metadata["metrics"]["validation"])
    return EXIT_DONE
