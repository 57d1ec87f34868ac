import datetime as dt

import numpy as np
import pytest

import sim
from sim.errors import ConfigError
from sim.policies import build_policy
from sim.response.screening import SCREENED, ScreeningCampaign
from sim.response.staff import Cadre, GridWorker, allocate
from tests.helpers import small_config

START = dt.date(2020, 1, 20)


def test_allocation_respects_capacity_and_priority():
    hours = np.array([10.0, 10.0, 3.0, 0.0])
    demand = np.array(
        [
            [2.0, 5.0, 1.0],  # all fits
            [8.0, 6.0, 4.0],  # second task cut short, third gets nothing
            [1.0, 1.0, 5.0],  # third task gets the last hour
            [1.0, 1.0, 1.0],  # no hours
        ]
    )
    alloc = allocate(hours, demand)
    assert np.all(alloc.sum(axis=1) <= hours + 1e-12)
    assert np.all(alloc <= demand + 1e-12)
    np.testing.assert_allclose(alloc[0], [2, 5, 1])
    np.testing.assert_allclose(alloc[1], [8, 2, 0])
    np.testing.assert_allclose(alloc[2], [1, 1, 1])
    np.testing.assert_allclose(alloc[3], [0, 0, 0])
    # a task is served only once every task before it is served in full
    for row_a, row_d in zip(alloc, demand, strict=True):
        for k in range(1, 3):
            if row_a[k] > 0:
                assert np.allclose(row_a[:k], row_d[:k])


@pytest.fixture(scope="module")
def model():
    return sim.DistrictModel(small_config("population.residents=20000", "days=30"))


def test_staff_are_mesa_agents_one_grid_worker_per_grid(model):
    workers = model.agents_by_type[GridWorker]
    cadres = model.agents_by_type[Cadre]
    assert len(workers) == model.pop.n_grids
    assert sorted(w.grid for w in workers) == list(range(model.pop.n_grids))
    # 957 cadres at full scale, scaled to 20,000 residents
    assert len(cadres) == round(957 * 20000 / 928700)
    for c in cadres:
        lo, hi = c.residents
        assert model.pop.settlement_urban[model.pop.settlement[lo:hi]].all()
        assert np.all(model.pop.settlement[lo:hi] == c.community)
        assert 0 <= c.unit < 56
    w = workers.to_list()[0]
    assert w.residents == (int(model.pop.grid_start[0]), int(model.pop.grid_start[1]))
    assert set(w.hours_today) == set(model.response.staff.tasks)


def test_plan_counts_overload_and_cadres_help(model):
    roster = model.response.staff
    g = model.pop.n_grids
    t = len(roster.tasks)
    demand = np.zeros((g, t))
    col = model.response.col
    demand[:, col["screening"]] = 25.0  # more than a worker's 10 hours everywhere
    cadre_tasks = np.zeros(t, dtype=bool)
    cadre_tasks[col["screening"]] = True
    plan = roster.plan(demand, cadre_tasks)
    assert plan.overloaded_workers == g
    assert np.all(roster.gw_alloc.sum(axis=1) <= roster.gw_hours + 1e-9)
    assert np.all(roster.cadre_alloc.sum(axis=1) <= roster.cadre_hours + 1e-9)
    urban = roster.grid_community >= 0
    served = plan.grid_hours[:, col["screening"]]
    assert np.all(served[~urban] == pytest.approx(10.0))  # villages: the grid worker only
    assert np.all(served[urban] > 10.0)  # communities: cadres help
    assert plan.overload_hours == pytest.approx(demand.sum() - served.sum())
    # cadres may not help with a task they are not allowed
    plan2 = roster.plan(demand, np.zeros(t, dtype=bool))
    assert roster.cadre_alloc.sum() == 0
    assert plan2.served_total[col["screening"]] == pytest.approx(10.0 * g)


def test_community_duties_go_to_cadres_first(model):
    roster = model.response.staff
    t = len(roster.tasks)
    col = model.response.col
    community = np.zeros((roster.communities.size, t))
    community[:, col["checkpoint"]] = 1.0  # one hour of gate duty per community
    plan = roster.plan(np.zeros((model.pop.n_grids, t)), np.zeros(t, dtype=bool), community)
    assert roster.gw_alloc.sum() == 0  # cadres had the hours
    assert plan.served_total[col["checkpoint"]] == pytest.approx(roster.communities.size)


def test_screening_campaign_visits_every_household_once_answered(model):
    pop = model.pop
    camp = ScreeningCampaign(pop, 0)
    rng = np.random.default_rng(1)
    for day in range(30):
        hours = np.full(pop.n_grids, 5.0)
        camp.visit(hours, 20.0, 0.5, day, rng)
        if (camp.status == SCREENED).all():
            break
    assert (camp.status == SCREENED).all()
    assert camp.screened_residents == pop.n
    # half the doors answered: about two visits per household
    assert camp.visits / pop.n_households == pytest.approx(2.0, rel=0.05)
    assert camp.day_99pct is not None and camp.day_99pct <= day


def test_screening_capacity_is_respected():
    m = sim.DistrictModel(small_config("population.residents=20000", "days=30"))
    camp = ScreeningCampaign(m.pop, 0)
    hours = np.full(m.pop.n_grids, 2.0)
    camp.visit(hours, 10.0, 1.0, 0, np.random.default_rng(2))
    per_grid = np.bincount(camp.household_grid[camp.status == SCREENED], minlength=m.pop.n_grids)
    assert np.all(per_grid <= 20)  # 2 hours x 10 visits an hour
    assert per_grid.sum() == 20 * m.pop.n_grids


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "screening_campaign", "start": 0, "answer_prob": 0}, "answer_prob must be in"),
        (
            {"kind": "screening_campaign", "start": 0, "visits_per_hour": -1},
            "visits_per_hour must be positive",
        ),
        (
            {"kind": "contact_tracing", "start": 0, "other_share": 2},
            "other_share must be a probability",
        ),
        (
            {"kind": "contact_tracing", "start": 0, "hours_per_case": 0},
            "hours_per_case must be positive",
        ),
        (
            {"kind": "centralised_quarantine", "start": 0, "overflow": "hotel"},
            "overflow must be one of",
        ),
        ({"kind": "home_quarantine", "start": 0, "capacity": 3}, "unknown parameter 'capacity'"),
        (
            {"kind": "quarantine_monitoring", "start": 0, "effect": 1.5},
            "effect must be a probability",
        ),
        ({"kind": "information_push", "start": 0, "reach": -2}, "reach must be non-negative"),
        (
            {"kind": "checkpoints", "start": 0, "hours_per_shift": 0},
            "hours_per_shift must be positive",
        ),
        (
            {"kind": "grid_reporting", "start": 0, "routine_per_grid": -1},
            "routine_per_grid must be non-negative",
        ),
        ({"kind": "inspections", "start": 0, "groups": 0}, "groups must be a positive integer"),
        (
            {"kind": "inspections", "start": 0, "detect_prob": 2},
            "detect_prob must be a probability",
        ),
        (
            {"kind": "coordination", "start": 0, "mode": "grid_army"},
            "mode must be one of ['grid_police'",
        ),
    ],
)
def test_bad_response_parameters_are_rejected(entry, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(")):
        build_policy(entry, 0, START, 30)


def test_staff_priority_must_name_every_task():
    with pytest.raises(ConfigError, match=r"staff.priority must be an ordering of"):
        sim.DistrictModel(small_config("staff.priority=[tracing,screening]"))


def test_errands_come_right_after_tracing_in_the_default_priority(model):
    roster = model.response.staff
    assert roster.tasks[:2] == ("tracing", "errands")
    col = model.response.col
    demand = np.zeros((model.pop.n_grids, len(roster.tasks)))
    demand[:, col["screening"]] = 25.0  # more than a worker's 10 hours
    demand[:, col["errands"]] = 3.0
    plan = roster.plan(demand, np.zeros(len(roster.tasks), dtype=bool))
    # a sealed household's errand is served before the campaign takes the rest
    np.testing.assert_allclose(plan.grid_hours[:, col["errands"]], 3.0)
    np.testing.assert_allclose(plan.grid_hours[:, col["screening"]], 7.0)
    assert plan.demand_total[col["errands"]] == pytest.approx(3.0 * model.pop.n_grids)


def test_agents_own_their_hours_and_history_and_are_updated_in_bulk():
    m = sim.DistrictModel(small_config("population.residents=20000", "days=30"))
    roster = m.response.staff
    workers = m.agents_by_type[GridWorker]
    g, t = m.pop.n_grids, len(roster.tasks)
    col = m.response.col
    demand = np.zeros((g, t))
    demand[:, col["screening"]] = 8.0  # within a worker's 10 hours
    # halve the hours of the workers of the first ten grids, as one bulk update
    few = workers.select(lambda w: w.grid < 10)
    few.set("hours", 5.0)
    plan = roster.plan(demand, np.zeros(t, dtype=bool), cadres_on=False)
    served = plan.grid_hours[:, col["screening"]]
    assert np.all(served[:10] == pytest.approx(5.0)) and np.all(served[10:] == pytest.approx(8.0))
    assert plan.overloaded_workers == 10
    roster.plan(demand, np.zeros(t, dtype=bool), cadres_on=False)
    # each agent's history: overloaded days and hours worked, read through the agent
    assert sorted(w.overloaded_days for w in few) == [2] * 10
    assert {w.overloaded_days for w in workers.select(lambda w: w.grid >= 10)} == {0}
    assert workers.agg("hours_worked", sum) == pytest.approx(2 * (10 * 5.0 + (g - 10) * 8.0))
    # cadres are deployed or not as a body; undeployed cadres give no hours
    cadres = m.agents_by_type[Cadre]
    assert not any(cadres.get("deployed")) and cadres.agg("hours_worked", sum) == 0
    roster.plan(demand * 3, np.ones(t, dtype=bool), cadres_on=True)
    assert all(cadres.get("deployed")) and cadres.agg("hours_worked", sum) > 0
