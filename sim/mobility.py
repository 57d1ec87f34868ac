"""Residents' daily trips by purpose, vehicle trips, and the rules that ration them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import MobilityConfig
from sim.policies import DailyModifiers
from sim.policies.mobility import closed, covered
from sim.population import AGE_BAND_EDGES, Population
from sim.rng import Streams
from sim.supply import Shopping


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
    firms: the essential sectors and ``essential_share`` of the others); a forbidden
    trip is tried anyway with a probability that falls with the grid's awareness, and
    gets through a checkpoint with the grid's through probability.

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
        # work passes go to firms: every firm of an essential sector, and a share of the
        # others (supermarkets, utilities, food processing); their workers may go to work
        essential_sector = np.isin(sectors, list(cfg.essential_sectors))
        firm_draw = streams.uniform("mobility.work_pass", np.arange(pop.n_firms))
        self.essential_firm = essential_sector[pop.firm_sector] | (firm_draw < cfg.essential_share)
        self.essential = employed & self.essential_firm[np.maximum(pop.employer, 0)]
        self.worker_essential = self.essential[self.workers]
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
    ) -> Trips:
        """Today's trips of every resident under today's rules.

        Args:
            day: Day index.
            mods: Today's modifiers (passes, closures, online supply).
            able: Whether each resident can go out today.
            through: Probability a rule-breaking trip gets through, per grid.
            break_prob: Probability a forbidden trip is tried anyway, per grid.
            shopping: Today's market trips (from ``Supply.shop``).
            deliveries: Online orders the couriers carry today (delivery vans).
            employer_open: Whether each firm is open today (None: all are).

        Returns:
            Today's trips.
        """
        pop, c = self.pop, self.cfg
        n = pop.n
        hp = mods.household_pass[1] if mods.household_pass is not None else None
        applies = covered(hp.applies_to, self.pop.urban) if hp is not None else None
        grid = pop.grid
        broke = blocked = 0

        # work (and the fields)
        u = self.streams.day("mobility.work", day).random(self.workers.size, dtype=np.float32)
        go = (u < self.q_work) & able[self.workers]
        if employer_open is not None:  # employees go only to an open firm
            go &= self.worker_farmer | employer_open[self.worker_firm]
        if hp is not None:
            kept_in = covered(hp.applies_to, self.worker_urban)
            farm = self.worker_farmer if hp.farm_work else False
            go &= ~kept_in | self.worker_essential | farm
        went_work = np.zeros(n, dtype=bool)
        went_work[self.workers[go & ~self.worker_farmer]] = True
        n_work = int(np.count_nonzero(go))

        # other trips
        u = self.streams.day("mobility.other", day).random(n, dtype=np.float32)
        q = self.q_other
        desire = u < q
        shut = closed(mods, self.pop.urban)
        if applies is None and shut is None:
            went_other = desire & able
            legal_other = went_other
        else:
            # the share of a resident's other trips that is forbidden today
            share = np.zeros(n, dtype=np.float32)
            if shut is not None:
                share[shut] = c.visit_share
            if applies is not None:
                share[applies] = 1.0
            forbidden = desire & (u < q * share)
            went_other = desire & ~forbidden & able
            legal_other = went_other.copy()
            cand = np.flatnonzero(forbidden & able)
            tries = cand[u[cand] < q[cand] * share[cand] * break_prob[grid[cand]]]
            ok = self.streams.uniform("mobility.through", day, tries) < through[grid[tries]]
            went_other[tries[ok]] = True
            broke += int(np.count_nonzero(ok))
            blocked += int(tries.size - np.count_nonzero(ok))
        n_other = int(np.count_nonzero(went_other))

        # shopping
        went_shopping = np.zeros(n, dtype=bool)
        went_shopping[shopping.shopper] = True
        legal_shopping = went_shopping.copy()
        legal_shopping[shopping.shopper[shopping.broke]] = False
        broke += shopping.breaking
        blocked += shopping.blocked

        # vehicles
        d = self.drivers
        u = self.streams.day("mobility.car", day).random(d.size, dtype=np.float32)
        car = u < c.car_mode_share
        # trips to work, errands and market (farmers walk or ride to their fields)
        trips_d = went_work[d].astype(np.int64) + went_other[d] + went_shopping[d]
        vp = mods.vehicle_pass
        if vp is None:
            private = float(trips_d[car].sum())
            freight = self.base_freight
        else:
            allowed = (went_work[d] & self.essential[d]).astype(np.int64)
            legal = int(allowed[car].sum())
            # trips allowed on foot but not by car (trips against the passes are
            # already counted as rule-breaking)
            on_foot = went_work[d].astype(np.int64) + legal_other[d] + legal_shopping[d]
            extra = (on_foot - allowed)[car]
            dc = d[car]
            tries_mask = (extra > 0) & (u[car] < c.car_mode_share * break_prob[grid[dc]])
            tries = dc[tries_mask]
            ok = self.streams.uniform("mobility.car_through", day, tries) < through[grid[tries]]
            n_ok = int(extra[tries_mask][ok].sum())
            private = float(legal + n_ok)
            broke += n_ok
            blocked += int(extra[tries_mask][~ok].sum())
            freight = self.base_freight * vp.freight_share
        o = mods.online_supply
        vans = deliveries / o.orders_per_vehicle_trip if o is not None else 0.0
        return Trips(
            work=n_work,
            shopping=int(shopping.shoppers.size),
            other=n_other,
            vehicle=private + freight + vans,
            freight=freight + vans,
            rule_breaking=broke,
            blocked=blocked,
            went_work=went_work,
            went_other=went_other,
            went_shopping=went_shopping,
        )

    def available_workers(self, mods: DailyModifiers, able: np.ndarray) -> np.ndarray:
        """Employees of each firm who can come to work today (not kept in, or by a pass).

        Args:
            mods: Today's modifiers (household passes).
            able: Whether each resident can go out today.

        Returns:
            Count per firm (float64).
        """
        e = self.employed
        ok = able[e]
        if mods.household_pass is not None:
            applies = covered(mods.household_pass[1].applies_to, self.pop.urban)
            ok &= ~applies[e] | self.essential[e]
        return np.bincount(self.pop.employer[e[ok]], minlength=self.pop.n_firms).astype(float)
