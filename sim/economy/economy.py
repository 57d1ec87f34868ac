"""The economy component: the firms' day under today's orders and relief, and its metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from sim.config import Config
from sim.economy.enterprises import (
    BANK_INSTRUMENTS,
    FAILED,
    INSTRUMENTS,
    OPEN,
    STATUS_NAMES,
    Accounts,
    Enterprises,
)
from sim.metrics import Metric, table
from sim.policies import DailyModifiers, Policy
from sim.policies.economy import Relief, WorkStoppage
from sim.recorder import EventLog
from sim.rng import Streams
from sim.world.population import Population

METRICS = """
firms_open | firms | firms open
    firms open at end of day
firms_closed_order | firms | firms closed by order
    firms closed by order (work stoppage) at end of day
firms_closed_workers | firms | firms closed: no workers
    firms closed at end of day because too few of their workers can come
firms_closed_demand | firms | firms closed: no demand
    firms closed at end of day for too little demand (or supplies)
firms_failed | firms | firms failed
    firms that could not pay what was due, at end of day (their jobs are gone)
firms_waiting_approval | firms | firms waiting for approval
    closed firms waiting for approval to reopen
new_approvals | firms | approvals
    closed firms approved to reopen today
new_firm_failures | firms | firm failures
    firms that failed today
jobs_lost | jobs | jobs lost
    employees of failed firms (jobs gone) at end of day
disputes_open | firms | open disputes
    firms with a contract or labour dispute unresolved
revenue_cny | CNY | revenue | real
    firms' revenue today (CNY)
wages_paid_cny | CNY | wages paid | real
    wages firms paid today (CNY)
wage_loss_cny | CNY | wage loss | real
    wages lost against a normal day (CNY)
household_income_ratio | share | household income vs normal | real
    households' income (wages, farm sales) against normal, smoothed by savings
relief_{instrument}_cny | CNY | relief: {instrument} | real
    cost of {instrument} today (CNY; a bank instrument's cost falls on the banks)
fiscal_cost_cny | CNY per day | fiscal cost of relief | real
    fiscal cost of today's relief (CNY)
bank_credit_extended_cny | CNY | bank credit extended | real
    principal renewed today only because of loan forbearance (CNY)
bank_loss_cny | CNY | bank losses | real
    loans and credit of firms that failed today (CNY)
cash_identity_error_cny | CNY | cash identity error | real
    largest gap over firms between cash change and the day's flows (CNY)
"""
SUMMARY = """
firms_total | firms | firms
    firms in the district
firms_open_end | firms | firms open at the end
    firms open on the last day
firms_closed_peak_share | share of firms | firms closed at the peak | real
    largest share of firms closed on one day
firms_failed | firms | firms failed
    firms that failed over the run
firms_never_reopened_share | share of firms | firms never reopened | real
    share of firms closed at some point and not open at the end
firms_never_reopened_share_by_size.{size} | share | firms never reopened: {size} | real
    share of {size} firms closed at some point and not open at the end
jobs_lost | jobs | jobs lost
    employees of failed firms at the end
revenue_cny | CNY | revenue | real
    firms' revenue over the run
wage_loss_cny | CNY | wage loss | real
    wages lost against normal days
fiscal_cost_cny | CNY | fiscal cost of relief | real
    fiscal cost of the relief over the run
fiscal_cost_by_instrument.{fiscal} | CNY | fiscal cost of {fiscal} | real
    fiscal cost of {fiscal} over the run
bank_credit_extended_cny | CNY | bank credit extended | real
    principal renewed only because of loan forbearance
bank_loss_cny | CNY | bank losses | real
    loans and credit of failed firms
cash_identity_max_error_cny | CNY | cash identity error | real
    largest daily gap between a firm's cash change and its flows
"""


class Economy:
    """The firms of one district and what moves them each day.

    Demand follows residents' outings, purchases, freight and farm sales; orders close
    firms; workers come as passes and health allow; relief acts on the firms' books.

    Args:
        cfg: The run's configuration.
        pop: The synthetic district.
        streams: The run's random streams.
        policies: The scenario's policies (relief eligibility is resolved here once).
        start_date: Calendar date of day 0.
        essential: Firms of the essential sectors (``Mobility.essential_firm``).
        normal: A normal day's other trips and freight trips (``Mobility``), households
            buying necessities and farm output in CNY (``Supply``): demand is relative
            to them.
    """

    def __init__(
        self,
        cfg: Config,
        pop: Population,
        streams: Streams,
        policies: list[Policy],
        start_date: dt.date,
        essential: np.ndarray,
        normal: tuple[float, float, int, float],
    ) -> None:
        self.cfg, self.pop = cfg, pop
        self.start_date = start_date
        self.base = normal
        self.scale = pop.n / cfg.population.reference_residents
        drivers = list(cfg.economy.demand_driver_by_sector)
        self.firms = firms = Enterprises(
            pop, cfg.economy, streams, self.scale, drivers, essential=essential
        )
        self.relief_masks: dict[int, np.ndarray] = {}  # policy index -> eligible firms
        for p in policies:
            where = f"policies[{p.index}] ({p.kind})"
            if isinstance(p, Relief):
                self.relief_masks[p.index] = firms.eligible(p.params, where)
            elif isinstance(p, WorkStoppage) and p.params.exempt_sectors is not None:
                firms.codes("sectors", p.params.exempt_sectors, f"{where}.exempt_sectors")
        self.accounts: Accounts | None = None

    def step(
        self,
        day: int,
        mods: DailyModifiers,
        outings: float,
        freight: float,
        supplied: Any,
        workers: np.ndarray,
        workers_if_pass: np.ndarray,
        events: EventLog,
    ) -> Accounts:
        """Firms close, apply to reopen and are approved; then book the day's accounts.

        Args:
            day: Day index.
            mods: Today's modifiers.
            outings: Residents' other trips today.
            freight: Freight trips today.
            supplied: What the supply chain did today (``SupplyDay``).
            workers: Employees of each firm who can come today.
            workers_if_pass: The same had every firm a work pass.
            events: The run's event log.
        """
        f, c = self.firms, self.cfg.economy
        base_other, base_freight, households, farm_output = self.base
        ratio = lambda a, b: a / b if b > 0 else 1.0  # noqa: E731
        date = self.start_date + dt.timedelta(days=day)
        industry, farm_external, _ = f.external(date)
        sd = supplied
        demand = f.demand(
            outings=ratio(outings, base_other),
            necessities=ratio(sd.bought_market_days + sd.bought_online_days, households),
            freight=ratio(freight, base_freight),
            farm=ratio(sd.farm_sold_cny, farm_output),
            industry=industry,
            farm_external=farm_external,
            deliveries=f.delivery_volume(date, float(sd.deliveries)),
        )
        ordered = np.zeros(f.n, dtype=bool)
        if mods.stoppage is not None:  # essential firms and exempt sectors keep working
            exempt = mods.stoppage.exempt_sectors or []
            ordered = ~np.isin(f.sector, [self.pop.sectors.index(x) for x in exempt])
            ordered &= ~f.essential
        relief = f.in_force(mods.relief, self.relief_masks)
        terms = f.terms(relief)
        res = mods.resumption
        acc = f.update(
            day,
            demand,
            workers,
            ordered,
            relief,
            approval_factor=terms.approval_factor,
            approval_days=terms.approval_days,
            dispute_days=terms.dispute_days,
            month=date.strftime("%Y-%m"),
            workers_if_pass=workers_if_pass,
            filing=res if res is not None and res.mode == "filing" else None,
        )
        f.note_income(
            float(acc.wages.sum()), sd.farm_sold_cny, farm_output, c.income_smoothing_days
        )
        for code, firms in acc.closed.items():
            events.add(day, "firm", f"close ({STATUS_NAMES[code]})", firms)
        events.add(day, "firm", "reopen", acc.reopened)
        events.add(day, "firm", "fail", acc.failed)
        self.accounts = acc
        return acc

    # ---------------------------------------------------------------- outputs
    @staticmethod
    def metrics() -> list[Metric]:
        """The daily columns this component records."""
        return table(METRICS, instrument=INSTRUMENTS)

    def values(self) -> dict[str, float]:
        """Today's values of ``metrics``."""
        f, acc = self.firms, self.accounts
        assert acc is not None
        st = f.status
        counts = {
            f"firms_{name}": int(np.count_nonzero(st == k)) for k, name in STATUS_NAMES.items()
        }
        by, bank = acc.relief_by_instrument, acc.bank_by_instrument
        return {
            **counts,
            "firms_waiting_approval": int(np.count_nonzero(f.applied >= 0)),
            "new_approvals": acc.approvals,
            "new_firm_failures": acc.failed_today,
            "jobs_lost": int(f.employees[st == FAILED].sum()),
            "disputes_open": int(np.count_nonzero(f.frozen > 0)),
            "revenue_cny": float(acc.revenue.sum()),
            "wages_paid_cny": float(acc.wages.sum()),
            "wage_loss_cny": f.normal_wages - float(acc.wages.sum()),
            "household_income_ratio": f.income_ratio,
            **{f"relief_{k}_cny": by.get(k, 0.0) + bank.get(k, 0.0) for k in INSTRUMENTS},
            "fiscal_cost_cny": sum(by.values()),
            "bank_credit_extended_cny": acc.bank_extended,
            "bank_loss_cny": acc.bank_loss,
            "cash_identity_error_cny": acc.identity_error,
        }

    def summary_fields(self) -> list[Metric]:
        """The summary fields this component contributes."""
        return table(
            SUMMARY,
            size=self.pop.size_classes,
            fiscal=[k for k in INSTRUMENTS if k not in BANK_INSTRUMENTS],
        )

    def summary(self, ts: pd.DataFrame) -> dict[str, Any]:
        """This component's part of ``summary.json``."""
        f = self.firms
        n = max(f.n, 1)
        never = f.ever_closed & (f.status != OPEN)

        def by_size(mask: np.ndarray) -> dict[str, float]:
            return {
                name: round(float(mask[f.size == k].mean()), 4) if np.any(f.size == k) else 0.0
                for k, name in enumerate(self.pop.size_classes)
            }

        fiscal = {k: round(float(ts[f"relief_{k}_cny"].sum()), 1) for k in INSTRUMENTS}
        bank = sum(fiscal.pop(k) for k in BANK_INSTRUMENTS)
        return {
            "firms_total": f.n,
            "firms_open_end": int(np.count_nonzero(f.status == OPEN)),
            "firms_closed_peak_share": round(float(1.0 - ts["firms_open"].min() / n), 4),
            "firms_closed_by_month": {m: round(float(v.mean()), 4) for m, v in f.closed_in.items()},
            "firms_closed_by_month_by_size": {m: by_size(v) for m, v in f.closed_in.items()},
            "firms_failed": int(ts["firms_failed"].iloc[-1]),
            "firms_never_reopened_share": round(float(never.mean()), 4),
            "firms_never_reopened_share_by_size": by_size(never),
            "jobs_lost": int(ts["jobs_lost"].iloc[-1]),
            "revenue_cny": round(float(ts["revenue_cny"].sum()), 1),
            "wage_loss_cny": round(float(ts["wage_loss_cny"].sum()), 1),
            "fiscal_cost_cny": round(float(ts["fiscal_cost_cny"].sum()), 1),
            "fiscal_cost_by_instrument": fiscal,
            "bank_credit_extended_cny": bank,
            "bank_loss_cny": round(float(ts["bank_loss_cny"].sum()), 1),
            "cash_identity_max_error_cny": float(ts["cash_identity_error_cny"].max()),
        }
