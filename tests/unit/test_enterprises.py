"""Firms' accounts, closures, resumption, loans, disputes, failures (sim/economy/enterprises.py)."""

import copy
import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.config import validate
from sim.economy.enterprises import (
    CLOSED_DEMAND,
    CLOSED_ORDER,
    CLOSED_WORKERS,
    FAILED,
    NEVER,
    OPEN,
    Demand,
    InForce,
)
from sim.errors import ConfigError
from sim.policies import REGISTRY
from sim.policies.base import NO_END
from sim.world.population import scaled_count
from tests.helpers import scenario_file, small_config

NO_IMPORTS = "disease.importation.prevalence=0"
FLOW_KINDS = (
    "loan_forbearance",
    "interest_subsidy",
    "tax_relief",
    "social_insurance_exemption",
    "rent_relief",
)
STOP_START, STOP_END = 2, 10  # work stoppage on days 2..9 (the stop day is exclusive)
STOPPAGE = {
    "kind": "work_stoppage",
    "start": STOP_START,
    "stop": STOP_END,
    "exempt_sectors": ["public"],
}


def model_with(tmp_path, policies, *overrides, days=30, residents=20000, name="s"):
    """A model (not yet run) of a small world under a temporary scenario of ``policies``."""
    f = scenario_file(tmp_path, policies, name=name)
    cfg = small_config(
        f"population.residents={residents}", f"days={days}", f"scenario={f}", *overrides
    )
    return sim.DistrictModel(cfg)


def col(model, name):
    return model.recorder.column(name)


def approval_cap(model, factor=1.0):
    c = model.cfg
    scale = model.pop.n / c.population.reference_residents
    return scaled_count(round(c.economy.approval_capacity * factor), scale, minimum=0)


# ---------------------------------------------------------------- the cash identity
@pytest.fixture(scope="module")
def world():
    """One small district (20,000 residents), built once; its firms are copied per example."""
    return sim.DistrictModel(small_config("population.residents=20000", "days=30"))


def _cost_items(f, cfg, alive, revenue, wages, loan):
    """The day's cost items besides wages, recomputed from the firms' state at booking."""
    inputs = f.input_share * revenue
    vat = np.where(
        f.general, cfg.vat_rate_general * (revenue - inputs), cfg.vat_rate_small * revenue
    )
    return {
        "inputs": inputs,
        "si": cfg.social_insurance_rate * wages,
        "rent": f.rent0 * alive,
        "interest": loan * cfg.interest_rate / 365.0 * alive,
        "tax": f.tax0 * alive,
        "vat": vat,
    }


@st.composite
def relief_dicts(draw):
    """A random subset of the five flow instruments, with random parameters."""
    kinds = draw(st.lists(st.sampled_from(FLOW_KINDS), unique=True, max_size=5))
    share = st.floats(0.0, 1.0)
    out = {}
    for kind in kinds:
        cls = REGISTRY[kind].Params
        if kind in ("interest_subsidy", "social_insurance_exemption", "rent_relief"):
            params = cls(share=draw(share))
        elif kind == "tax_relief":
            params = cls(
                vat_rate_small=draw(st.floats(0.0, 0.05)),
                property_tax_exempt=draw(st.booleans()),
            )
        else:
            params = cls()
        out[kind] = (params, draw(st.sampled_from([0.0, 0.3, 1.0])))  # eligible density
    return out


@settings(
    max_examples=200,
    deadline=None,
    database=None,  # no examples saved between runs
)
@given(
    seed=st.integers(0, 2**32 - 1),
    touched=st.floats(0.0, 1.0),  # share of firms whose state is randomised
    day0=st.integers(0, 400),
    n_days=st.integers(1, 5),
    relief=relief_dicts(),
    approval_factor=st.floats(0.0, 3.0),
    approval_days=st.integers(0, 5),
    dispute_days=st.floats(1.0, 80.0),
    dispute_prob=st.floats(0.0, 1.0),
    rollover=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    ordered_share=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_cash_identity_and_bounds_hold_for_random_firms_and_days(
    world,
    seed,
    touched,
    day0,
    n_days,
    relief,
    approval_factor,
    approval_days,
    dispute_days,
    dispute_prob,
    rollover,
    ordered_share,
):
    base = world.firms
    # copy the firms (not the shared population) so that examples do not interfere
    f = copy.deepcopy(base, {id(base.pop): base.pop, id(base.streams): base.streams})
    f.cfg = dataclasses.replace(
        base.cfg,
        dispute_prob=dispute_prob,
        rollover_prob=rollover[0],
        rollover_prob_closed=rollover[1],
    )
    cfg = f.cfg
    n = f.n
    rng = np.random.default_rng(seed)
    sel = np.flatnonzero(rng.random(n) < touched)
    k = sel.size
    # cash: nothing, a few fen, a normal holding or a fortune
    mode = rng.integers(0, 4, k)
    cash = np.select(
        [mode == 0, mode == 1, mode == 2],
        [np.zeros(k), rng.uniform(0, 1e-3, k), f.cash0[sel] * rng.uniform(0, 2, k)],
        rng.uniform(1e6, 1e9, k),
    )
    f.cash[sel] = cash
    tied = rng.integers(0, 3, k)  # none, some or all of it frozen in disputes
    f.frozen[sel] = cash * np.select([tied == 0, tied == 1], [0.0, rng.random(k)], 1.0)
    has_loan = rng.random(k) < 0.6
    f.loan[sel] = np.where(has_loan, f.rev0[sel] * rng.uniform(0, 100, k), 0.0)
    due = day0 + rng.integers(0, n_days + 1, k)  # some fall due in the window, some today
    f.due[sel] = np.where(has_loan, due, NEVER)
    f.credit_limit[sel] = np.where(
        rng.random(k) < 0.3, 0.0, f.credit_limit[sel] * rng.uniform(0, 2, k)
    )
    f.credit_used[sel] = f.credit_limit[sel] * rng.random(k)
    f.status[sel] = rng.integers(0, 5, k)
    f.applied[sel] = np.where(rng.random(k) < 0.5, -1, day0 - rng.integers(0, 10, k))
    f.applied[f.status == OPEN] = -1
    f.applied[f.status == FAILED] = -1
    f.frozen[f.status == FAILED] = 0.0
    f.low_days[sel] = rng.integers(0, 5, k)
    masks = {kind: rng.random(n) < p for kind, (_, p) in relief.items()}
    relief_today = {kind: (params, masks[kind]) for kind, (params, _) in relief.items()}
    in_force = [  # the instruments, as the model puts them in force
        InForce(REGISTRY[kind](0, NO_END, params), elig)
        for kind, (params, elig) in relief_today.items()
    ]
    cap = scaled_count(round(cfg.approval_capacity * approval_factor), f.scale, minimum=0)
    n_sectors = len(base.pop.sectors)

    for day in range(day0, day0 + n_days):
        demand = Demand(rng.uniform(0.0, 1.5, n_sectors))
        workers = np.floor(rng.random(n) * (f.employees + 1))
        ordered = rng.random(n) < ordered_share
        before = f.cash.copy()
        st_before = f.status.copy()
        low_before = f.low_days.copy()
        loan_before = f.loan.copy()
        alive = st_before != FAILED
        acc = f.update(
            day,
            demand,
            workers,
            ordered,
            in_force,
            approval_factor=approval_factor,
            approval_days=approval_days,
            dispute_days=dispute_days,
            month="2020-02",
        )
        after = f.status
        rev, costs, paid = acc.revenue, acc.costs, acc.relief
        draw_, repay = acc.new_credit, acc.repayments
        # the cash identity, firm by firm
        terms = np.abs(before) + np.abs(rev) + np.abs(costs) + np.abs(paid)
        terms += np.abs(draw_) + np.abs(repay)
        gap = np.abs(f.cash - before - (rev - costs + paid + draw_ - repay))
        assert np.all(gap <= 1e-6 * (1 + terms)), (day, gap.max())
        assert acc.identity_error <= 1e-6 * (1 + terms.max())
        # failed firms stay failed and book nothing (new credit: but for the rounding of
        # a credit line drawn to its limit, see test_new_credit_is_never_negative)
        was_failed = st_before == FAILED
        assert np.all(after[was_failed] == FAILED)
        for flow in (rev, costs, paid, repay, acc.wages):
            assert np.all(flow[was_failed] == 0.0)
        assert np.all(np.abs(draw_[was_failed]) <= 1e-9 * (1 + f.credit_limit[was_failed]))
        moved = np.abs(f.cash[was_failed] - before[was_failed])
        assert np.all(moved <= 1e-9 * (1 + f.credit_limit[was_failed]))
        failed_today = alive & (after == FAILED)
        assert acc.failed_today == int(failed_today.sum())
        assert np.all(f.frozen[after == FAILED] == 0.0)  # a failed firm's disputes lapse
        # the banks lose the loans and credit of today's failures (a loan called today
        # may be left out: see test_a_loan_called_on_the_day_its_firm_fails_...)
        lost = f.credit_used[failed_today].sum()
        low, high = lost + f.loan[failed_today].sum(), lost + loan_before[failed_today].sum()
        assert low * (1 - 1e-12) - 1e-9 <= acc.bank_loss <= high * (1 + 1e-12) + 1e-9
        # revenue only for open firms (a firm failing today may have been open when booking)
        assert np.all(rev >= 0)
        assert np.all(rev[(after != OPEN) & ~failed_today] == 0.0)
        # an open firm sells the day's demand with the workers it has
        d = demand.by_sector[f.sector]
        share = np.where(f.employees > 0, workers / np.maximum(f.employees, 1), 1.0)
        open_now = after == OPEN
        expect_rev = f.rev0 * d * np.minimum(share, 1.0)
        assert np.allclose(rev[open_now], expect_rev[open_now], rtol=1e-12, atol=0)
        # open firms close by order, for lack of workers, or after days of low demand
        assert not np.any(open_now & ordered)
        assert np.all(np.isin(after, [OPEN, CLOSED_ORDER, CLOSED_WORKERS, CLOSED_DEMAND, FAILED]))
        was_open, kept = st_before == OPEN, ~failed_today
        few = share < cfg.min_workers_share
        low = np.where(d < f.min_demand, low_before + 1, 0) >= cfg.demand_closure_days
        reason = np.select([ordered, few, low], [CLOSED_ORDER, CLOSED_WORKERS, CLOSED_DEMAND], OPEN)
        assert np.array_equal(after[was_open & kept], reason[was_open & kept])
        # credit and repayments
        assert np.all(draw_ >= -1e-9 * (1 + f.credit_limit)) and np.all(repay >= 0)
        assert np.all(f.credit_used <= f.credit_limit + 1e-9 * (1 + f.credit_limit))
        assert np.all(f.credit_used >= -1e-9)
        # firms still alive hold at least their frozen cash
        alive_after = after != FAILED
        assert np.all(f.cash[alive_after] - f.frozen[alive_after] >= -1e-9)
        # costs are the sum of their items; relief pays part of the items it covers
        # wages: in full when open, a share when closed (a firm failing today: either)
        full, part = f.wage0, f.wage0 * f.closed_wage_share
        known = alive & ~failed_today
        want = np.where(open_now, full, part)
        assert np.allclose(acc.wages[known], want[known], rtol=1e-12, atol=0)
        ft = failed_today
        assert np.all(np.isclose(acc.wages[ft], full[ft]) | np.isclose(acc.wages[ft], part[ft]))
        items = _cost_items(f, cfg, alive, rev, acc.wages, loan_before)
        total = sum(items.values()) + acc.wages
        assert np.allclose(costs, total, rtol=1e-12, atol=1e-9)
        covered = items["interest"] + items["si"] + items["rent"] + items["tax"] + items["vat"]
        assert np.all(paid >= 0)
        assert np.all(paid <= covered * (1 + 1e-12) + 1e-9)
        assert np.all(paid <= costs * (1 + 1e-12) + 1e-9)
        # and exactly what each instrument pays
        expect = np.zeros(n)
        for kind, (params, elig) in relief_today.items():
            if kind == "interest_subsidy":
                expect += params.share * items["interest"] * elig
            elif kind == "social_insurance_exemption":
                expect += params.share * items["si"] * elig
            elif kind == "rent_relief":
                expect += params.share * items["rent"] * elig * f.state_premises
            elif kind == "tax_relief":
                cut = max(cfg.vat_rate_small - params.vat_rate_small, 0.0) * rev
                waived = np.where(f.general, 0.0, cut)
                if params.property_tax_exempt:
                    waived = waived + items["tax"]
                expect += waived * elig
        assert np.allclose(paid, expect, rtol=1e-12, atol=1e-9)
        assert sum(acc.relief_by_instrument.values()) == pytest.approx(paid.sum(), rel=1e-9)
        # approvals within the day's capacity
        assert acc.approvals <= cap
        assert acc.approvals >= int(np.count_nonzero((st_before != OPEN) & open_now))


def test_new_credit_is_never_negative(world):
    base = world.firms
    f = copy.deepcopy(base, {id(base.pop): base.pop, id(base.streams): base.streams})
    i = int(np.flatnonzero(f.employees > 0)[0])
    # a line whose limit minus use does not add back to the limit exactly
    f.credit_used[i], f.credit_limit[i] = 3130.4785881993766, 15766.99716252952
    f.cash[i], f.frozen[i], f.status[i] = -1e6, 0.0, CLOSED_ORDER
    args = (Demand(np.ones(len(base.pop.sectors))), f.employees, np.zeros(f.n, dtype=bool), [])
    f.update(0, *args, approval_factor=1.0, approval_days=3, dispute_days=60.0)
    assert f.status[i] == FAILED  # drew the whole line and still could not pay
    cash = f.cash[i]
    acc = f.update(1, *args, approval_factor=1.0, approval_days=3, dispute_days=60.0)
    assert acc.new_credit[i] >= 0.0
    assert f.cash[i] == cash


# ----------------------------------------------------------------- a whole run
def test_cash_identity_holds_every_day_of_a_whole_run():
    cfg = small_config("population.residents=20000", "scenario=huaian_2020", "days=120")
    m = sim.DistrictModel(cfg)
    f = m.firms
    worst = 0.0
    start, total = f.cash.copy(), np.zeros(f.n)
    while m.day < cfg.days:
        before = f.cash.copy()
        m.step()
        a = m.today.accounts
        flows = a.revenue - a.costs + a.relief + a.new_credit - a.repayments
        worst = max(worst, float(np.abs(f.cash - before - flows).max()))
        total += flows
    assert worst < 1e-3
    # over the whole run: the cash each firm ends with is what it started with plus the
    # sum of its flows
    assert np.allclose(f.cash - start, total, rtol=1e-9, atol=1e-3)
    err = col(m, "cash_identity_error_cny")
    assert err.size == cfg.days and err.max() < 1e-3
    # the run exercised every flow: firms closed, were relieved, borrowed and failed
    assert col(m, "firms_failed")[-1] > 0
    assert col(m, "firms_closed_order").max() > 0.5 * f.n
    assert col(m, "fiscal_cost_cny").sum() > 0


# ---------------------------------------------------------------- work stoppage
def test_work_stoppage_closes_firms_without_a_pass_and_they_reopen_through_approvals(tmp_path):
    days = 70
    m = model_with(tmp_path, [STOPPAGE], NO_IMPORTS, days=days)
    f, pop = m.firms, m.pop
    public = pop.sectors.index("public")
    stopped = (f.sector != public) & ~m.mobility.essential_firm
    assert 0 < stopped.sum() < f.n
    cap = approval_cap(m)
    emp = np.flatnonzero(pop.employer >= 0)
    reopened = np.full(f.n, -1)
    went_closed = went_open = 0
    while m.day < days:
        day = m.day
        st_before = f.status.copy()
        m.step()
        # employees of firms closed when they set out make no work trips
        closed_emp = emp[st_before[pop.employer[emp]] != OPEN]
        went_closed += int(m.today.trips.went_work[closed_emp].sum())
        went_open += int(m.today.trips.went_work[emp[st_before[pop.employer[emp]] == OPEN]].sum())
        newly = (st_before == CLOSED_ORDER) & (f.status == OPEN)
        reopened[newly] = day
        if day == STOP_START:
            # every firm without a pass outside the exempt sector closes by order; the
            # others keep working (no disease, normal demand)
            assert np.all(f.status[stopped] == CLOSED_ORDER)
            assert np.all(f.status[~stopped] == OPEN)
    assert went_closed == 0 and went_open > 0
    approvals = col(m, "new_approvals")
    assert approvals.max() <= cap and approvals.max() == cap > 0  # the capacity binds
    # nobody reopens before the order ends plus the approval time
    approval_days = m.cfg.economy.approval_days
    assert reopened[stopped].max() >= 0
    first = reopened[reopened >= 0].min()
    assert first == STOP_END + approval_days
    # by the end every stopped firm that did not fail is open again
    alive = f.status != FAILED
    assert np.all(f.status[stopped & alive] == OPEN)
    assert np.all(reopened[stopped & alive] >= STOP_END + approval_days)
    assert col(m, "firms_closed_order")[-1] == 0


# ---------------------------------------------------------------------- failure
def test_a_firm_without_cash_or_credit_fails_and_books_nothing_afterwards(tmp_path):
    m = model_with(tmp_path, [{**STOPPAGE, "stop": 40}], NO_IMPORTS, days=12)
    f = m.firms
    while m.day < 4:
        m.step()
    # a firm closed by order, with a loan that does not fall due soon and employees
    cand = np.flatnonzero(
        (f.status == CLOSED_ORDER) & (f.loan > 0) & (f.employees > 0) & (f.due > 30)
    )
    i = int(cand[0])
    f.cash[i] = 0.0
    f.frozen[i] = 0.0
    f.credit_limit[i] = 0.0
    f.credit_used[i] = 0.0
    f.due[f.due == m.day] = m.day + 1  # no loan falls due today: every failure keeps its loan
    alive_before = f.status != FAILED
    jobs_before = col(m, "jobs_lost")[m.day - 1]
    loan_i = f.loan[i]
    m.step()
    assert f.status[i] == FAILED
    failed_today = alive_before & (f.status == FAILED)
    jobs_now = col(m, "jobs_lost")[m.day - 1]
    assert jobs_now == int(f.employees[f.status == FAILED].sum())
    assert jobs_now - jobs_before == int(f.employees[failed_today].sum()) >= f.employees[i]
    loss = col(m, "bank_loss_cny")[m.day - 1]
    expect = float(f.loan[failed_today].sum() + f.credit_used[failed_today].sum())
    assert loss == pytest.approx(expect, rel=1e-12)
    assert loss >= loan_i > 0
    assert col(m, "new_firm_failures")[m.day - 1] == failed_today.sum()
    cash_i = f.cash[i]
    while m.day < 12:
        m.step()
        a = m.today.accounts
        flows = (a.revenue, a.costs, a.relief, a.new_credit, a.repayments, a.wages)
        assert all(x[i] == 0.0 for x in flows)
        assert f.status[i] == FAILED and f.cash[i] == cash_i


def test_a_loan_called_on_the_day_its_firm_fails_counts_as_a_bank_loss(tmp_path):
    m = model_with(
        tmp_path,
        [{**STOPPAGE, "stop": 40}],
        NO_IMPORTS,
        "economy.rollover_prob=0",
        "economy.rollover_prob_closed=0",
        days=12,
    )
    f = m.firms
    while m.day < 4:
        m.step()
    i = int(np.flatnonzero((f.status == CLOSED_ORDER) & (f.loan > 0))[0])
    f.cash[i] = 0.0
    f.frozen[i] = 0.0
    f.credit_limit[i] = 0.0
    f.credit_used[i] = 0.0
    f.due[f.due == m.day] = m.day + 1  # only this firm's loan falls due today
    f.due[i] = m.day
    loan_i = f.loan[i]
    alive, loans, credit = f.status != FAILED, f.loan.copy(), f.credit_used
    m.step()
    assert f.status[i] == FAILED and loan_i > 0
    failed_today = alive & (f.status == FAILED)
    # the bank never got the principal back: the firm had nothing to pay it with, so
    # its loan, like every failed firm's, is a loss
    expect = float(loans[failed_today].sum() + credit[failed_today].sum())
    assert col(m, "bank_loss_cny")[m.day - 1] == pytest.approx(expect, rel=1e-9)


# ------------------------------------------------------------------------ loans
def _loan_run(tmp_path, policies, *overrides, size=None):
    """Step a calm world through day 3, when one firm's loan (and no other) falls due."""
    m = model_with(tmp_path, policies, NO_IMPORTS, *overrides, days=6)
    f = m.firms
    d = 3
    i = int(np.flatnonzero((f.loan > 0) & ((f.size == size) if size is not None else True))[0])
    early = np.flatnonzero(f.due <= d)
    f.due[early] = d + 1 + np.arange(early.size)  # other loans fall due later
    f.due[i] = d
    f.cash[i] += 2 * f.loan[i]  # enough to repay
    f.credit_used[i] = 0.0
    loan_i = float(f.loan[i])
    while m.day <= d:
        m.step()
    return m, i, loan_i, d


@pytest.mark.parametrize("rollover", ["1", "0"])
def test_a_maturing_loan_is_renewed_or_repaid(tmp_path, rollover):
    over = (f"economy.rollover_prob={rollover}", f"economy.rollover_prob_closed={rollover}")
    m, i, loan_i, d = _loan_run(tmp_path, [], *over)
    f, a = m.firms, m.today.accounts
    term = m.cfg.economy.loan_term_days
    assert f.status[i] == OPEN
    if rollover == "1":
        assert f.due[i] == d + term and f.loan[i] == loan_i
        assert a.repayments[i] == 0.0
    else:
        assert f.due[i] == NEVER and f.loan[i] == 0.0
        assert a.repayments[i] == pytest.approx(loan_i, rel=1e-12)
    assert col(m, "bank_credit_extended_cny")[d] == 0.0


@pytest.mark.parametrize("covered", [True, False])
def test_loan_forbearance_renews_the_loans_the_bank_would_call(tmp_path, covered):
    # forbearance for one size class: the firm's own, or every other one
    probe = model_with(tmp_path, [], NO_IMPORTS, days=1, name="probe")
    size = int(probe.firms.size[np.flatnonzero(probe.firms.loan > 0)[0]])
    names = probe.pop.size_classes
    sizes = [names[size]] if covered else [x for j, x in enumerate(names) if j != size]
    policy = {"kind": "loan_forbearance", "start": 0, "sizes": sizes}
    m, i, loan_i, d = _loan_run(
        tmp_path,
        [policy],
        "economy.rollover_prob=0",
        "economy.rollover_prob_closed=0",
        size=size,
    )
    f, a = m.firms, m.today.accounts
    term = m.cfg.economy.loan_term_days
    extended = col(m, "bank_credit_extended_cny")[d]
    if covered:
        assert f.due[i] == d + term and f.loan[i] == loan_i
        assert a.repayments[i] == 0.0
        assert extended == pytest.approx(loan_i, rel=1e-12) and a.bank_extended == extended
        assert col(m, "relief_loan_forbearance_cny")[d] == extended
    else:
        assert f.due[i] == NEVER and f.loan[i] == 0.0
        assert a.repayments[i] == pytest.approx(loan_i, rel=1e-12)
        assert extended == 0.0
    # no loan fell due on the other days: nothing extended then
    assert col(m, "bank_credit_extended_cny")[:d].sum() == 0.0


# --------------------------------------------------------------------- disputes
def test_a_stoppage_freezes_cash_in_disputes_until_they_are_resolved(tmp_path):
    m = model_with(tmp_path, [STOPPAGE], NO_IMPORTS, "economy.dispute_prob=1", days=6)
    f = m.firms
    days_frozen = m.cfg.economy.dispute_frozen_days
    while m.day < STOP_START:
        m.step()
    assert np.all(f.frozen == 0.0)
    cash_before = f.cash.copy()
    st_before = f.status.copy()
    m.step()
    hit = (st_before == OPEN) & (f.status == CLOSED_ORDER)
    assert hit.sum() > 0.5 * f.n
    expect = np.minimum(days_frozen * f.rev0[hit], cash_before[hit])
    assert np.allclose(f.frozen[hit], expect, rtol=1e-12, atol=0)
    assert np.all(f.frozen[~hit] == 0.0)
    # both bounds occur: some firms have less cash than the dispute would tie up
    assert np.any(expect < days_frozen * f.rev0[hit]) and np.any(expect < cash_before[hit])
    assert col(m, "disputes_open")[STOP_START] == hit.sum()


def test_the_green_channel_resolves_disputes_sooner(tmp_path):
    days = STOP_START + 11
    green = {"kind": "green_channel", "start": STOP_START, "dispute_days": 2}
    over = (NO_IMPORTS, "economy.dispute_prob=1", "economy.dispute_days=60")
    slow = model_with(tmp_path, [STOPPAGE], *over, days=days, name="slow")
    fast = model_with(tmp_path, [STOPPAGE, green], *over, days=days, name="fast")
    slow.run()
    fast.run()
    opened = col(slow, "disputes_open")[STOP_START]
    assert opened == col(fast, "disputes_open")[STOP_START] > 500
    later_slow = col(slow, "disputes_open")[STOP_START + 10]
    later_fast = col(fast, "disputes_open")[STOP_START + 10]
    # resolved with probability 1/60 a day: about 85% still open after 10 days
    assert later_slow == pytest.approx(opened * (59 / 60) ** 10, rel=0.1)
    # with the green channel 1/2 a day: almost none
    assert later_fast < 0.01 * opened + 2
    assert later_fast < later_slow
    # released cash is cash again: frozen falls as disputes close
    assert fast.firms.frozen.sum() < 0.05 * slow.firms.frozen.sum()


# ------------------------------------------------------------- household income
def test_closures_cut_household_income_and_spending_on_outings(tmp_path):
    m = model_with(tmp_path, [{**STOPPAGE, "stop": 30}], NO_IMPORTS, days=25)
    f = m.firms
    c = m.cfg.economy
    prev = f.income_ratio
    while m.day < 25:
        m.step()
        # income follows the day's wages and farm sales, smoothed by savings
        sd, sup = m.today.supplied, m.supply
        today = (m.today.accounts.wages.sum() + sd.farm_sold_cny) / (
            f.normal_wages + sup.farm_output
        )
        assert f.income_ratio == pytest.approx(
            prev + (today - prev) / c.income_smoothing_days, rel=1e-9
        )
        prev = f.income_ratio
    ratio = col(m, "household_income_ratio")
    assert ratio[STOP_START - 1] > 0.99
    assert ratio[-1] < 0.85  # most firms closed for three weeks
    assert np.all(np.diff(ratio[STOP_START:]) < 0)
    # demand for outings falls by mpc times the income lost
    drivers = list(c.demand_driver_by_sector)
    f.income_ratio = 0.5
    dem = f.demand(1.0, 1.0, 1.0, 1.0).by_sector
    spend = 1 - c.mpc * 0.5
    for k, driver in enumerate(drivers):
        want = {"outings": spend, "shopping": 0.5 + 0.5 * spend}.get(driver, 1.0)
        assert dem[k] == pytest.approx(want, rel=1e-12), driver
    assert "outings" in drivers and "shopping" in drivers
    f.income_ratio = 1.0
    assert np.allclose(f.demand(1.0, 1.0, 1.0, 1.0).by_sector, 1.0)


# ------------------------------------------------------------------ config errors
@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("economy.wage_day_by_sector=[1,2]", "economy.wage_day_by_sector"),
        (
            "economy.demand_driver_by_sector=[farm,freight,none,shopping,outings,freight,"
            "outings,tourism]",
            "economy.demand_driver_by_sector",
        ),
        ("economy.runway_shares=[0.3,0.3,0.2,0.1]", "economy.runway_shares"),
        (
            "economy.closed_wage_share_by_size=[0.6,0.4,2,0.5,0.6]",
            "economy.closed_wage_share_by_size",
        ),
    ],
)
def test_bad_economy_config_is_an_error_naming_the_key(override, key):
    with pytest.raises(ConfigError, match=key):
        validate(small_config(override))


# --------------------------------------------------------- resumption and work passes
HOUSEHOLD_PASS = {"kind": "household_pass", "start": STOP_START, "stop": 30, "farm_work": True}


def test_firms_apply_to_resume_under_household_passes_and_receive_work_passes(tmp_path):
    days = 25
    m = model_with(tmp_path, [STOPPAGE, HOUSEHOLD_PASS], NO_IMPORTS, days=days)
    f, pop = m.firms, m.pop
    stopped = (f.sector != pop.sectors.index("public")) & ~f.essential
    approval_days = m.cfg.economy.approval_days
    emp = np.flatnonzero(pop.employer >= 0)
    went_resumed = 0
    while m.day < days:
        passes_before = f.work_pass.copy()
        m.step()
        day = m.day - 1
        if day == STOP_START:
            # essential firms (agriculture, logistics, public, food supply) keep working
            assert np.all(f.status[~stopped] == OPEN)
            assert np.all(f.status[stopped] == CLOSED_ORDER)
        # employees of firms approved before today go to work although passes are in force
        resumed = passes_before & ~f.essential
        went_resumed += int(m.today.trips.went_work[emp[resumed[pop.employer[emp]]]].sum())
    # the stoppage ended on STOP_END with household passes still in force: firms applied
    # at once and reopened after the approval time, with work passes for their workers
    approvals = col(m, "new_approvals")
    assert approvals[: STOP_END + approval_days].sum() == 0
    assert approvals[STOP_END + approval_days] > 0
    reopened = stopped & (f.status == OPEN)
    assert reopened.sum() > 0 and np.all(f.work_pass[reopened])
    assert np.all(f.work_pass[f.essential])
    assert went_resumed > 0


def test_filing_reopens_firms_the_next_day_except_the_spot_checked(tmp_path):
    days = STOP_END + 6
    filing = {"kind": "resumption", "start": STOP_END, "mode": "filing", "spot_check_share": 0.2}
    m = model_with(tmp_path, [STOPPAGE, filing], NO_IMPORTS, days=days)
    f = m.firms
    cap = approval_cap(m)
    approval_days = m.cfg.economy.approval_days
    while m.day < STOP_END:
        m.step()
    waiting = np.flatnonzero(f.status == CLOSED_ORDER)
    assert waiting.size > 5 * cap  # far more than a day's approvals
    m.step()  # STOP_END: every stopped firm files
    assert col(m, "new_approvals")[STOP_END] == 0
    m.step()  # the next day: all but the spot-checked reopen
    opened = col(m, "new_approvals")[STOP_END + 1]
    assert opened == pytest.approx(0.8 * waiting.size, rel=0.1)
    assert opened > cap
    checked = waiting[f.status[waiting] != OPEN]
    assert np.all(f.applied[checked] == STOP_END)
    while m.day < days:
        m.step()
    # the spot-checked wait for approval within the capacity
    later = col(m, "new_approvals")[STOP_END + 2 :]
    assert later[: approval_days - 2].sum() == 0
    assert 0 < later.max() <= cap
    assert np.all(f.work_pass[waiting[f.status[waiting] == OPEN]])


def test_approval_mode_keeps_the_capacity(tmp_path):
    days = STOP_END + 6
    approval = {"kind": "resumption", "start": STOP_END, "mode": "approval"}
    a = model_with(tmp_path, [STOPPAGE, approval], NO_IMPORTS, days=days, name="a")
    b = model_with(tmp_path, [STOPPAGE], NO_IMPORTS, days=days, name="b")
    a.run()
    b.run()
    assert np.array_equal(col(a, "new_approvals"), col(b, "new_approvals"))
    assert col(a, "new_approvals").max() == approval_cap(a)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"mode": "permit"}, r"mode must be one of \['approval', 'filing'\]"),
        ({"filing_days": -1}, r"filing_days must be a non-negative integer"),
        ({"spot_check_share": 1.5}, r"spot_check_share must be a probability"),
    ],
)
def test_bad_resumption_parameters_are_rejected_by_name(tmp_path, entry, message):
    with pytest.raises(ConfigError, match=message):
        model_with(tmp_path, [{"kind": "resumption", "start": 0, **entry}], days=2)


# ------------------------------------------------------------------ demand drivers
def test_each_sector_follows_its_demand_driver(world):
    f = world.firms
    c = f.cfg
    drivers = list(c.demand_driver_by_sector)
    names = world.pop.sectors
    assert drivers[names.index("manufacturing")] == "external_industry"
    assert drivers[names.index("agriculture")] == "external_farm"
    assert drivers[names.index("logistics")] == "deliveries"
    f.income_ratio = 1.0
    dem = f.demand(0.5, 0.8, 0.1, 0.3, industry=0.9, farm_external=0.7, deliveries=1.2).by_sector
    want = {
        "none": 1.0,
        "outings": 0.5,
        "shopping": 0.5 * 0.8 + 0.5 * 0.5,
        "freight": 0.1,
        "farm": 0.3,
        "external_industry": 0.9,
        "external_farm": 0.7,
        "deliveries": 1.2,
    }
    for k, driver in enumerate(drivers):
        assert dem[k] == pytest.approx(want[driver], rel=1e-12), driver


def test_national_demand_follows_its_dated_series(world):
    f = world.firms
    c = f.cfg
    dates = [dt.date.fromisoformat(str(x)) for x in c.external_dates]
    assert f.external(dates[0] - dt.timedelta(days=1)) == (1.0, 1.0, 1.0)
    for i, d in enumerate(dates):
        for day in (d, d + dt.timedelta(days=1)):
            assert f.external(day) == (
                c.external_industry[i],
                c.external_farm[i],
                c.parcel_levels[i],
            )
    # Jan-Feb 2020 (NBS): industrial value added -13.5%
    assert f.external(dt.date(2020, 2, 15))[0] == pytest.approx(0.865)
    # deliveries: the national parcels plus online orders, against a normal day's parcels
    base = c.parcels_per_1000_day * world.pop.n / 1000
    assert f.base_parcels == pytest.approx(base)
    feb = dt.date(2020, 2, 15)
    assert f.delivery_volume(feb, 0.25 * base) == pytest.approx(f.external(feb)[2] + 0.25)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("economy.external_industry=[1,1]", r"economy\.external_industry must be a list of 4"),
        (
            "economy.external_dates=[2020-03-01,2020-01-24,2020-04-01,2020-05-01]",
            r"economy\.external_dates must be strictly increasing",
        ),
        (
            "economy.external_dates=[soon,2020-01-24,2020-04-01,2020-05-01]",
            r"economy\.external_dates must be a list of ISO dates",
        ),
        ("economy.parcel_levels=[1,1,-1,1]", r"economy\.parcel_levels\[2\] must be non-negative"),
        ("economy.parcels_per_1000_day=-1", r"economy\.parcels_per_1000_day must be"),
    ],
)
def test_bad_national_demand_config_is_an_error_naming_the_key(override, key):
    with pytest.raises(ConfigError, match=key):
        validate(small_config(override))
