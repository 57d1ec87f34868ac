"""Household stocks, market trips, online orders and deliveries, farm produce (supply)."""

import datetime as dt

import numpy as np
import pytest

import sim
from sim.errors import ConfigError
from sim.movement.supply import normal_shop_rate
from sim.response.quarantine import HOME
from sim.response.staff import TASKS
from sim.world.population import scaled_count
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
    backlog, in_transit = col(m, "delivery_backlog"), col(m, "orders_in_transit")
    assert np.all(deliveries <= cap)
    # every open order is either within its one-day lead time (placed today) or late
    assert np.array_equal(np.cumsum(orders) - np.cumsum(deliveries), backlog + in_transit)
    assert np.array_equal(in_transit, orders)
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
    # pass days exactly as sim/movement/supply.py draws them
    phase = np.floor(s.u_phase * interval).astype(np.int64)
    target = m.cfg.supply.restricted_target_days
    shoppers_in_window = 0
    while m.day < 25:
        day = m.day
        m.step()
        if not start <= day < stop:
            continue
        pass_day = (day - start + phase) % interval == 0
        shoppers = m.today.shopping.shoppers
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
    # capacity to spare: every order arrives after its lead time, none is late
    assert col(ordering, "delivery_backlog").tolist() == [0] * 20
    assert col(ordering, "orders_in_transit")[5:15].min() > 0


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
        t = m.today.trips
        went = t.went_work | t.went_other | t.went_shopping
        assert not went[members].any(), m.day - 1
        assert not sealed[m.today.shopping.shoppers].any(), m.day - 1
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


# ------------------------------------------------------------ errands for sealed households
QUARANTINE = [
    {"kind": "isolate_confirmed", "start": 0},
    {"kind": "contact_tracing", "start": 0},
    {"kind": "home_quarantine", "start": 0},
]


def test_staff_shop_for_sealed_households_who_otherwise_go_without(tmp_path):
    errands = {"kind": "errands_for_sealed", "start": 3}
    # errands first, so that the stress epidemic's tracing cannot take their hours
    args = (STRESS, f"staff.priority=[errands,{','.join(t for t in TASKS if t != 'errands')}]")
    kw = {"days": 25, "residents": 20000}
    without = model_with(tmp_path, QUARANTINE, *args, **kw)
    without.run()
    helped = model_with(tmp_path, [*QUARANTINE, errands], *args, **kw)
    helped.run()
    for m in (without, helped):
        assert col(m, "n_sealed_households")[3:].max() > 100
    # without errands sealed households run out for days on end (no online channel)
    assert col(without, "sealed_households_without_necessities")[3:].sum() > 200
    assert col(without, "sealed_max_days_without_necessities").max() >= 5
    assert col(without, "errands").sum() == 0
    # with them, from the day they start, none goes without for more than a day
    assert col(helped, "errands")[:3].sum() == 0
    assert col(helped, "errands")[3:].sum() > 100
    assert col(helped, "sealed_max_days_without_necessities")[3:].max() <= 1
    # nearly every request is served the same day (a grid's 10 hours make 40 errands)
    assert col(helped, "errands_waiting")[3:].sum() <= 0.05 * col(helped, "errands").sum()
    assert (
        col(helped, "sealed_households_without_necessities")[3:].sum()
        <= 0.1 * col(without, "sealed_households_without_necessities")[3:].sum()
    )
    # the staff hours are the errands' share not run by volunteers (0.5 h x 0.5)
    hours = col(helped, "staff_hours_errands")
    np.testing.assert_allclose(hours, col(helped, "errands") * 0.25, rtol=1e-9, atol=1e-9)
    asked = col(helped, "errands") + col(helped, "errands_waiting")
    np.testing.assert_allclose(col(helped, "staff_demand_errands"), asked * 0.25, atol=1e-9)


def test_errands_wait_when_staff_hours_run_out(tmp_path):
    # 4 staff hours an errand, no volunteers, 10 hours a grid worker and no cadres:
    # at most two errands a grid a day, the rest wait (and those households go short)
    errands = {
        "kind": "errands_for_sealed",
        "start": 0,
        "hours_per_errand": 4.0,
        "volunteer_share": 0.0,
    }
    first = f"staff.priority=[errands,{','.join(t for t in TASKS if t != 'errands')}]"
    m = model_with(tmp_path, [*QUARANTINE, errands], STRESS, first, days=20, residents=20000)
    n_grids = m.pop.n_grids
    m.run()
    errands, waiting = col(m, "errands"), col(m, "errands_waiting")
    assert np.all(errands <= 2 * n_grids)
    assert waiting.sum() > 0
    hours = col(m, "staff_hours_errands")
    assert hours.max() <= 10.0 * n_grids + 1e-9
    # a grid's hours make whole errands; what is left of them is a part-done errand
    assert np.all(hours >= errands * 4.0 - 1e-6)
    assert np.all(hours - errands * 4.0 < 4.0 * n_grids)
    assert col(m, "sealed_households_without_necessities").sum() > 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"volunteer_share": 1.5}, r"volunteer_share must be a probability in \[0, 1\]"),
        ({"hours_per_errand": -1.0}, r"hours_per_errand must be non-negative"),
        ({"basket_days": 0}, r"basket_days must be >= 1 day"),
    ],
)
def test_bad_errand_parameters_are_rejected(tmp_path, params, message):
    entry = {"kind": "errands_for_sealed", "start": 0, **params}
    with pytest.raises(ConfigError, match=r"policies\[0\] \(errands_for_sealed\)\." + message):
        model_with(tmp_path, [entry], days=5)


# ------------------------------------------------------------ online users return to markets
def test_online_users_return_to_markets_once_restrictions_lift(tmp_path):
    # a binding courier capacity while passes push households online; passes end on day
    # 12 and users go back to the markets over return_days = 5
    passes = {"kind": "household_pass", "start": 2, "stop": 12}
    online = {"kind": "online_supply", "start": 0, "capacity": 15000.0, "return_days": 5}
    m = model_with(tmp_path, [online, passes], NO_IMPORTS, days=30, residents=20000)
    stays = []
    while m.day < 30:
        m.step()
        stays.append(m.supply.online_stay)
    # all users order online while the passes last, fewer each day after, none from day 16
    assert stays[:12] == [1.0] * 12
    np.testing.assert_allclose(stays[12:17], [0.8, 0.6, 0.4, 0.2, 0.0], atol=1e-12)
    orders, backlog = col(m, "online_orders"), col(m, "delivery_backlog")
    assert backlog[6:12].min() > 0  # the capacity binds: orders past their lead time
    assert orders[16:].sum() == 0
    # users back at market, the couriers clear what is left within return_days + a few
    assert backlog[12 + 5 + 3 :].tolist() == [0] * (30 - 20)
    assert col(m, "orders_in_transit")[16:].tolist() == [0] * 14
    # a late basket can leave a household short; once the backlog is gone, none is
    assert col(m, "household_days_without_necessities")[12 + 5 + 3 :].sum() == 0
    # users who never went back would keep the couriers behind
    stay = model_with(
        tmp_path, [{**online, "return_days": 1000}, passes], NO_IMPORTS, days=30, residents=20000
    )
    stay.run()
    assert col(stay, "online_orders")[20:].min() > 0
    assert col(stay, "delivery_backlog")[20:].min() > 0


def test_online_supply_return_days_must_be_positive(tmp_path):
    entry = {"kind": "online_supply", "start": 0, "return_days": 0}
    with pytest.raises(ConfigError, match=r"return_days must be a positive integer"):
        model_with(tmp_path, [entry], days=5)


# ------------------------------------------------------------ huaian_2020
HUAIAN_RESIDENTS = 200_000
DAY0 = dt.date(2020, 1, 20)


def day_of(iso):
    return (dt.date.fromisoformat(iso) - DAY0).days


@pytest.fixture(scope="module")
def huaian():
    cfg = sim.compose(
        [
            "scenario=huaian_2020",
            f"population.residents={HUAIAN_RESIDENTS}",
            "seed=1",
            "output.progress=never",
        ]
    )
    return sim.run(cfg)


def test_huaian_2020_no_sealed_household_goes_two_days_without_necessities(huaian):
    ts = huaian.timeseries
    start = day_of("2020-01-24")  # errands_for_sealed starts with home quarantine
    assert ts["n_sealed_households"][start:].max() > 50  # there are sealed households
    assert ts["errands"].sum() > 100 and ts["errands"][:start].sum() == 0
    assert ts["sealed_max_days_without_necessities"][start:].max() <= 1
    # the errands' staff hours are in the summary's (and so the report's) staff hours
    hours = huaian.summary["staff_hours_by_task"]["errands"]
    assert hours == pytest.approx(ts["staff_hours_errands"].sum(), abs=0.1)
    assert hours > 0
    assert huaian.summary["errands"] == ts["errands"].sum()


def test_huaian_2020_delivery_backlog_clears_after_markets_reopen(huaian):
    # "markets reopen" = the last restriction that pushed households online is lifted:
    # closed management of communities and villages ends on 2020-03-27 (passes ended
    # 2020-02-24; no market was closed)
    ts = huaian.timeseries
    reopen = day_of("2020-03-27")
    m = huaian.model
    assert not m.supply.pushed_online(m.today.mods)  # nothing pushes households online at the end
    assert ts["online_orders"][day_of("2020-02-10") : reopen].min() > 0
    assert ts["delivery_backlog"][reopen + 14 :].tolist() == [0] * (len(ts) - reopen - 14)
    # orders fall as users return to the markets; the channel closes on 2020-04-10
    stop = day_of("2020-04-10")
    assert ts["online_orders"][stop - 2] < 0.3 * ts["online_orders"][reopen - 1]
    assert ts["online_orders"][stop:].sum() == 0
    assert ts["orders_in_transit"][stop:].sum() == 0
