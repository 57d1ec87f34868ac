"""Necessities: household stocks, shopping, online orders and deliveries, farm produce."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import SupplyConfig
from sim.metrics import Metric, table
from sim.policies import DailyModifiers
from sim.policies.mobility import closed, covered
from sim.rng import Streams
from sim.world.population import Population, scaled_count

NO_ORDER = -1


METRICS = """
market_turned_away | persons | turned away at market
    market visitors a market at capacity could not serve
online_orders | orders | online orders
    online orders placed today
deliveries | orders | deliveries
    online orders delivered to the door today
orders_in_transit | orders | orders in transit
    online orders within their lead time (not yet due) at end of day
delivery_backlog | orders | delivery backlog
    online orders past their lead time, not yet delivered for want of capacity
household_days_without_necessities | households | households without necessities
    households that ran out of necessities today
n_sealed_households | households | sealed households
    households sealed by home quarantine today
errands | baskets | errands
    baskets staff and volunteers bought for sealed households today
errands_waiting | errands | errands waiting
    errands sealed households asked for today and did not get
sealed_households_without_necessities | households | sealed households without necessities
    sealed households that ran out of necessities today
sealed_max_days_without_necessities | days | longest run without necessities
    longest run of days a sealed household has gone without necessities, today
farmer_sold_value_cny | CNY | farm produce sold | real
    farm produce sold today (CNY)
farmer_unsold_value_cny | CNY | farmers' unsold produce | real
    farm produce spoilt unsold today (CNY)
"""
SUMMARY = """
online_orders | orders | online orders
    online orders placed
deliveries | orders | deliveries
    online orders delivered
peak_delivery_backlog | orders | peak delivery backlog
    most orders overdue on one day
errands | baskets | errands
    baskets bought for sealed households
sealed_household_days_without_necessities | household-days | sealed, without necessities
    days sealed households went without necessities
peak_sealed_days_without_necessities | days | longest run of a sealed household without necessities
    longest run of days a sealed household went without necessities
household_days_without_necessities | household-days | household-days without necessities
    days households went without necessities
peak_households_without_necessities | households | peak households without necessities
    most households without necessities on one day
farmer_sold_value_cny | CNY | farm produce sold | real
    farm produce sold
farmer_unsold_value_cny | CNY | farmers' unsold produce | real
    farm produce spoilt unsold
"""


def normal_shop_rate(reorder: int, target: int, spread: float) -> float:
    """Market trips a household makes a day in the long run on a normal day.

    The stationary distribution of the stock (whole days, at the start of a day): a
    household at or below ``reorder`` restocks to ``target``, then eats 0, 1 or 2
    days' worth with probabilities ``spread``, ``1 - 2 spread``, ``spread``.

    Args:
        reorder: Reorder point (days).
        target: Stock bought up to (days).
        spread: Probability of eating nothing (and of eating two days' worth) a day.

    Returns:
        Shopping trips per household-day.
    """
    size = target + 1
    p = np.zeros((size, size))
    eat = {0: spread, 1: 1.0 - 2.0 * spread, 2: spread}
    for x in range(size):
        start = target if x <= reorder else x
        for c, q in eat.items():
            p[x, max(start - c, 0)] += q
    # the stationary distribution: pi (P - I) = 0 with sum(pi) = 1 (a cycle when spread
    # is 0, which has one stationary distribution all the same)
    a = np.vstack([p.T - np.eye(size), np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    return float(pi[: reorder + 1].sum())


@dataclass
class Shopping:
    """One day's restocking decisions of every household, before anything is delivered.

    Attributes:
        shoppers: Households whose shopper went to market today (legally or not).
        shopper: The resident who went, for each of ``shoppers``.
        broke: Whether each of ``shoppers`` went on a day its pass forbade it.
        breaking: Of ``shoppers``, how many went on a day their pass forbade it.
        blocked: Forbidden shopping trips turned back at a checkpoint.
        turned_away: Shoppers a market at capacity could not serve (no restock).
        served: Whether each of ``shoppers`` was served (restocks).
        orders: Online orders placed today.
        restricted: Whether each household's trips are rationed by a pass today.
    """

    shoppers: np.ndarray
    shopper: np.ndarray
    broke: np.ndarray
    breaking: int
    blocked: int
    turned_away: int
    served: np.ndarray
    orders: int
    restricted: np.ndarray


@dataclass
class SupplyDay:
    """What the supply chain did on one day (for the day's metrics)."""

    deliveries: int = 0
    backlog: int = 0  # orders past their lead time, waiting for courier or last-mile capacity
    in_transit: int = 0  # orders still within their lead time
    short: int = 0
    errands: int = 0  # baskets bought and brought to sealed households
    errands_waiting: int = 0  # errands asked for today and not done
    sealed: int = 0  # households sealed by home quarantine today
    sealed_short: int = 0  # of them, households that went without necessities today
    sealed_longest: int = 0  # longest run of days without necessities of a sealed household
    farm_sold_cny: float = 0.0
    farm_unsold_cny: float = 0.0
    bought_market_days: float = 0.0
    bought_online_days: float = 0.0


class Supply:
    """The necessities of one district: every household's stock, orders, markets and farms.

    A stock is counted in whole days of the household's consumption; a household eats
    one day's worth on most days (none or two on ``consumption_spread`` of days each,
    which keeps households from restocking in step). It restocks when ``reorder_days``
    are left, up to ``target_days``, by a trip to its market or, where the online
    channel exists and the household uses it, by an order delivered later. Under
    passes it buys up to ``restricted_target_days`` and restocks early enough to last
    to its next pass day even if it eats two days' worth each day. A household sealed
    by home quarantine cannot go out: it orders online if it can, and staff and
    volunteers shop for it when it runs low (errands, while a policy asks for them).
    A household that cannot eat what it needs from its stock on a day has gone that
    day without necessities. Online users return to the markets over the channel's
    ``return_days`` once the restrictions that pushed them online are lifted.
    Farmers' perishable produce sells through the markets, the online channel and
    trucks out of the district; what is not sold within ``farm_shelf_days`` spoils.

    Args:
        pop: The district's population.
        cfg: Supply configuration.
        shopper_min_age: Youngest member who can shop for the household (years).
        streams: The run's random streams.
        scale: Residents relative to the reference district (capacities scale with it).
    """

    def __init__(
        self,
        pop: Population,
        cfg: SupplyConfig,
        shopper_min_age: int,
        streams: Streams,
        scale: float,
    ) -> None:
        self.cfg = cfg
        self.pop = pop
        self.streams = streams
        self.scale = scale
        n_hh = pop.n_households
        hs = pop.household_start
        self.head = hs[:-1].astype(np.int64)  # the first member is an adult head
        size = np.diff(hs)
        second = np.minimum(self.head + 1, max(pop.n - 1, 0))
        ok = (size >= 2) & (pop.age[second] >= shopper_min_age)
        self.second = np.where(ok, second, -1)  # stands in when the head cannot go
        self.urban = pop.urban[self.head]
        self.market = pop.market[self.head].astype(np.int64)
        self.grid = pop.grid[self.head].astype(np.int64)
        lo, hi = cfg.initial_days
        rng = streams.get("supply.initial")
        self.stock = rng.integers(lo, hi + 1, size=n_hh).astype(np.int16)
        self.pending = np.full(n_hh, NO_ORDER, dtype=np.int32)
        keys = np.arange(n_hh)
        self.u_online = streams.uniform("supply.online_user", keys)
        self.u_phase = streams.uniform("supply.pass_phase", keys)
        # markets close in a fixed random order (the first share_closed of them)
        self.market_order = np.argsort(
            streams.uniform("supply.market_closure", np.arange(pop.n_markets)), kind="stable"
        )
        self.peak_eat = 2 if cfg.consumption_spread > 0 else 1  # most eaten in a day (days)
        self.shop_rate = normal_shop_rate(cfg.reorder_days, cfg.target_days, cfg.consumption_spread)
        self.normal_visitors = np.bincount(self.market, minlength=pop.n_markets) * self.shop_rate
        # farms: output is what the district's households and trucks normally buy
        n_farmers = int(pop.farmer.sum())
        local = n_hh * cfg.spend_cny_per_household_day * cfg.market_local_share
        self.farm_output = local / cfg.farm_local_sales_share if n_farmers else 0.0
        self.inventory = np.zeros(int(cfg.farm_shelf_days))  # CNY by age (days), newest first
        self.batch = np.zeros(0, dtype=np.int64)  # today's courier load (households)
        self.batch_closed = np.zeros(0, dtype=bool)
        self.target_today = np.full(n_hh, cfg.target_days, dtype=np.int16)
        self.empty_today = np.zeros(n_hh, dtype=bool)
        self.sealed_today = np.zeros(n_hh, dtype=bool)
        # errands: the day each open request was first made (NO_ORDER: none), today's
        # requests in the order they are served, and the hours they ask of each grid
        self.errand_since = np.full(n_hh, NO_ORDER, dtype=np.int32)
        self.errand_queue = np.zeros(0, dtype=np.int64)
        self.errand_hours: np.ndarray = np.zeros(pop.n_grids)
        self.sealed_short_run = np.zeros(n_hh, dtype=np.int16)  # days in a row, while sealed
        self.last_pushed: int | None = None  # last day restrictions pushed households online
        self.online_stay = 1.0  # share of online users still ordering online today
        self.cum_unsold = 0.0
        self.cum_sold = 0.0

    # ---------------------------------------------------------------- helpers
    def market_members(self) -> np.ndarray:
        """Residents who shop for their household: the head, and a second adult (bool)."""
        member = np.zeros(self.pop.n, dtype=bool)
        member[self.head] = True
        member[self.second[self.second >= 0]] = True
        return member

    @property
    def n(self) -> int:
        """Number of households."""
        return int(self.head.size)

    def market_open(self, mods: DailyModifiers) -> np.ndarray:
        """Whether each market is open today."""
        n_mkt = self.pop.n_markets
        k = round(mods.markets_closed_share * n_mkt)
        is_open = np.ones(n_mkt, dtype=bool)
        is_open[self.market_order[:k]] = False
        return is_open

    @staticmethod
    def pushed_online(mods: DailyModifiers) -> bool:
        """Whether restrictions that push households online are in force today.

        They are: markets closed or on short hours, household passes, and closed
        communities or villages.
        """
        return bool(
            mods.markets_closed_share > 0
            or mods.market_hours is not None
            or mods.household_pass is not None
            or mods.closure_urban
            or mods.closure_rural
        )

    def staying_online(self, day: int, mods: DailyModifiers) -> float:
        """Share of the online channel's users who still order online today.

        All of them while restrictions push households online (and before any has);
        once the last is lifted, users go back to the markets linearly over the
        channel's ``return_days``: ``1 - (days since the last restricted day) /
        return_days``, down to 0. Updates the last restricted day.
        """
        if self.pushed_online(mods):
            self.last_pushed = day
        o = mods.online_supply
        if o is None or self.last_pushed is None:
            return 1.0
        return max(0.0, 1.0 - (day - self.last_pushed) / o.return_days)

    def uses_online(self, mods: DailyModifiers, sealed: np.ndarray) -> np.ndarray:
        """Households that restock online today (users, and every sealed household)."""
        o = mods.online_supply
        if o is None:
            return np.zeros(self.n, dtype=bool)
        reach = mods.online_reach * self.online_stay
        uptake = np.where(self.urban, o.uptake_urban, o.uptake_rural) * reach
        return (self.u_online < uptake) | sealed

    # ------------------------------------------------------------- the day
    def delivery_demand(self, day: int, mods: DailyModifiers) -> np.ndarray:
        """Load today's couriers (oldest orders first) and ask for last-mile staff hours.

        Returns:
            Staff hours the last mile asks of each grid today (closed settlements only).
        """
        hours: np.ndarray = np.zeros(self.pop.n_grids)
        o = mods.online_supply
        self.batch = np.zeros(0, dtype=np.int64)
        self.batch_closed = np.zeros(0, dtype=bool)
        if o is None:
            self.pending[:] = NO_ORDER  # the channel is closed: open orders are cancelled
            return hours
        due = np.flatnonzero((self.pending != NO_ORDER) & (self.pending <= day - o.lead_days))
        cap = scaled_count(round(o.capacity), self.scale, minimum=0)
        if due.size > cap:
            due = due[np.lexsort((due, self.pending[due]))][:cap]
        self.batch = due
        shut = closed(mods, self.urban)
        self.batch_closed = shut[due] if shut is not None else np.zeros(due.size, dtype=bool)
        per_order = o.last_mile_hours_per_order * (1.0 - o.volunteer_share)
        if per_order > 0:
            at_gate = np.bincount(self.grid[due[self.batch_closed]], minlength=self.pop.n_grids)
            hours = at_gate * float(per_order)
        return hours

    def errand_demand(
        self, day: int, mods: DailyModifiers, sealed: np.ndarray, empty: np.ndarray
    ) -> np.ndarray:
        """Take today's requests for errands and ask for staff hours (after the couriers).

        A household sealed by home quarantine, with someone at home, asks for an errand
        when its stock is down to ``reorder_days`` and no basket is on today's courier
        load (or whatever comes, it has nothing left). Requests are served oldest first,
        then the lowest stock first, within each grid.

        Args:
            day: Day index.
            mods: Today's modifiers.
            sealed: Households sealed by home quarantine today.
            empty: Households with nobody at home today.

        Returns:
            Staff hours today's errands ask of each grid (also kept as ``errand_hours``).
        """
        self.sealed_today = sealed
        self.errand_hours = np.zeros(self.pop.n_grids)
        self.errand_queue = np.zeros(0, dtype=np.int64)
        e = mods.errands
        if e is None:
            self.errand_since[:] = NO_ORDER
            return self.errand_hours
        stock = self.stock
        need = sealed & ~empty & (stock <= self.cfg.reorder_days)
        if self.batch.size:
            coming = np.zeros(self.n, dtype=bool)
            coming[self.batch] = True
            need &= ~coming | (stock < 1)
        since = self.errand_since
        since[~need] = NO_ORDER
        since[need & (since == NO_ORDER)] = day
        req = np.flatnonzero(need)
        self.errand_queue = req[np.lexsort((req, stock[req], since[req], self.grid[req]))]
        per = e.hours_per_errand * (1.0 - e.volunteer_share)
        if per > 0:
            self.errand_hours = np.bincount(self.grid[req], minlength=self.pop.n_grids) * per
        return self.errand_hours

    def shop(
        self,
        day: int,
        mods: DailyModifiers,
        able: np.ndarray,
        sealed: np.ndarray,
        empty: np.ndarray,
        through: np.ndarray,
        break_short: float,
    ) -> Shopping:
        """Decide today's market trips and online orders of every household.

        Args:
            day: Day index.
            mods: Today's modifiers.
            able: Whether each resident can go out today (not isolated, not in hospital).
            sealed: Households sealed by home quarantine (no one goes out; they
                restock online whatever their habit, if the channel exists).
            empty: Households with nobody at home (dead, in hospital or isolated):
                they neither order nor eat today.
            through: Probability a rule-breaking trip gets through, per grid.
            break_short: Probability a household without necessities tries a
                forbidden shopping trip.

        Returns:
            Today's shoppers and orders.
        """
        c = self.cfg
        target, reorder, pass_day, restricted = self._rationing(day, mods)
        self.target_today = target
        self.empty_today = empty
        self.sealed_today = sealed
        self.online_stay = self.staying_online(day, mods)
        stock = self.stock
        short = stock < 1
        online = self.uses_online(mods, sealed)
        o = mods.online_supply
        orders = 0
        expected = np.zeros(self.n, dtype=bool)
        if o is not None:
            # order so that the basket comes before the stock runs out, even on hungry days
            low = stock <= c.reorder_days + self.peak_eat * o.lead_days
            order = online & ~empty & (self.pending == NO_ORDER) & low
            self.pending[order] = day
            orders = int(np.count_nonzero(order))
            expected = (self.pending != NO_ORDER) & (self.pending == day - o.lead_days)
        # who can shop in person: an able head, else an able second adult
        head_ok = able[self.head]
        second_ok = (self.second >= 0) & able[np.maximum(self.second, 0)]
        shopper_of = np.where(head_ok, self.head, np.where(second_ok, self.second, -1))
        can_go = ~sealed & (shopper_of >= 0) & self.market_open(mods)[self.market]
        # online users go to market only when they run low and no basket is due today
        want = (stock <= reorder) & (~online | ~expected | short)
        go = want & can_go
        went = go & pass_day
        forbidden = np.flatnonzero(go & ~pass_day & short)
        broke = np.zeros(self.n, dtype=bool)
        breaking = blocked = 0
        if forbidden.size:
            tries = forbidden[self.streams.uniform("supply.break", day, forbidden) < break_short]
            ok = self.streams.uniform("supply.through", day, tries) < through[self.grid[tries]]
            broke[tries[ok]] = True
            went |= broke
            breaking = int(np.count_nonzero(ok))
            blocked = int(tries.size - breaking)
        shoppers = np.flatnonzero(went)
        served = self._queue(day, mods, shoppers)
        turned_away = int(np.count_nonzero(~served))
        return Shopping(
            shoppers=shoppers,
            shopper=shopper_of[shoppers],
            broke=broke[shoppers],
            breaking=breaking,
            blocked=blocked,
            turned_away=turned_away,
            served=served,
            orders=orders,
            restricted=restricted,
        )

    def _rationing(
        self, day: int, mods: DailyModifiers
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """How household passes ration today's shopping, announced or in force.

        Args:
            day: Day index.
            mods: Today's modifiers (household passes, or their notice).

        Returns:
            Per household: the stock it buys up to and the stock it restocks at (days;
            raised to last to the next pass day), whether today is its pass day, and
            whether passes restrict it today.
        """
        c = self.cfg
        target = np.full(self.n, c.target_days, dtype=np.int16)
        reorder = np.full(self.n, c.reorder_days, dtype=np.int16)
        pass_day = np.ones(self.n, dtype=bool)
        restricted = np.zeros(self.n, dtype=bool)
        hp = mods.household_pass or mods.pass_notice
        if hp is not None:
            interval = int(hp.params.interval_days)
            # stock up to last to the next pass day, even on hungry days (also when the
            # passes are announced and households may still go out)
            rationed = covered(hp.params.applies_to, self.urban)
            target[rationed] = c.restricted_target_days
            reorder[rationed] += self.peak_eat * (interval - 1)
            if mods.household_pass is not None:
                restricted = rationed
                phase = np.floor(self.u_phase * interval).astype(np.int64)
                pass_day = ~restricted | ((day - hp.start + phase) % interval == 0)
        return target, reorder, pass_day, restricted

    def _queue(self, day: int, mods: DailyModifiers, shoppers: np.ndarray) -> np.ndarray:
        """Which of today's shoppers a market open for short hours can serve.

        Args:
            day: Day index.
            mods: Today's modifiers (market hours).
            shoppers: Households going to market today.

        Returns:
            Whether each shopper is served (bool per shopper; all at normal hours): a
            market serves its capacity for the hours, in a random order.
        """
        c = self.cfg
        served = np.ones(shoppers.size, dtype=bool)
        if mods.market_hours is None or not shoppers.size:
            return served
        hours = min(mods.market_hours, c.market_normal_hours)
        cap = c.market_capacity_factor * self.normal_visitors * hours / c.market_normal_hours
        m = self.market[shoppers]
        u = self.streams.uniform("supply.queue", day, shoppers)
        order = np.lexsort((u, m))
        m_sorted = m[order]
        first = np.searchsorted(m_sorted, m_sorted, side="left")
        rank = np.arange(order.size) - first
        served[order] = rank < np.floor(cap[m_sorted])
        return served

    def settle(
        self,
        day: int,
        mods: DailyModifiers,
        shopping: Shopping,
        last_mile_hours: np.ndarray,
        export_share: float,
        errand_hours: np.ndarray | None = None,
    ) -> SupplyDay:
        """Deliver, run errands, restock, consume, and sell the farmers' produce.

        Args:
            day: Day index.
            mods: Today's modifiers.
            shopping: Today's shopping decisions.
            last_mile_hours: Staff hours given to the last mile in each grid today.
            export_share: Farm produce trucked out today relative to normal (0..1).
            errand_hours: Staff hours given to errands in each grid today (None: none).

        Returns:
            What the supply chain did today.
        """
        out = SupplyDay()
        self._deliver(day, mods, last_mile_hours, out)
        errand_days = self._run_errands(mods, errand_hours, out)
        # market trips that were served restock (errands are bought at markets too)
        stock, target = self.stock, self.target_today
        hh = shopping.shoppers[shopping.served]
        bought = np.maximum(target[hh] - stock[hh], 0)
        stock[hh] += bought
        out.bought_market_days = float(bought.sum()) + errand_days
        self._eat(day, out)
        self._sell_produce(mods, export_share, out)
        return out

    def _deliver(
        self, day: int, mods: DailyModifiers, last_mile_hours: np.ndarray, out: SupplyDay
    ) -> None:
        """Deliver the couriers' load, less what the last mile could not carry; count orders."""
        o, stock = mods.online_supply, self.stock
        batch = self.batch
        if o is not None and batch.size:
            keep = np.ones(batch.size, dtype=bool)
            per_order = o.last_mile_hours_per_order * (1.0 - o.volunteer_share)
            if per_order > 0 and self.batch_closed.any():
                limit = np.floor(last_mile_hours / per_order + 1e-9)
                g = self.grid[batch]
                order = np.lexsort((np.arange(batch.size), g))
                g_sorted = g[order]
                rank = np.arange(order.size) - np.searchsorted(g_sorted, g_sorted, side="left")
                fits = rank < limit[g_sorted]
                keep[order] = fits | ~self.batch_closed[order]
            got = batch[keep]
            bought = np.maximum(o.basket_days - stock[got], 0).astype(np.int16)
            stock[got] += bought
            self.pending[got] = NO_ORDER
            out.deliveries = int(got.size)
            out.bought_online_days = float(bought.sum())
        self.batch = np.zeros(0, dtype=np.int64)
        if o is not None:
            # an order is late once its lead time is over: waiting for capacity
            waiting = self.pending != NO_ORDER
            out.backlog = int(np.count_nonzero(waiting & (self.pending <= day - o.lead_days)))
            out.in_transit = int(np.count_nonzero(waiting)) - out.backlog

    def _run_errands(
        self, mods: DailyModifiers, errand_hours: np.ndarray | None, out: SupplyDay
    ) -> float:
        """Staff and volunteers bring baskets to sealed households, as hours allow.

        Returns:
            Days of necessities bought for them (at the markets).
        """
        e, stock = mods.errands, self.stock
        queue = self.errand_queue
        errand_days = 0.0
        if e is not None and queue.size:
            per = e.hours_per_errand * (1.0 - e.volunteer_share)
            done = queue
            if per > 0:
                hours = errand_hours if errand_hours is not None else np.zeros(self.pop.n_grids)
                limit = np.floor(hours / per + 1e-9)
                g = self.grid[queue]  # the queue is sorted by grid
                rank = np.arange(queue.size) - np.searchsorted(g, g, side="left")
                done = queue[rank < limit[g]]
            bought = np.maximum(e.basket_days - stock[done], 0).astype(np.int16)
            stock[done] += bought
            self.errand_since[done] = NO_ORDER
            errand_days = float(bought.sum())
            out.errands = int(done.size)
            out.errands_waiting = int(queue.size - done.size)
        self.errand_queue = np.zeros(0, dtype=np.int64)
        return errand_days

    def _eat(self, day: int, out: SupplyDay) -> None:
        """Every household eats 0, 1 or 2 days' worth; who went without, sealed or not."""
        stock = self.stock
        u = self.streams.day("supply.consumption", day).random(self.n, dtype=np.float32)
        spread = np.float32(self.cfg.consumption_spread)
        eat = ((u >= spread).astype(np.int16) + (u >= 1 - spread)) * ~self.empty_today
        short = stock < eat
        out.short = int(np.count_nonzero(short))
        np.maximum(stock - eat, 0, out=stock)
        # sealed households: how many went without today, and for how many days in a row
        sealed_short = short & self.sealed_today
        run = self.sealed_short_run
        run[~sealed_short] = 0
        run[sealed_short] += 1
        out.sealed = int(np.count_nonzero(self.sealed_today))
        out.sealed_short = int(np.count_nonzero(sealed_short))
        out.sealed_longest = int(run.max()) if run.size else 0

    def _sell_produce(self, mods: DailyModifiers, export_share: float, out: SupplyDay) -> None:
        """Farm produce sold oldest first; what reaches the end of its shelf life spoils."""
        c, o = self.cfg, mods.online_supply
        spend = c.spend_cny_per_household_day
        online_share = o.local_produce_share if o is not None else 0.0
        local = spend * (
            out.bought_market_days * c.market_local_share + out.bought_online_days * online_share
        )
        export = self.farm_output * (1.0 - c.farm_local_sales_share) * export_share
        inv = self.inventory
        inv[1:] = inv[:-1].copy()
        inv[0] = self.farm_output
        demand = local + export
        for age in range(inv.size - 1, -1, -1):  # oldest first (a few shelf days)
            take = min(inv[age], demand)
            inv[age] -= take
            demand -= take
            out.farm_sold_cny += take
        out.farm_unsold_cny = float(inv[-1])
        inv[-1] = 0.0
        self.cum_sold += out.farm_sold_cny
        self.cum_unsold += out.farm_unsold_cny

    # ---------------------------------------------------------------- outputs
    @staticmethod
    def metrics() -> list[Metric]:
        """The daily columns this component records."""
        return table(METRICS)

    @staticmethod
    def values(shopping: Shopping, sd: SupplyDay) -> dict[str, float]:
        """Today's values of ``metrics``.

        Args:
            shopping: Today's restocking decisions.
            sd: What the supply chain did today.
        """
        return {
            "market_turned_away": shopping.turned_away,
            "online_orders": shopping.orders,
            "deliveries": sd.deliveries,
            "orders_in_transit": sd.in_transit,
            "delivery_backlog": sd.backlog,
            "household_days_without_necessities": sd.short,
            "n_sealed_households": sd.sealed,
            "errands": sd.errands,
            "errands_waiting": sd.errands_waiting,
            "sealed_households_without_necessities": sd.sealed_short,
            "sealed_max_days_without_necessities": sd.sealed_longest,
            "farmer_sold_value_cny": sd.farm_sold_cny,
            "farmer_unsold_value_cny": sd.farm_unsold_cny,
        }

    @staticmethod
    def summary_fields() -> list[Metric]:
        """The summary fields this component contributes."""
        return table(SUMMARY)

    @staticmethod
    def summary(ts: pd.DataFrame) -> dict[str, float]:
        """This component's part of ``summary.json``."""

        def total(name: str) -> float:
            return float(ts[name].sum())

        return {
            "online_orders": int(total("online_orders")),
            "deliveries": int(total("deliveries")),
            "peak_delivery_backlog": int(ts["delivery_backlog"].max()),
            "errands": int(total("errands")),
            "sealed_household_days_without_necessities": int(
                total("sealed_households_without_necessities")
            ),
            "peak_sealed_days_without_necessities": int(
                ts["sealed_max_days_without_necessities"].max()
            ),
            "household_days_without_necessities": int(total("household_days_without_necessities")),
            "peak_households_without_necessities": int(
                ts["household_days_without_necessities"].max()
            ),
            "farmer_sold_value_cny": round(total("farmer_sold_value_cny"), 1),
            "farmer_unsold_value_cny": round(total("farmer_unsold_value_cny"), 1),
        }
