"""The curve-file format registry: one entry per format; dispatch, CLI choices, help and file filters derive from it.

Each format module (``<name>_format.py`` in this package) ends with ``OUTPUT_FORMAT = OutputFormat(...)``; the
registry finds them, so adding a format is its own module, its test and its row in docs/formats.md (a test
compares the table with the registry). Format modules import optional libraries (usd-core, pygltflib) inside
their writer and reader only, so listing the formats stays cheap and works without the extras.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.util
import pkgutil
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..errors import Audio2FaceError, PathLike

PACKAGE = __name__.rsplit(".", 1)[0]
MODULE_SUFFIX = "_format"


@dataclasses.dataclass(frozen=True)
class WriterOption:
    """A keyword option a writer accepts (``write_curves(curves, path, name=value)``).

    Attributes:
        name: Keyword name (a Python identifier); the CLI flag is ``--<format>-<name>`` with ``-`` for ``_``.
        help: One line for ``--help``.
        default: The writer's default (``False`` for a switch).
        choices: Allowed values, when the option is one of a few.
        metavar: Placeholder in ``--help`` (``PATH``, ``FILE``...).
    """

    name: str
    help: str
    default: Any = None
    choices: Tuple[str, ...] = ()
    metavar: Optional[str] = None

    @property
    def is_switch(self) -> bool:
        """Whether the option is an on/off switch (default ``False``)."""
        return self.default is False

    def flag(self, format_name: str) -> str:
        """The CLI flag: ``--usd-prim-path``."""
        return f"--{format_name}-{self.name.replace('_', '-')}"

    def dest(self, format_name: str) -> str:
        """The argparse destination: ``usd_prim_path``."""
        return f"{format_name}_{self.name}"


@dataclasses.dataclass(frozen=True)
class OutputFormat:
    """One curve-file format.

    Attributes:
        name: Short name (``json``, ``usd``...), used by ``fmt=`` and in lists.
        extensions: Lower-case extensions with the dot; the first is the default for the format.
        label: Human name for file dialogs and help (``Maya ASCII``).
        writer: ``writer(curves, path, *, blendshape_node=None, **options) -> [paths written]``.
        reader: ``reader(path)`` (or with ``fps``/``start_frame`` when ``rate_options``), or ``None``.
        order: Position in lists (help, file filters, the docs table).
        extra: The pyproject extra the format needs (``pip install 'audio2face-maya[usd]'``), or ``None``.
        extra_module: The module that extra brings (``pxr``), imported by ``import_extra``.
        options: Keyword options the writer accepts besides ``blendshape_node``.
        rate_options: The reader takes ``fps`` and ``start_frame`` (for files that may not carry them).
    """

    name: str
    extensions: Tuple[str, ...]
    label: str
    writer: Callable[..., List[Path]]
    reader: Optional[Callable[..., Any]]
    order: int = 100
    extra: Optional[str] = None
    extra_module: Optional[str] = None
    options: Tuple[WriterOption, ...] = ()
    rate_options: bool = False

    def option(self, name: str) -> WriterOption:
        """The option called ``name`` (``KeyError`` when there is none)."""
        for option in self.options:
            if option.name == name:
                return option
        raise KeyError(name)

    def check_options(self, options: Dict[str, Any], path: Optional[PathLike] = None) -> None:
        """Raise ``Audio2FaceError`` for an option this format does not take or a value not among its choices."""
        known = {o.name: o for o in self.options}
        unknown = sorted(set(options) - set(known))
        if unknown:
            takes = ", ".join(known) or "no options"
            raise Audio2FaceError(f"{self.name} files take {takes}, not {', '.join(unknown)}", path)
        for name, value in options.items():
            choices = known[name].choices
            if choices and value not in choices:
                allowed = ", ".join(choices)
                raise Audio2FaceError(f"{self.name} option {name} must be one of {allowed}, not {value!r}", path)


@functools.cache
def all_formats() -> Tuple[OutputFormat, ...]:
    """Every registered format, in ``order`` (then name).

    Raises:
        RuntimeError: two formats claim the same name or extension (a programming error).
    """
    package = importlib.import_module(PACKAGE)
    found: List[OutputFormat] = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.endswith(MODULE_SUFFIX):
            spec = getattr(importlib.import_module(f"{PACKAGE}.{info.name}"), "OUTPUT_FORMAT", None)
            if isinstance(spec, OutputFormat):
                found.append(spec)
    found.sort(key=lambda f: (f.order, f.name))
    names = [f.name for f in found]
    extensions = [e for f in found for e in f.extensions]
    for kind, items in (("name", names), ("extension", extensions)):
        dupes = sorted({i for i in items if items.count(i) > 1})
        if dupes:
            raise RuntimeError(f"curve formats share the {kind} {', '.join(dupes)}")
    return tuple(found)


def format_named(name: str) -> OutputFormat:
    """The format with this name or extension (``usd``, ``usdc``, ``.glb``...).

    Raises:
        Audio2FaceError: no such format.
    """
    key = name.lower().strip()
    for fmt in all_formats():
        if key == fmt.name or "." + key.lstrip(".") in fmt.extensions:
            return fmt
    raise Audio2FaceError(f"unknown format {name!r} (use {', '.join(cli_choices())})")


def formats_for_path(path: PathLike) -> List[OutputFormat]:
    """The formats whose extensions match ``path``'s (empty when none does)."""
    suffix = Path(path).suffix.lower()
    return [f for f in all_formats() if suffix in f.extensions]


def extensions() -> Tuple[str, ...]:
    """Every registered extension, in format order (``.json``, ``.csv``, ...)."""
    return tuple(e for f in all_formats() for e in f.extensions)


def cli_choices() -> List[str]:
    """Values ``--format`` takes: every extension without its dot (``json``, ..., ``usda``, ``usdc``, ``glb``)."""
    return [e[1:] for e in extensions()]


def extension_for_choice(choice: str) -> str:
    """The extension a ``--format`` value writes (an extension's own, else the named format's first).

    Raises:
        Audio2FaceError: unknown value.
    """
    key = "." + choice.lower().strip().lstrip(".")
    return key if key in extensions() else format_named(choice).extensions[0]


def _filter_entry(label: str, exts: Sequence[str]) -> str:
    return f"{label} ({' '.join('*' + e for e in exts)})"


def file_filter(first: Optional[str] = None, include_all: bool = True) -> str:
    """A Qt file-dialog filter string: ``Maya ASCII (*.ma);;Curves JSON (*.json);;...;;All files (*)``.

    Args:
        first: Name of the format to list first (Qt preselects the first entry), e.g. ``"ma"``.
        include_all: End with ``All files (*)``.
    """
    ordered = list(all_formats())
    if first is not None:
        lead = format_named(first)
        ordered = [lead] + [f for f in ordered if f is not lead]
    entries = [_filter_entry(f.label, f.extensions) for f in ordered]
    if include_all:
        entries.append("All files (*)")
    return ";;".join(entries)


def format_for_filter(selected: str) -> Optional[OutputFormat]:
    """The format a ``file_filter`` entry names (what a save dialog reports as the chosen filter), or ``None``."""
    for fmt in all_formats():
        if selected == _filter_entry(fmt.label, fmt.extensions):
            return fmt
    return None


def import_extra(fmt: OutputFormat, path: Optional[PathLike] = None) -> Any:
    """Import the optional library ``fmt`` needs; a missing one is a one-line error naming the extra.

    Raises:
        Audio2FaceError: the library is not installed.
    """
    module = fmt.extra_module or ""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Audio2FaceError(
            f"{fmt.label} files need the '{fmt.extra}' extra ({exc.name or module} is not installed): "
            f"pip install 'audio2face-maya[{fmt.extra}]'",
            path,
        ) from None


def extra_installed(fmt: OutputFormat) -> bool:
    """Whether the format's optional library can be imported (``True`` when it needs none)."""
    return fmt.extra_module is None or importlib.util.find_spec(fmt.extra_module) is not None
