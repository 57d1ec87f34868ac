"""Mobility restrictions: household and vehicle passes, closed communities, closed markets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.policies.base import Policy, register
from sim.policies.modifiers import DailyModifiers, Passes
from sim.policies.params import SETTLEMENTS, HouseholdPassParams, VehiclePassParams
from sim.rules import checked, prob, within


def covered(applies_to: str, urban: np.ndarray) -> np.ndarray:
    """Which residents (or households) with these ``urban`` flags a rule covers."""
    if applies_to == "all":
        return np.ones(urban.size, dtype=bool)
    return urban if applies_to == "urban" else ~urban


def closed(mods: DailyModifiers, urban: np.ndarray) -> np.ndarray | None:
    """Who lives in a settlement closed to non-residents today (None: none is closed)."""
    if mods.closure_urban and mods.closure_rural:
        return np.ones(urban.size, dtype=bool)
    if mods.closure_urban or mods.closure_rural:
        return urban if mods.closure_urban else ~urban
    return None


@register
class HouseholdPass(Policy):
    """Household passes (F3): one member per household may go out every N days for supplies.

    Other trips are forbidden, except work with a work pass (``mobility.essential_*``)
    and, if ``farm_work``, farmers going to their fields. A forbidden trip is tried by
    some residents anyway (``mobility.break_prob_*``) and gets through unless a staffed
    checkpoint stops it (``checkpoints``). Households on a pass buy up to
    ``supply.restricted_target_days``, from the day the passes are announced
    (``notice_days`` before they start). Jiangsu notices of Feb 2020: every two days.
    """

    kind = "household_pass"
    group = "mobility"
    Params = HouseholdPassParams
    params: HouseholdPassParams

    def active(self, day: int) -> bool:
        """Whether the passes act on ``day`` (announced ``notice_days`` before the start)."""
        return self.start - self.params.notice_days <= day < self.stop

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Ration today's trips (pass days count from the start), or announce the passes."""
        if day < self.start:
            mods.pass_notice = Passes(self.start, self.params)
        else:
            mods.household_pass = Passes(self.start, self.params)


@register
class VehiclePass(Policy):
    """Vehicle passes (F3): only permitted vehicles (supply, medical, essential work) move.

    Private cars may carry only workers with a work pass to work; other car trips are
    forbidden (tried anyway by some drivers, stopped at staffed road checkpoints), and
    the trip, if allowed, is made on foot. Commercial traffic runs at ``freight_share``
    of normal, online-delivery vans on top; farm produce leaves the district at
    ``farm_freight_share`` of normal (the green channel for farm produce).
    """

    kind = "vehicle_pass"
    group = "mobility"
    Params = VehiclePassParams
    params: VehiclePassParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Restrict today's vehicles."""
        mods.vehicle_pass = self.params


@register
class CommunityClosure(Policy):
    """Closed management of residential communities and villages: non-residents barred.

    Trips into another community or village (``mobility.visit_share`` of other trips)
    are forbidden; couriers leave parcels at the gate, so online orders need last-mile
    help (``online_supply``). Gates are staffed through ``checkpoints``.
    """

    kind = "community_closure"
    group = "mobility"

    @dataclass(frozen=True)
    class Params:
        """Parameters of ``community_closure``."""

        # all | urban (communities) | rural (villages)
        applies_to: str = checked(SETTLEMENTS, default="all")

    params: Params

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Close today's settlements (several such policies combine)."""
        a = self.params.applies_to
        mods.closure_urban = mods.closure_urban or a in ("all", "urban")
        mods.closure_rural = mods.closure_rural or a in ("all", "rural")


@register
class MarketClosure(Policy):
    """Markets closed, or open for limited hours.

    ``share_closed`` of the markets (a fixed random set per seed) close. The others open
    ``hours`` a day (None: normal hours, ``supply.market_normal_hours``): shorter hours
    crowd the same visitors into less time (contacts per visit rise by normal/hours)
    and cap the visitors a market can take (``supply.market_capacity_factor`` times its
    normal daily visitors, times hours/normal). Households whose market is closed
    cannot shop in person.
    """

    kind = "market_closure"
    group = "supply"

    @dataclass(frozen=True)
    class Params:
        """Parameters of ``market_closure``."""

        share_closed: float = checked(prob, default=1.0)  # share of markets closed
        # opening hours of the others; None: normal hours
        hours: float | None = checked(
            within(0.0, 24.0, "hours in (0, 24]", open_low=True), default=None
        )

    params: Params

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Close markets and limit hours today (the strictest of several such policies)."""
        mods.markets_closed_share = max(mods.markets_closed_share, self.params.share_closed)
        if self.params.hours is not None:
            mods.market_hours = (
                self.params.hours
                if mods.market_hours is None
                else min(mods.market_hours, self.params.hours)
            )
