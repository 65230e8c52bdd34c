"""The one Maya time-unit table: the writers and the adapter read the same rows."""

from __future__ import annotations

import pytest
from audio2face import timeunits
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.formats import write_curves


def test_every_unit_is_in_one_table_with_one_preferred_name_per_writable_rate():
    names = [u.name for u in timeunits.UNITS]
    assert len(names) == len(set(names))
    for unit in timeunits.UNITS:
        assert timeunits.unit_rate(unit.name) == unit.rate
        if unit.write and unit.rate >= 1:
            preferred = timeunits.unit_for_fps(float(unit.rate), write=True)
            assert timeunits.unit_rate(preferred) == unit.rate


def test_90_fps_is_read_from_a_scene_but_never_written_into_a_file(tmp_path):
    assert timeunits.unit_fps("90fps") == 90.0 and timeunits.unit_fps("119.88fps") == pytest.approx(119.88, abs=1e-3)
    assert timeunits.unit_for_fps(90.0) == "90fps"
    assert timeunits.unit_for_fps(90.0, write=True) is None
    curves = Curves(["jawOpen"], 90.0, [[0.0], [1.0]])
    with pytest.raises(Audio2FaceError, match="90 fps"):
        write_curves(curves, tmp_path / "a.ma")
    with pytest.raises(Audio2FaceError, match=r"\.anim files only carry"):
        write_curves(curves, tmp_path / "a.anim")


def test_the_writers_and_the_adapter_agree_on_names():
    assert timeunits.maya_time_unit(24.0) == "film" and timeunits.maya_time_unit(24000 / 1001) == "23.976fps"
    assert timeunits.anim_time_unit(30.0) == "ntsc" and timeunits.maya_time_unit(120.0) == "120fps"
    assert timeunits.unit_fps("29.97df") == pytest.approx(29.97, abs=1e-3)
    assert timeunits.unit_for_fps(30000 / 1001, write=True) == "29.97fps"
    with pytest.raises(Audio2FaceError, match="unknown Maya time unit"):
        timeunits.unit_fps("7fps")
