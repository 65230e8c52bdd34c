"""``audio2face qc AUDIO CURVES [--reference CURVES_OR_LABELS] [--out report.json]``: a QC report per shot."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Optional, Tuple

from ..errors import Audio2FaceError
from ..qc import QcSettings, qc_report, write_qc
from ..qc_report import summary_lines
from ..schema import entries
from .options import add_knob_arguments, given_values

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command."""
    parser = sub.add_parser(
        "qc",
        help="quality report of one shot (JSON + PNG, or text without matplotlib)",
        description="Check a shot's curves against its audio: mouth open during silence, the offset between "
        "the audio and the mouth, keys per second, and (with --reference) MSE, MAE and correlations against "
        "reference curves or FACEGOOD labels. Writes a JSON report and a PNG beside it (see docs/qc.md).",
    )
    parser.add_argument("audio", metavar="AUDIO", help="the shot's audio file")
    parser.add_argument("curves", metavar="CURVES", help="curve file (.json, .csv, .npy, .anim, .ma)")
    parser.add_argument(
        "--reference",
        metavar="CURVES_OR_LABELS",
        help="reference curves, or a FACEGOOD label .npy (names from a bs_name.npy beside it or one folder up)",
    )
    parser.add_argument(
        "--out", metavar="REPORT.json", help="JSON report; the PNG goes beside it (default: CURVES_qc.json here)"
    )
    parser.add_argument("--name", help="shot name in the report (default: the audio file's name)")
    add_knob_arguments(parser.add_argument_group("thresholds"), entries(QcSettings))
    parser.set_defaults(run=run)


def output_paths(curves: str, out: Optional[str]) -> Tuple[Path, Path]:
    """(JSON, PNG) paths: ``--out`` (must end in .json) or ``<curves stem>_qc.json`` in the current folder."""
    json_path = Path(out) if out else Path(f"{Path(curves).stem}_qc.json")
    if json_path.suffix.lower() != ".json":
        raise Audio2FaceError("the QC report is written as .json (the PNG goes beside it)", json_path)
    if json_path.is_dir():
        raise Audio2FaceError("is a folder; give the report's file name", json_path)
    return json_path, json_path.with_suffix(".png")


def run(args: argparse.Namespace) -> int:
    """Measure the shot, write the report and the PNG, print the figures."""
    settings = QcSettings(**given_values(args, entries(QcSettings)))
    settings.validate()
    json_path, png_path = output_paths(args.curves, args.out)
    report = qc_report(args.audio, args.curves, args.reference, settings, name=args.name)
    json_path, picture = write_qc(report, json_path, png_path)
    for line in summary_lines(report):
        print(line)
    print(f"{json_path}, {picture}: written")
    return 0
