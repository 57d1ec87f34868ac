"""The notebooks run top to bottom on a reduced population (executed as a user would)."""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SMALL = {
    "GRIDGOV_NOTEBOOK_RESIDENTS": "5000",
    "GRIDGOV_NOTEBOOK_SEEDS": "2",
    "GRIDGOV_NOTEBOOK_TRAJECTORIES": "3",
}


def test_the_three_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == ["counterfactuals", "relief_design", "sensitivity"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    for key, value in {**SMALL, "GRIDGOV_NOTEBOOK_OUT": str(tmp_path)}.items():
        monkeypatch.setenv(key, value)
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit notebooks without outputs"
    )
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on failure
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
    images = sum(
        "image/png" in o.get("data", {})
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert images >= 1, "every notebook shows at least one plot"
    assert os.listdir(tmp_path), "the notebook wrote its sweeps where it was told"
