"""Residents' daily trips by purpose, vehicle trips, and the rules that ration them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import MobilityConfig
from sim.epidemic.disease import HOME, EpiState, State
from sim.metrics import Metric, table
from sim.movement.supply import Shopping
from sim.policies import DailyModifiers
from sim.policies.mobility import closed, covered
from sim.policies.params import HouseholdPassParams
from sim.rng import Streams
from sim.world.population import AGE_BAND_EDGES, Population

METRICS = """
person_trips | trips | person trips
    round trips out of the home today (all purposes)
person_trips_work | trips | person trips: work
    round trips out of the home for work today
person_trips_shopping | trips | person trips: shopping
    round trips out of the home for shopping today
person_trips_other | trips | person trips: other
    round trips out of the home for other today
person_trips_vs_baseline | share of a normal day | person trips | real
    person trips as a share of a normal day's
vehicle_trips | vehicle trips | vehicle trips | real
    vehicle trips today: private cars, commercial traffic, delivery vans
vehicle_trips_vs_baseline | share of a normal day | vehicle trips | real
    vehicle trips as a share of a normal day's
rule_breaking_trips | trips | rule-breaking trips
    trips made against today's rules (on foot or by car)
voluntary_trip_cut | share | trips forgone by choice | real
    share of other trips residents forgo by choice (recent local cases)
residents_off_sick | persons | off sick
    residents with symptoms who stayed home today
blocked_trips | trips | trips turned back
    rule-breaking trips turned back at a checkpoint or gate today
market_visits | trips | market visits
    shopping trips to a market today (one shopper a household)
"""
SUMMARY = """
person_trips_baseline | trips | person trips on a normal day | real
    person trips of a normal day
vehicle_trips_baseline | vehicle trips | vehicle trips on a normal day | real
    vehicle trips of a normal day
person_trips_vs_baseline_min7d | share of a normal day | person trips, lowest 7-day mean | real
    lowest 7-day mean of person trips against a normal day
vehicle_trips_vs_baseline_min7d | share of a normal day | vehicle trips, lowest 7-day mean | real
    lowest 7-day mean of vehicle trips against a normal day
person_trips | trips | person trips
    person trips over the run
vehicle_trips | vehicle trips | vehicle trips | real
    vehicle trips over the run
rule_breaking_trips | trips | rule-breaking trips
    trips against the day's rules over the run
blocked_trips | trips | trips turned back
    rule-breaking trips turned back over the run
market_visits | visits | market visits
    shopping trips to a market
"""


@dataclass
class Households:
    """Who can go out today and which households are sealed or empty (this morning)."""

    able: np.ndarray  # per resident: free to go out (bool)
    sealed: np.ndarray  # per household: a member in home quarantine (door sensors, F7)
    empty: np.ndarray  # per household: every member dead, in hospital or isolated


def households_today(epi: EpiState, pop: Population) -> Households:
    """Who can go out today, which households are sealed, which have nobody at home.

    ``able``: not isolated, in quarantine or in hospital, and not in a sealed household;
    ``sealed``: a member in home quarantine, nobody goes out; ``empty``: every member
    dead, in hospital or isolated, so it neither eats nor restocks.
    """
    st, iso = epi.state, epi.isolation
    well = (st < State.V) | (st == State.R)  # alive and not in hospital
    able = well & (iso == 0)
    home = np.flatnonzero(iso == HOME)
    sealed = np.zeros(pop.n_households, dtype=bool)
    if home.size:
        sealed[pop.household[home]] = True
        able &= ~sealed[pop.household]
    away = np.flatnonzero(~well | (iso > HOME))
    empty = np.zeros(pop.n_households, dtype=bool)
    if away.size:
        hh, n_away = np.unique(pop.household[away], return_counts=True)
        empty[hh[n_away == pop.household_size[hh]]] = True
    return Households(able, sealed, empty)


@dataclass
class Trips:
    """One day's trips: counts for the metrics, and who went where for the contact layers.

    Attributes:
        work: Residents who went to work or to their fields today.
        shopping: Shopping trips (one shopper per household).
        other: Other trips (errands, visits, leisure), allowed or not.
        vehicle: Vehicle trips (private cars, commercial traffic, delivery vans).
        freight: Of ``vehicle``, commercial traffic and delivery vans.
        rule_breaking: Trips made against today's rules (on foot or by car).
        blocked: Rule-breaking trips turned back at a checkpoint.
        went_work: Whether each resident went to a workplace today (bool, n).
        went_other: Whether each resident made an other trip today (bool, n).
        went_shopping: Whether each resident went to market today (bool, n).
    """

    work: int
    shopping: int
    other: int
    vehicle: float
    freight: float
    rule_breaking: int
    blocked: int
    went_work: np.ndarray
    went_other: np.ndarray
    went_shopping: np.ndarray

    @property
    def persons(self) -> int:
        """Person trips of all purposes."""
        return self.work + self.shopping + self.other


class Mobility:
    """The trip-making of one district's residents: baseline rates and today's trips.

    On a normal day an employed resident goes to work on ``work_days_per_week / 7`` of
    days, a farmer to the fields with ``farm_trip_prob``, every resident makes an other
    trip with a probability by age, and each household's shopper goes to market when
    the household restocks (``Supply``). The driver of a household with a vehicle makes
    ``car_mode_share`` of their trips to work, errands and market by car; commercial
    traffic adds ``freight_trips_per_1000`` vehicle trips a day per 1,000 residents.
    Employees go to work only at an open firm. Passes forbid trips (work passes go to
    firms: those of the essential sectors and the food-supply share of the others
    from the start, ``essential_firm``, and every firm approved to resume); a forbidden
    trip is tried anyway with a probability that falls with the grid's awareness, and
    gets through a checkpoint with the grid's through probability.

    Whatever the rules, a resident with symptoms stays home from work and other trips
    with ``sick_stay_home_prob``, and residents forgo a share of their other trips as
    the district's recent confirmed cases rise (``voluntary_cut``); while venues and
    gatherings are closed, only the share ``mods.outings`` of other trips is made.

    Args:
        pop: The district's population.
        cfg: Mobility configuration.
        sectors: Names of the firm sectors (``population.firms.sectors``).
        shop_rate: Shopping trips a household makes a normal day.
        streams: The run's random streams.
    """

    def __init__(
        self,
        pop: Population,
        cfg: MobilityConfig,
        sectors: list[str],
        shop_rate: float,
        streams: Streams,
    ) -> None:
        self.cfg = cfg
        self.pop = pop
        self.streams = streams
        n = pop.n
        employed = pop.employer >= 0
        self.employed = np.flatnonzero(employed)
        self.workers = np.flatnonzero(employed | pop.farmer)
        self.worker_farmer = pop.farmer[self.workers]
        self.worker_firm = np.where(self.worker_farmer, 0, pop.employer[self.workers])
        self.worker_urban = pop.urban[self.workers]
        self.q_work = np.where(
            self.worker_farmer, cfg.farm_trip_prob, cfg.work_days_per_week / 7.0
        ).astype(np.float32)
        # work passes from the start go to firms: every firm of an essential sector, and
        # the food-supply share of the others (supermarkets, food production)
        essential_sector = np.isin(sectors, list(cfg.essential_sectors))
        share = np.asarray(cfg.essential_share_by_sector, dtype=float)
        firm_draw = streams.uniform("mobility.work_pass", np.arange(pop.n_firms))
        self.essential_firm = essential_sector[pop.firm_sector] | (
            firm_draw < share[pop.firm_sector]
        )
        self.off_sick_today: np.ndarray | None = None  # who stayed home ill today
        band = np.clip(np.searchsorted(AGE_BAND_EDGES, pop.age, side="right") - 1, 0, 8)
        self.q_other = np.asarray(cfg.other_trip_prob, dtype=np.float32)[band]
        head = pop.household_start[:-1]
        lo, hi = cfg.driver_ages
        age = pop.age[head]
        self.drivers = head[pop.household_vehicle & (age >= lo) & (age <= hi)].astype(np.int64)
        self.shop_rate = shop_rate
        # the baseline: expected trips of a normal day
        self.base_work = float(self.q_work.sum())
        self.base_shopping = pop.n_households * shop_rate
        self.base_other = float(self.q_other.sum())
        q_driver = np.zeros(n, dtype=np.float64)
        emp = ~self.worker_farmer
        q_driver[self.workers[emp]] = self.q_work[emp]
        drive = q_driver[self.drivers] + self.q_other[self.drivers] + shop_rate
        self.base_freight = cfg.freight_trips_per_1000 * n / 1000.0
        self.base_vehicle = float(cfg.car_mode_share * drive.sum()) + self.base_freight

    @property
    def base_persons(self) -> float:
        """Person trips of a normal day (all purposes)."""
        return self.base_work + self.base_shopping + self.base_other

    def with_pass(self, firm_pass: np.ndarray | None = None) -> np.ndarray:
        """Which residents hold a work pass: employees of firms holding one (bool, n).

        Args:
            firm_pass: Firms holding work passes today (None: ``essential_firm``).
        """
        holds = self.essential_firm if firm_pass is None else firm_pass
        emp = self.pop.employer
        return (emp >= 0) & holds[np.maximum(emp, 0)]

    def voluntary_cut(self, confirmed_7d_per_100k: float) -> float:
        """Share of other trips residents forgo by choice at this level of local cases.

        ``min(fear_max, fear_slope * log2(1 + I / fear_reference_per_100k))`` with ``I``
        the confirmed cases of the last seven days per 100,000 residents.

        Args:
            confirmed_7d_per_100k: Cases confirmed in the district over the last 7 days,
                per 100,000 residents.

        Returns:
            Share of other trips forgone (0..``fear_max``).
        """
        c = self.cfg
        i = max(float(confirmed_7d_per_100k), 0.0)
        return float(min(c.fear_max, c.fear_slope * np.log2(1.0 + i / c.fear_reference_per_100k)))

    def off_sick(
        self, day: int, sick: np.ndarray | None, prob: float | None = None
    ) -> np.ndarray | None:
        """Residents with symptoms who stay home today (bool, n; None if nobody is ill).

        Each ill resident stays home with ``prob`` (None: ``sick_stay_home_prob``, the
        share while the illness is unknown), one draw per (day, resident).
        """
        p = self.cfg.sick_stay_home_prob if prob is None else prob
        if sick is None:
            return None
        idx = np.flatnonzero(sick)
        if idx.size == 0:
            return None
        out = np.zeros(self.pop.n, dtype=bool)
        u = self.streams.uniform("mobility.sick_home", day, idx)
        out[idx[u < p]] = True
        return out

    def presence(self, layer: str, market_members: np.ndarray) -> np.ndarray:
        """Each resident's chance of taking part in a layer on a normal day (for calibration).

        Args:
            layer: ``community``, ``workplace`` or ``market``.
            market_members: Whether each resident can shop for the household.

        Returns:
            Probabilities (n, float64).
        """
        n = self.pop.n
        if layer == "community":
            return self.q_other.astype(np.float64)
        if layer == "workplace":
            p = np.zeros(n)
            emp = ~self.worker_farmer
            p[self.workers[emp]] = self.q_work[emp]
            return p
        p = np.zeros(n)
        p[self.pop.household_start[:-1]] = self.shop_rate  # the head shops on a normal day
        return p * market_members

    def trips(
        self,
        day: int,
        mods: DailyModifiers,
        able: np.ndarray,
        through: np.ndarray,
        break_prob: np.ndarray,
        shopping: Shopping,
        deliveries: float,
        employer_open: np.ndarray | None = None,
        firm_pass: np.ndarray | None = None,
        sick: np.ndarray | None = None,
        voluntary: float = 0.0,
    ) -> Trips:
        """Today's trips of every resident under today's rules and choices.

        Args:
            day: Day index.
            mods: Today's modifiers (passes, closures, outings kept, online supply).
            able: Whether each resident can go out today.
            through: Probability a rule-breaking trip gets through, per grid.
            break_prob: Probability a forbidden trip is tried anyway, per grid.
            shopping: Today's market trips (from ``Supply.shop``).
            deliveries: Online orders the couriers carry today (delivery vans).
            employer_open: Whether each firm is open today (None: all are).
            firm_pass: Firms holding work passes today (None: ``essential_firm``).
            sick: Residents with symptoms today (bool, n; None: nobody); each stays home
                from work and other trips with today's ``mods.sick_stay_home_prob`` (None:
                ``sick_stay_home_prob``).
            voluntary: Share of other trips residents forgo by choice today
                (``voluntary_cut``).

        Returns:
            Today's trips.
        """
        n = self.pop.n
        self.off_sick_today = self.off_sick(day, sick, mods.sick_stay_home_prob)
        if self.off_sick_today is not None:
            able = able & ~self.off_sick_today
        holds = self.essential_firm if firm_pass is None else firm_pass
        hp = mods.household_pass.params if mods.household_pass is not None else None
        went_work, n_work = self._work(day, able, holds, hp, employer_open)
        went_other, legal_other, broke, blocked = self._other(
            day, mods, able, hp, through, break_prob, voluntary
        )
        n_other = int(np.count_nonzero(went_other))

        # shopping
        went_shopping = np.zeros(n, dtype=bool)
        went_shopping[shopping.shopper] = True
        legal_shopping = went_shopping.copy()
        legal_shopping[shopping.shopper[shopping.broke]] = False
        broke += shopping.breaking
        blocked += shopping.blocked

        private, freight, car_broke, car_blocked = self._vehicles(
            day,
            mods,
            (went_work, went_other, went_shopping),
            (legal_other, legal_shopping),
            holds,
            through,
            break_prob,
        )
        o = mods.online_supply
        vans = deliveries / o.orders_per_vehicle_trip if o is not None else 0.0
        return Trips(
            work=n_work,
            shopping=int(shopping.shoppers.size),
            other=n_other,
            vehicle=private + freight + vans,
            freight=freight + vans,
            rule_breaking=broke + car_broke,
            blocked=blocked + car_blocked,
            went_work=went_work,
            went_other=went_other,
            went_shopping=went_shopping,
        )

    def _work(
        self,
        day: int,
        able: np.ndarray,
        holds: np.ndarray,
        hp: HouseholdPassParams | None,
        employer_open: np.ndarray | None,
    ) -> tuple[np.ndarray, int]:
        """Today's trips to work and to the fields.

        Args:
            day: Day index.
            able: Whether each resident can go out today.
            holds: Firms holding work passes today (bool per firm).
            hp: Today's household passes (None: none).
            employer_open: Whether each firm is open today (None: all are).

        Returns:
            Who went to a firm (bool per resident; farmers are not counted), and the
            trips to work and fields.
        """
        u = self.streams.day("mobility.work", day).random(self.workers.size, dtype=np.float32)
        go = (u < self.q_work) & able[self.workers]
        if employer_open is not None:  # employees go only to an open firm
            go &= self.worker_farmer | employer_open[self.worker_firm]
        if hp is not None:
            kept_in = covered(hp.applies_to, self.worker_urban)
            farm = self.worker_farmer if hp.farm_work else False
            passed = ~self.worker_farmer & holds[self.worker_firm]
            go &= ~kept_in | passed | farm
        went_work = np.zeros(self.pop.n, dtype=bool)
        went_work[self.workers[go & ~self.worker_farmer]] = True
        return went_work, int(np.count_nonzero(go))

    def _other(
        self,
        day: int,
        mods: DailyModifiers,
        able: np.ndarray,
        hp: HouseholdPassParams | None,
        through: np.ndarray,
        break_prob: np.ndarray,
        voluntary: float,
    ) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Today's other trips (errands, visits, leisure), some against today's rules.

        Args:
            day: Day index.
            mods: Today's modifiers (outings kept, closed settlements).
            able: Whether each resident can go out today.
            hp: Today's household passes (None: none).
            through: Probability a rule-breaking trip gets through, per grid.
            break_prob: Probability a forbidden trip is tried anyway, per grid.
            voluntary: Share of other trips residents forgo by choice today.

        Returns:
            Who made one (bool per resident), who made one within the rules, and the
            rule-breaking trips that got through and that were stopped.
        """
        pop, n = self.pop, self.pop.n
        applies = covered(hp.applies_to, pop.urban) if hp is not None else None
        u = self.streams.day("mobility.other", day).random(n, dtype=np.float32)
        # venues and gatherings closed (``mods.outings``) and voluntary distancing
        keep = (1.0 - max(voluntary, 0.0)) * mods.outings
        q = self.q_other if keep >= 1.0 else self.q_other * np.float32(keep)
        desire = u < q
        shut = closed(mods, pop.urban)
        if applies is None and shut is None:
            went_other = desire & able
            return went_other, went_other, 0, 0
        # the share of a resident's other trips that is forbidden today
        share = np.zeros(n, dtype=np.float32)
        if shut is not None:
            share[shut] = self.cfg.visit_share
        if applies is not None:
            share[applies] = 1.0
        forbidden = desire & (u < q * share)
        went_other = desire & ~forbidden & able
        legal_other = went_other.copy()
        cand = np.flatnonzero(forbidden & able)
        tries = cand[u[cand] < q[cand] * share[cand] * break_prob[pop.grid[cand]]]
        ok = self.streams.uniform("mobility.through", day, tries) < through[pop.grid[tries]]
        went_other[tries[ok]] = True
        n_ok = int(np.count_nonzero(ok))
        return went_other, legal_other, n_ok, int(tries.size - n_ok)

    def _vehicles(
        self,
        day: int,
        mods: DailyModifiers,
        went: tuple[np.ndarray, np.ndarray, np.ndarray],
        legal: tuple[np.ndarray, np.ndarray],
        holds: np.ndarray,
        through: np.ndarray,
        break_prob: np.ndarray,
    ) -> tuple[float, float, int, int]:
        """Today's private car trips and commercial vehicle trips.

        Args:
            day: Day index.
            mods: Today's modifiers (vehicle passes).
            went: Who went to work, on an other trip and shopping (bool per resident).
            legal: Who made an other trip and who shopped within the rules.
            holds: Firms holding work passes today (bool per firm).
            through: Probability a rule-breaking trip gets through, per grid.
            break_prob: Probability a forbidden trip is tried anyway, per grid.

        Returns:
            Private car trips, commercial vehicle trips, and the car trips against the
            vehicle passes that got through and that were stopped.
        """
        c, grid = self.cfg, self.pop.grid
        went_work, went_other, went_shopping = went
        d = self.drivers
        u = self.streams.day("mobility.car", day).random(d.size, dtype=np.float32)
        car = u < c.car_mode_share
        # trips to work, errands and market (farmers walk or ride to their fields)
        trips_d = went_work[d].astype(np.int64) + went_other[d] + went_shopping[d]
        vp = mods.vehicle_pass
        if vp is None:
            return float(trips_d[car].sum()), self.base_freight, 0, 0
        emp_d = self.pop.employer[d]
        passed_d = (emp_d >= 0) & holds[np.maximum(emp_d, 0)]
        allowed = (went_work[d] & passed_d).astype(np.int64)
        legal_cars = int(allowed[car].sum())
        # trips allowed on foot but not by car (trips against the passes are
        # already counted as rule-breaking)
        on_foot = went_work[d].astype(np.int64) + legal[0][d] + legal[1][d]
        extra = (on_foot - allowed)[car]
        dc = d[car]
        tries_mask = (extra > 0) & (u[car] < c.car_mode_share * break_prob[grid[dc]])
        tries = dc[tries_mask]
        ok = self.streams.uniform("mobility.car_through", day, tries) < through[grid[tries]]
        n_ok = int(extra[tries_mask][ok].sum())
        stopped = int(extra[tries_mask][~ok].sum())
        return float(legal_cars + n_ok), self.base_freight * vp.freight_share, n_ok, stopped

    def available_workers(
        self,
        mods: DailyModifiers,
        able: np.ndarray,
        firm_pass: np.ndarray | None = None,
        passes: bool = True,
    ) -> np.ndarray:
        """Employees of each firm who can come to work today (not kept in, or by a pass).

        Residents who stayed home ill today (``trips`` sets ``off_sick_today``) cannot.

        Args:
            mods: Today's modifiers (household passes).
            able: Whether each resident can go out today.
            firm_pass: Firms holding work passes today (None: ``essential_firm``).
            passes: Whether household passes keep employees of firms without a work
                pass at home; False counts the workers every firm would have with one.

        Returns:
            Count per firm (float64).
        """
        e = self.employed
        ok = able[e]
        if self.off_sick_today is not None:
            ok &= ~self.off_sick_today[e]
        if passes and mods.household_pass is not None:
            applies = covered(mods.household_pass.params.applies_to, self.pop.urban)
            holds = self.essential_firm if firm_pass is None else firm_pass
            ok &= ~applies[e] | holds[self.pop.employer[e]]
        return np.bincount(self.pop.employer[e[ok]], minlength=self.pop.n_firms).astype(float)

    # ---------------------------------------------------------------- outputs
    @staticmethod
    def metrics() -> list[Metric]:
        """The daily columns this component records."""
        return table(METRICS)

    def values(self, t: Trips, voluntary: float) -> dict[str, float]:
        """Today's values of ``metrics``.

        Args:
            t: Today's trips.
            voluntary: Share of other trips residents forwent by choice today.
        """
        return {
            "person_trips": t.persons,
            "person_trips_work": t.work,
            "person_trips_shopping": t.shopping,
            "person_trips_other": t.other,
            "person_trips_vs_baseline": t.persons / self.base_persons if self.base_persons else 0.0,
            "vehicle_trips": t.vehicle,
            "vehicle_trips_vs_baseline": t.vehicle / self.base_vehicle
            if self.base_vehicle
            else 0.0,
            "rule_breaking_trips": t.rule_breaking,
            "voluntary_trip_cut": voluntary,
            "residents_off_sick": (
                int(np.count_nonzero(self.off_sick_today)) if self.off_sick_today is not None else 0
            ),
            "blocked_trips": t.blocked,
            "market_visits": t.shopping,
        }

    @staticmethod
    def summary_fields() -> list[Metric]:
        """The summary fields this component contributes."""
        return table(SUMMARY)

    def summary(self, ts: pd.DataFrame) -> dict[str, float]:
        """This component's part of ``summary.json``."""

        def total(name: str) -> float:
            return float(ts[name].sum())

        return {
            "person_trips_baseline": round(self.base_persons, 1),
            "vehicle_trips_baseline": round(self.base_vehicle, 1),
            "person_trips_vs_baseline_min7d": round(
                lowest_weekly_mean(ts["person_trips_vs_baseline"].to_numpy()), 4
            ),
            "vehicle_trips_vs_baseline_min7d": round(
                lowest_weekly_mean(ts["vehicle_trips_vs_baseline"].to_numpy()), 4
            ),
            "person_trips": int(total("person_trips")),
            "vehicle_trips": round(total("vehicle_trips"), 1),
            "rule_breaking_trips": int(total("rule_breaking_trips")),
            "blocked_trips": int(total("blocked_trips")),
            "market_visits": int(total("market_visits")),
        }


def lowest_weekly_mean(share: np.ndarray) -> float:
    """Lowest 7-day mean of a daily series (the mean of all days if fewer than 7)."""
    k = min(7, share.size)
    if k == 0:
        return float("nan")
    c = np.concatenate([[0.0], np.cumsum(share)])
    return float(((c[k:] - c[:-k]) / k).min())
