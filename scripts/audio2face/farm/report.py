"""The reduce step: every job's result file into one report, ``report.csv`` and ``report.html``.

One line per row of the jobs file, the shots that need a look first: failed, interrupted (``running``:
the task was killed), never run, then finished shots whose QC flagged something, lowest QC score first.
The HTML table shows each shot's QC plot (the PNG beside its output, linked by a relative path).
"""

from __future__ import annotations

import csv
import html
import io
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from ..atomic import atomic_open
from ..errors import PathLike
from .results import ResultStore, TaskResult
from .rows import is_scene_row, job_label, read_rows

logger = logging.getLogger(__name__)

COLUMNS = ("row", "name", "kind", "status", "needs_look", "qc_score", "qc_flags", "keys_written", "error",
           "scene", "audio", "output", "qc_png", "seconds", "peak_rss_mb", "host", "finished")
_RANK = {"failed": 0, "running": 1, "not run": 2, "ok": 3}


def report_rows(jobs_file: PathLike, results: PathLike) -> List[Dict[str, Any]]:
    """One dict per row of the jobs file (``COLUMNS``), the shots that need a look first."""
    rows = read_rows(jobs_file)
    found = ResultStore(results).all(range(len(rows)))
    out = []
    for index, fields in enumerate(rows):
        result: Optional[TaskResult] = found[index]
        label, _ = job_label(index, fields)
        kind = "maya" if is_scene_row(fields) else "audio"
        if result is None:
            out.append({"row": index, "name": label, "kind": kind, "status": "not run", "needs_look": "yes",
                        "scene": fields.get("scene"), "audio": fields.get("audio"), "output": fields.get("output")})
            continue
        look = result.status != "ok" or bool(result.qc_flags)
        error = result.error or ("the task stopped during this job (killed?)" if result.status == "running" else "")
        out.append({
            "row": index, "name": result.name, "kind": result.kind, "status": result.status,
            "needs_look": "yes" if look else "no", "qc_score": result.qc_score,
            "qc_flags": "; ".join(result.qc_flags), "keys_written": result.keys_written, "error": error,
            "scene": result.scene, "audio": result.audio, "output": result.output, "qc_png": result.qc_png,
            "seconds": result.seconds, "peak_rss_mb": result.peak_rss_mb, "host": result.host,
            "finished": result.finished,
        })
    out.sort(key=lambda r: (_RANK.get(r["status"], 0), r["needs_look"] != "yes",
                            r.get("qc_score") if r.get("qc_score") is not None else 101.0, r["row"]))
    return out


def csv_text(rows: Sequence[Dict[str, Any]]) -> str:
    """The rows as CSV with a header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in COLUMNS})
    return buffer.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else html.escape(str(value))


def html_text(rows: Sequence[Dict[str, Any]], title: str, folder: Path) -> str:
    """The rows as an HTML page; QC plots are linked relative to ``folder`` (where the page is written)."""
    counts: Dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    look = sum(r["needs_look"] == "yes" for r in rows)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + f"; {look} need a look"
    lines = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{_cell(title)}</title>",
        "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}"
        "tr.look{background:#fff1f0}tr.ok{background:#f3fbf3}img{width:480px}</style></head><body>",
        f"<h1>{_cell(title)}</h1>", f"<p>{_cell(summary)}</p>",
        "<table><tr><th>row</th><th>shot</th><th>status</th><th>QC score</th><th>flags / error</th>"
        "<th>keys</th><th>output</th><th>QC plot</th></tr>",
    ]
    for row in rows:
        plot = ""
        if row.get("qc_png") and Path(row["qc_png"]).is_file():
            link = html.escape(Path(os.path.relpath(row["qc_png"], folder)).as_posix(), quote=True)
            plot = f'<a href="{link}"><img src="{link}" alt="QC plot" loading="lazy"></a>'
        score = "" if row.get("qc_score") is None else f"{row['qc_score']:.0f}"
        notes = "; ".join(x for x in (row.get("error"), row.get("qc_flags")) if x)
        css = "look" if row["needs_look"] == "yes" else "ok"
        lines.append(
            f'<tr class="{css}"><td>{row["row"]}</td><td>{_cell(row["name"])}<br><small>{_cell(row["kind"])}'
            f"</small></td><td>{_cell(row['status'])}</td><td>{score}</td><td>{_cell(notes)}</td>"
            f"<td>{_cell(row.get('keys_written'))}</td><td>{_cell(row.get('output'))}</td><td>{plot}</td></tr>"
        )
    lines += ["</table>", "</body></html>", ""]
    return "\n".join(lines)


def write_report(jobs_file: PathLike, results: PathLike, out: Optional[PathLike] = None) -> Dict[str, Any]:
    """Write ``<out>.csv`` and ``<out>.html`` (default ``<results>/report``); returns paths and counts."""
    rows = report_rows(jobs_file, results)
    stem = Path(out) if out else Path(results) / "report"
    if stem.suffix.lower() in (".csv", ".html"):
        stem = stem.with_suffix("")
    csv_path, html_path = stem.with_name(stem.name + ".csv"), stem.with_name(stem.name + ".html")
    with atomic_open(csv_path, "w", newline="") as handle:
        handle.write(csv_text(rows))
    with atomic_open(html_path, "w") as handle:
        handle.write(html_text(rows, f"Audio2Face farm report: {Path(jobs_file).name}", html_path.parent))
    return {"csv": csv_path, "html": html_path, "rows": rows,
            "failed": sum(r["status"] != "ok" for r in rows), "needs_look": sum(r["needs_look"] == "yes" for r in rows)}
