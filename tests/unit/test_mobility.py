"""Trips by purpose, vehicle trips, passes, closures and checkpoints (sim/mobility.py)."""

import datetime as dt

import numpy as np
import pytest

import sim
from sim.config import validate
from sim.errors import ConfigError
from sim.policies import build_policy
from sim.scenario import load_scenario
from tests.helpers import scenario_file, small_config

START = dt.date(2020, 1, 20)
STRESS = "disease.seeding=[{start: 0, stop: 5, per_day: 1000}]"
NOBODY_THROUGH = {
    "kind": "checkpoints",
    "start": 0,
    "through_staffed": 0.0,
    "through_unstaffed": 0.0,
}
MOBILITY_COLUMNS = [
    "person_trips",
    "person_trips_work",
    "person_trips_shopping",
    "person_trips_other",
    "person_trips_vs_baseline",
    "vehicle_trips",
    "vehicle_trips_vs_baseline",
    "rule_breaking_trips",
    "blocked_trips",
    "market_visits",
    "market_turned_away",
    "online_orders",
    "deliveries",
    "delivery_backlog",
    "household_days_without_necessities",
    "farmer_sold_value_cny",
    "farmer_unsold_value_cny",
    "staff_hours_delivery",
]


def model_with(tmp_path, policies, *overrides, days=30, residents=10000):
    """A model (not yet run) of a small world under a temporary scenario of ``policies``."""
    f = scenario_file(tmp_path, policies)
    cfg = small_config(
        f"population.residents={residents}", f"days={days}", f"scenario={f}", *overrides
    )
    return sim.DistrictModel(cfg)


def run_model(tmp_path, policies, *overrides, days=30, residents=10000):
    m = model_with(tmp_path, policies, *overrides, days=days, residents=residents)
    m.run()
    return m


def col(model, name):
    return model.recorder.column(name)


def test_trips_of_a_normal_day_match_the_baseline(tmp_path):
    m = run_model(tmp_path, [], days=30)
    mob = m.mobility
    # from day 10 on: the day-0 stocks (1-6 days) have settled into their normal cycle
    for purpose, base in [
        ("work", mob.base_work),
        ("shopping", mob.base_shopping),
        ("other", mob.base_other),
    ]:
        assert col(m, f"person_trips_{purpose}")[10:].mean() == pytest.approx(base, rel=0.03)
    assert col(m, "vehicle_trips")[10:].mean() == pytest.approx(mob.base_vehicle, rel=0.03)
    assert col(m, "person_trips_vs_baseline")[10:].mean() == pytest.approx(1.0, abs=0.03)
    assert col(m, "rule_breaking_trips").sum() == 0 and col(m, "blocked_trips").sum() == 0


PASSES = [{"kind": "household_pass", "start": 2, "stop": 15, "farm_work": False}]


def test_staffed_checkpoints_stop_every_rule_breaker(tmp_path):
    m = model_with(tmp_path, [*PASSES, NOBODY_THROUGH], days=18)
    mob = m.mobility
    essential_workers = int(np.count_nonzero(mob.essential))
    while m.day < 18:
        m.step()
        day = m.day - 1
        if 2 <= day < 15:
            # nobody but pass holders went to work, nobody made an other trip
            assert not m.trips.went_work[~mob.essential].any(), day
            assert not m.trips.went_other.any(), day
    assert col(m, "rule_breaking_trips").tolist() == [0] * 18
    assert col(m, "person_trips_other")[2:15].tolist() == [0] * 13
    assert np.all(col(m, "person_trips_work")[2:15] <= essential_workers)
    assert col(m, "person_trips_work")[2:15].min() > 0  # pass holders still go
    assert col(m, "blocked_trips")[2:15].min() > 0
    assert col(m, "blocked_trips")[15:].sum() == 0


def test_without_checkpoints_rule_breakers_get_through(tmp_path):
    m = run_model(tmp_path, PASSES, days=18)
    broke = col(m, "rule_breaking_trips")
    assert broke[2:15].min() > 0
    assert col(m, "blocked_trips").tolist() == [0] * 18
    # the other trips made on pass days are exactly the rule-breaking ones on foot
    assert np.all(col(m, "person_trips_other")[2:15] <= broke[2:15])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fewer_checkpoint_staff_let_more_rule_breakers_through(tmp_path, seed):
    policies = [
        {"kind": "household_pass", "start": 2, "stop": 22},
        {"kind": "vehicle_pass", "start": 2, "stop": 22},
        {"kind": "checkpoints", "start": 0},
    ]
    full = run_model(tmp_path, policies, f"seed={seed}", days=25)
    thin = run_model(
        tmp_path,
        policies,
        f"seed={seed}",
        "staff.grid_worker_hours=2",
        "staff.cadres=0",
        days=25,
    )
    assert thin.response.through.mean() > full.response.through.mean()
    broke_full = col(full, "rule_breaking_trips").sum()
    broke_thin = col(thin, "rule_breaking_trips").sum()
    assert broke_full > 0
    assert broke_thin > broke_full


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_awareness_lowers_rule_breaking(tmp_path, seed):
    passes = [
        {"kind": "household_pass", "start": 2, "stop": 22},
        {"kind": "vehicle_pass", "start": 2, "stop": 22},
    ]
    plain = run_model(tmp_path, passes, f"seed={seed}", days=25)
    pushed = run_model(
        tmp_path, [*passes, {"kind": "information_push", "start": 0}], f"seed={seed}", days=25
    )
    assert col(plain, "mean_awareness").max() == 0.0
    assert col(pushed, "mean_awareness")[2:].min() > 0.5
    broke_plain = col(plain, "rule_breaking_trips").sum()
    broke_pushed = col(pushed, "rule_breaking_trips").sum()
    assert 0 < broke_pushed < broke_plain


def test_vehicle_passes_leave_only_permitted_vehicles(tmp_path):
    days, start, stop = 20, 3, 17
    m = model_with(
        tmp_path,
        [
            {"kind": "vehicle_pass", "start": start, "stop": stop},
            {"kind": "online_supply", "start": 0},
            NOBODY_THROUGH,
        ],
        days=days,
    )
    mob = m.mobility
    d = mob.drivers
    freight = 0.1 * mob.base_freight  # vehicle_pass default freight_share
    orders_per_van = 20.0  # online_supply default orders_per_vehicle_trip
    while m.day < days:
        m.step()
        day = m.day - 1
        if not start <= day < stop:
            continue
        essential_drivers_at_work = np.count_nonzero(m.trips.went_work[d] & mob.essential[d])
        vans = m.supplied.deliveries / orders_per_van  # no closure: every load is delivered
        assert m.trips.vehicle <= essential_drivers_at_work + freight + vans + 1e-9, day
        assert m.trips.vehicle >= freight + vans - 1e-9, day
    assert col(m, "rule_breaking_trips").sum() == 0
    assert col(m, "blocked_trips")[start:stop].min() > 0  # drivers tried and were stopped
    assert col(m, "vehicle_trips_vs_baseline")[start:stop].max() < 0.3
    assert col(m, "vehicle_trips_vs_baseline")[stop:].min() > 0.7


def test_community_closure_removes_the_visits_among_other_trips(tmp_path):
    closed = run_model(tmp_path, [{"kind": "community_closure", "start": 0}, NOBODY_THROUGH])
    open_ = run_model(tmp_path, [])
    visit_share = closed.cfg.mobility.visit_share
    ratio = col(closed, "person_trips_other").sum() / col(open_, "person_trips_other").sum()
    assert ratio == pytest.approx(1.0 - visit_share, rel=0.03)
    assert col(closed, "rule_breaking_trips").sum() == 0
    assert col(closed, "blocked_trips").sum() > 0
    # the closure leaves work trips alone (same draws, same seed)
    assert col(closed, "person_trips_work").sum() == pytest.approx(
        col(open_, "person_trips_work").sum(), rel=0.01
    )


def test_passes_cut_community_infections(tmp_path):
    restricted = run_model(
        tmp_path,
        [
            {"kind": "household_pass", "start": 0},
            {"kind": "vehicle_pass", "start": 0},
            NOBODY_THROUGH,
        ],
        STRESS,
        days=30,
        residents=20000,
    )
    free = run_model(tmp_path, [], STRESS, days=30, residents=20000)
    assert col(restricted, "new_imported").sum() == col(free, "new_imported").sum() > 50
    community_free = col(free, "new_infections_community").sum()
    assert community_free > 100
    assert col(restricted, "new_infections_community").sum() < 0.5 * community_free


def test_runs_with_the_same_config_are_identical(tmp_path):
    policies = [
        {"kind": "online_supply", "start": 2, "capacity": 5000},
        {"kind": "community_closure", "start": 3},
        {"kind": "checkpoints", "start": 0},
        {"kind": "household_pass", "start": 5, "stop": 15},
        {"kind": "vehicle_pass", "start": 5, "stop": 15},
        {"kind": "market_closure", "start": 8, "stop": 12, "share_closed": 0.0, "hours": 4},
    ]
    f = scenario_file(tmp_path, policies)
    base = ["population.residents=5000", "days=20", f"scenario={f}"]
    a = sim.run(small_config(*base)).timeseries
    b = sim.run(small_config(*base)).timeseries
    for name in MOBILITY_COLUMNS:
        assert np.array_equal(a[name].to_numpy(), b[name].to_numpy()), name
    other = sim.run(small_config(*base, "seed=2")).timeseries
    assert not np.array_equal(a["person_trips"].to_numpy(), other["person_trips"].to_numpy())


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ({"kind": "household_pass", "start": 0, "interval_days": 0}, "interval_days"),
        ({"kind": "household_pass", "start": 0, "applies_to": "town"}, "applies_to"),
        ({"kind": "market_closure", "start": 0, "share_closed": 1.5}, "share_closed"),
        ({"kind": "market_closure", "start": 0, "hours": 0}, "hours"),
        ({"kind": "online_supply", "start": 0, "capacity": -1}, "capacity"),
        ({"kind": "online_supply", "start": 0, "basket_days": 0}, "basket_days"),
        ({"kind": "online_supply", "start": 0, "lead_days": 0}, "lead_days"),
        ({"kind": "online_supply", "start": 0, "ramp_days": 0}, "ramp_days"),
        ({"kind": "checkpoints", "start": 0, "through_staffed": 2}, "through_staffed"),
        ({"kind": "vehicle_pass", "start": 0, "freight_share": -0.1}, "freight_share"),
    ],
)
def test_bad_policy_parameters_are_rejected_by_name(tmp_path, entry, key):
    with pytest.raises(ConfigError, match=rf"\({entry['kind']}\)\.{key} must be"):
        build_policy(entry, 0, START, 30)
    # the same through a scenario file
    f = scenario_file(tmp_path, [entry])
    with pytest.raises(ConfigError, match=rf"{key} must be"):
        load_scenario(str(f), {}, 30)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["mobility.essential_sectors=[mining]"], r"mobility\.essential_sectors must be sectors"),
        (
            ["supply.reorder_days=1", "supply.target_days=1"],
            r"supply\.target_days must be >= reorder_days \+ 1 = 2",
        ),
    ],
)
def test_bad_mobility_and_supply_config_is_rejected_by_name(overrides, message):
    cfg = small_config(*overrides)
    with pytest.raises(ConfigError, match=message):
        validate(cfg)
