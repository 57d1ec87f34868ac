import numpy as np
import pytest

from sim.rng import Streams
from sim.world.population import AGE_BAND_EDGES, synthesise, tilted_household_shares
from tests.helpers import small_config


@pytest.fixture(scope="module")
def full():
    cfg = small_config("population.residents=928700")
    return cfg.population, synthesise(cfg.population, Streams(1))


def test_tilted_shares_hit_the_mean_and_keep_the_support():
    p = tilted_household_shares([0.145, 0.244, 0.269, 0.176, 0.1, 0.042, 0.016, 0.008], 2.6)
    assert p.sum() == pytest.approx(1.0)
    assert p @ np.arange(1, 9) == pytest.approx(2.6, abs=1e-9)
    assert np.all(p > 0)


def test_full_scale_counts(full):
    cfg, pop = full
    assert pop.n == 928_700
    assert pop.n_grids == 1291
    assert pop.household_size.sum() == pop.n
    assert pop.n / pop.n_households == pytest.approx(2.60, abs=0.02)
    assert pop.settlement_urban.sum() == 87
    assert (~pop.settlement_urban).sum() == 270
    assert pop.n_markets == 60
    assert pop.urban.mean() == pytest.approx(cfg.urban_share, abs=0.005)


def test_household_and_grid_ranges_are_contiguous(full):
    _, pop = full
    hh = pop.household
    assert np.all(np.diff(hh) >= 0)
    assert np.array_equal(np.searchsorted(hh, np.arange(pop.n_households + 1)), pop.household_start)
    assert np.all(np.diff(pop.grid) >= 0)
    assert np.all(np.diff(pop.market) >= 0)
    # a household never straddles two grids or settlements
    first = pop.household_start[:-1]
    last = pop.household_start[1:] - 1
    assert np.array_equal(pop.grid[first], pop.grid[last])
    assert np.array_equal(pop.settlement[first], pop.settlement[last])
    # every grid lies in one settlement
    assert np.array_equal(pop.grid_settlement[pop.grid], pop.settlement)


def test_grids_differ_in_size_but_stay_plausible(full):
    _, pop = full
    sizes = np.diff(pop.grid_start)
    assert sizes.min() > 0
    assert 600 < np.median(sizes) < 850  # 928,700 / 1,291 = 719 residents per grid
    assert sizes.max() / sizes.min() > 1.5  # uneven workloads exist (FACTS F10)


def test_age_structure_matches_census_groups(full):
    _, pop = full
    a = pop.age.astype(int)
    # Jiangsu 7th census: 0-14 15.2%, 15-59 63.0%, 60+ 21.8%; tolerance 1 point
    assert (a < 15).mean() == pytest.approx(0.152, abs=0.01)
    assert ((a >= 15) & (a < 60)).mean() == pytest.approx(0.630, abs=0.01)
    assert (a >= 60).mean() == pytest.approx(0.218, abs=0.01)
    assert a.min() >= 0 and a.max() < AGE_BAND_EDGES[-1]


def test_every_household_has_an_adult(full):
    cfg, pop = full
    head_age = pop.age[pop.household_start[:-1]]
    assert head_age.min() >= cfg.household_head_min_age


def test_workers_farmers_and_firms(full):
    _, pop = full
    emp = pop.employer
    assert emp.max() < pop.n_firms
    working = emp >= 0
    a = pop.age.astype(int)
    assert np.all((a[working] >= 20) & (a[working] < 65))
    assert not np.any(working & pop.farmer)
    assert np.all(~pop.urban[pop.farmer])
    assert np.all((a[pop.farmer] >= 20) & (a[pop.farmer] < 70))
    assert pop.firm_employees.sum() == working.sum()
    assert pop.firm_employees.min() >= 1  # enough workers: every firm has one
    # larger size classes have more employees on average
    means = [pop.firm_employees[pop.firm_size_class == k].mean() for k in range(5)]
    assert means == sorted(means)


def test_vehicle_shares(full):
    cfg, pop = full
    urban_hh = pop.urban[pop.household_start[:-1]]
    assert pop.household_vehicle[urban_hh].mean() == pytest.approx(
        cfg.vehicle_share_urban, abs=0.01
    )
    assert pop.household_vehicle[~urban_hh].mean() == pytest.approx(
        cfg.vehicle_share_rural, abs=0.01
    )


@pytest.mark.parametrize("n", [1, 7, 300, 5000])
def test_tiny_worlds_are_consistent(n):
    cfg = small_config(f"population.residents={n}").population
    pop = synthesise(cfg, Streams(3))
    assert pop.n == n
    assert pop.household_size.sum() == n and pop.household_size.min() >= 1
    assert pop.grid_start[-1] == n and np.all(np.diff(pop.grid_start) > 0)
    assert pop.market_start[-1] == n


def test_same_seed_same_population_other_seed_differs():
    cfg = small_config("population.residents=5000").population
    a, b, c = synthesise(cfg, Streams(5)), synthesise(cfg, Streams(5)), synthesise(cfg, Streams(6))
    assert np.array_equal(a.age, b.age) and np.array_equal(a.employer, b.employer)
    assert not np.array_equal(a.age, c.age)


def test_returnees_hold_no_job_or_farm_work_in_the_district(full):
    """Back from where they live and work for the Spring Festival: no district employer."""
    cfg, pop = full
    r = pop.returnees
    assert r.size == cfg.returnees
    assert np.all(pop.employer[r] == -1)
    assert not pop.farmer[r].any()
    # the rest of the working-age residents keep their jobs
    a = pop.age.astype(int)
    others = np.setdiff1d(np.flatnonzero((a >= 20) & (a < 60) & ~pop.urban), r)
    assert (pop.employer[others] >= 0).mean() > 0.2
