"""Settings from plain dicts (batch job fields, panel state, plug-in flags) with clear errors."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Mapping

from .errors import Audio2FaceError
from .pipeline import AnimateSettings
from .post import PostSettings


def _fields(cls: type) -> Dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(cls)}


def post_settings_from_dict(values: Mapping[str, Any], where: str = "settings") -> PostSettings:
    """Build ``PostSettings`` from a dict of field names; unknown names are an error."""
    known = _fields(PostSettings)
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise Audio2FaceError(f"{where}: unknown post-processing settings: {', '.join(unknown)}")
    settings = PostSettings(**dict(values))
    settings.validate()
    return settings


def animate_settings_from_dict(values: Mapping[str, Any], where: str = "settings") -> AnimateSettings:
    """Build ``AnimateSettings`` from a flat dict: its own fields plus any ``PostSettings`` field."""
    own = _fields(AnimateSettings)
    post_names = set(_fields(PostSettings))
    unknown = sorted(set(values) - set(own) - post_names)
    if unknown:
        raise Audio2FaceError(f"{where}: unknown settings: {', '.join(unknown)}")
    post = post_settings_from_dict({k: v for k, v in values.items() if k in post_names}, where)
    if isinstance(values.get("post"), Mapping):
        post = post_settings_from_dict(values["post"], where)
    kwargs = {k: v for k, v in values.items() if k in own and k != "post"}
    return AnimateSettings(post=post, **kwargs)


def settings_to_dict(settings: AnimateSettings) -> Dict[str, Any]:
    """The flat dict form of ``AnimateSettings`` (inverse of ``animate_settings_from_dict``)."""
    flat = {k: v for k, v in dataclasses.asdict(settings).items() if k != "post"}
    flat.update(dataclasses.asdict(settings.post))
    return flat
