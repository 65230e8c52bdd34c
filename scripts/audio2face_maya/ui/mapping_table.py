"""The mapping table: which model channel drives each rig target, auto-matched and editable."""

from __future__ import annotations

import logging
from typing import Dict, List, Mapping, Optional, Sequence, Union

from audio2face import retarget
from audio2face.errors import Audio2FaceError

from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets

logger = logging.getLogger(__name__)

NONE_TEXT = "(none)"
UNMATCHED_BRUSH = QtGui.QBrush(QtGui.QColor(120, 90, 20))
INVALID_BRUSH = QtGui.QBrush(QtGui.QColor(130, 35, 35))

SourceLike = Union[None, str, retarget.Source]


def _as_source(value: SourceLike) -> Optional[retarget.Source]:
    if value is None or isinstance(value, retarget.Source):
        return value
    return retarget.parse_spec(value)


class MappingTable(QtWidgets.QTableWidget):
    """Rows are rig targets; the second column picks (or types) the model channel expression.

    Unmatched targets are highlighted; expressions naming unknown channels are marked invalid.

    Signals:
        mapping_changed(): any row changed.
    """

    mapping_changed = QtCore.Signal()

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels(["Rig target", "Model channel"])
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self._targets: List[str] = []
        self._channels: List[str] = []
        self._extras: Dict[str, retarget.Source] = {}
        self._updating = False

    # -- filling ------------------------------------------------------------------------------------
    def set_rows(self, targets: Sequence[str], channels: Sequence[str], mapping: Mapping[str, SourceLike]) -> None:
        """Show one row per target with its source from ``mapping`` (missing = none)."""
        self._updating = True
        try:
            self._targets = list(targets)
            self._channels = list(channels)
            self._extras = {}
            self.setRowCount(len(self._targets))
            for row, target in enumerate(self._targets):
                item = QtWidgets.QTableWidgetItem(target)
                self.setItem(row, 0, item)
                combo = QtWidgets.QComboBox()
                combo.setEditable(True)
                combo.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
                combo.addItem(NONE_TEXT)
                combo.addItems(self._channels)
                combo.setObjectName(f"mapping:{target}")
                source = _as_source(mapping.get(target))
                self._set_combo(combo, source)
                if source is not None and (source.gain != 1.0 or source.offset != 0.0):
                    self._extras[target] = source
                combo.currentTextChanged.connect(lambda _text, t=target: self._row_edited(t))
                self.setCellWidget(row, 1, combo)
                self._mark(row)
        finally:
            self._updating = False
        self.mapping_changed.emit()

    def auto_match(self) -> None:
        """Re-match every row by name (exact, case, separators, ARKit table)."""
        matched = retarget.auto_match(self._channels, self._targets)
        self.set_rows(self._targets, self._channels, matched)

    def load_file(self, path: str) -> None:
        """Fill rows from a mapping file; targets the file leaves out are auto-matched."""
        loaded = retarget.load_mapping(path)
        lookup = {retarget.normalise(k): k for k in loaded}
        missing = [t for t in self._targets if t not in loaded and retarget.normalise(t) not in lookup]
        mapping: Dict[str, SourceLike] = dict(retarget.auto_match(self._channels, missing)) if missing else {}
        for target in self._targets:
            key = target if target in loaded else lookup.get(retarget.normalise(target))
            if key is not None:
                mapping[target] = loaded[key]
        unknown = sorted({c for s in mapping.values() if isinstance(s, retarget.Source) for c in s.channels}
                         - set(self._channels))
        self.set_rows(self._targets, self._channels, mapping)
        if unknown:
            raise Audio2FaceError(
                f"the mapping names channels this model does not have: {', '.join(unknown)}", path
            )

    def save_file(self, path: str) -> None:
        """Write the rows as a mapping file."""
        retarget.save_mapping(path, self.mapping())

    # -- reading ------------------------------------------------------------------------------------
    def targets(self) -> List[str]:
        """Rig targets, in row order."""
        return list(self._targets)

    def combo_for(self, target: str) -> QtWidgets.QComboBox:
        """The editor of ``target``'s row."""
        return self.cellWidget(self._targets.index(target), 1)

    def set_source(self, target: str, expr: Optional[str]) -> None:
        """Set ``target``'s source as a user would (``None`` = drive nothing)."""
        self.combo_for(target).setCurrentText(expr or NONE_TEXT)

    def source_text(self, target: str) -> Optional[str]:
        """The expression typed for ``target`` (``None`` = none)."""
        text = self.combo_for(target).currentText().strip()
        return None if text in ("", NONE_TEXT) else text

    def mapping(self) -> Dict[str, Optional[retarget.Source]]:
        """target -> Source (``None`` = driven by nothing). Raises ``Audio2FaceError`` on bad rows."""
        result: Dict[str, Optional[retarget.Source]] = {}
        for target in self._targets:
            result[target] = self._row_source(target)
        return result

    def unmatched(self) -> List[str]:
        """Targets no channel drives."""
        return [t for t in self._targets if self.source_text(t) is None]

    def invalid(self) -> List[str]:
        """Targets whose expression cannot be used with this model."""
        bad = []
        for target in self._targets:
            try:
                self._row_source(target)
            except Audio2FaceError:
                bad.append(target)
        return bad

    # -- internals ----------------------------------------------------------------------------------
    def _row_source(self, target: str) -> Optional[retarget.Source]:
        text = self.source_text(target)
        if text is None:
            return None
        op, names = retarget.parse_expr(text)
        unknown = [n for n in names if n not in self._channels]
        if unknown:
            raise Audio2FaceError(f"mapping row {target!r}: the model has no channel {', '.join(unknown)}")
        extra = self._extras.get(target)
        if extra is not None and extra.op == op and extra.channels == tuple(names):
            return extra
        return retarget.Source(op, tuple(names))

    def _set_combo(self, combo: QtWidgets.QComboBox, source: Optional[retarget.Source]) -> None:
        combo.setCurrentText(source.expr if source is not None else NONE_TEXT)
        if source is not None and (source.gain != 1.0 or source.offset != 0.0):
            combo.setToolTip(f"gain {source.gain:g}, offset {source.offset:g} (from the mapping file)")

    def _row_edited(self, target: str) -> None:
        self._mark(self._targets.index(target))
        if not self._updating:
            self.mapping_changed.emit()

    def _mark(self, row: int) -> None:
        target = self._targets[row]
        item = self.item(row, 0)
        if item is None:
            return
        try:
            source = self._row_source(target)
        except Audio2FaceError as exc:
            item.setBackground(INVALID_BRUSH)
            item.setToolTip(str(exc))
            return
        if source is None:
            item.setBackground(UNMATCHED_BRUSH)
            item.setToolTip("No model channel drives this target: it stays at rest.")
        else:
            item.setBackground(QtGui.QBrush())
            item.setToolTip("")
