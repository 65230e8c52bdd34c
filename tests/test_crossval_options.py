"""``crossval --compare``: TrainConfig fields and the feature layout, with a plain error for anything else."""

from __future__ import annotations

import pytest
from audio2face_trainer.crossval import _parse_overrides


def test_compare_takes_train_config_fields_and_the_window_layout():
    assert _parse_overrides("lookahead_ms=80; augment_copies=2") == {"lookahead_ms": 80.0, "augment_copies": 2}


def test_an_unknown_compare_key_is_named():
    with pytest.raises(SystemExit, match="'lookahead' is not a TrainConfig field"):
        _parse_overrides("lookahead=80")


def test_changed_settings_name_what_differs_from_the_recipe():
    """The training report's title names the settings a run changed (``--set augment_copies=1``)."""
    from audio2face_trainer.config import changed_settings, recipe_config

    assert changed_settings(recipe_config("ours")) == {}
    assert changed_settings(recipe_config("ours", augment_copies=1, seed=3)) == {"augment_copies": 1, "seed": 3}
    assert changed_settings(recipe_config("facegood", epochs=7)) == {"epochs": 7}
