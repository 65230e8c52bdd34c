"""``audio2face dataset check DIR...``: is this dataset worth hours of training?

For each clip and in total: the frame rate (and clips that disagree), audio and curve lengths and how far
they differ, channels that never move, the clip's emotion label (``source.emotion`` in ``dataset.json``;
"unlabelled" otherwise), and the phone coverage the phone recogniser (``audio2face.phones``) finds in its
audio: phones per viseme, and the visemes that are missing or rare (under ``RARE_SHARE`` of the phones,
or fewer than ``RARE_COUNT``). ``check_datasets`` returns the same as a dict, for the panel.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np

from ..atomic import atomic_open
from ..dataset import audio_duration, audio_frame_count, load_dataset
from ..errors import Audio2FaceError
from ..progress import CancelToken, check

logger = logging.getLogger(__name__)

GUIDED_VISEMES = ("closed", "labiodental", "rounded", "open")
RARE_SHARE = 0.02
RARE_COUNT = 10
STATIC_RANGE = 1e-6
MISMATCH_FRAMES = 2


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _coverage(counts: Counter, phones: int) -> Dict[str, Any]:
    visemes = {v: int(counts.get(v, 0)) for v in GUIDED_VISEMES}
    missing = [v for v, n in visemes.items() if n == 0]
    rare = [v for v, n in visemes.items() if n and (n < RARE_COUNT or n < RARE_SHARE * max(phones, 1))]
    return {"phones": phones, "visemes": visemes, "missing": missing, "rare": rare}


def check_datasets(
    folders: Sequence[Path],
    language: Optional[str] = "en-us",
    progress: Optional[Callable[[int, int, str], None]] = None,
    cancel: Optional[CancelToken] = None,
) -> Dict[str, Any]:
    """The dataset report (module docstring); ``language=None`` skips the phone coverage.

    Raises:
        Audio2FaceError: a folder is not a dataset or a clip is broken (as ``load_dataset``).
    """
    collect = _Collect()
    dataset_logger = logging.getLogger("audio2face.dataset")
    dataset_logger.addHandler(collect)
    try:
        clips = [(Path(folder), clip) for folder in folders for clip in load_dataset(folder)]
    finally:
        dataset_logger.removeHandler(collect)
    problems: List[str] = list(collect.messages)
    phones_note = None
    if language is not None:
        from ..phones import get_language

        try:
            code = get_language(language).code
            from ..phones.sphinx import installed

            if code == "en-us" and not installed():
                phones_note = "phone coverage skipped: pip install 'audio2face[phones]'"
                language = None
        except Audio2FaceError as exc:
            phones_note = f"phone coverage skipped: {exc}"
            language = None
    rows: List[Dict[str, Any]] = []
    total_counts: Counter = Counter()
    total_phones = 0
    moving = None
    for number, (folder, clip) in enumerate(clips):
        check(cancel)
        if progress is not None:
            progress(number, len(clips), clip.name)
        seconds = audio_duration(clip.audio_path)
        covered = audio_frame_count(seconds, clip.fps, clip.audio_offset_frames)
        spans = np.ptp(clip.weights, axis=0) if clip.frame_count else np.zeros(len(clip.names))
        moving = spans > STATIC_RANGE if moving is None else moving | (spans > STATIC_RANGE)
        row: Dict[str, Any] = {
            "name": clip.name,
            "folder": str(folder),
            "fps": clip.fps,
            "frames": clip.frame_count,
            "audio_seconds": round(seconds, 3),
            "curve_seconds": round(clip.frame_count / clip.fps, 3),
            "audio_frames": covered,
            "length_mismatch_frames": covered - clip.frame_count,
            "static_channels": int(np.sum(spans <= STATIC_RANGE)),
            "emotion": str(clip.source.get("emotion") or "unlabelled"),
        }
        if abs(covered - clip.frame_count) > MISMATCH_FRAMES:
            problems.append(f"{clip.name}: the audio covers {covered} frames, the curves {clip.frame_count}")
        if not np.any(spans > STATIC_RANGE):
            problems.append(f"{clip.name}: no channel moves")
        if language is not None:
            from ..audio import load_audio
            from ..phones import guide_input

            samples = load_audio(clip.audio_path, sample_rate=16000)
            segments = guide_input(samples, 16000, 0.0, 0, language).phones
            counts = Counter(s.viseme for s in segments if s.viseme in GUIDED_VISEMES)
            spoken = sum(1 for s in segments if s.viseme != "rest")
            row["coverage"] = _coverage(counts, spoken)
            total_counts.update(counts)
            total_phones += spoken
        rows.append(row)
    if progress is not None:
        progress(len(clips), len(clips), "")
    rates = sorted({c.fps for _, c in clips})
    if len(rates) > 1:
        problems.append(f"clips are at different frame rates ({', '.join(f'{r:g}' for r in rates)} fps)")
    names = clips[0][1].names
    never = [n for n, m in zip(names, moving) if not m]
    total: Dict[str, Any] = {
        "clips": len(clips),
        "fps": rates,
        "audio_seconds": round(sum(r["audio_seconds"] for r in rows), 3),
        "channels": len(names),
        "never_moving_channels": never,
        "emotions": dict(Counter(r["emotion"] for r in rows)),
    }
    if language is not None:
        total["coverage"] = _coverage(total_counts, total_phones)
        total["language"] = language
        for viseme in total["coverage"]["missing"]:
            problems.append(f"no {viseme} phones in the whole dataset: the model cannot learn them")
        for viseme in total["coverage"]["rare"]:
            problems.append(f"few {viseme} phones ({total_counts[viseme]} of {total_phones})")
    return {"clips": rows, "total": total, "problems": problems, "notes": [phones_note] if phones_note else []}


def summary_lines(report: Dict[str, Any]) -> List[str]:
    """The report as plain text."""
    total = report["total"]
    lines = [
        f"{total['clips']} clips, {total['audio_seconds'] / 60:.1f} min of audio at "
        f"{', '.join(f'{r:g}' for r in total['fps'])} fps, {total['channels']} channels "
        f"({len(total['never_moving_channels'])} never move)",
        "emotions: " + ", ".join(f"{k} {v}" for k, v in sorted(total["emotions"].items())),
    ]
    for row in report["clips"]:
        text = (f"  {row['name']}: {row['frames']} frames ({row['curve_seconds']:.1f} s), audio "
                f"{row['audio_seconds']:.1f} s, mismatch {row['length_mismatch_frames']:+d} frames, "
                f"{row['static_channels']} static channels, emotion {row['emotion']}")
        coverage = row.get("coverage")
        if coverage:
            visemes = ", ".join(f"{k} {v}" for k, v in coverage["visemes"].items())
            text += f"; phones {coverage['phones']} ({visemes})"
            if coverage["missing"]:
                text += f"; missing {', '.join(coverage['missing'])}"
        lines.append(text)
    coverage = total.get("coverage")
    if coverage:
        lines.append(f"phone coverage ({total['language']} recogniser): "
                     + ", ".join(f"{k} {v}" for k, v in coverage["visemes"].items())
                     + f" of {coverage['phones']} phones")
    lines.extend(f"note: {n}" for n in report["notes"])
    lines.extend(f"problem: {p}" for p in report["problems"])
    if not report["problems"]:
        lines.append("no problems")
    return lines


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command."""
    parser = sub.add_parser("dataset", help="check a training dataset",
                            description="Check training datasets before training on them.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    check_parser = actions.add_parser(
        "check", help="frame rates, lengths, static curves, emotions and phone coverage",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    check_parser.add_argument("folders", nargs="+", metavar="DIR", help="dataset folders (ours or FACEGOOD's)")
    check_parser.add_argument("--language", default="en-us", help="phone recogniser language (default en-us)")
    check_parser.add_argument("--no-phones", action="store_true", help="skip the phone coverage")
    check_parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    check_parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the folders; exit 0 when nothing is wrong, 2 when problems were found."""
    def show(done: int, total: int, name: str) -> None:
        if name:
            print(f"[{done + 1}/{total}] {name}", flush=True)

    report = check_datasets([Path(f) for f in args.folders], None if args.no_phones else args.language, show)
    for line in summary_lines(report):
        print(line)
    if args.json:
        with atomic_open(Path(args.json), "w") as handle:
            handle.write(json.dumps(report, indent=2) + "\n")
    return 2 if report["problems"] else 0
