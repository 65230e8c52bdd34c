"""``audio2face animate AUDIO... [--out FILE_OR_DIR]``: audio to curve files."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ..errors import Audio2FaceError
from ..formats import output_format, write_curves
from ..formats.registry import all_formats, cli_choices, extension_for_choice, extensions, import_extra
from ..output_set import all_or_nothing
from ..pipeline import animate
from ..progress_bar import ProgressBar
from .options import add_settings_arguments, settings_from_args

logger = logging.getLogger(__name__)

FORMATS = extensions()


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command."""
    parser = sub.add_parser(
        "animate",
        help="audio files to blendShape curves",
        description="Turn speech audio into per-frame blendShape weights and write them as "
        + ", ".join(f"{f.label} ({' '.join(f.extensions)})" for f in all_formats())
        + ", picked from the --out extension.",
    )
    parser.add_argument("audio", nargs="+", metavar="AUDIO", help="audio files (wav, flac, ogg, aiff, mp3)")
    parser.add_argument(
        "--out",
        metavar="FILE_OR_DIR",
        action="append",
        help=f"output file ({' '.join(FORMATS)}; one input; repeat for several formats) or folder "
        "(default: current folder)",
    )
    parser.add_argument(
        "--format",
        default="json",
        help=f"format(s) when --out is a folder, comma-separated: {','.join(cli_choices())} (default json)",
    )
    add_writer_arguments(parser)
    parser.add_argument(
        "--blendshape-node", metavar="NAME", default="blendShape1", help="blendShape node for .ma/.anim files"
    )
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


def add_writer_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per writer option of each registered format (``--usd-sparse``, ``--gltf-base FILE``...)."""
    group = parser.add_argument_group("output format options")
    for fmt in all_formats():
        for option in fmt.options:
            if option.is_switch:
                group.add_argument(option.flag(fmt.name), dest=option.dest(fmt.name), action="store_true",
                                   help=option.help)
                continue
            shown = f" (default {option.default})" if option.default is not None else ""
            group.add_argument(
                option.flag(fmt.name),
                dest=option.dest(fmt.name),
                metavar=option.metavar,
                choices=list(option.choices) or None,
                help=option.help + shown,
            )


def writer_options(args: argparse.Namespace, output: Path) -> Dict[str, Any]:
    """The writer options given on the command line for ``output``'s format (flags left out are not passed)."""
    fmt = output_format(output)
    given = {o.name: getattr(args, o.dest(fmt.name), None) for o in fmt.options}
    return {name: value for name, value in given.items() if value is not None and value is not False}


def check_outputs(args: argparse.Namespace, outputs: List[Path]) -> None:
    """Refuse, before any work, an output whose optional library is missing and a format flag no output uses."""
    written = {output_format(o).name for o in outputs}
    for fmt in all_formats():
        if fmt.name in written and fmt.extra is not None:
            import_extra(fmt)
        given = [o.flag(fmt.name) for o in fmt.options if getattr(args, o.dest(fmt.name), None) not in (None, False)]
        if given and fmt.name not in written:
            raise Audio2FaceError(f"{', '.join(given)} given but no {fmt.label} output ({' '.join(fmt.extensions)})")


def plan_outputs(audio: List[str], outs: Optional[List[str]], formats: str) -> List[Tuple[Path, List[Path]]]:
    """(input, outputs) pairs: files with a known extension for one input, else one folder for all."""
    inputs = [Path(a) for a in audio]
    targets = [Path(o) for o in (outs or ["."])]
    for target in targets:
        if target.suffix.lower() in FORMATS and target.is_dir():
            raise Audio2FaceError(f"is a folder, not a {target.suffix} file; name a file or a plain folder", target)
    files = [t for t in targets if t.suffix.lower() in FORMATS]
    if files:
        if len(files) != len(targets):
            raise Audio2FaceError("--out takes either output files or one folder, not both")
        if len(inputs) > 1:
            raise Audio2FaceError("several inputs need --out to be a folder", files[0])
        for file in files:
            _make_folder(file.parent)
        return [(inputs[0], files)]
    if len(targets) > 1:
        raise Audio2FaceError("--out takes one folder")
    folder = targets[0]
    if folder.suffix and not folder.is_dir():
        raise Audio2FaceError(f"unknown output format {folder.suffix!r} (use {', '.join(FORMATS)})", folder)
    choices = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [c for c in choices if "." + c.lower().lstrip(".") not in FORMATS]
    if unknown or not choices:
        shown = ", ".join(repr(c) for c in unknown) or repr(formats)
        raise Audio2FaceError(f"unknown --format {shown} (use {', '.join(cli_choices())})")
    exts = [extension_for_choice(c) for c in choices]
    _make_folder(folder)
    names = [i.stem for i in inputs]
    if len(set(names)) != len(names):
        raise Audio2FaceError("two inputs share a file name; write them to separate folders", folder)
    return [(i, [folder / f"{i.stem}{e}" for e in exts]) for i in inputs]


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Audio2FaceError(f"cannot create the output folder ({exc.strerror or exc})", folder) from None


def run(args: argparse.Namespace) -> int:
    """Animate each input and write its curves."""
    settings = settings_from_args(args)
    pairs = plan_outputs(args.audio, args.out, args.format)
    check_outputs(args, [output for _, outputs in pairs for output in outputs])
    failures = 0
    for number, (source, outputs) in enumerate(pairs, 1):
        bar = ProgressBar(f"[{number}/{len(pairs)}] {source.name}")
        try:
            curves = animate(source, settings, progress=bar)
            bar.close()
            if curves.frame_count == 0:
                seconds = float(curves.source.get("audio_seconds") or 0.0)
                raise Audio2FaceError(
                    f"the audio lasts {seconds * 1000:.0f} ms, shorter than one frame at {curves.fps:g} fps", source
                )
            with all_or_nothing():  # every writer's checks pass before any file is put in place
                for output in outputs:
                    write_curves(
                        curves, output, blendshape_node=args.blendshape_node, **writer_options(args, output)
                    )
        except Audio2FaceError as exc:
            bar.close()
            if len(pairs) == 1:
                raise
            failures += 1
            print(f"audio2face: error: {exc}", file=sys.stderr)
            continue
        if curves.unmatched:
            print(f"warning: no model channel drives: {', '.join(curves.unmatched)}", file=sys.stderr)
        for output in outputs:
            print(f"{output}: {curves.frame_count} frames x {len(curves.names)} channels at {curves.fps:g} fps")
    if failures:
        print(f"audio2face: {failures} of {len(pairs)} inputs failed", file=sys.stderr)
        return 1
    return 0
