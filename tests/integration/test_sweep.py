"""Sweeps as a user runs them (gridgov -m): failures, resume, kill, launchers, experiments."""

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.output import FILES

GRIDGOV = str(Path(sys.executable).with_name("gridgov"))
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 600
QUIET = ["output.progress=never"]
SMALL = ["population.residents=2000", "days=20", *QUIET]
# heavier importation, so that an epidemic starts and the disease shapes the timeseries
IMPORTATION = 'disease.seeding=[{start: "2020-01-20", stop: "2020-02-08", per_day: 200.0}]'
SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


def gridgov(*args):
    return subprocess.run(
        [GRIDGOV, *args], capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT
    )


def job_dirs(sweep):
    """The job directories of a sweep, in job order."""
    dirs = [d for d in sweep.iterdir() if d.is_dir() and not d.name.startswith(".")]
    return sorted(dirs, key=lambda d: int(d.name))


def finished_jobs(sweep):
    return sorted(int(p.parent.name) for p in sweep.glob("*/summary.json"))


def assert_complete(run_dir):
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(FILES), run_dir
    summary = json.loads((run_dir / "summary.json").read_text())
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    assert len(ts) == summary["days"]
    return summary


def summary_of(sweep):
    return pd.read_parquet(sweep / "summary.parquet")


def same_bytes(a, b):
    return Path(a).read_bytes() == Path(b).read_bytes()


# ---- failures ------------------------------------------------------------------------


def test_sweep_with_failing_jobs_records_them_and_exits_2(tmp_path):
    sweep = tmp_path / "sweep"
    res = gridgov(
        "-m",
        "seed=1,2",
        "scenario=huaian_2020,nope",
        *SMALL,
        "hydra.launcher.n_jobs=2",
        f"hydra.sweep.dir={sweep}",
    )
    assert res.returncode == 2, res.stderr  # every failure is bad input
    assert "job 1 failed: ConfigError" in res.stderr
    assert "job 3 failed: ConfigError" in res.stderr
    assert "2 job(s) failed" in res.stderr
    dirs = job_dirs(sweep)
    assert [d.name for d in dirs] == ["0", "1", "2", "3"]
    for job, seed in (("0", 1), ("2", 2)):
        summary = assert_complete(sweep / job)
        assert summary["seed"] == seed and summary["scenario"] == "huaian_2020"
        assert summary["days"] == 20 and summary["residents"] == 2000
    for job, seed in (("1", "1"), ("3", "2")):
        assert [p.name for p in (sweep / job).iterdir()] == ["error.json"]
        record = json.loads((sweep / job / "error.json").read_text())
        assert record["error_type"] == "ConfigError" and record["bad_input"] is True
        assert f"seed={seed}" in record["overrides"] and "scenario=nope" in record["overrides"]
    frame = summary_of(sweep)
    assert frame["job"].tolist() == ["0", "1", "2", "3"]
    assert frame["status"].tolist() == ["done", "failed", "done", "failed"]
    assert frame["override.scenario"].tolist() == ["huaian_2020", "nope"] * 2
    assert frame["override.seed"].tolist() == ["1", "1", "2", "2"]
    assert frame["seed"].isna().tolist() == [False, True, False, True]
    for error in frame["error"][frame["status"] == "failed"]:
        assert "'nope'" in error
        for name in SCENARIOS:  # the message lists the valid scenarios
            assert name in error
    assert frame["error"][frame["status"] == "done"].isna().all()


def test_failed_job_over_a_previous_run_fails_the_sweep(tmp_path):
    sweep = tmp_path / "sweep"
    common = [*SMALL, "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={sweep}"]
    assert gridgov("-m", "seed=1,2", *common).returncode == 0
    res = gridgov("-m", "seed=1", "scenario=huaian_2020,nope", *common)
    frame = summary_of(sweep)
    assert frame["status"].tolist() == ["done", "failed"]
    assert res.returncode == 2


# ---- resume --------------------------------------------------------------------------


def test_resume_skips_finished_jobs_and_reruns_an_unfinished_one(tmp_path):
    sweep = tmp_path / "sweep"
    args = ["-m", "seed=1,2,3", *SMALL, IMPORTATION, "hydra.launcher.n_jobs=2"]
    args.append(f"hydra.sweep.dir={sweep}")
    first = gridgov(*args)
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("skipped") == 0
    dirs = job_dirs(sweep)
    assert [d.name for d in dirs] == ["0", "1", "2"]
    mtimes = {d.name: (d / "summary.json").stat().st_mtime_ns for d in dirs}
    ts_before = (sweep / "1" / "timeseries.parquet").read_bytes()
    time.sleep(0.05)

    again = gridgov(*args)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("skipped") == 3
    assert {d.name: (d / "summary.json").stat().st_mtime_ns for d in dirs} == mtimes
    frame = summary_of(sweep)
    assert frame["job"].tolist() == ["0", "1", "2"]
    assert frame["status"].tolist() == ["done"] * 3

    (sweep / "1" / "summary.json").unlink()  # job 1 did not finish
    resumed = gridgov(*args)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr.count("skipped") == 2
    assert "/1: finished before" not in resumed.stderr
    for d in dirs:
        assert_complete(d)
        if d.name != "1":
            assert (d / "summary.json").stat().st_mtime_ns == mtimes[d.name]
    assert (sweep / "1" / "summary.json").stat().st_mtime_ns > mtimes["1"]
    assert (sweep / "1" / "timeseries.parquet").read_bytes() == ts_before
    frame = summary_of(sweep)
    assert frame["job"].tolist() == ["0", "1", "2"]
    assert frame["status"].tolist() == ["done"] * 3
    assert frame["seed"].tolist() == [1, 2, 3]


def _group_alive(pgid):
    """Whether any process of the group is alive (zombies do not count)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


@pytest.mark.slow
def test_sweep_killed_midway_resumes_to_the_same_results(tmp_path):
    sweep = tmp_path / "sweep"
    n = 8
    args = [
        "-m",
        f"seed=range(1,{n + 1})",
        "population.residents=100000",
        "days=120",
        IMPORTATION,
        *QUIET,
        "hydra.launcher.n_jobs=2",
        f"hydra.sweep.dir={sweep}",
    ]
    with open(tmp_path / "killed.log", "w") as log:
        proc = subprocess.Popen(
            [GRIDGOV, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + TIMEOUT
            while not (sweep.is_dir() and finished_jobs(sweep)):
                assert proc.poll() is None, "the sweep ended before it could be killed"
                assert time.monotonic() < deadline, "no job finished in time"
                time.sleep(0.02)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the launcher and its workers
            proc.wait(timeout=60)
    deadline = time.monotonic() + 60
    while _group_alive(proc.pid):
        assert time.monotonic() < deadline, "workers survived SIGKILL"
        time.sleep(0.05)
    done_at_kill = finished_jobs(sweep)
    assert 1 <= len(done_at_kill) < n
    unfinished = [j for j in range(n) if j not in done_at_kill]
    started = [j for j in unfinished if (sweep / str(j)).is_dir()]
    cut_short = (started or unfinished)[0]

    res = gridgov(*args)
    assert res.returncode == 0, res.stderr
    assert res.stderr.count("skipped") == len(done_at_kill)
    dirs = job_dirs(sweep)
    assert [d.name for d in dirs] == [str(j) for j in range(n)]
    for j, d in enumerate(dirs):
        summary = assert_complete(d)
        assert summary["seed"] == j + 1
        assert not list(d.rglob("*.tmp"))
    frame = summary_of(sweep)
    assert frame["job"].tolist() == [str(j) for j in range(n)]
    assert frame["status"].tolist() == ["done"] * n
    assert frame["seed"].tolist() == list(range(1, n + 1))

    # the same jobs run on their own give the same timeseries, byte for byte
    alone = {j: tmp_path / f"alone{j}" for j in (done_at_kill[0], cut_short)}
    procs = [
        subprocess.Popen(
            [GRIDGOV, f"seed={j + 1}", *args[2:-2], f"hydra.run.dir={out}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for j, out in alone.items()
    ]
    for p in procs:
        _, err = p.communicate(timeout=TIMEOUT)
        assert p.returncode == 0, err
    for j, out in alone.items():
        assert same_bytes(out / "timeseries.parquet", sweep / str(j) / "timeseries.parquet")
        assert same_bytes(out / "events.parquet", sweep / str(j) / "events.parquet")


# ---- launchers -----------------------------------------------------------------------

JOB = ["population.residents=3000", "days=30", IMPORTATION, *QUIET]


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    """Job seed=3 run alone, through joblib and through Ray (sweeps of seeds 3 and 4)."""
    root = tmp_path_factory.mktemp("launchers")
    out = {"single": root / "single", "joblib": root / "joblib", "ray": root / "ray"}
    res = gridgov("seed=3", *JOB, f"hydra.run.dir={out['single']}")
    assert res.returncode == 0, res.stderr
    res = gridgov(
        "-m", "seed=3,4", *JOB, "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={out['joblib']}"
    )
    assert res.returncode == 0, res.stderr
    res = gridgov(
        "-m",
        "hydra/launcher=ray",
        "seed=3,4",
        *JOB,
        "+hydra.launcher.ray.init.num_cpus=2",
        f"hydra.sweep.dir={out['ray']}",
    )
    assert res.returncode == 0, res.stderr
    assert "Ray Launcher is launching 2 jobs" in res.stderr
    return out


def test_same_job_gives_the_same_bytes_through_every_launcher(launched):
    single, joblib, ray = launched["single"], launched["joblib"], launched["ray"]
    summary = assert_complete(single)
    assert summary["cum_infections"] > 0  # the epidemic shaped these timeseries
    for sweep in (joblib, ray):
        assert [d.name for d in job_dirs(sweep)] == ["0", "1"]
        for d in job_dirs(sweep):
            assert_complete(d)
        for name in ("timeseries.parquet", "events.parquet"):
            assert same_bytes(single / name, sweep / "0" / name), (sweep, name)
        assert same_bytes(joblib / "1" / "timeseries.parquet", ray / "1" / "timeseries.parquet")
        frame = summary_of(sweep)
        assert frame["job"].tolist() == ["0", "1"]
        assert frame["status"].tolist() == ["done", "done"]
        assert frame["override.seed"].tolist() == ["3", "4"]
        assert frame["cum_infections"].tolist()[0] == summary["cum_infections"]
    # seeds 3 and 4 differ: the comparisons above could fail
    assert not same_bytes(joblib / "0" / "timeseries.parquet", joblib / "1" / "timeseries.parquet")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="BLAS runs one thread everywhere")
def test_same_job_gives_the_same_summary_through_every_launcher(launched):
    def outcome(run_dir):
        summary = json.loads((run_dir / "summary.json").read_text())
        del summary["wall_seconds"], summary["overrides"]
        return summary

    single = outcome(launched["single"])
    assert outcome(launched["joblib"] / "0") == single
    assert outcome(launched["ray"] / "0") == single


def test_submitit_local_launcher(tmp_path):
    sweep = tmp_path / "sweep"
    res = gridgov(
        "-m", "hydra/launcher=submitit_local", "seed=1,2", *SMALL, f"hydra.sweep.dir={sweep}"
    )
    assert res.returncode == 0, res.stderr
    assert (sweep / ".submitit").is_dir()  # submitit's own files: not a job
    assert [d.name for d in job_dirs(sweep)] == ["0", "1"]
    for j, d in enumerate(job_dirs(sweep)):
        assert assert_complete(d)["seed"] == j + 1
    frame = summary_of(sweep)
    assert frame["job"].tolist() == ["0", "1"]
    assert frame["status"].tolist() == ["done", "done"]


@pytest.mark.parametrize(
    ("launcher", "target", "settings"),
    [
        ("slurm", "SlurmLauncher", {"cpus_per_task": 1, "timeout_min": 30, "partition": None}),
        (
            "ray_cluster",
            "RayLauncher",
            {"ray": {"init": {"address": "auto"}, "remote": {"num_cpus": 1}}},
        ),
        ("local", "JoblibLauncher", {"n_jobs": -1}),
    ],
)
def test_launcher_configs_compose(launcher, target, settings):
    res = gridgov("--cfg", "hydra", f"hydra/launcher={launcher}")
    assert res.returncode == 0, res.stderr
    assert target in res.stdout
    conf = yaml.safe_load(res.stdout)["hydra"]["launcher"]
    assert conf["_target_"].endswith(target)
    for key, value in settings.items():
        assert conf[key] == value


# ---- progress ------------------------------------------------------------------------


@pytest.mark.parametrize("progress", ["always", "never"])
def test_sweep_progress_bar(tmp_path, progress):
    sweep = tmp_path / "sweep"
    res = gridgov(
        "-m",
        "seed=1,2",
        "population.residents=2000",
        "days=20",
        f"output.progress={progress}",
        "hydra.launcher.n_jobs=2",
        f"hydra.sweep.dir={sweep}",
    )
    assert res.returncode == 0, res.stderr
    assert "sweep of 2 jobs" in res.stderr
    bars = [s for s in res.stderr.replace("\r", "\n").splitlines() if s.startswith("sweep:")]
    if progress == "always":
        # tqdm shows the rate as job/s, or as s/job when a job takes more than a second
        assert any("2/2 [" in b and ("job/s" in b or "s/job" in b) for b in bars), bars
    else:
        assert bars == []
        assert "job/s" not in res.stderr and "s/job" not in res.stderr
        assert "2/2" not in res.stderr
    assert summary_of(sweep)["status"].tolist() == ["done", "done"]


# ---- experiments ---------------------------------------------------------------------

COUNTERFACTUALS = [
    "huaian_2020",
    "no_intervention",
    "home_quarantine_only",
    "no_screening",
    "no_passes",
    "no_online_supply",
    "no_relief",
    "late_response",
    "early_lifting",
]
RELIEF = ["no_relief", "relief_liquidity", "relief_costs", "huaian_2020"]


@pytest.mark.parametrize(
    ("experiment", "param", "values"),
    [
        ("counterfactuals", "scenario", COUNTERFACTUALS),
        ("counterfactuals_stress", "scenario", COUNTERFACTUALS),
        (
            "quarantine_capacity",
            "+knobs.facility_capacity",
            ["0", "2000", "5000", "10000", "20000", "40000", "80000"],
        ),
        ("relief_design", "scenario", RELIEF),
    ],
)
def test_experiment_composes(experiment, param, values):
    res = gridgov("--cfg", "all", f"experiment={experiment}")
    assert res.returncode == 0, res.stderr
    cfg = yaml.safe_load(res.stdout)
    assert cfg["population"]["residents"] == (928700 if experiment == "counterfactuals" else 100000)
    hydra = cfg["hydra"]
    assert hydra["sweep"]["dir"] == f"multirun/{experiment}"
    assert hydra["sweeper"]["_target_"].endswith("BasicSweeper")
    params = hydra["sweeper"]["params"]
    assert set(params) == {param, "seed"}
    assert params["seed"] == "range(1,11)"
    assert params[param].split(",") == values
    if param == "scenario":
        assert set(values) <= set(SCENARIOS)
    stress = experiment in ("counterfactuals_stress", "quarantine_capacity")
    heavy = cfg["disease"]["importation"]["prevalence"] == 0.2
    assert (heavy and cfg["population"]["returnees"] == 30000) is stress


def test_sweep_seeds_composes():
    res = gridgov("--cfg", "hydra", "sweep=seeds", "scenario=no_relief")
    assert res.returncode == 0, res.stderr
    assert yaml.safe_load(res.stdout)["hydra"]["sweeper"]["params"] == {"seed": "range(1,11)"}


def test_experiment_shrunk_runs_every_scenario(tmp_path):
    sweep = tmp_path / "sweep"
    res = gridgov(
        "-m",
        "experiment=relief_design",
        *SMALL,
        "hydra.sweeper.params.seed='range(1,3)'",  # quoted: a value of Hydra's config
        "hydra.launcher.n_jobs=2",
        f"hydra.sweep.dir={sweep}",
    )
    assert res.returncode == 0, res.stderr
    assert "sweep of 8 jobs" in res.stderr
    frame = summary_of(sweep)
    assert frame["job"].tolist() == [str(j) for j in range(8)]
    assert frame["status"].tolist() == ["done"] * 8
    assert set(frame["scenario"]) == set(RELIEF)
    assert sorted(zip(frame["scenario"], frame["seed"], strict=True)) == sorted(
        (s, seed) for s in RELIEF for seed in (1, 2)
    )
    assert (frame["override.scenario"] == frame["scenario"]).all()
    assert (frame["residents"] == 2000).all() and (frame["days"] == 20).all()
    for d in job_dirs(sweep):
        assert_complete(d)
    # read back by analysis, end to end: the paired table of the real sweep
    res = gridgov("compare", str(sweep), "--baseline", "no_relief", "--format", "csv")
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(io.StringIO(res.stdout))
    assert set(table["scenario"]) == set(RELIEF) - {"no_relief"}
    assert (table["pairs"] == 2).all()
    firms = table[table["metric"] == "fiscal_cost_cny"].set_index("scenario")
    base = frame[frame["scenario"] == "no_relief"].set_index("seed")
    for name in firms.index:
        mine = frame[frame["scenario"] == name].set_index("seed")
        want = float((mine["fiscal_cost_cny"] - base["fiscal_cost_cny"]).mean())
        assert firms.loc[name, "difference"] == pytest.approx(want, rel=1e-9)


def test_experiment_with_a_knob_sweep_runs(tmp_path):
    sweep = tmp_path / "sweep"
    res = gridgov(
        "-m",
        "experiment=quarantine_capacity",
        *SMALL,
        "hydra.sweeper.params.seed=1",
        "hydra.launcher.n_jobs=2",
        f"hydra.sweep.dir={sweep}",
    )
    assert res.returncode == 0, res.stderr
    assert "sweep of 7 jobs" in res.stderr
    frame = summary_of(sweep)
    assert frame["status"].tolist() == ["done"] * 7
    rooms = [0, 2000, 5000, 10000, 20000, 40000, 80000]
    assert frame["override.knobs.facility_capacity"].tolist() == [str(r) for r in rooms]
    assert frame["knobs.facility_capacity"].tolist() == rooms


def test_documented_seed_range_override_runs(tmp_path):
    res = gridgov(
        "-m",
        "sweep=seeds",
        "seed=range(1,3)",  # as documented: replaces the sweep file's range(1,11)
        *SMALL,
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
    )
    assert res.returncode == 0, res.stderr
    assert summary_of(tmp_path / "sweep")["status"].tolist() == ["done", "done"]
