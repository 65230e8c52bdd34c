"""The generated tables of the docs (README settings, docs/maya.md flags) match the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tables():
    spec = importlib.util.spec_from_file_location("make_tables", ROOT / "docs" / "make_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_tables_are_generated_from_the_schema_and_flags():
    tables = _tables()
    assert tables.stale() == [], "run: python docs/make_tables.py"


def test_a_stale_table_is_noticed():
    tables = _tables()
    text = "a\n<!-- generated: settings -->\n| old |\n<!-- end generated -->\nb\n"
    fresh = tables.render(text, "settings", "| new |")
    assert fresh == "a\n<!-- generated: settings -->\n| new |\n<!-- end generated -->\nb\n"
    with pytest.raises(KeyError):
        tables.render("no markers", "settings", "| new |")
