"""``audio2face info [MODEL]``: what a model bundle holds."""

from __future__ import annotations

import argparse
import json

from ..bundle import load_bundle
from ..formats.registry import all_formats, extra_installed


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sub-command."""
    parser = sub.add_parser(
        "info", help="describe a model bundle", description="Print what a model bundle holds and the output formats."
    )
    parser.add_argument("model", nargs="?", metavar="MODEL", help="bundle folder (default: the bundled model)")
    parser.add_argument("--json", action="store_true", help="print model.json as it is")
    parser.add_argument("--formats", action="store_true", help="list only the curve file formats (no model needed)")
    parser.set_defaults(run=run)


def print_formats() -> None:
    """The curve file formats ``animate --out`` writes, with their extras and writer flags."""
    print("output formats:")
    for fmt in all_formats():
        needs = ""
        if fmt.extra is not None:
            state = "installed" if extra_installed(fmt) else "not installed"
            needs = f"  [extra '{fmt.extra}': {state}]"
        print(f"  {fmt.name:<5} {' '.join(fmt.extensions):<18} {fmt.label}{needs}")
        for option in fmt.options:
            print(f"        {option.flag(fmt.name)}: {option.help.split(': ', 1)[-1]}")


def run(args: argparse.Namespace) -> int:
    """Print the bundle's description (and the output formats)."""
    if args.formats:
        print_formats()
        return 0
    bundle = load_bundle(args.model)
    if args.json:
        print(json.dumps(bundle.metadata, indent=2))
        return 0
    meta = bundle.metadata
    print(f"model:      {bundle.path}")
    print(f"format:     {meta['format']} v{meta['format_version']}")
    print(f"fps:        {bundle.fps:g}")
    more = ", ..." if len(bundle.channels) > 6 else ""
    print(f"channels:   {len(bundle.channels)} ({', '.join(bundle.channels[:6])}{more})")
    features = bundle.feature_params.to_dict()
    print("features:   " + ", ".join(f"{k}={v}" for k, v in features.items()))
    presets = ", ".join(["neutral", *sorted(bundle.emotion_presets)]) if bundle.emotion_size else "none"
    print(f"emotion:    size {bundle.emotion_size}; presets: {presets}")
    for key in ("provenance", "metrics"):
        block = meta.get(key) or {}
        if block:
            print(f"{key}:")
            for name, value in block.items():
                text = json.dumps(value) if not isinstance(value, str) else value
                print(f"  {name}: {text if len(text) < 200 else text[:197] + '...'}")
    print_formats()
    return 0
