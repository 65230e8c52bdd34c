"""The mapping table: which model channel drives each rig target (with gain and offset), auto-matched and editable.

Cells are plain items edited through delegates (an editor exists only while a cell is edited), so a rig with
a hundred targets costs no widgets and Tab leaves the table in one step; arrows move between rows, F2 or
typing edits a cell.
"""

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
REST_BRUSH = QtGui.QBrush(QtGui.QColor(70, 74, 82))
TARGET, CHANNEL, GAIN, OFFSET, STATUS = range(5)
HEADERS = ["Rig target", "Model channel", "Gain", "Offset", "Status"]
REST_TEXT = "left at rest"
NO_CHANNEL_TEXT = "no channel: left at rest"

SourceLike = Union[None, str, retarget.Source]


def _as_source(value: SourceLike) -> Optional[retarget.Source]:
    if value is None or isinstance(value, retarget.Source):
        return value
    return retarget.parse_spec(value)


class _ChannelDelegate(QtWidgets.QStyledItemDelegate):
    """An editable combo of the model's channels (expressions such as ``max(a, b)`` may be typed)."""

    def __init__(self, table: MappingTable) -> None:
        super().__init__(table)
        self._table = table

    def createEditor(self, parent: QtWidgets.QWidget, option: object, index: QtCore.QModelIndex) -> QtWidgets.QWidget:
        combo = QtWidgets.QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        combo.addItem(NONE_TEXT)
        combo.addItems(self._table.channels())
        combo.lineEdit().returnPressed.connect(lambda: self._commit(combo))
        combo.activated.connect(lambda *_: self._commit(combo))
        return combo

    def _commit(self, combo: QtWidgets.QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QtWidgets.QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QtWidgets.QWidget, index: QtCore.QModelIndex) -> None:
        editor.setCurrentText(str(index.data() or NONE_TEXT))

    def setModelData(self, editor: QtWidgets.QWidget, model: QtCore.QAbstractItemModel,
                     index: QtCore.QModelIndex) -> None:
        model.setData(index, editor.currentText().strip() or NONE_TEXT)


class _NumberDelegate(QtWidgets.QStyledItemDelegate):
    """A spin box for gain and offset."""

    def createEditor(self, parent: QtWidgets.QWidget, option: object, index: QtCore.QModelIndex) -> QtWidgets.QWidget:
        spin = QtWidgets.QDoubleSpinBox(parent)
        spin.setRange(-10.0, 10.0)
        spin.setDecimals(3)
        spin.setSingleStep(0.05)
        return spin

    def setEditorData(self, editor: QtWidgets.QWidget, index: QtCore.QModelIndex) -> None:
        try:
            editor.setValue(float(index.data()))
        except (TypeError, ValueError):
            editor.setValue(0.0)

    def setModelData(self, editor: QtWidgets.QWidget, model: QtCore.QAbstractItemModel,
                     index: QtCore.QModelIndex) -> None:
        editor.interpretText()
        model.setData(index, f"{editor.value():g}")


class MappingTable(QtWidgets.QTableWidget):
    """Rows are rig targets; the channel column picks (or types) the model channel expression.

    Unmatched targets and targets the model leaves at rest are shown as such; expressions naming unknown
    channels are marked invalid.

    Signals:
        mapping_changed(): any row changed.
    """

    mapping_changed = QtCore.Signal()

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("mappingTable")
        self.setHorizontalHeaderLabels(HEADERS)
        header = self.horizontalHeader()
        header.setSectionResizeMode(TARGET, QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(CHANNEL, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (GAIN, OFFSET, STATUS):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(TARGET, 130)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        triggers = QtWidgets.QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed
                             | triggers.SelectedClicked)
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.setItemDelegateForColumn(CHANNEL, _ChannelDelegate(self))
        numbers = _NumberDelegate(self)
        self.setItemDelegateForColumn(GAIN, numbers)
        self.setItemDelegateForColumn(OFFSET, numbers)
        self.setToolTip("Arrows move between rows; F2 or typing edits a cell; Tab leaves the table.")
        self._targets: List[str] = []
        self._channels: List[str] = []
        self._rest: List[str] = []
        self._updating = False
        self.itemChanged.connect(self._item_changed)

    # -- filling ------------------------------------------------------------------------------------
    def set_rows(self, targets: Sequence[str], channels: Sequence[str], mapping: Mapping[str, SourceLike]) -> None:
        """Show one row per target with its source from ``mapping`` (missing = none)."""
        self._updating = True
        try:
            self._targets = list(targets)
            self._channels = list(channels)
            self._rest = []
            self.setRowCount(len(self._targets))
            for row, target in enumerate(self._targets):
                item = QtWidgets.QTableWidgetItem(target)
                item.setFlags(item.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
                self.setItem(row, TARGET, item)
                source = _as_source(mapping.get(target))
                self.setItem(row, CHANNEL, QtWidgets.QTableWidgetItem(source.expr if source else NONE_TEXT))
                self.setItem(row, GAIN, QtWidgets.QTableWidgetItem(f"{source.gain if source else 1.0:g}"))
                self.setItem(row, OFFSET, QtWidgets.QTableWidgetItem(f"{source.offset if source else 0.0:g}"))
                status = QtWidgets.QTableWidgetItem("")
                status.setFlags(status.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
                self.setItem(row, STATUS, status)
                self._mark(row)
        finally:
            self._updating = False
        self.mapping_changed.emit()

    def auto_match(self) -> None:
        """Re-match every row by name (exact, case, separators, ARKit table)."""
        matched = retarget.auto_match(self._channels, self._targets)
        self.set_rows(self._targets, self._channels, matched)

    def load_file(self, path: str) -> None:
        """Fill rows from a mapping file (gains and offsets too); targets the file leaves out are auto-matched."""
        self.apply_mapping(retarget.load_mapping(path), where=path)

    def apply_mapping(self, loaded: Mapping[str, SourceLike], where: Optional[str] = None) -> None:
        """Fill rows from a mapping value; targets it leaves out are auto-matched."""
        lookup = {retarget.normalise(k): k for k in loaded}
        missing = [t for t in self._targets if t not in loaded and retarget.normalise(t) not in lookup]
        mapping: Dict[str, SourceLike] = dict(retarget.auto_match(self._channels, missing)) if missing else {}
        for target in self._targets:
            key = target if target in loaded else lookup.get(retarget.normalise(target))
            if key is not None:
                mapping[target] = _as_source(loaded[key])
        unknown = sorted({c for s in mapping.values() if isinstance(s, retarget.Source) for c in s.channels}
                         - set(self._channels))
        self.set_rows(self._targets, self._channels, mapping)
        if unknown:
            raise Audio2FaceError(
                f"the mapping names channels this model does not have: {', '.join(unknown)}", where
            )

    def save_file(self, path: str) -> None:
        """Write the rows as a mapping file."""
        retarget.save_mapping(path, self.mapping())

    def set_rest_targets(self, names: Sequence[str]) -> None:
        """Mark the targets the model leaves at rest (not keyed unless asked)."""
        self._rest = list(names)
        self._updating = True
        try:
            for row in range(len(self._targets)):
                self._mark(row)
        finally:
            self._updating = False

    # -- reading ------------------------------------------------------------------------------------
    def targets(self) -> List[str]:
        """Rig targets, in row order."""
        return list(self._targets)

    def channels(self) -> List[str]:
        """The model's channels offered in the editor."""
        return list(self._channels)

    def set_source(self, target: str, expr: Optional[str]) -> None:
        """Set ``target``'s source as a user would (``None`` = drive nothing)."""
        self.item(self._targets.index(target), CHANNEL).setText(expr or NONE_TEXT)

    def set_gain_offset(self, target: str, gain: float, offset: float) -> None:
        """Set ``target``'s gain and offset as a user would."""
        row = self._targets.index(target)
        self.item(row, GAIN).setText(f"{gain:g}")
        self.item(row, OFFSET).setText(f"{offset:g}")

    def source_text(self, target: str) -> Optional[str]:
        """The expression typed for ``target`` (``None`` = none)."""
        text = self.item(self._targets.index(target), CHANNEL).text().strip()
        return None if text in ("", NONE_TEXT) else text

    def status_text(self, target: str) -> str:
        """The row's status cell ("" = driven)."""
        return self.item(self._targets.index(target), STATUS).text()

    def mapping(self) -> Dict[str, Optional[retarget.Source]]:
        """target -> Source (``None`` = driven by nothing). Raises ``Audio2FaceError`` on bad rows."""
        return {target: self._row_source(target) for target in self._targets}

    def unmatched(self) -> List[str]:
        """Targets no channel drives."""
        return [t for t in self._targets if self.source_text(t) is None]

    def invalid(self) -> List[str]:
        """Targets whose row cannot be used with this model."""
        bad = []
        for target in self._targets:
            try:
                self._row_source(target)
            except Audio2FaceError:
                bad.append(target)
        return bad

    # -- internals ----------------------------------------------------------------------------------
    def _number(self, row: int, column: int, name: str) -> float:
        text = self.item(row, column).text().strip()
        try:
            return float(text)
        except ValueError:
            raise Audio2FaceError(f"mapping row {self._targets[row]!r}: {name} {text!r} is not a number") from None

    def _row_source(self, target: str) -> Optional[retarget.Source]:
        text = self.source_text(target)
        if text is None:
            return None
        op, names = retarget.parse_expr(text)
        unknown = [n for n in names if n not in self._channels]
        if unknown:
            raise Audio2FaceError(f"mapping row {target!r}: the model has no channel {', '.join(unknown)}")
        row = self._targets.index(target)
        return retarget.Source(op, tuple(names), self._number(row, GAIN, "gain"), self._number(row, OFFSET, "offset"))

    def _item_changed(self, item: QtWidgets.QTableWidgetItem) -> None:
        if self._updating or item.column() in (TARGET, STATUS):
            return
        self._updating = True
        try:
            self._mark(item.row())
        finally:
            self._updating = False
        self.mapping_changed.emit()

    def _mark(self, row: int) -> None:
        target = self._targets[row]
        item, status = self.item(row, TARGET), self.item(row, STATUS)
        if item is None or status is None or self.item(row, OFFSET) is None:
            return
        try:
            source = self._row_source(target)
        except Audio2FaceError as exc:
            brush, text, tip = INVALID_BRUSH, "invalid", str(exc)
        else:
            if source is None:
                brush, text, tip = UNMATCHED_BRUSH, NO_CHANNEL_TEXT, "No model channel drives this target: not keyed."
            elif target in self._rest:
                brush, text, tip = REST_BRUSH, REST_TEXT, (
                    "The model never moves this target: it is not keyed (its animation stays) unless "
                    "'Also key targets the model leaves at rest' is on.")
            else:
                brush, text, tip = QtGui.QBrush(), "", ""
        for cell in (item, status):
            cell.setBackground(brush)
            cell.setToolTip(tip)
        status.setText(text)
