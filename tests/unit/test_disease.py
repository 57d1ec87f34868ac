import numpy as np
import pytest

from sim.config import Duration
from sim.epidemic.disease import (
    CovidHistory,
    EpiState,
    ProgressContext,
    SeirHistory,
    Severity,
    State,
    geometric_days,
    lognormal_days,
    susceptibility,
)
from sim.rng import GeneratorDraws, KeyedDraws, Streams
from tests.helpers import small_config


@pytest.fixture(scope="module")
def dcfg():
    return small_config().disease


def test_lognormal_days_mean_and_floor():
    rng = np.random.default_rng(0)
    x = lognormal_days(Duration(8.0, 2.0), rng.random(200_000))
    assert x.min() >= 1
    assert x.mean() == pytest.approx(8.0, abs=0.05)  # rounding keeps the mean
    assert x.std() == pytest.approx(2.0, abs=0.05)
    assert lognormal_days(Duration(3.0, 0.0), rng.random(5)).tolist() == [3] * 5
    # inverse CDF: monotone in the uniform
    u = np.linspace(0.01, 0.99, 50)
    assert np.all(np.diff(lognormal_days(Duration(8.0, 4.0), u)) >= 0)


def test_geometric_days_mean():
    x = geometric_days(4.0, np.random.default_rng(1).random(200_000))
    assert x.min() >= 1
    assert x.mean() == pytest.approx(4.0, rel=0.01)
    assert x.var() == pytest.approx((1 - 0.25) / 0.25**2, rel=0.03)


def test_susceptibility_by_age(dcfg):
    s = susceptibility(np.array([0, 14, 15, 64, 65, 90]), dcfg)
    assert s.tolist() == pytest.approx([0.34, 0.34, 1.0, 1.0, 1.47, 1.47])


def test_severity_shares_follow_the_age_tables(dcfg):
    n = 400_000
    age = np.full(n, 75, dtype=np.int8)  # band 70-79
    epi = EpiState.empty(n, np.ones(n))
    h = CovidHistory(epi, dcfg, age)
    sev = h.draw_severity(np.arange(n), GeneratorDraws(np.random.default_rng(2)))
    band = 7
    assert (sev == Severity.ASYMPTOMATIC).mean() == pytest.approx(
        dcfg.asymptomatic_share, abs=0.003
    )
    hosp = (sev >= Severity.SEVERE).mean()
    assert hosp == pytest.approx(dcfg.hospitalised_share[band], rel=0.02)
    crit = (sev >= Severity.CRITICAL).mean()
    assert crit == pytest.approx(dcfg.hospitalised_share[band] * dcfg.icu_share[band], rel=0.04)
    assert (sev == Severity.FATAL).mean() == pytest.approx(dcfg.ifr[band], rel=0.05)


def test_young_ifr_is_capped_by_the_critical_share(dcfg):
    # for 10-19 the IFR table exceeds hospitalised x ICU share; deaths cannot exceed criticals
    age = np.array([15], dtype=np.int8)
    h = CovidHistory(EpiState.empty(1, np.ones(1)), dcfg, age)
    assert h.p_death_given_critical[0] == pytest.approx(1.0)


def _run_history(h, epi, days, icu_free=10**9):
    counts = []
    draws = KeyedDraws(Streams(3), "disease")
    for d in range(days):
        ctx = ProgressContext(icu_free, 0.8, Duration(4.6, 3.0))
        h.progress(d, draws, ctx)
        counts.append(np.bincount(epi.state, minlength=9))
    return np.array(counts)


def test_progression_conserves_residents_and_reaches_an_end(dcfg):
    n = 20_000
    age = np.random.default_rng(4).integers(0, 95, n).astype(np.int8)
    epi = EpiState.empty(n, np.ones(n))
    h = CovidHistory(epi, dcfg, age)
    h.infect(np.arange(n), 0, KeyedDraws(Streams(5), "disease"))
    counts = _run_history(h, epi, 150)
    assert np.all(counts.sum(axis=1) == n)
    final = counts[-1]
    assert final[State.R] + final[State.D] == n  # everyone resolved after 150 days
    died = epi.severity == Severity.FATAL
    assert np.array_equal(epi.state == State.D, died)


def test_critical_cases_without_icu_die_more(dcfg):
    n = 50_000
    age = np.full(n, 85, dtype=np.int8)
    deaths = []
    for free in (10**9, 0):
        epi = EpiState.empty(n, np.ones(n))
        h = CovidHistory(epi, dcfg, age)
        h.infect(np.arange(n), 0, KeyedDraws(Streams(6), "disease"))
        _run_history(h, epi, 120, icu_free=free)
        deaths.append(int((epi.state == State.D).sum()))
    crit = dcfg.hospitalised_share[8] * dcfg.icu_share[8] * n
    p = dcfg.ifr[8] / (dcfg.hospitalised_share[8] * dcfg.icu_share[8])
    odds = p / (1 - p) * dcfg.no_icu_death_odds_ratio
    assert deaths[0] == pytest.approx(crit * p, rel=0.05)
    assert deaths[1] == pytest.approx(crit * odds / (1 + odds), rel=0.05)


def test_seir_history_durations():
    n = 100_000
    epi = EpiState.empty(n, np.ones(n))
    h = SeirHistory(epi, 4.0, 5.0)
    h.infect(np.arange(n), 0, KeyedDraws(Streams(7), "disease"))
    assert (epi.t_next.mean()) == pytest.approx(4.0, rel=0.02)
    draws = KeyedDraws(Streams(8), "disease")
    became = np.full(n, -1)
    ended = np.full(n, -1)
    for d in range(200):
        h.progress(d, draws, ProgressContext(0, 0.0, Duration(1, 1)))
        became[(became < 0) & (epi.state >= State.A)] = d
        ended[(ended < 0) & (epi.state == State.R)] = d
    assert np.all(epi.state == State.R)
    assert (ended - became).mean() == pytest.approx(5.0, rel=0.02)


def test_a_residents_course_does_not_depend_on_who_else_is_infected(dcfg):
    n = 5000
    age = np.random.default_rng(9).integers(0, 95, n).astype(np.int8)
    runs = []
    for idx in (np.arange(0, n, 2), np.arange(n)):  # half the residents, then all
        epi = EpiState.empty(n, np.ones(n))
        h = CovidHistory(epi, dcfg, age)
        h.infect(idx, 0, KeyedDraws(Streams(10), "disease"))
        _run_history(h, epi, 150)
        runs.append(epi)
    both = np.arange(0, n, 2)
    for name in ("severity", "rel_inf", "t_confirm", "state"):
        assert np.array_equal(getattr(runs[0], name)[both], getattr(runs[1], name)[both]), name
