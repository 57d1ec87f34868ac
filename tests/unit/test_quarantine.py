"""Quarantine, tracing by risk and PCR tests in quarantine (sim/response)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.epidemic.disease import State
from sim.response.quarantine import FACILITY, HOME, Quarantine
from sim.response.testing import PcrTesting, sensitivity
from sim.response.tracing import HOUSEHOLD, KEY_PERSON, NAMED, OTHER, ContactTracing, TracingRules
from tests.helpers import scenario_file, small_config

ALL = [HOUSEHOLD, KEY_PERSON, NAMED, OTHER]


@pytest.fixture
def epi():
    return sim.DistrictModel(small_config("population.residents=200", "days=5")).epi


def test_facility_capacity_and_release(epi):
    q = Quarantine(epi, 1.0, 0.8, 0.02)
    g = np.full(10, HOUSEHOLD)
    home, fac = q.admit(np.arange(10), g, 0, 14, "facility", 4, ALL, True, np.random.default_rng(3))
    assert fac.size == 4 and home.size == 6
    assert q.facility_occupancy == 4
    assert np.count_nonzero(epi.isolation == FACILITY) == 4
    assert np.count_nonzero(epi.isolation == HOME) == 6
    # already quarantined residents are not admitted twice; overflow 'none' leaves them out
    g = np.full(20, HOUSEHOLD)
    home2, fac2 = q.admit(
        np.arange(20), g, 1, 15, "facility", 4, ALL, False, np.random.default_rng(4)
    )
    assert fac2.size == 0 and home2.size == 0
    assert q.release_due(13) == 0
    assert q.release_due(14) == 10
    assert q.facility_occupancy == 0 and not np.any(epi.isolation == HOME)


def test_rooms_go_to_the_highest_risk_groups_first(epi):
    q = Quarantine(epi, 1.0, 0.8, 0.02)
    idx = np.arange(40)
    group = np.repeat([OTHER, NAMED, KEY_PERSON, HOUSEHOLD], 10)  # lowest risk listed first
    home, fac = q.admit(idx, group, 0, 14, "facility", 15, ALL, True, np.random.default_rng(1))
    assert fac.size == 15 and home.size == 25
    # all 10 household contacts, then 5 of the 10 key persons; nobody of the others
    assert np.all(np.isin(np.arange(30, 40), fac))
    assert np.count_nonzero(np.isin(np.arange(20, 30), fac)) == 5
    assert not np.any(np.isin(np.arange(20), fac))
    by = q.facility_by_group()
    assert by[HOUSEHOLD] == 10 and by[KEY_PERSON] == 5 and by[NAMED] == by[OTHER] == 0


def test_groups_not_in_priority_stay_home_and_a_resident_keeps_its_highest_risk(epi):
    q = Quarantine(epi, 1.0, 0.8, 0.02)
    idx = np.array([5, 6, 6, 7])
    group = np.array([OTHER, OTHER, HOUSEHOLD, KEY_PERSON])
    home, fac = q.admit(
        idx, group, 0, 14, "facility", 10, [HOUSEHOLD], False, np.random.default_rng(1)
    )
    assert fac.tolist() == [6]  # listed as other and household: household
    assert sorted(home.tolist()) == [5, 7]  # not in priority: home, even with overflow none
    assert q.group[6] == HOUSEHOLD and q.group[7] == KEY_PERSON


def test_residents_waiting_at_home_move_in_by_priority_as_rooms_free(epi):
    q = Quarantine(epi, 1.0, 0.8, 0.02)
    rng = np.random.default_rng(2)
    # before the facility opens everyone is at home
    q.admit(np.arange(6), np.array([OTHER] * 3 + [HOUSEHOLD] * 3), 0, 14, "home", 0, ALL, True, rng)
    q.admit(np.arange(6, 9), np.full(3, NAMED), 2, 16, "home", 0, ALL, True, rng)
    moved = q.transfer(4, ALL, rng)
    assert sorted(moved.tolist())[:3] == [3, 4, 5]  # household contacts, then a named one
    assert moved.size == 4 and q.group[moved].tolist().count(NAMED) == 1
    assert np.all(epi.isolation[moved] == FACILITY) and q.facility_occupancy == 4
    assert q.end[3] == 14  # the quarantine keeps its end
    assert q.transfer(4, ALL, rng).size == 0  # full
    q.leave(np.array([3]))
    nxt = q.transfer(4, ALL, rng)
    assert nxt.size == 1 and q.group[nxt[0]] == NAMED and nxt[0] not in moved
    # a household contact arriving today goes before the others still waiting
    home, fac = q.admit(np.array([20]), np.array([HOUSEHOLD]), 3, 17, "facility", 5, ALL, True, rng)
    assert fac.tolist() == [20] and home.size == 0
    home, fac = q.admit(np.array([21]), np.array([OTHER]), 3, 17, "facility", 6, ALL, True, rng)
    assert fac.size == 1 and q.group[fac[0]] == NAMED  # a named contact waiting since day 2
    assert home.tolist() == [21]


def test_quarantine_restarts_when_a_household_member_is_confirmed(epi):
    q = Quarantine(epi, 1.0, 0.8, 0.02)
    rng = np.random.default_rng(2)
    q.admit(np.arange(3, 5), np.full(2, HOUSEHOLD), 0, 14, "facility", 2, ALL, True, rng)
    q.admit(np.arange(3), np.full(3, HOUSEHOLD), 0, 14, "home", 0, ALL, True, rng)
    later = q.restart(np.arange(6), 20)
    assert sorted(later.tolist()) == [0, 1, 2]  # home only: the facility has no housemates
    assert np.all(q.end[:3] == 20) and np.all(q.end[3:5] == 14)
    assert q.restart(np.arange(3), 18).size == 0  # never shortened


def test_home_compliance_decays_and_monitoring_helps(epi):
    q = Quarantine(epi, 1.0, 0.8, 0.1)
    q.admit(np.arange(3), np.full(3, OTHER), 0, 30, "home", 0, ALL, True, np.random.default_rng(5))
    j = np.arange(3)
    day0, day10 = q.outside_share(j, 0, 0.0), q.outside_share(j, 10, 0.0)
    assert day0 == pytest.approx([0.2] * 3)
    assert np.all(day10 > day0)
    assert np.all(q.outside_share(j, 10, 0.8) == pytest.approx(day10 * 0.2))


def test_pcr_sensitivity_follows_kucirka():
    # Kucirka et al. 2020: false negatives 100% day 1, 67% day 4, 38% day 5, 20% day 8,
    # 21% day 9, 66% day 21
    s = sensitivity(np.array([-1, 0, 1, 4, 5, 8, 9, 21, 36]))
    assert s == pytest.approx([0, 0, 0, 0.33, 0.62, 0.80, 0.79, 0.34, 0], abs=1e-9)
    assert sensitivity(np.array([6]))[0] == pytest.approx(1 - (0.38 + (0.20 - 0.38) / 3))


def tracing_world():
    m = sim.DistrictModel(small_config("population.residents=5000", "days=5"))
    return m, m.pop


RULES = TracingRules(
    delay_days=0,
    hours_per_case=2.0,
    hours_per_case_other=1.0,
    household_share=1.0,
    named_share=1.0,
    named_contacts=3,
    other_share=1.0,
    other_contacts=5,
)


def test_tracing_finds_household_named_and_other_contacts_in_the_window():
    m, pop = tracing_world()
    t = ContactTracing(pop, m.epidemic.layer_names)
    e = m.epi
    size = np.diff(pop.household_start)
    hh = int(np.flatnonzero(size >= 3)[0])
    case = int(pop.household_start[hh])
    worker = np.flatnonzero(pop.employer >= 0)
    worker = int(worker[pop.household[worker] != hh][0])
    market = int(np.flatnonzero(pop.household != hh)[-1])
    early = int(np.flatnonzero(pop.household != hh)[-2])
    layers = m.epidemic.layer_names
    e.layer[[worker, market, early]] = [
        layers.index("workplace"),
        layers.index("market"),
        layers.index("community"),
    ]
    e.infected_day[[worker, market, early]] = [8, 9, 3]  # early: before the window
    t.log_infections(np.array([case] * 3), np.array([worker, market, early]))
    window = np.full(pop.n, 6)
    t.enqueue(np.array([case]), 10)
    hours = np.zeros(pop.n_grids)
    hours[pop.grid[case]] = 3.0
    cases, contacts, group = t.trace(
        hours, 10, RULES, window, e.infected_day, e.layer, np.random.default_rng(1)
    )
    assert cases.tolist() == [case]
    found = dict(zip(contacts.tolist(), group.tolist(), strict=True))
    members = range(pop.household_start[hh] + 1, pop.household_start[hh + 1])
    assert all(found[j] == HOUSEHOLD for j in members)
    assert found[worker] == NAMED and found[market] == OTHER
    assert early not in found  # infected before the tracing window
    assert case not in found
    assert np.count_nonzero(group == NAMED) >= 2  # the colleague infected, and others named
    assert np.count_nonzero(group == OTHER) >= 2


def test_tracing_hours_serve_household_and_named_contacts_before_others():
    m, pop = tracing_world()
    t = ContactTracing(pop, m.epidemic.layer_names)
    e = m.epi
    grid0 = np.arange(pop.grid_start[0], pop.grid_start[1])
    cases = grid0[:3]
    t.enqueue(cases, 0)
    hours = np.zeros(pop.n_grids)
    window_start = np.zeros(pop.n, dtype=np.int64)  # every infection from day 0 counts

    def trace(day: int, seed: int):
        return t.trace(
            hours, day, RULES, window_start, e.infected_day, e.layer, np.random.default_rng(seed)
        )

    hours[0] = 2.0 * 3 + 1.0  # the core of all three, the others of one
    traced, _, group = trace(0, 3)
    assert sorted(traced.tolist()) == sorted(cases.tolist())
    assert 1 <= np.count_nonzero(group == OTHER) <= RULES.other_contacts
    # with the core hours of two cases only, two are traced and the third waits
    t.enqueue(grid0[3:6], 1)
    hours[0] = 4.5
    traced, _, _ = trace(1, 4)
    assert traced.size == 2 and t.case.size == 1
    assert t.demand(1, RULES)[0] == pytest.approx(3.0)


def test_quarantine_testing_confirms_infected_contacts(tmp_path):
    """With PCR tests in quarantine, infected contacts are confirmed sooner than by symptoms."""
    from tests.helpers import scenario_file

    base = [
        {"kind": "isolate_confirmed", "start": 0},
        {"kind": "contact_tracing", "start": 0},
        {"kind": "home_quarantine", "start": 0},
    ]
    over = [
        "population.residents=20000",
        "days=40",
        "disease.seeding=[{start: 0, stop: 10, per_day: 60}]",
    ]
    runs = {}
    for name, extra in (("plain", []), ("tested", [{"kind": "quarantine_testing", "start": 0}])):
        f = scenario_file(tmp_path, base + extra, name=name)
        runs[name] = sim.run(small_config(f"scenario={f}", *over, "seed=3"))
    ts = runs["tested"].timeseries
    assert ts["new_confirmed_pcr"].sum() > 0
    assert ts["cum_pcr_tests"].iloc[-1] >= ts["cum_quarantined_home"].iloc[-1]
    assert ts["pcr_cost_cny"].sum() == pytest.approx(180.0 * ts["new_pcr_tests"].sum())
    assert runs["plain"].timeseries["cum_pcr_tests"].iloc[-1] == 0
    # every positive was infected when tested
    m = runs["tested"].model
    ev = runs["tested"].events
    pos = ev[ev["action"] == "confirm (PCR in quarantine)"]
    assert np.all(m.epi.infected_day[pos["target"].to_numpy()] >= 0)
    assert np.all(m.epi.state[pos["target"].to_numpy()] != State.S)


def test_lab_queue_runs_the_ill_first_then_the_oldest_up_to_its_capacity(epi):
    lab = PcrTesting(epi)
    n = epi.state.size
    keep = np.ones(n, dtype=bool)
    ill = np.zeros(n, dtype=bool)
    # day 0: ten samples, the lab runs four: the lowest numbers (same day, by resident)
    run = lab.queue(np.arange(10), 0, 4, keep, ill)
    assert run.tolist() == [0, 1, 2, 3]
    assert lab.waiting.tolist() == [4, 5, 6, 7, 8, 9]
    # day 1: new samples wait behind the older ones, except the ill go first; a resident
    # due again keeps the older sample; one who left quarantine is dropped
    ill[15] = True
    keep[5] = False
    run = lab.queue(np.array([15, 16, 4]), 1, 4, keep, ill)
    assert run.tolist() == [4, 6, 7, 15]
    assert lab.waiting.tolist() == [8, 9, 16] and lab.since.tolist() == [0, 0, 1]
    # no capacity limit: everything waiting runs today
    run = lab.queue(np.array([20]), 2, None, keep, ill)
    assert run.tolist() == [8, 9, 16, 20] and lab.waiting.size == 0


def test_lab_capacity_spreads_the_tests_of_a_mass_entry(tmp_path):
    """With a lab capacity the entry tests of a large intake queue over several days."""
    runs = {}
    for cap in (None, 20):
        policies = [
            {"kind": "contact_tracing", "start": 0},
            {"kind": "home_quarantine", "start": 0},
            {"kind": "quarantine_testing", "start": 0, "lab_capacity": cap},
        ]
        runs[cap] = sim.run(
            small_config(
                f"scenario={scenario_file(tmp_path, policies)}",
                "population.residents=20000",
                "days=25",
                "disease.seeding=[{start: 0, stop: 5, per_day: 40}]",
            )
        ).timeseries
    scale = 20000 / 928700
    cap = max(1, round(20 * scale))
    capped, free = runs[20], runs[None]
    assert capped["new_pcr_tests"].max() <= cap
    assert free["new_pcr_tests"].max() > cap
    assert capped["pcr_samples_waiting"].max() > 0
    assert free["pcr_samples_waiting"].max() == 0
