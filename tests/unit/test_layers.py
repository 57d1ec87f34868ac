import numpy as np
import pytest

from sim.epidemic.disease import State
from sim.epidemic.layers import GroupLayer, HouseholdLayer, poisson_inverse
from sim.rng import GeneratorDraws, KeyedDraws, Streams


def ones(j):
    return np.ones(j.size)


def gen(seed):
    return GeneratorDraws(np.random.default_rng(seed))


def test_household_layer_infects_only_household_members():
    # households: [0,1,2], [3,4], [5]
    start = np.array([0, 3, 5, 6])
    hh = np.array([0, 0, 0, 1, 1, 2])
    state = np.zeros(6, dtype=np.int8)
    state[0] = State.M
    sus = np.ones(6)
    layer = HouseholdLayer(start, hh, beta=50.0)  # certain infection
    res = layer.transmit(np.array([0]), np.array([1.0]), ones, sus, state, gen(0))
    assert sorted(res.target.tolist()) == [1, 2]
    assert res.infector.tolist() == [0, 0]


def test_household_layer_beta_zero_and_zero_participation():
    start = np.array([0, 3])
    hh = np.zeros(3, dtype=np.int32)
    state = np.array([State.M, 0, 0], dtype=np.int8)
    src, w = np.array([0]), np.array([1.0])
    rng = gen(1)
    assert (
        HouseholdLayer(start, hh, 0.0).transmit(src, w, ones, np.ones(3), state, rng).target.size
        == 0
    )
    res = HouseholdLayer(start, hh, 50.0).transmit(
        src, w, lambda j: np.zeros(j.size), np.ones(3), state, rng
    )
    assert res.target.size == 0


def test_household_attack_probability_matches_hazard():
    # 20,000 two-person households, one infectious member each
    n_hh = 20_000
    start = np.arange(0, 2 * n_hh + 1, 2)
    hh = np.repeat(np.arange(n_hh), 2)
    state = np.zeros(2 * n_hh, dtype=np.int8)
    state[0::2] = State.M
    sus = np.ones(2 * n_hh)
    beta, w = 0.1, 1.5
    src = np.arange(0, 2 * n_hh, 2)
    res = HouseholdLayer(start, hh, beta).transmit(src, np.full(n_hh, w), ones, sus, state, gen(2))
    p = 1 - np.exp(-beta * w)
    assert res.target.size / n_hh == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n_hh))


def test_group_layer_thinning_gives_the_exact_infection_probability():
    # one group of 50,001: one infectious member, two susceptibility classes
    n = 50_001
    group_of = np.zeros(n, dtype=np.int32)
    sus = np.where(np.arange(n) % 2 == 0, 1.47, 0.34)
    state = np.zeros(n, dtype=np.int8)
    state[0] = State.M
    beta, contacts, w = 2.0, 5.0, 1.0  # hazard per member = beta*contacts*w/(n-1)
    layer = GroupLayer("community", group_of, 1, contacts, beta, s_max=1.47)
    hits = np.zeros(n)
    reps = 200
    for r in range(reps):
        res = layer.transmit(np.array([0]), np.array([w]), ones, sus, state, gen(100 + r))
        hits[res.target] += 1
    lam = beta * contacts * w / (n - 1)
    for s in (1.47, 0.34):
        sel = (sus == s) & (np.arange(n) != 0)
        expected = (1 - np.exp(-lam * s)) * sel.sum() * reps
        assert hits[sel].sum() == pytest.approx(expected, rel=4 / np.sqrt(expected))
    assert hits[0] == 0


def test_group_layer_respects_groups_and_membership():
    # residents 0-4 in group 0, 5-9 in group 1, 10-11 in no group
    group_of = np.array([0] * 5 + [1] * 5 + [-1] * 2, dtype=np.int32)
    state = np.zeros(12, dtype=np.int8)
    state[0] = State.M
    layer = GroupLayer("workplace", group_of, 2, 4.0, 100.0, 1.0)
    res = layer.transmit(np.array([0]), np.array([1.0]), ones, np.ones(12), state, gen(3))
    assert sorted(res.target.tolist()) == [1, 2, 3, 4]
    # an infectious non-member infects nobody
    state[:] = 0
    state[10] = State.M
    res = layer.transmit(np.array([10]), np.array([1.0]), ones, np.ones(12), state, gen(4))
    assert res.target.size == 0


def test_group_layer_caps_contacts_at_group_size():
    # a two-person firm with 6 contacts a day: the colleague gets beta*1*w, not beta*6*w
    layer = GroupLayer("workplace", np.array([0, 0], dtype=np.int32), 1, 6.0, 0.1, 1.0)
    assert layer.rate.tolist() == pytest.approx([0.1])


def test_group_layer_attributes_infections_in_proportion_to_infectiousness():
    n = 20_000
    group_of = np.zeros(n, dtype=np.int32)
    state = np.zeros(n, dtype=np.int8)
    state[:2] = State.M
    layer = GroupLayer("market", group_of, 1, 10.0, 200.0, 1.0)
    res = layer.transmit(np.array([0, 1]), np.array([3.0, 1.0]), ones, np.ones(n), state, gen(5))
    share0 = (res.infector == 0).mean()
    assert res.target.size > 1000
    assert share0 == pytest.approx(0.75, abs=4 * np.sqrt(0.75 * 0.25 / res.target.size))


def test_poisson_inverse_matches_the_distribution_and_is_monotone():
    rng = np.random.default_rng(11)
    for mean in (0.3, 4.0, 60.0, 400.0):
        x = poisson_inverse(rng.random(200_000), np.full(200_000, mean))
        assert x.mean() == pytest.approx(mean, rel=0.01, abs=0.01)
        assert x.var() == pytest.approx(mean, rel=0.03, abs=0.01)
    u = np.linspace(0.001, 0.999, 200)
    assert np.all(np.diff(poisson_inverse(u, np.full(200, 7.0))) >= 0)
    assert np.all(np.diff(poisson_inverse(np.full(50, 0.6), np.linspace(0, 150, 50))) >= 0)
    assert poisson_inverse(np.array([0.99]), np.array([0.0])).tolist() == [0]


def test_group_draws_of_one_group_do_not_depend_on_another():
    # two groups; adding an infectious member to group 1 leaves group 0's infections alone
    n = 20_000
    group_of = (np.arange(n) >= n // 2).astype(np.int32)
    layer = GroupLayer("community", group_of, 2, 10.0, 5.0, 1.0)
    out = []
    for src in (np.array([0]), np.array([0, n - 1])):
        state = np.zeros(n, dtype=np.int8)
        state[src] = State.M
        draws = KeyedDraws(Streams(12), "transmission.community", 3)
        res = layer.transmit(src, np.ones(src.size), ones, np.ones(n), state, draws)
        out.append(res.target[res.target < n // 2])
    assert out[0].size > 0
    assert np.array_equal(out[0], out[1])


def test_a_layers_transmissibility_scales_its_hazard():
    g = np.repeat(np.arange(4, dtype=np.int32), 10)
    full = GroupLayer("market", g, 4, 5.0, 0.3, 1.0)
    half = GroupLayer("market", g, 4, 5.0, 0.3, 1.0, transmissibility=0.5)
    np.testing.assert_allclose(half.rate, 0.5 * full.rate)
    np.testing.assert_allclose(full.rate, 0.3 * 5.0 / 9.0)
