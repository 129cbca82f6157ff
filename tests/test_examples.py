"""The shipped examples run: the what-if script and the notebook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_what_if_script_prints_a_row_per_scenario() -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "what_if.py")],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    lines = out.stdout.splitlines()
    assert lines[0].startswith("scenario")
    for name in ("baseline", "Red Sea shut", "RELOS lapses", "no Djibouti", "sail in February"):
        assert any(line.startswith(name) for line in lines), name
    red_sea = next(line for line in lines if line.startswith("Red Sea shut"))
    assert "suez" not in red_sea
    relos = next(line for line in lines if line.startswith("RELOS lapses"))
    assert relos.split()[2] == "no" and "only by relos" in relos  # Severomorsk is closed to IND
    first = lines[lines.index("most critical:") + 1].split()
    assert first[:2] == ["agreement", "relos"] and first[-1] == "infeasible"


def test_notebook_runs_top_to_bottom(tmp_path: Path) -> None:
    nb = nbformat.read(EXAMPLES / "what_if.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [
        "".join(o.get("text", "") for o in cell.get("outputs", []))
        for cell in nb.cells
        if cell.cell_type == "code"
    ]
    assert outputs[0].startswith("True"), outputs[0]
    assert "Red Sea shut, February" in outputs[1]
    assert outputs[2].strip(), "the criticality ranking printed nothing"


def test_reach_and_sweeps_notebook_runs_on_a_local_cluster(tmp_path: Path) -> None:
    nb = nbformat.read(EXAMPLES / "reach_and_sweeps.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    texts = [
        "".join(
            o.get("text", "") or o.get("data", {}).get("text/plain", "")
            for o in c.outputs
            if o.get("name") != "stderr"  # warnings are not what the notebook shows
        )
        for c in nb.cells
        if c.cell_type == "code"
    ]
    assert texts[0].startswith("480 cases"), texts[0]
    # RELOS is what opens the Russian ports: without it, no departure reaches them
    per_destination = texts[1]
    vladivostok = next(line for line in per_destination.splitlines() if "vladivostok" in line)
    assert vladivostok.split()[1:3] == ["1.0", "0.0"], vladivostok
    # by the NSR only, a voyage is feasible in some months and not in others
    months = [line.split() for line in texts[2].splitlines() if line[:2].strip().isdigit()]
    assert {m[1] for m in months} == {"0.0", "1.0"}, texts[2]
    assert "facilities RELOS adds: " in texts[3] and "ru-vladivostok-naval-base" in texts[3]
    for name in ("relos-feasible-by-destination.png", "nsr-feasible-by-month.png"):
        assert (tmp_path / name).stat().st_size > 5_000
    for name in ("reach-with-relos.html", "reach-without-relos.html"):
        assert "relos-reach" in (tmp_path / name).read_text()
