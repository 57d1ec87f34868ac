"""Household stocks, market trips, online orders and deliveries, farm produce (sim/supply.py)."""

import numpy as np
import pytest

import sim
from sim.population import scaled_count
from sim.quarantine import HOME
from sim.supply import normal_shop_rate
from tests.helpers import scenario_file, small_config

NO_IMPORTS = "disease.importation.prevalence=0"
STRESS = "disease.seeding=[{start: 0, stop: 10, per_day: 2000}]"
NOBODY_THROUGH = {
    "kind": "checkpoints",
    "start": 0,
    "through_staffed": 0.0,
    "through_unstaffed": 0.0,
}


def model_with(tmp_path, policies, *overrides, days=30, residents=10000):
    """A model (not yet run) of a small world under a temporary scenario of ``policies``."""
    f = scenario_file(tmp_path, policies)
    cfg = small_config(
        f"population.residents={residents}", f"days={days}", f"scenario={f}", *overrides
    )
    return sim.DistrictModel(cfg)


def col(model, name):
    return model.recorder.column(name)


def simulate_shop_rate(reorder, target, spread, households=4000, days=50, burn=50, seed=0):
    """Market trips per household-day of the restocking rule, simulated directly."""
    rng = np.random.default_rng(seed)
    stock = rng.integers(0, target + 1, households)
    trips = 0
    for day in range(burn + days):
        shop = stock <= reorder
        start = np.where(shop, target, stock)
        u = rng.random(households)
        eat = (u >= spread).astype(int) + (u >= 1 - spread)
        stock = np.maximum(start - eat, 0)
        if day >= burn:
            trips += int(shop.sum())
    return trips / (households * days)


@pytest.mark.parametrize(("reorder", "target", "rate"), [(1, 3, 0.5), (2, 7, 0.2), (1, 4, 1 / 3)])
def test_shop_rate_without_spread_is_one_trip_per_cycle(reorder, target, rate):
    # eating exactly one day's worth a day, a household shops every target - reorder days
    assert normal_shop_rate(reorder, target, 0.0) == pytest.approx(rate, rel=1e-9)


@pytest.mark.parametrize(("reorder", "target"), [(1, 3), (2, 7), (0, 2)])
def test_shop_rate_with_spread_matches_a_direct_simulation(reorder, target):
    simulated = simulate_shop_rate(reorder, target, 0.2)  # 200,000 household-days
    assert normal_shop_rate(reorder, target, 0.2) == pytest.approx(simulated, rel=0.01)


def test_orders_deliveries_and_stocks_are_conserved(tmp_path):
    capacity = 300.0  # a few deliveries a day at this scale: the backlog binds
    days = 40
    m = model_with(
        tmp_path,
        [
            {"kind": "online_supply", "start": 2, "capacity": capacity},
            {"kind": "household_pass", "start": 5, "stop": 25},
            {"kind": "community_closure", "start": 3},
            {"kind": "checkpoints", "start": 0},
        ],
        days=days,
        residents=20000,
    )
    scale = m.pop.n / m.cfg.population.reference_residents
    cap = scaled_count(round(capacity), scale, minimum=0)
    households = m.pop.n_households
    while m.day < days:
        m.step()
        assert m.supply.stock.min() >= 0, m.day
    orders, deliveries = col(m, "online_orders"), col(m, "deliveries")
    backlog = col(m, "delivery_backlog")
    assert np.all(deliveries <= cap)
    assert np.array_equal(np.cumsum(orders) - np.cumsum(deliveries), backlog)
    assert np.all(col(m, "household_days_without_necessities") <= households)
    assert np.all(col(m, "market_visits") <= households)
    # the checks bite: the couriers ran at capacity with a backlog left over
    assert deliveries.max() == cap > 0
    assert backlog.max() > 10 * cap


def test_households_are_never_short_when_markets_are_open(tmp_path):
    # no passes, no closures, no online channel, and no importations (so nobody is in
    # quarantine, in hospital or dead and every household has an able shopper):
    # restocking at the reorder point always lasts to the next day
    m = model_with(tmp_path, [], NO_IMPORTS, days=40)
    m.run()
    assert col(m, "household_days_without_necessities").tolist() == [0] * 40
    assert col(m, "market_visits").sum() > 0.3 * 40 * m.pop.n_households


def test_households_on_passes_shop_only_on_their_pass_days(tmp_path):
    start, stop, interval = 3, 20, 2
    m = model_with(
        tmp_path,
        [
            {"kind": "household_pass", "start": start, "stop": stop, "interval_days": interval},
            NOBODY_THROUGH,
        ],
        days=25,
    )
    s = m.supply
    # pass days exactly as sim/supply.py draws them
    phase = np.floor(s.u_phase * interval).astype(np.int64)
    target = m.cfg.supply.restricted_target_days
    shoppers_in_window = 0
    while m.day < 25:
        day = m.day
        m.step()
        if not start <= day < stop:
            continue
        pass_day = (day - start + phase) % interval == 0
        shoppers = m.shopping.shoppers
        assert pass_day[shoppers].all(), day
        assert shoppers.size <= np.count_nonzero(pass_day)
        # served shoppers bought up to the restricted target, then ate at most 2 days' worth
        assert np.all(s.stock[shoppers] >= target - s.peak_eat), day
        shoppers_in_window += shoppers.size
    assert col(m, "rule_breaking_trips").sum() == 0
    assert col(m, "blocked_trips")[start:stop].sum() > 0  # short households tried
    assert shoppers_in_window > 0


def test_closed_markets_leave_households_short_unless_they_order_online(tmp_path):
    closure = {"kind": "market_closure", "start": 5, "stop": 15, "share_closed": 1.0}
    online = {
        "kind": "online_supply",
        "start": 0,
        "capacity": 10**7,
        "uptake_urban": 1.0,
        "uptake_rural": 1.0,
        "ramp_days": 1,
    }
    offline = model_with(tmp_path, [closure], days=20)
    offline.run()
    assert col(offline, "market_visits")[5:15].tolist() == [0] * 10
    assert col(offline, "household_days_without_necessities")[5:15].min() > 0
    ordering = model_with(tmp_path, [closure, online], days=20)
    ordering.run()
    assert col(ordering, "market_visits")[5:15].tolist() == [0] * 10
    assert col(ordering, "household_days_without_necessities").tolist() == [0] * 20
    assert col(ordering, "deliveries")[5:15].min() > 0


def test_short_market_hours_turn_shoppers_away(tmp_path):
    m = model_with(
        tmp_path,
        [{"kind": "market_closure", "start": 2, "stop": 10, "share_closed": 0.0, "hours": 2}],
        "supply.market_capacity_factor=0.2",
        days=12,
    )
    s = m.supply
    hours, normal = 2.0, m.cfg.supply.market_normal_hours
    served_cap = np.floor(0.2 * s.normal_visitors * hours / normal).sum()
    m.run()
    visits, away = col(m, "market_visits"), col(m, "market_turned_away")
    assert away[:2].sum() == 0 and away[10:].sum() == 0  # normal hours: no queue
    assert away[2:10].max() > 0
    assert np.all(visits[2:10] - away[2:10] <= served_cap)


def test_farm_produce_sold_and_spoilt_never_exceeds_output(tmp_path):
    days = 40
    plain = model_with(tmp_path, [], days=days)
    plain.run()
    out = plain.supply.farm_output
    sold, unsold = col(plain, "farmer_sold_value_cny"), col(plain, "farmer_unsold_value_cny")
    produced = out * np.arange(1, days + 1)
    assert np.all(np.cumsum(sold + unsold) <= produced * (1 + 1e-9))
    assert sold.sum() > 0.9 * out * days
    # with no measures markets and trucks take all produce: the first days' demand is
    # low (day-0 stocks are above their normal level) but the shortfall is under the
    # farm_shelf_days - 1 days' output kept on the shelf, and catching up clears it
    assert unsold.sum() == 0.0
    # vehicle passes that stop all farm freight leave half the output (what is normally
    # trucked out) unsold
    vp = model_with(
        tmp_path, [{"kind": "vehicle_pass", "start": 5, "farm_freight_share": 0.0}], days=days
    )
    vp.run()
    sold, unsold = col(vp, "farmer_sold_value_cny"), col(vp, "farmer_unsold_value_cny")
    assert np.all(np.cumsum(sold + unsold) <= produced * (1 + 1e-9))
    shelf = vp.cfg.supply.farm_shelf_days
    assert unsold[: 5 + shelf - 1].sum() == 0.0
    spoilt = unsold[5 + shelf :].mean()
    assert 0.3 * out < spoilt < 0.7 * out


def test_households_in_home_quarantine_make_no_trips(tmp_path):
    m = model_with(
        tmp_path,
        [
            {"kind": "isolate_confirmed", "start": 0},
            {"kind": "contact_tracing", "start": 0},
            {"kind": "home_quarantine", "start": 0},
        ],
        STRESS,
        days=20,
        residents=20000,
    )
    hh = m.pop.household
    checked_days = 0
    while m.day < 20:
        home = np.flatnonzero(m.epi.isolation == HOME)  # as the day's trips see it
        m.step()
        if home.size == 0:
            continue
        sealed = np.zeros(m.pop.n_households, dtype=bool)
        sealed[hh[home]] = True
        members = sealed[hh]
        t = m.trips
        went = t.went_work | t.went_other | t.went_shopping
        assert not went[members].any(), m.day - 1
        assert not sealed[m.shopping.shoppers].any(), m.day - 1
        checked_days += 1
    assert checked_days >= 5
    assert np.count_nonzero(m.epi.isolation == HOME) > 100


def test_households_with_nobody_at_home_neither_eat_nor_count_as_short(tmp_path):
    # a large epidemic with no measures: some households end with every member dead
    m = model_with(
        tmp_path,
        [],
        "disease.seeding=[{start: 0, stop: 10, per_day: 3000}]",
        "seed=3",
        days=90,
        residents=20000,
    )
    for _ in range(89):
        m.step()
    dead = m.epi.state == 8  # State.D
    all_dead = np.bincount(m.pop.household[dead], minlength=m.pop.n_households) == (
        m.pop.household_size
    )
    assert all_dead.sum() > 0
    # on the last day every household with someone alive has plenty; the empty ones none
    m.supply.stock[:] = 10
    m.supply.stock[all_dead] = 0
    m.step()
    assert np.all(m.supply.empty_today[all_dead])
    assert np.all(m.supply.stock[all_dead] == 0)  # nobody ordered or bought for them
    assert col(m, "household_days_without_necessities")[89] == 0  # and they are not short


def test_orders_are_cancelled_when_the_online_channel_closes(tmp_path):
    m = model_with(
        tmp_path,
        [{"kind": "online_supply", "start": 0, "stop": 5, "capacity": 300.0}],
        NO_IMPORTS,
        days=15,
        residents=20000,
    )
    m.run()
    backlog = col(m, "delivery_backlog")
    assert backlog[4] > 0  # the capacity left orders waiting
    assert backlog[5:].tolist() == [0] * 10  # closed: they were cancelled
    assert col(m, "online_orders")[5:].sum() == 0
    # the households that were waiting restock at market instead: nobody goes short
    assert col(m, "household_days_without_necessities")[5:].sum() == 0
