"""``crossval --compare``: TrainConfig fields and the feature layout, with a plain error for anything else."""

from __future__ import annotations

import pytest
from audio2face_trainer.crossval import _parse_overrides


def test_compare_takes_train_config_fields_and_the_window_layout():
    assert _parse_overrides("lookahead_ms=80; augment_copies=2") == {"lookahead_ms": 80.0, "augment_copies": 2}


def test_an_unknown_compare_key_is_named():
    with pytest.raises(SystemExit, match="'lookahead' is not a TrainConfig field"):
        _parse_overrides("lookahead=80")
