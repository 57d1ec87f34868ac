"""Calibration arithmetic: likelihoods against scipy, observed-data checks, intervals, plot."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import fit

from .metrics_fixture import catalog

START = dt.date(2020, 1, 20)
END = dt.date(2020, 5, 18)
METRICS = ["new_confirmed", "new_deaths", "new_infections", "n_hospitalised"]


# ---- likelihood ----------------------------------------------------------------------


@pytest.mark.parametrize("k", [0.5, 5.0, 80.0])
def test_negbin_matches_scipy_on_integer_data(k):
    rng = np.random.default_rng(1)
    mu = rng.uniform(0.05, 400, size=200)
    y = rng.negative_binomial(k, k / (k + mu)).astype(float)
    expected = stats.nbinom.logpmf(y, k, k / (k + mu))
    np.testing.assert_allclose(fit.loglik_negbin(y, mu, k), expected, rtol=1e-10, atol=1e-10)


def test_poisson_matches_scipy_on_integer_data():
    rng = np.random.default_rng(2)
    mu = rng.uniform(0.05, 400, size=200)
    y = rng.poisson(mu).astype(float)
    np.testing.assert_allclose(
        fit.loglik_poisson(y, mu), stats.poisson.logpmf(y, mu), rtol=1e-10, atol=1e-10
    )


def test_negbin_tends_to_poisson_as_k_grows():
    y, mu = np.array([0.0, 3, 17, 250]), np.array([1.0, 2.5, 20, 240])
    np.testing.assert_allclose(
        fit.loglik_negbin(y, mu, 1e7), fit.loglik_poisson(y, mu), rtol=1e-4, atol=1e-4
    )


def test_mean_is_floored_and_non_integer_counts_are_allowed():
    # a day the model's seeds all gave 0: the floor keeps it finite
    y = np.array([0.0, 4.0])
    zero = fit.loglik_poisson(y, np.array([0.0, 0.0]))
    floor = fit.loglik_poisson(y, np.full(2, fit.MEAN_FLOOR))
    np.testing.assert_array_equal(zero, floor)
    assert np.isfinite(fit.loglik_negbin(y, np.zeros(2), 5.0)).all()
    # non-integer observations (a 7-day mean) lie between their integer neighbours
    mu = np.full(3, 10.0)
    low, mid, high = fit.loglik_poisson(np.array([9.0, 9.5, 10.0]), mu)
    assert min(low, high) - 0.2 < mid < max(low, high) + 0.2
    assert np.isfinite(fit.loglik_negbin(np.array([9.5]), np.array([10.0]), 5.0)).all()


def test_unknown_likelihood_and_bad_dispersion():
    with pytest.raises(ValueError, match=r"allowed: \['negbin', 'poisson'\]"):
        fit.loglik(np.ones(2), np.ones(2), "gauss")
    with pytest.raises(ValueError, match="dispersion"):
        fit.loglik_negbin(np.ones(2), np.ones(2), 0.0)


def test_score_sums_over_days_of_the_seed_mean():
    days = pd.date_range("2020-02-01", periods=3, freq="D")
    observed = pd.DataFrame(
        {"new_confirmed": [1.0, 2.0, 3.0], "new_deaths": [0.0, 1.0, 0.0]},
        index=pd.DatetimeIndex(days, name="date"),
    )
    run_days = pd.date_range("2020-01-30", periods=6, freq="D")
    a = pd.DataFrame({"date": run_days, "new_confirmed": [9, 9, 0, 2, 4, 9], "new_deaths": 0})
    b = pd.DataFrame({"date": run_days, "new_confirmed": [9, 9, 2, 2, 2, 9], "new_deaths": 2})
    got = fit.score(observed, [a, b], "poisson")
    mean_c = np.array([1.0, 2.0, 3.0])
    assert got["new_confirmed"] == pytest.approx(stats.poisson.logpmf([1, 2, 3], mean_c).sum())
    assert got["new_deaths"] == pytest.approx(stats.poisson.logpmf([0, 1, 0], 1.0).sum())
    assert list(got) == ["new_confirmed", "new_deaths"]
    with pytest.raises(ValueError, match="not every observed day"):
        fit.score(observed, [a.iloc[:3]], "poisson")


# ---- observed data -------------------------------------------------------------------


def write(tmp_path, text, name="obs.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_observed_good_file(tmp_path):
    path = write(
        tmp_path,
        "date,new_confirmed,new_deaths\n2020-02-02,3,0\n2020-02-01,1.5,0\n2020-02-03,0,1\n",
    )
    frame = fit.read_observed(path, METRICS, START, END)
    assert list(frame.columns) == ["new_confirmed", "new_deaths"]
    assert list(frame.index.date) == [dt.date(2020, 2, d) for d in (1, 2, 3)]
    assert frame["new_confirmed"].tolist() == [1.5, 3.0, 0.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("day,new_confirmed\n2020-02-01,1\n", "no 'date' column"),
        ("Date,new_confirmed\n2020-02-01,1\n", "did you mean 'date'"),
        ("date\n2020-02-01\n", "no metric column"),
        ("date,new_confirmd\n2020-02-01,1\n", "did you mean 'new_confirmed'"),
        ("date,cases\n2020-02-01,1\n", "'cases' is not a timeseries metric"),
        ("date,new_confirmed\n", "no rows"),
        ("date,new_confirmed\n2020-02-01,1\n01/02/2020,2\n", "line 3: date '01/02/2020'"),
        ("date,new_confirmed\n2020-02-01,1\n2020-02-01,2\n", "2020-02-01 appears twice"),
        (
            "date,new_confirmed\n2020-02-01,1\n2020-02-02,1\n2020-02-05,1\n",
            "2 missing between 2020-02-01 and 2020-02-05, first 2020-02-03",
        ),
        (
            "date,new_confirmed\n2020-01-18,1\n2020-01-19,1\n2020-01-20,1\n",
            "2020-01-18 to 2020-01-19 (2 days) are outside the runs' period",
        ),
        ("date,new_confirmed\n2020-05-19,1\n", "2020-05-19 are outside"),
        ("date,new_confirmed\n2020-02-01,-1\n", "new_confirmed on 2020-02-01 is -1"),
        ("date,new_confirmed\n2020-02-01,\n", "empty or NaN"),
        ("date,new_confirmed\n2020-02-01,nan\n", "empty or NaN"),
        ("date,new_confirmed\n2020-02-01,inf\n", "finite"),
        ("date,new_confirmed\n2020-02-01,many\n", "'many' is not a number"),
        ("date,new_confirmed,new_confirmed\n2020-02-01,1,2\n", "more than once"),
    ],
)
def test_read_observed_bad_files_name_the_file_and_fault(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(fit.ObservedDataError) as info:
        fit.read_observed(path, METRICS, START, END)
    assert str(path) in str(info.value)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_metric_lists_the_valid_ones(tmp_path):
    path = write(tmp_path, "date,new_death\n2020-02-01,1\n")
    with pytest.raises(fit.ObservedDataError, match="did you mean 'new_deaths'") as info:
        fit.read_observed(path, METRICS, START, END)
    assert str(sorted(METRICS)) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(fit.ObservedDataError, match="no such file"):
        fit.read_observed(tmp_path / "nope.csv", METRICS, START, END)


# ---- intervals -----------------------------------------------------------------------


def test_profile_intervals_range_over_trials_within_the_drop():
    trials = pd.DataFrame(
        {
            "state": ["COMPLETE"] * 5 + ["FAIL"],
            "a": [1.0, 2.0, 3.0, 4.0, 5.0, 9.0],
            "b": [10.0, 11.0, 12.0, 13.0, 14.0, 0.0],
            "loglik": [-110.0, -101.5, -100.0, -101.9, -102.0, np.nan],
        }
    )
    got = fit.profile_intervals(trials, ["a", "b"], {"a": (2.0, 5.0), "b": (0.0, 20.0)})
    row = got.set_index("param")
    assert row.loc["a", "best"] == 3.0
    assert (row.loc["a", "low"], row.loc["a", "high"]) == (2.0, 4.0)  # -102.0 is out
    assert (row.loc["b", "low"], row.loc["b", "high"]) == (11.0, 13.0)
    assert row.loc["a", "trials_within"] == 3
    assert row.loc["a", "at_bound"] == "low" and row.loc["b", "at_bound"] == ""
    with pytest.raises(ValueError, match="no complete trial"):
        fit.profile_intervals(trials[trials["state"] == "FAIL"], ["a"])


def test_fit_figure_has_a_panel_per_metric_with_points_and_band():
    days = pd.date_range("2020-01-20", periods=30, freq="D")
    observed = pd.DataFrame(
        {"new_confirmed": np.arange(10.0), "new_deaths": np.zeros(10)},
        index=pd.DatetimeIndex(days[5:15], name="date"),
    )
    runs = [
        pd.DataFrame({"date": days, "new_confirmed": np.arange(30) + s, "new_deaths": s})
        for s in range(3)
    ]
    fig = fit.fit_figure(observed, runs, "title", catalog=catalog("timeseries"))
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2
    assert "new confirmed" in axes[0].get_ylabel()
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert labels == ["model: median of 3 seeds", "model: 10–90% over seeds", "observed"]
