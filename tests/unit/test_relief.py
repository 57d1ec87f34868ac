"""Relief for firms: what each instrument pays, to whom, at what cost (sim/policies/economy.py)."""

import datetime as dt

import numpy as np
import pytest

import sim
from sim.economy.enterprises import CLOSED_ORDER, FAILED, INSTRUMENTS, OPEN
from sim.errors import ConfigError
from sim.world.population import scaled_count
from tests.helpers import scenario_file, small_config

BANK = "loan_forbearance"
FISCAL = [k for k in INSTRUMENTS if k != BANK]
FLOW_DAYS = 20


def derived(tmp_path, name, base, drop=(), policies=()):
    """A temporary scenario derived from ``base``: ``drop`` removed, ``policies`` added."""
    return scenario_file(tmp_path, policies, name=name, base=base, drop=list(drop))


def model(scenario, *overrides, residents=20000, days=FLOW_DAYS, seed=1):
    cfg = small_config(
        f"population.residents={residents}",
        f"days={days}",
        f"seed={seed}",
        f"scenario={scenario}",
        *overrides,
    )
    return sim.DistrictModel(cfg)


def col(m, name):
    return m.recorder.column(name)


# ------------------------------------------------------------ exact flows paid
@pytest.fixture(scope="module")
def base_run():
    """``no_relief`` stepped for FLOW_DAYS days: each day's (costs, revenue, relief)."""
    m = model("no_relief")
    days = []
    while m.day < FLOW_DAYS:
        m.step()
        a = m.today.accounts
        days.append((a.costs.copy(), a.revenue.copy(), a.relief.copy()))
    return m, days


CASES = {
    "interest_subsidy": {
        "share": 0.7,
        "sizes": ["micro", "small", "medium", "large"],
        "sectors": ["manufacturing", "retail", "logistics", "other_services"],
    },
    "social_insurance_exemption": {"share": 0.8, "sizes": ["individual", "micro"]},
    "rent_relief": {
        "share": 0.9,
        "sizes": ["individual", "micro", "small"],
        "sectors": ["retail", "catering_hospitality", "other_services"],
    },
    "tax_relief": {
        "vat_rate_small": 0.01,
        "property_tax_exempt": True,
        "sizes": ["micro", "small", "medium"],
        "sectors": ["agriculture", "manufacturing", "retail", "public", "logistics"],
    },
    "tax_relief_vat_only": {
        "vat_rate_small": 0.02,
        "property_tax_exempt": False,
        "sectors": ["agriculture", "manufacturing", "retail", "logistics", "public"],
    },
}


def expected_relief(kind, p, m, elig, loan, alive, a):
    """What ``kind`` should pay each firm today, from the day's accounts and state."""
    f, c = m.firms, m.cfg.economy
    if kind == "interest_subsidy":
        return p["share"] * loan * c.interest_rate / 365.0 * alive * elig
    if kind == "social_insurance_exemption":
        return p["share"] * c.social_insurance_rate * a.wages * elig
    if kind == "rent_relief":
        return p["share"] * f.rent0 * alive * elig * f.state_premises
    # tax relief: the VAT cut on small taxpayers' sales, and the property tax if exempt
    vat = np.where(f.general, 0.0, (c.vat_rate_small - p["vat_rate_small"]) * a.revenue)
    tax = f.tax0 * alive if p["property_tax_exempt"] else 0.0
    return (vat + tax) * elig


@pytest.mark.parametrize("case", list(CASES))
def test_each_instrument_pays_exactly_its_flow_to_eligible_firms(tmp_path, base_run, case):
    kind = case.removesuffix("_vat_only")
    params = CASES[case]
    entry = {"kind": kind, "start": 0, **params}
    m = model(derived(tmp_path, f"with_{case}", "no_relief", policies=[entry]))
    base, base_days = base_run
    f, pop = m.firms, m.pop
    elig = np.isin(f.size, [pop.size_classes.index(x) for x in params.get("sizes", [])])
    if "sizes" not in params:
        elig[:] = True
    if "sectors" in params:
        elig &= np.isin(f.sector, [pop.sectors.index(x) for x in params["sectors"]])
    assert 0 < elig.sum() < f.n
    index = next(p.index for p in m.policies if p.kind == kind)
    assert np.array_equal(m.economy.relief_masks[index], elig)
    paid_elig = 0.0
    while m.day < FLOW_DAYS:
        day = m.day
        loan, alive = f.loan.copy(), f.status != FAILED
        m.step()
        a = m.today.accounts
        want = expected_relief(kind, params, m, elig, loan, alive, a)
        assert np.allclose(a.relief, want, rtol=1e-12, atol=1e-9), day
        assert np.all(a.relief[~elig] == 0.0)
        paid_elig += float(a.relief[elig].sum())
        # the timeseries counts exactly what the firms got; other instruments paid nothing
        assert col(m, f"relief_{kind}_cny")[day] == pytest.approx(a.relief.sum(), rel=1e-12)
        assert col(m, "fiscal_cost_cny")[day] == pytest.approx(a.relief.sum(), rel=1e-12)
        for other in INSTRUMENTS:
            if other != kind:
                assert col(m, f"relief_{other}_cny")[day] == 0.0
        # the same day without relief: nothing paid; relief leaves the costs as they are
        costs, revenue, relief = base_days[day]
        assert np.all(relief == 0.0)
        if day == 0:  # the two worlds are the same until relief has changed some cash
            assert np.array_equal(a.costs, costs) and np.array_equal(a.revenue, revenue)
    assert paid_elig > 0
    # the ineligible firms did have the flow (interest, wages, rent, sales) to relieve
    ineligible_flow = {
        "interest_subsidy": f.loan[~elig].sum(),
        "social_insurance_exemption": f.wage0[~elig].sum(),
        "rent_relief": (f.rent0 * f.state_premises)[~elig].sum(),
        "tax_relief": f.tax0[~elig].sum(),
    }[kind]
    assert ineligible_flow > 0
    assert col(base, "fiscal_cost_cny").sum() == 0.0


# ------------------------------------------------------------ fiscal accounting
def test_fiscal_cost_is_the_sum_of_the_fiscal_instruments():
    days = 60
    cfg = small_config("population.residents=20000", f"days={days}", "scenario=huaian_2020")
    r = sim.run(cfg, progress=False)
    ts, s, m = r.timeseries, r.summary, r.model
    scale = m.pop.n / cfg.population.reference_residents
    fiscal = sum(ts[f"relief_{k}_cny"].to_numpy() for k in FISCAL)
    assert np.allclose(ts["fiscal_cost_cny"].to_numpy(), fiscal, rtol=1e-12, atol=1e-9)
    # loan forbearance is the banks' cost, not the treasury's
    bank = ts["bank_credit_extended_cny"].to_numpy()
    assert np.array_equal(ts[f"relief_{BANK}_cny"].to_numpy(), bank)
    assert bank.sum() > 0
    # the two services cost a fixed sum a day (scaled) while in force
    for kind in ("green_channel", "one_to_one_service"):
        p = next(p for p in m.policies if p.kind == kind)
        per_day = p.params.cost_per_day_cny * scale
        on = np.array([p.active(d) for d in range(days)])
        assert 0 < on.sum() < days
        assert np.allclose(ts[f"relief_{kind}_cny"].to_numpy()[on], per_day, rtol=1e-12)
        assert np.all(ts[f"relief_{kind}_cny"].to_numpy()[~on] == 0.0)
    # the summary adds up the timeseries
    by = s["fiscal_cost_by_instrument"]
    assert sorted(by) == sorted(FISCAL)
    for k in FISCAL:
        assert by[k] == pytest.approx(ts[f"relief_{k}_cny"].sum(), abs=0.06)
        assert by[k] > 0, k
    assert s["fiscal_cost_cny"] == pytest.approx(ts["fiscal_cost_cny"].sum(), abs=0.06)
    assert s["fiscal_cost_cny"] == pytest.approx(sum(by.values()), abs=0.06 * len(by))
    assert s["bank_credit_extended_cny"] == pytest.approx(bank.sum(), abs=0.06)


# ------------------------------------------------------------ eligibility errors
@pytest.mark.parametrize(
    ("extra", "key", "names"),
    [
        ({"sizes": ["giant"]}, "sizes", ["individual", "micro", "small", "medium", "large"]),
        ({"sectors": ["mining"]}, "sectors", ["agriculture", "catering_hospitality", "public"]),
        ({"sizes": "small"}, "sizes", []),
    ],
)
def test_unknown_sizes_or_sectors_are_errors(tmp_path, extra, key, names):
    entry = {"kind": "rent_relief", "start": 0, **extra}
    f = derived(tmp_path, "bad", "no_relief", policies=[entry])
    with pytest.raises(ConfigError, match=rf"rent_relief.*\b{key}\b") as err:
        model(f, residents=3000, days=5)
    for name in names:
        assert f"'{name}'" in str(err.value)


def test_unknown_exempt_sectors_of_a_stoppage_are_errors(tmp_path):
    entry = {"kind": "work_stoppage", "start": 0, "exempt_sectors": ["mining"]}
    f = derived(tmp_path, "bad", "no_relief", drop=["work_stoppage"], policies=[entry])
    with pytest.raises(ConfigError, match=r"work_stoppage.*'agriculture'.*got \['mining'\]"):
        model(f, residents=3000, days=5)


def test_unknown_exempt_sectors_error_names_the_key(tmp_path):
    entry = {"kind": "work_stoppage", "start": 0, "exempt_sectors": ["mining"]}
    f = derived(tmp_path, "bad", "no_relief", drop=["work_stoppage"], policies=[entry])
    with pytest.raises(ConfigError, match=r"\(work_stoppage\)\.exempt_sectors"):
        model(f, residents=3000, days=5)


# ------------------------------------------------------- each saves firms, paired
SEEDS = (1, 2, 3)
PAIRED = ("population.residents=50000",)  # 120 days


@pytest.fixture(scope="module")
def no_relief_runs():
    """``no_relief`` for each seed: firms failed, and the contact rates calibrated for it.

    The world of a seed is the same in every scenario, so its calibrated rates are
    passed to the paired runs (which then skip the calibration, a good part of the
    time of a run at this size, and have the same rates).
    """
    out = {}
    for seed in SEEDS:
        s = sim.run(small_config(*PAIRED, f"seed={seed}", "scenario=no_relief"), progress=False)
        cal = s.summary["calibration"]
        rates = (
            f"contacts.beta_household={cal['beta_household']!r}",
            f"contacts.beta={cal['beta']!r}",
        )
        out[seed] = (s.summary["firms_failed"], rates)
    return out


@pytest.mark.parametrize("kind", INSTRUMENTS)
def test_each_instrument_alone_saves_firms_paired_by_seed(tmp_path, no_relief_runs, kind):
    others = [k for k in INSTRUMENTS if k != kind]
    f = derived(tmp_path, f"only_{kind}", "huaian_2020", drop=others)
    without, with_it = {}, {}
    for seed in SEEDS:
        without[seed], rates = no_relief_runs[seed]
        cfg = small_config(*PAIRED, f"seed={seed}", f"scenario={f}", *rates)
        with_it[seed] = sim.run(cfg, progress=False).summary["firms_failed"]
    # never more failures than without relief, and fewer over the three seeds
    assert all(with_it[s] <= without[s] for s in SEEDS), (kind, with_it, without)
    assert sum(with_it.values()) < sum(without.values()), (kind, with_it, without)


# ------------------------------------------------------------- faster resumption
def _day_90pct_reopened(m):
    """Step ``m`` to the end; the day by which 90% of the firms closed by order (and
    not failed by the end) were open again."""
    f = m.firms
    closed = np.zeros(f.n, dtype=bool)
    reopened = np.full(f.n, -1)
    while m.day < m.cfg.days:
        day = m.day
        st = f.status.copy()
        m.step()
        closed |= f.status == CLOSED_ORDER
        reopened[(st == CLOSED_ORDER) & (f.status == OPEN)] = day
    kept = closed & (f.status != FAILED)
    assert kept.sum() > 0.5 * f.n and np.all(reopened[kept] >= 0)
    return int(np.quantile(reopened[kept], 0.9, method="higher"))


def test_one_to_one_service_reopens_firms_sooner(tmp_path):
    entry = {"kind": "one_to_one_service", "start": "2020-02-10"}
    f = derived(tmp_path, "with_one_to_one", "no_relief", policies=[entry])
    base = model("no_relief", days=90)
    slow = _day_90pct_reopened(base)
    fast = _day_90pct_reopened(model(f, days=90))
    # most closed firms can apply only when the household passes, which keep their
    # workers at home, are lifted; from then on, with twice the approvals a day (and
    # shorter waits), the backlog clears in about half the time
    knobs = base.timeline.knobs
    passes_end = (dt.date.fromisoformat(str(knobs["pass_stop"])) - base.timeline.start_date).days
    assert fast < slow
    assert fast - passes_end <= 0.6 * (slow - passes_end), (fast, slow, passes_end)


def test_one_to_one_service_doubles_approvals_and_shortens_the_wait(tmp_path):
    # a stoppage alone (no disease, no passes), then the service from the day it ends
    end = 10
    stoppage = {"kind": "work_stoppage", "start": 2, "stop": end, "exempt_sectors": ["public"]}
    service = {"kind": "one_to_one_service", "start": end, "capacity_factor": 2.0}
    m = model(
        scenario_file(tmp_path, [stoppage, service]), "disease.importation.prevalence=0", days=40
    )
    m.run()
    c = m.cfg
    scale = m.pop.n / c.population.reference_residents
    cap = scaled_count(round(c.economy.approval_capacity * 2.0), scale, minimum=0)
    approvals = col(m, "new_approvals")
    wait = next(p for p in m.policies if p.kind == "one_to_one_service").params.approval_days
    assert wait < c.economy.approval_days
    # the first firms reopen after the service's shorter wait, at twice the capacity
    assert np.all(approvals[: end + wait] == 0) and approvals[end + wait] == cap
    assert approvals.max() == cap
    assert col(m, "relief_one_to_one_service_cny")[end] > 0
