"""Enterprises: daily accounts, cash, loans, closures, resumption, disputes and relief."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.config import DEMAND_DRIVERS, EconomyConfig, external_dates
from sim.errors import ConfigError
from sim.policies.economy import instruments
from sim.policies.instrument import FirmBook, Instrument
from sim.policies.params import ResumptionParams
from sim.rng import Streams
from sim.world.population import Population, scaled_count

# Status codes of a firm (int8)
OPEN = 0
CLOSED_ORDER = 1  # closed by order (work stoppage)
CLOSED_WORKERS = 2  # too few of its workers can come (illness, quarantine, no work pass)
CLOSED_DEMAND = 3  # too little demand (or supplies)
FAILED = 4  # could not pay what was due from cash and credit; its jobs are gone
STATUS_NAMES = {
    OPEN: "open",
    CLOSED_ORDER: "closed_order",
    CLOSED_WORKERS: "closed_workers",
    CLOSED_DEMAND: "closed_demand",
    FAILED: "failed",
}
NEVER = np.iinfo(np.int32).max  # a day that never comes
INSTRUMENTS = tuple(instruments())  # relief kinds, in the order they are booked
BANK_INSTRUMENTS = tuple(k for k, cls in instruments().items() if cls.bank)  # bank costs
DRIVERS = DEMAND_DRIVERS  # what moves a sector's demand (order of ``Enterprises.demand``)


@dataclass
class Demand:
    """Today's demand for each sector's output relative to a normal day (1 = normal)."""

    by_sector: np.ndarray


@dataclass(frozen=True)
class InForce:
    """A relief instrument in force today and the firms it covers."""

    instrument: Instrument
    eligible: np.ndarray  # bool per firm


@dataclass(frozen=True)
class Terms:
    """Today's terms of resumption and disputes: the config's, as relief services change them."""

    approval_factor: float  # approvals a day, relative to ``economy.approval_capacity``
    approval_days: int  # days an application takes at least
    dispute_days: float  # mean days to resolve a dispute


@dataclass
class Accounts:
    """One day's flows of every firm (CNY, one value per firm) and what relief paid."""

    revenue: np.ndarray
    costs: np.ndarray
    relief: np.ndarray
    new_credit: np.ndarray
    repayments: np.ndarray
    wages: np.ndarray
    relief_by_instrument: dict[str, float] = field(default_factory=dict)  # fiscal cost (CNY)
    bank_by_instrument: dict[str, float] = field(default_factory=dict)  # credit extended (CNY)
    bank_extended: float = 0.0  # principal renewed only because of forbearance
    bank_loss: float = 0.0  # loans and credit of firms that failed today
    identity_error: float = 0.0  # largest |cash change - flows| over firms
    failed_today: int = 0
    approvals: int = 0
    closed: dict[int, np.ndarray] = field(default_factory=dict)  # status -> firms closed today
    reopened: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    failed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class Enterprises:
    """The district's firms: one row per firm in numpy arrays, updated for all at once.

    A firm's normal day: revenue ``rev0`` (employees x revenue per worker of its
    sector); purchased inputs, wages, employer social insurance, rent, interest, VAT and
    land-use and property tax. It holds cash for a runway drawn from the Chinese SME
    survey (months of a normal day's fixed outgoings with no revenue), may have a bank
    loan falling due on a day of the year, and a credit line. A closed firm pays a share
    of its wages. Each day (``update``): firms close by order,
    for lack of workers or of demand; closed firms apply to reopen when the reason has
    passed (workers they lack only for want of a work pass do not hold them back: the
    approval brings the pass) and are approved with a capacity, or on filing with spot
    checks (``resumption``); then every firm books the day's revenue and
    costs, relief pays part of the costs, maturing loans are renewed or repaid, and a
    firm that cannot pay from cash and credit fails. Stoppages start disputes that tie
    up cash until resolved.

    Work passes: firms of the essential sectors (and the food-supply share of others)
    hold them from the start; a firm approved to resume receives them for its workers
    (``work_pass``) and keeps them.

    The cash identity holds for every firm every day: ``cash change = revenue - costs +
    relief + new credit - repayments``.

    Args:
        pop: The district's population (firms, employees).
        cfg: Economy configuration.
        streams: The run's random streams.
        scale: Residents relative to the reference district (capacities scale with it).
        drivers: What drives each sector's demand (one of ``DRIVERS`` per sector).
        essential: Firms holding work passes from the start, exempt from the stoppage
            (bool per firm; None: none).
    """

    def __init__(
        self,
        pop: Population,
        cfg: EconomyConfig,
        streams: Streams,
        scale: float,
        drivers: list[str],
        essential: np.ndarray | None = None,
    ) -> None:
        self.cfg = cfg
        self.pop = pop
        self.streams = streams
        self.scale = scale
        n = pop.n_firms
        self.n = n
        sector = pop.firm_sector.astype(np.int64)
        size = pop.firm_size_class.astype(np.int64)
        self.sector, self.size = sector, size
        emp = pop.firm_employees.astype(np.float64)
        self.employees = emp
        self.drivers = np.array([DRIVERS.index(d) for d in drivers])
        by_sector = lambda name: np.asarray(getattr(cfg, name), dtype=float)[sector]  # noqa: E731
        self.rev0 = emp * by_sector("revenue_per_worker_day_by_sector")
        self.input_share = by_sector("input_share_by_sector")
        self.wage0 = emp * by_sector("wage_day_by_sector")
        self.rent0 = emp * by_sector("rent_per_worker_day_by_sector")
        self.tax0 = emp * cfg.property_tax_per_worker_day
        self.min_demand = by_sector("min_demand_share_by_sector")
        self.general = np.asarray(cfg.general_taxpayer_by_size, dtype=bool)[size]
        keys = np.arange(n)
        self.state_premises = streams.uniform("economy.premises", keys) < cfg.state_premises_share
        has_loan = streams.uniform("economy.loan", keys) < np.asarray(cfg.loan_share_by_size)[size]
        self.loan = np.where(has_loan, cfg.loan_days_of_revenue * self.rev0, 0.0)
        due = np.floor(streams.uniform("economy.due", keys) * cfg.loan_term_days).astype(np.int64)
        self.due = np.where(has_loan, due, NEVER)
        self.closed_wage_share = np.asarray(cfg.closed_wage_share_by_size, dtype=float)[size]
        # a normal day's fixed outgoings: what the survey's cash runway is measured in
        fixed = (
            self.wage0 * (1 + cfg.social_insurance_rate)
            + self.rent0
            + self.loan * cfg.interest_rate / 365.0
            + self.tax0
        )
        edges = np.asarray(cfg.runway_months, dtype=float)
        u = streams.uniform("economy.runway", keys)
        b = np.minimum(
            np.searchsorted(np.cumsum(cfg.runway_shares), u, side="right"), edges.size - 2
        )
        v = streams.uniform("economy.runway_within", keys)
        months = edges[b] + v * (edges[b + 1] - edges[b])
        self.runway_days = months * 30.0 * np.asarray(cfg.runway_factor_by_size)[size]
        self.cash = self.runway_days * fixed
        self.cash0 = self.cash.copy()
        self.credit_limit = cfg.credit_line_days * fixed
        self.credit_used = np.zeros(n)
        self.frozen = np.zeros(n)
        self.status = np.zeros(n, dtype=np.int8)
        self.applied = np.full(n, -1, dtype=np.int64)  # day of the open application, -1 none
        self.low_days = np.zeros(n, dtype=np.int32)
        self.ever_closed = np.zeros(n, dtype=bool)
        self.stoppages = np.zeros(n, dtype=np.int32)
        self.closed_in: dict[str, np.ndarray] = {}  # month -> firms closed on some day of it
        # households' income: wages and farm sales, smoothed by savings
        self.normal_wages = float(self.wage0.sum())
        self.income_ratio = 1.0
        # firms holding work passes: the essential ones, and those approved to resume
        self.essential = (
            np.zeros(n, dtype=bool) if essential is None else np.asarray(essential, dtype=bool)
        )
        self.work_pass = self.essential.copy()
        self._external_dates = external_dates("economy.external_dates", list(cfg.external_dates))
        # parcels delivered in the district on a normal day
        self.base_parcels = cfg.parcels_per_1000_day * pop.n / 1000.0

    def external(self, date: dt.date) -> tuple[float, float, float]:
        """National demand on ``date`` relative to normal: industry, farm, parcels.

        Each level of the dated series holds from its date to the next; before the first
        date demand is normal (1).
        """
        i = bisect.bisect_right(self._external_dates, date) - 1
        if i < 0:
            return 1.0, 1.0, 1.0
        c = self.cfg
        return (
            float(c.external_industry[i]),
            float(c.external_farm[i]),
            float(c.parcel_levels[i]),
        )

    def delivery_volume(self, date: dt.date, online_deliveries: float) -> float:
        """Parcels delivered today relative to a normal day (national parcels + online orders).

        Args:
            date: Calendar date of the day.
            online_deliveries: Online orders of necessities delivered today (``Supply``).

        Returns:
            Today's deliveries / a normal day's parcels (1 if there are no parcels).
        """
        if self.base_parcels <= 0:
            return 1.0
        parcels = self.external(date)[2]
        return parcels + online_deliveries / self.base_parcels

    # ------------------------------------------------------------------ masks
    def eligible(self, params: Any, where: str) -> np.ndarray:
        """Firms a relief policy's ``sizes`` and ``sectors`` cover (None: all)."""
        mask = np.ones(self.n, dtype=bool)
        for name, codes in (("sizes", self.size), ("sectors", self.sector)):
            chosen = getattr(params, name, None)
            if chosen is not None:
                mask &= np.isin(codes, self.codes(name, chosen, f"{where}.{name}"))
        return mask

    def codes(self, kind: str, chosen: Any, key: str) -> list[int]:
        """Codes of the size classes (``sizes``) or sectors named in ``chosen``.

        Raises:
            ConfigError: If ``chosen`` is not a list of valid names (naming ``key``).
        """
        names = self.pop.size_classes if kind == "sizes" else self.pop.sectors
        if not isinstance(chosen, list) or any(c not in names for c in chosen):
            raise ConfigError(f"{key} must be a list among {names}, got {chosen!r}")
        return [names.index(c) for c in chosen]

    def demand(
        self,
        outings: float,
        necessities: float,
        freight: float,
        farm: float,
        industry: float = 1.0,
        farm_external: float = 1.0,
        deliveries: float = 1.0,
    ) -> Demand:
        """Today's demand by sector, from the day's trips, supply, income and national demand.

        Args:
            outings: Other trips relative to a normal day (after rules and voluntary
                distancing).
            necessities: Necessities bought (market and online) relative to a normal day.
            freight: Commercial vehicle trips (and delivery vans) relative to normal.
            farm: Farm produce sold relative to the farmers' output.
            industry: National demand for manufactured goods relative to normal.
            farm_external: National demand for farm firms' output relative to normal.
            deliveries: Parcels delivered in the district relative to a normal day.

        Returns:
            Demand by sector (1 = normal), in the order of ``DRIVERS``: none, outings,
            shopping, freight, farm, external_industry, external_farm, deliveries.
        """
        spend = 1.0 - self.cfg.mpc * (1.0 - self.income_ratio)
        out = outings * spend
        values = np.array(
            [
                1.0,
                out,
                0.5 * necessities + 0.5 * out,
                freight,
                farm,
                industry,
                farm_external,
                deliveries,
            ]
        )
        return Demand(values[self.drivers])

    def in_force(
        self, instruments: Mapping[str, Instrument], covered: Mapping[int, np.ndarray]
    ) -> list[InForce]:
        """The relief instruments in force today, in the order they are booked.

        Args:
            instruments: Today's instruments by kind (``DailyModifiers.relief``).
            covered: The firms each scenario entry covers (bool per firm), by policy
                index; an entry without one covers every firm.

        Returns:
            The instruments with their firms, in the order their kinds were registered
            (``INSTRUMENTS``), whatever the order of the scenario's entries.
        """
        every = np.ones(self.n, dtype=bool)
        return [
            InForce(instruments[k], covered.get(instruments[k].index, every))
            for k in INSTRUMENTS
            if k in instruments
        ]

    def terms(self, relief: Sequence[InForce]) -> Terms:
        """Today's terms of resumption and disputes under the relief services in force.

        Args:
            relief: The instruments in force today.

        Returns:
            The config's terms (capacity factor 1, ``approval_days``, ``dispute_days``)
            as each service in force changes them (capacity factors multiply).
        """
        factor, days, disputes = 1.0, self.cfg.approval_days, self.cfg.dispute_days
        for r in relief:
            s = r.instrument.service()
            if s is not None:
                factor *= s.approval_factor
                days = days if s.approval_days is None else s.approval_days
                disputes = disputes if s.dispute_days is None else s.dispute_days
        return Terms(factor, days, disputes)

    def update(
        self,
        day: int,
        demand: Demand,
        workers: np.ndarray,
        ordered: np.ndarray,
        relief: Sequence[InForce],
        approval_factor: float,
        approval_days: int,
        dispute_days: float,
        month: str = "",
        workers_if_pass: np.ndarray | None = None,
        filing: ResumptionParams | None = None,
    ) -> Accounts:
        """One day of every firm: status changes, then the day's accounts.

        Args:
            day: Day index.
            demand: Today's demand by sector.
            workers: Employees of each firm who can come to work today (count per firm).
            ordered: Firms ordered closed today (work stoppage).
            relief: Relief instruments in force today with the firms each covers, in the
                order they are booked.
            approval_factor: Multiplier on the approval capacity (``terms``).
            approval_days: Days an application takes at least today.
            dispute_days: Mean days to resolve a dispute today.
            month: Calendar month of the day (``2020-02``), for closures by month.
            workers_if_pass: Employees of each firm who could come today if it held a
                work pass (None: ``workers``). A closed firm applies to reopen on these:
                approval brings the pass.
            filing: Parameters of a ``resumption`` policy in filing mode (None: every
                application waits for approval within the capacity).

        Returns:
            The day's flows.
        """
        share = np.where(self.employees > 0, workers / np.maximum(self.employees, 1), 1.0)
        d = demand.by_sector[self.sector]
        closed = self._close(day, d, share, ordered, dispute_days)
        # applications and approvals: a firm applies on the workers it would have with a
        # pass (the approval brings the pass)
        if workers_if_pass is None:
            share_if = share
        else:
            share_if = np.where(
                self.employees > 0, workers_if_pass / np.maximum(self.employees, 1), 1.0
            )
        due = self._approve(day, d, share_if, ordered, approval_factor, approval_days, filing)
        acc = self._book(day, d, share, relief)
        acc.approvals = int(due.size)
        acc.reopened = due
        acc.closed = closed
        shut = self.status != OPEN
        if month in self.closed_in:
            self.closed_in[month] |= shut
        else:
            self.closed_in[month] = shut
        return acc

    def _close(
        self, day: int, d: np.ndarray, share: np.ndarray, ordered: np.ndarray, dispute_days: float
    ) -> dict[int, np.ndarray]:
        """Open firms close by order, for lack of workers or after days of low demand.

        Returns:
            The firms closed today, by status.
        """
        c = self.cfg
        st = self.status
        low = d < self.min_demand
        self.low_days = np.where(low, self.low_days + 1, 0)
        was_open = st == OPEN
        to_order = was_open & ordered
        to_workers = was_open & ~ordered & (share < c.min_workers_share)
        to_demand = was_open & ~ordered & ~to_workers & (self.low_days >= c.demand_closure_days)
        st[to_order] = CLOSED_ORDER
        st[to_workers] = CLOSED_WORKERS
        st[to_demand] = CLOSED_DEMAND
        stopped = np.flatnonzero(to_order | to_workers | to_demand)
        self.ever_closed[stopped] = True
        self.stoppages[stopped] += 1
        self._disputes(day, stopped, dispute_days)
        return {
            CLOSED_ORDER: np.flatnonzero(to_order),
            CLOSED_WORKERS: np.flatnonzero(to_workers),
            CLOSED_DEMAND: np.flatnonzero(to_demand),
        }

    def _approve(
        self,
        day: int,
        d: np.ndarray,
        share_if: np.ndarray,
        ordered: np.ndarray,
        approval_factor: float,
        approval_days: int,
        filing: ResumptionParams | None,
    ) -> np.ndarray:
        """Closed firms apply to reopen, and reopen on filing or approval (oldest first).

        Returns:
            The firms that reopen today (with work passes).
        """
        c = self.cfg
        st = self.status
        closed = (st != FAILED) & (st != OPEN)
        ready = closed & ~ordered & (share_if >= c.min_workers_share) & (d >= c.resume_demand_share)
        self.applied[closed & ~ready] = -1  # the reason is back: the application lapses
        self.applied[ready & (self.applied < 0)] = day
        waiting = np.flatnonzero(ready & (self.applied >= 0))
        filed = np.zeros(0, dtype=np.int64)
        if filing is not None and waiting.size:
            # filing: open ``filing_days`` after filing, but for the spot-checked share
            # (one draw per application), which waits for approval like the others
            u = self.streams.uniform("economy.spot_check", self.applied[waiting], waiting)
            checked = u < filing.spot_check_share
            on_file = waiting[~checked]
            filed = on_file[self.applied[on_file] <= day - filing.filing_days]
            waiting = waiting[checked]
        due = waiting[self.applied[waiting] <= day - approval_days]
        cap = scaled_count(round(c.approval_capacity * approval_factor), self.scale, minimum=0)
        if due.size > cap:
            due = due[np.lexsort((due, self.applied[due]))][:cap]
        due = np.concatenate([filed, due])
        st[due] = OPEN
        self.applied[due] = -1
        self.low_days[due] = 0
        self.work_pass[due] = True
        return due

    def _disputes(self, day: int, stopped: np.ndarray, mean_days: float) -> None:
        """Open disputes are resolved (their cash released); stoppages start new ones.

        A dispute is resolved on any day with probability ``1 / mean_days`` (so a green
        channel speeds up the disputes already open, too).
        """
        c = self.cfg
        open_ = np.flatnonzero(self.frozen > 0)
        if open_.size:
            u = self.streams.uniform("economy.dispute_resolved", day, open_)
            self.frozen[open_[u < 1.0 / max(mean_days, 1.0)]] = 0.0
        if stopped.size == 0:
            return
        u = self.streams.uniform("economy.dispute", day, stopped)
        hit = stopped[u < c.dispute_prob]
        free = np.maximum(self.cash[hit] - self.frozen[hit], 0.0)
        self.frozen[hit] += np.minimum(c.dispute_frozen_days * self.rev0[hit], free)

    def _book(
        self,
        day: int,
        d: np.ndarray,
        share: np.ndarray,
        relief: Sequence[InForce],
    ) -> Accounts:
        """Revenue, costs, relief, loans and credit of the day; failures."""
        alive = self.status != FAILED
        book, wages, costs = self._flows(d, share, alive)
        revenue = book.revenue
        paid, by = self._relief(book, relief)
        repay, called_today, bank = self._mature(day, alive, relief)
        # the credit line is paid back from cash above the firm's usual holdings
        surplus = np.maximum(self.cash + revenue - costs + paid - repay - self.cash0, 0.0)
        back = np.minimum(self.credit_used, surplus) * alive
        repay = repay + back
        self.credit_used -= back
        before = self.cash.copy()
        cash = self.cash + revenue - costs + paid - repay
        # a shortfall is drawn on the credit line; what it cannot cover, the firm fails on
        short = np.maximum(self.frozen - cash, 0.0) * alive
        draw = np.minimum(short, np.maximum(self.credit_limit - self.credit_used, 0.0))
        self.credit_used += draw
        cash = cash + draw
        fail, bank_loss = self._fail(cash, alive, called_today)
        self.cash = cash
        flows = revenue - costs + paid + draw - repay
        err = float(np.abs(self.cash - before - flows).max()) if self.n else 0.0
        return Accounts(
            revenue=revenue,
            costs=costs,
            relief=paid,
            new_credit=draw,
            repayments=repay,
            wages=wages,
            relief_by_instrument=by,
            bank_by_instrument=bank,
            bank_extended=float(sum(bank.values())),
            bank_loss=bank_loss,
            identity_error=err,
            failed_today=int(fail.size),
            failed=fail,
        )

    def _flows(
        self, d: np.ndarray, share: np.ndarray, alive: np.ndarray
    ) -> tuple[FirmBook, np.ndarray, np.ndarray]:
        """Today's revenue and costs of every firm.

        Args:
            d: Today's demand for each firm's output relative to normal.
            share: Share of each firm's employees who can come to work.
            alive: Firms that have not failed (bool per firm).

        Returns:
            The books relief draws on, the wages paid and the total costs (CNY per firm).
        """
        c = self.cfg
        is_open = self.status == OPEN
        revenue = np.where(is_open, self.rev0 * d * np.minimum(share, 1.0), 0.0)
        inputs = self.input_share * revenue
        wages = np.where(is_open, self.wage0, self.wage0 * self.closed_wage_share) * alive
        si = c.social_insurance_rate * wages
        rent = self.rent0 * alive
        interest = self.loan * c.interest_rate / 365.0 * alive
        tax = self.tax0 * alive
        vat_small = c.vat_rate_small * revenue
        vat = np.where(self.general, c.vat_rate_general * (revenue - inputs), vat_small)
        costs = inputs + wages + si + rent + interest + tax + vat
        book = FirmBook(
            revenue=revenue,
            interest=interest,
            social_insurance=si,
            rent=rent,
            property_tax=tax,
            general=self.general,
            state_premises=self.state_premises,
            vat_rate_small=c.vat_rate_small,
        )
        return book, wages, costs

    def _relief(
        self, book: FirmBook, relief: Sequence[InForce]
    ) -> tuple[np.ndarray, dict[str, float]]:
        """What the instruments in force pay or waive today, and their fiscal cost.

        Payments to firms are booked first, then the services' fixed daily costs (scaled
        with the population), each in the order of ``relief``.

        Returns:
            CNY paid per firm, and the fiscal cost of each instrument (CNY).
        """
        paid = np.zeros(self.n)
        by: dict[str, float] = {}
        for r in relief:
            amount = r.instrument.pay(book, r.eligible)
            if amount is not None:
                kind = r.instrument.kind
                paid = paid + amount
                by[kind] = by.get(kind, 0.0) + float(amount.sum())
        for r in relief:
            service = r.instrument.service()
            if service is not None:
                kind = r.instrument.kind
                by[kind] = by.get(kind, 0.0) + service.cost_per_day_cny * self.scale
        return paid, by

    def _mature(
        self, day: int, alive: np.ndarray, relief: Sequence[InForce]
    ) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
        """Loans falling due today are renewed (by the bank or by forbearance) or repaid.

        Returns:
            Repayments and loans called today (CNY per firm), and the principal each
            instrument renewed that the bank would have called (CNY).
        """
        c = self.cfg
        repay = np.zeros(self.n)
        called_today = np.zeros(self.n)
        bank: dict[str, float] = {}
        maturing = np.flatnonzero(alive & (self.due == day))
        if maturing.size == 0:
            return repay, called_today, bank
        u = self.streams.uniform("economy.rollover", day, maturing)
        p_roll = np.where(self.status[maturing] == OPEN, c.rollover_prob, c.rollover_prob_closed)
        renewed = u < p_roll
        for r in relief:
            covered = r.instrument.renews(r.eligible)
            if covered is not None:
                kind = r.instrument.kind
                forced = ~renewed & covered[maturing]
                bank[kind] = bank.get(kind, 0.0) + float(self.loan[maturing[forced]].sum())
                renewed |= forced
        self.due[maturing[renewed]] += c.loan_term_days
        called = maturing[~renewed]
        repay[called] = self.loan[called]
        called_today[called] = self.loan[called]
        self.loan[called] = 0.0
        self.due[called] = NEVER
        return repay, called_today, bank

    def _fail(
        self, cash: np.ndarray, alive: np.ndarray, called_today: np.ndarray
    ) -> tuple[np.ndarray, float]:
        """Firms left with less than their frozen cash fail; their disputes lapse.

        Returns:
            The firms that failed today, and what the banks lose on them (CNY): their
            loans (also one called today and not paid) and credit used.
        """
        fail = np.flatnonzero(alive & (cash - self.frozen < -1e-9))
        if fail.size == 0:
            return fail, 0.0
        self.status[fail] = FAILED
        bank_loss = float(
            self.loan[fail].sum() + called_today[fail].sum() + self.credit_used[fail].sum()
        )
        self.frozen[fail] = 0.0
        self.applied[fail] = -1
        return fail, bank_loss

    def note_income(self, wages: float, farm: float, normal_farm: float, days: float) -> None:
        """Households' income today relative to normal, smoothed by their savings."""
        normal = self.normal_wages + normal_farm
        today = (wages + farm) / normal if normal > 0 else 1.0
        self.income_ratio += (today - self.income_ratio) / max(days, 1.0)
