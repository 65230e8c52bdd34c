"""The training report stored in a bundle: loss curves as a PNG and the metrics as JSON."""

from __future__ import annotations

import io
import json
import logging
from typing import Any, Dict, List, Optional

logger = logging.getLogger(__name__)

REPORT_PNG = "training_report.png"
REPORT_JSON = "training_metrics.json"


def loss_curve_png(history: List[Dict[str, Any]], best_epoch: int, title: str = "") -> Optional[bytes]:
    """Train/validation loss and validation correlation per epoch (``None`` when matplotlib is missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError:
        logger.warning("matplotlib is not installed: the bundle gets no loss-curve image")
        return None
    epochs = [h["epoch"] for h in history]
    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.add_subplot(1, 1, 1)
    axes.plot(epochs, [h["train_loss"] for h in history], "o-", label="train loss (position + motion)")
    axes.plot(epochs, [h["val_loss"] for h in history], "s-", label="validation loss")
    if best_epoch:
        axes.axvline(best_epoch, color="grey", linestyle=":", label=f"best epoch ({best_epoch})")
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss (normalised units)")
    axes.set_yscale("log")
    axes.grid(True, alpha=0.3)
    right = axes.twinx()
    right.plot(epochs, [h["val"]["pearson"] for h in history], "g^--", label="validation Pearson (mean)")
    right.plot(epochs, [h["val"]["jaw_pearson"] for h in history], "m.--", label="validation jaw-open Pearson")
    right.set_ylabel("correlation")
    right.set_ylim(0, 1)
    lines = axes.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    axes.legend(lines[0] + more[0], lines[1] + more[1], loc="center right", fontsize=8)
    if title:
        axes.set_title(title, fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def metrics_json(report: Dict[str, Any]) -> bytes:
    """The metrics report as UTF-8 JSON."""
    return (json.dumps(report, indent=1, allow_nan=False, default=str) + "\n").encode("utf-8")
