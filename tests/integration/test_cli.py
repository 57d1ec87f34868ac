"""The command line as a user runs it: a run directory, or one clear error and no output."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.output import FORMAT_VERSION
from sim.policies import REGISTRY

GRIDGOV = str(Path(sys.executable).with_name("gridgov"))
SMALL = ["population.residents=2000", "output.progress=never"]


def gridgov(*args, cwd=None):
    return subprocess.run([GRIDGOV, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "r"
    res = gridgov(*SMALL, "seed=4", f"hydra.run.dir={out}")
    assert res.returncode == 0, res.stderr
    return out


def test_run_directory_holds_the_contract_files(run_dir):
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(
        [
            "config.yaml",
            "scenario.yaml",
            "metrics.json",
            "timeseries.parquet",
            "events.parquet",
            "summary.json",
        ]
    )
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["format_version"] == FORMAT_VERSION
    assert summary["seed"] == 4 and summary["residents"] == 2000 and summary["days"] == 120
    assert summary["scenario"] == "huaian_2020"
    cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert cfg["population"]["residents"] == 2000 and cfg["seed"] == 4
    scen = yaml.safe_load((run_dir / "scenario.yaml").read_text())
    assert scen["name"] == "huaian_2020" and scen["policies"]


def _numeric_fields(d: dict, prefix: str = "") -> list[str]:
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out += _numeric_fields(v, f"{prefix}{k}.")
        elif isinstance(v, int | float) and not isinstance(v, bool):
            out.append(prefix + k)
    return out


def test_metrics_json_documents_every_column_and_summary_field(run_dir):
    doc = json.loads((run_dir / "metrics.json").read_text())
    assert doc["format_version"] == 1
    for section in ("timeseries", "summary"):
        for m in doc[section]:
            assert set(m) == {"name", "unit", "label", "description"}, m
            assert all(isinstance(v, str) and v for v in m.values()), m
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    assert [m["name"] for m in doc["timeseries"]] == [
        c for c in ts.columns if c not in ("day", "date")
    ]
    summary = json.loads((run_dir / "summary.json").read_text())
    # inputs and run metadata, and figures keyed by the run's own months or layers
    inputs = ("format_version", "seed", "knobs.", "firms_closed_by_month", "calibration.r_by")
    numeric = [k for k in _numeric_fields(summary) if not k.startswith(inputs)]
    declared = {m["name"] for m in doc["summary"]}
    assert sorted(set(numeric) - declared) == []


def test_timeseries_and_events(run_dir):
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    assert len(ts) == 120
    for col in (
        "new_infections",
        "new_confirmed",
        "n_susceptible",
        "n_exposed",
        "n_infectious",
        "n_recovered",
        "n_hospitalised",
        "n_dead",
        "cum_infections",
        "date",
    ):
        assert col in ts.columns, col
    assert ts["date"].iloc[0] == pd.Timestamp("2020-01-20")
    ev = pd.read_parquet(run_dir / "events.parquet")
    assert list(ev.columns) == ["day", "actor", "action", "target", "source"]
    assert "start isolate_confirmed" in set(ev["action"])
    # every infection is logged with its infector (or as an import from outside)
    infections = ev[ev["actor"].isin(["resident", "outside"])]
    assert len(infections) == int(ts["new_infections"].sum())
    local = ev[ev["actor"] == "resident"]
    assert (local["source"] >= 0).all() and local["action"].str.startswith("infect (").all()
    assert "rt" in ts.columns and "rt_complete" in ts.columns


def test_python_dash_m_sim_matches_the_console_script(run_dir, tmp_path):
    out = tmp_path / "m"
    res = subprocess.run(
        [sys.executable, "-m", "sim", *SMALL, "seed=4", f"hydra.run.dir={out}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    a = pd.read_parquet(run_dir / "timeseries.parquet")
    b = pd.read_parquet(out / "timeseries.parquet")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("population.residents=0", "population.residents must be a positive integer, got 0"),
        ("population.residents=-5", "population.residents must be a positive integer"),
        (
            "disease.asymptomatic_share=1.5",
            "disease.asymptomatic_share must be a probability in [0, 1]",
        ),
        ("disease.ifr=[0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,2]", "disease.ifr[8] must be a probability"),
        ("disease.incubation.mean=-2", "disease.incubation.mean must be positive"),
        ("disease.incubation.sd=-1", "disease.incubation.sd must be non-negative"),
        ("contacts.household_sar=1.2", "contacts.household_sar must be a probability"),
        (
            "economy.wage_day_by_sector=[100,200]",
            "economy.wage_day_by_sector must be a list of 8 values (one per sector [",
        ),
        (
            "economy.loan_share_by_size=[0.5]",
            "economy.loan_share_by_size must be a list of 5 values (one per size class [",
        ),
        ("scenario=atlantis", "scenario must be one of ['early_lifting', 'home_quarantine_only'"),
        (
            "+knobs.isolaton_start=3",
            "knobs.isolaton_start is not a knob of scenario 'huaian_2020'; valid knobs: [",
        ),
        (
            "+knobs.response_date=2020-06-01",
            "policies[1] (response_level).start must fall within the scenario's period",
        ),
        (
            "population.residnts=5",
            "population.residnts is not a config key (did you mean 'population.residents'?)",
        ),
        ("dayz=5", "dayz is not a config key (did you mean 'days'?)"),
        ("days=0", "days must be a positive integer"),
        ("output.progress=sometimes", "output.progress must be one of ['auto', 'always', 'never']"),
    ],
)
def test_bad_input_one_message_nonzero_exit_nothing_written(tmp_path, override, message):
    out = tmp_path / "bad"
    res = gridgov(*SMALL, "days=60", override, f"hydra.run.dir={out}")
    assert res.returncode != 0
    assert message in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists() or not any(out.iterdir())


def test_unknown_policy_kind_in_a_scenario_file(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(
        "name: s\ndescription: x\nstart_date: 2020-01-20\nend_date: 2020-02-01\n"
        "policies:\n  - {kind: curfew, start: 0}\n"
    )
    res = gridgov(*SMALL, "days=10", f"scenario={f}", f"hydra.run.dir={tmp_path / 'o'}")
    assert res.returncode != 0
    assert f"policies[0].kind must be one of {sorted(REGISTRY)}, got 'curfew'" in res.stderr
    assert not (tmp_path / "o" / "summary.json").exists()


def test_type_errors_from_hydra_name_the_key(tmp_path):
    res = gridgov(*SMALL, "population.residents=many", f"hydra.run.dir={tmp_path / 'o'}")
    assert res.returncode != 0
    assert "population.residents" in res.stderr


def test_a_small_sweep_with_the_joblib_launcher(tmp_path):
    res = gridgov(
        "-m",
        *SMALL,
        "days=30",
        "seed=1,2",
        "hydra.launcher.n_jobs=2",
        f"hydra.sweep.dir={tmp_path}",
    )
    assert res.returncode == 0, res.stderr
    seeds = sorted(json.loads(p.read_text())["seed"] for p in tmp_path.glob("*/summary.json"))
    assert seeds == [1, 2]


def test_run_folders_are_named_by_scenario_and_the_knobs_set(tmp_path):
    res = subprocess.run(
        [GRIDGOV, *SMALL, "days=2", "+knobs.facility_capacity=500", "output.report=never"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    (folder,) = (tmp_path / "outputs").iterdir()
    assert folder.name == "huaian_2020_facility_capacity=500"
    (run,) = folder.iterdir()  # the time of the run
    assert (run / "summary.json").is_file()


def test_run_name_of_a_scenario_file_and_odd_knob_values():
    from sim.cli import run_name

    assert run_name("huaian_2020", {}) == "huaian_2020"
    assert run_name("/tmp/my scenarios/test.yaml", {"b": 2, "a": "x/y"}) == "test_a=x-y_b=2"
    assert len(run_name("s", {f"k{i}": i for i in range(50)})) == 100
