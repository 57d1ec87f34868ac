"""Each response policy on a small world, composed as the command line does."""

import numpy as np
import pytest

import sim
from sim.response.quarantine import FACILITY, HOME
from tests.helpers import scenario_file, small_config

IMPORTS = "disease.seeding=[{start: '2020-01-20', stop: '2020-02-08', per_day: 2000}]"


def run_with(tmp_path, policies, *overrides, days=40):
    f = scenario_file(tmp_path, policies)
    cfg = small_config("population.residents=20000", f"days={days}", f"scenario={f}", *overrides)
    return sim.run(cfg)


def test_screening_finds_symptomatic_and_key_persons(tmp_path):
    res = run_with(
        tmp_path,
        [
            {"kind": "screening_campaign", "start": 10},
            {"kind": "home_quarantine", "start": 0},
        ],
        IMPORTS,
    )
    ts, s = res.timeseries, res.summary
    assert s["cum_screened"] == 20000
    assert s["screening_days_to_99pct"] <= 3
    assert ts["new_screened"].iloc[:10].sum() == 0
    assert ts["new_confirmed_screening"].sum() > 0
    m = res.model
    r = m.response.cases
    key = r.returnees[(r.returnee_day <= 12) & (r.returnee_day > 12 - 14)]
    assert s["key_persons_found"] > 0.8 * key.size
    assert ts["new_quarantined_home"].sum() >= s["key_persons_found"] - 5


def test_tracing_quarantines_contacts_in_the_facility_up_to_capacity(tmp_path):
    res = run_with(
        tmp_path,
        [
            {"kind": "isolate_confirmed", "start": 0},
            {"kind": "contact_tracing", "start": 0},
            {"kind": "centralised_quarantine", "start": 0, "capacity": 3000, "overflow": "none"},
        ],
        IMPORTS,
    )
    ts, s = res.timeseries, res.summary
    capacity = round(3000 * 20000 / 928700)
    assert s["cum_traced"] > 0
    assert ts["n_quarantined_facility"].max() <= capacity
    assert s["peak_facility_occupancy"] == ts["n_quarantined_facility"].max() > 0
    assert s["cum_quarantined_home"] == 0  # overflow: none
    # 2 hours a case for its household and named contacts, 1 more for its other contacts
    # if the grid has hours left; hours short of a whole case are spent without finishing
    cases = ts["new_cases_traced"].sum()
    assert 2.0 * cases <= ts["staff_hours_tracing"].sum() <= 1.2 * 3.0 * cases
    assert s["traced_by_group"]["household"] > 0 and s["traced_by_group"]["named"] > 0


def test_centralised_quarantine_stops_leaks_from_quarantine(tmp_path):
    base = [{"kind": "isolate_confirmed", "start": 0}, {"kind": "contact_tracing", "start": 0}]
    home = run_with(tmp_path, [*base, {"kind": "home_quarantine", "start": 0}], IMPORTS)
    fac = run_with(
        tmp_path,
        [*base, {"kind": "centralised_quarantine", "start": 0, "capacity": 10**7}],
        IMPORTS,
    )
    assert home.timeseries["new_infections_from_quarantine"].sum() > 0
    assert fac.timeseries["new_infections_from_quarantine"].sum() == 0
    assert fac.summary["cum_quarantined_home"] == 0


def test_monitoring_takes_hours_and_lowers_leaks(tmp_path):
    base = [
        {"kind": "isolate_confirmed", "start": 0},
        {"kind": "contact_tracing", "start": 0},
        {"kind": "home_quarantine", "start": 0},
    ]
    plain = run_with(tmp_path, base, IMPORTS)
    watched = run_with(
        tmp_path,
        [
            *base,
            {"kind": "quarantine_monitoring", "start": 0, "effect": 1.0, "hours_per_person": 0.001},
        ],
        IMPORTS,
        # monitoring first, so that tracing cannot take its hours
        "staff.priority=[monitoring,tracing,errands,screening,delivery,checkpoint,reporting,information]",
    )
    ts = watched.timeseries
    assert ts["staff_hours_monitoring"].sum() > 0
    m = watched.model
    j = np.flatnonzero(m.epi.isolation == HOME)
    # fully staffed monitoring removes every outside leak
    share = m.response.home_outside_share(j, m.day - 1)
    assert j.size > 0 and np.allclose(share, 0.0)
    leak = lambda r: r.timeseries["new_infections_from_quarantine"].sum()  # noqa: E731
    assert leak(watched) <= leak(plain)


def test_information_push_counts_messages_and_raises_awareness(tmp_path):
    res = run_with(tmp_path, [{"kind": "information_push", "start": 5, "stop": 25}])
    ts = res.timeseries
    grids = res.model.pop.n_grids
    daily = ts["new_messages"].iloc[5:25]
    assert daily.to_numpy() == pytest.approx(np.full(20, 0.45 * 10 * grids))
    assert ts["mean_awareness"].iloc[4] == 0
    assert ts["mean_awareness"].iloc[24] > 0.5
    assert ts["mean_awareness"].iloc[39] < ts["mean_awareness"].iloc[24]  # decays after
    m = res.model
    community = m.epidemic.groups[0]
    assert m.today.trips is not None
    went = np.flatnonzero(m.today.trips.went_other)[:100]  # made an other trip on the last day
    went_by = {"community": m.today.trips.went_other}
    part = m.epidemic.participation(community, 1.0, m.day - 1, m.response, went_by)
    # aware residents cut their community contacts below a full trip's
    assert went.size and np.all(part(went) < community.norm)


def test_checkpoint_shifts_reports_and_inspections(tmp_path):
    res = run_with(
        tmp_path,
        [
            {"kind": "checkpoints", "start": 0, "stop": 10},
            {"kind": "deploy_cadres", "start": 0},
            {"kind": "grid_reporting", "start": 0, "stop": 10},
            {"kind": "inspections", "start": 0, "lapse_rate": 1.0, "detect_prob": 1.0},
        ],
    )
    ts, s = res.timeseries, res.summary
    m = res.model
    grids, comms = m.pop.n_grids, m.response.staff.communities.size
    assert ts["new_checkpoint_shifts"].iloc[0] == pytest.approx(0.2 * grids + 6.0 * comms)
    assert ts["cum_checkpoint_shifts_grid_workers"].iloc[0] == pytest.approx(0.2 * grids)
    assert ts["new_checkpoint_shifts"].iloc[10:].sum() == 0
    assert s["reports_filed"] >= round(10 * 0.16 * grids)
    assert s["problems_fixed"] > 0
    assert ts["cum_problems_fixed"].is_monotonic_increasing


def test_coordination_modes_change_capacity(tmp_path):
    base = [
        {"kind": "screening_campaign", "start": 0, "cadres": False},
        {"kind": "deploy_cadres", "start": 0},
    ]
    plain = run_with(tmp_path, base, "staff.grid_worker_hours=4", days=10)
    prop = run_with(
        tmp_path,
        [*base, {"kind": "coordination", "start": 0, "mode": "grid_property"}],
        "staff.grid_worker_hours=4",
        days=10,
    )
    # property rolls make urban screening faster on the first day
    assert prop.timeseries["new_screened"].iloc[0] > plain.timeseries["new_screened"].iloc[0]
    dept = run_with(
        tmp_path,
        [*base, {"kind": "coordination", "start": 0, "mode": "grid_department"}],
        "staff.grid_worker_hours=4",
        days=10,
    )
    # department cadres help even though the campaign did not ask for them
    assert dept.timeseries["new_screened"].iloc[0] > plain.timeseries["new_screened"].iloc[0]


def test_quarantine_codes_are_consistent_with_counts(tmp_path):
    res = run_with(
        tmp_path,
        [
            {"kind": "isolate_confirmed", "start": 0},
            {"kind": "contact_tracing", "start": 0},
            {"kind": "centralised_quarantine", "start": 0, "capacity": 500},
        ],
        IMPORTS,
    )
    m = res.model
    iso = m.epi.isolation
    assert np.count_nonzero(iso == FACILITY) == m.response.cases.quarantine.facility_occupancy
    assert res.timeseries["n_quarantined_home"].iloc[-1] == np.count_nonzero(iso == HOME)


def test_cadres_work_only_when_deployed(tmp_path):
    base = [{"kind": "screening_campaign", "start": 0}]
    without = run_with(tmp_path, base, "staff.grid_worker_hours=4", days=3)
    with_cadres = run_with(
        tmp_path,
        [*base, {"kind": "deploy_cadres", "start": 0}],
        "staff.grid_worker_hours=4",
        days=3,
    )
    assert without.summary["screening_person_days_cadres"] == 0
    assert with_cadres.summary["screening_person_days_cadres"] > 0
    first = lambda r: r.timeseries["new_screened"].iloc[0]  # noqa: E731
    assert first(with_cadres) > first(without)
