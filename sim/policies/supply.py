"""The supply of necessities through online ordering and delivery (F4)."""

from __future__ import annotations

from sim.policies.base import Policy, register
from sim.policies.modifiers import DailyModifiers
from sim.policies.params import ErrandsParams, OnlineSupplyParams


@register
class OnlineSupply(Policy):
    """Online ordering through logistics firms and supermarkets, delivered to the door (F4).

    Households that use it (``uptake_*``, reached linearly over ``ramp_days`` as group
    buying is organised; households sealed by home quarantine always do) order a
    basket of ``basket_days`` when their stock runs low instead of going to market.
    Couriers deliver at most ``capacity`` orders a day (full scale), oldest first, from
    ``lead_days`` after the order; what they cannot carry waits in a backlog. In closed
    communities couriers stop at the gate and the last mile is carried by volunteers
    (``volunteer_share``) and grid workers (staff task ``delivery``). Platforms buy
    ``local_produce_share`` of what they sell from the district's farmers. Once the
    restrictions that pushed households online (closed markets or short market hours,
    household passes, closed settlements) are all lifted, its users go back to the
    markets, linearly over ``return_days``.
    """

    kind = "online_supply"
    group = "supply"
    Params = OnlineSupplyParams
    params: OnlineSupplyParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Open the online channel today."""
        mods.online_supply = self.params
        mods.online_reach = min(1.0, (day - self.start + 1) / self.params.ramp_days)


@register
class ErrandsForSealed(Policy):
    """Grid workers and volunteers shop for households sealed by home quarantine (代购).

    A sealed household (a member in home quarantine: nobody goes out) whose stock is
    down to ``supply.reorder_days`` and that has no online basket coming today asks
    for an errand: someone buys it a basket of ``basket_days`` and brings it to the
    door. An errand asks ``hours_per_errand`` of staff time, of which volunteers carry
    ``volunteer_share`` and the grid's staff the rest (staff task ``errands``); what
    the hours of the day cannot do waits for the next day, oldest requests first.
    """

    kind = "errands_for_sealed"
    group = "supply"
    Params = ErrandsParams
    params: ErrandsParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Send staff and volunteers shopping for sealed households today."""
        mods.errands = self.params
