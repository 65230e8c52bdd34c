"""Panel settings that persist between sessions, kept in a ``QSettings`` INI file.

Values are stored as JSON text so that PySide2 and PySide6 read back the same types.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, List, Optional

from audio2face_maya.vendor.Qt import QtCore

logger = logging.getLogger(__name__)

ORGANIZATION = "Audio2Face"
APPLICATION = "Audio2FaceMaya"
SETTINGS_ENV = "AUDIO2FACE_UI_SETTINGS"
"""Environment variable naming an INI file to use instead of the per-user default (tests, portable setups)."""


class SettingsStore:
    """Typed access to the panel's ``QSettings``.

    Args:
        path: INI file to use; ``None`` = ``$AUDIO2FACE_UI_SETTINGS`` or the per-user default location.
    """

    def __init__(self, path: Optional[str] = None) -> None:
        path = path or os.environ.get(SETTINGS_ENV) or None
        ini = QtCore.QSettings.Format.IniFormat
        if path:
            self._settings = QtCore.QSettings(str(path), ini)
        else:
            self._settings = QtCore.QSettings(ini, QtCore.QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)

    @property
    def file_name(self) -> str:
        """Where the settings live."""
        return str(self._settings.fileName())

    def get(self, key: str, default: Any = None) -> Any:
        """The stored value, or ``default`` when missing, unreadable or of another type than ``default``."""
        raw = self._settings.value(key, None)
        if raw is None:
            return default
        try:
            value = json.loads(str(raw))
        except ValueError:
            logger.warning("ignoring unreadable setting %s=%r", key, raw)
            return default
        if default is None or value is None:
            return value if value is not None else default
        if isinstance(default, bool):
            return value if isinstance(value, bool) else default
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            return type(default)(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default
        return value if isinstance(value, type(default)) else default

    def set(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value."""
        self._settings.setValue(key, json.dumps(value))

    def paths(self, key: str) -> List[str]:
        """A stored list of paths (empty when missing)."""
        value = self.get(key, [])
        return [str(v) for v in value if isinstance(v, str) and v]

    def remember_path(self, key: str, path: str, limit: int = 10) -> List[str]:
        """Put ``path`` first in the list under ``key`` (no duplicates); return the list."""
        items = [p for p in self.paths(key) if os.path.normcase(p) != os.path.normcase(path)]
        items.insert(0, path)
        self.set(key, items[:limit])
        return items[:limit]

    def remove(self, key: str) -> None:
        """Forget ``key``."""
        self._settings.remove(key)

    def sync(self) -> None:
        """Write to disk now."""
        self._settings.sync()
