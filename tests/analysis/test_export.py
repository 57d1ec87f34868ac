"""Excel export of a run and of a sweep: what the sheets hold, and bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.export import main, sheets, write_workbook

from .test_plots import generated_outputs

ROOT = Path(__file__).resolve().parents[2]
GRIDGOV = str(Path(sys.executable).with_name("gridgov"))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    return generated_outputs(tmp_path_factory)


def test_a_run_exports_its_summary_timeseries_and_what_each_column_means(outputs, tmp_path):
    run_dir = outputs[0]
    book = write_workbook([run_dir], tmp_path / "run.xlsx")
    xl = pd.read_excel(book, sheet_name=None)
    assert list(xl) == ["summary", "timeseries", "metrics"]  # one group: no comparison
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    got = xl["timeseries"]
    assert len(got) == len(ts) == 120
    assert list(got.columns[:3]) == ["run", "scenario", "seed"]
    for col in ("new_infections", "new_confirmed", "person_trips", "fiscal_cost_cny"):
        np.testing.assert_allclose(got[col].to_numpy(float), ts[col].to_numpy(float), rtol=1e-12)
    assert xl["summary"]["cum_infections"].iloc[0] == int(ts["new_infections"].sum())
    meaning = xl["metrics"].set_index("name")
    assert meaning.loc["new_infections", "label"] == "new infections"
    assert meaning.loc["fiscal_cost_cny", "unit"].startswith("CNY")
    assert {"n_infectious", "cum_deaths"} <= set(meaning.index)


def test_a_sweep_exports_the_paired_comparison_with_the_baseline(outputs):
    sweep = outputs[1]
    books = sheets([sweep])
    assert list(books) == ["summary", "timeseries", "comparison", "metrics"]
    assert len(books["summary"]) == 4 and len(books["timeseries"]) == 4 * 120
    comp = books["comparison"]
    assert set(comp["scenario"]) == {"no_relief"} and (comp["pairs"] == 2).all()
    fiscal = comp.set_index("metric").loc["fiscal_cost_cny"]
    assert fiscal["difference"] < 0  # no relief: less public money spent than huaian_2020


def test_gridgov_export_writes_the_workbook_and_refuses_bad_input(outputs, tmp_path):
    out = tmp_path / "sweep.xlsx"
    done = subprocess.run(
        [GRIDGOV, "export", str(outputs[1]), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out) and out.is_file()
    assert not list(tmp_path.glob("*.tmp.xlsx"))
    bad = tmp_path / "nothing.xlsx"
    assert main([str(tmp_path / "no_such_run"), "--out", str(bad)]) == 2
    assert main([str(outputs[1]), "--out", str(tmp_path / "book.csv")]) == 2
    assert main([str(outputs[1]), "--baseline", "atlantis", "--out", str(bad)]) == 2
    assert not bad.exists()
