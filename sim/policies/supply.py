"""The supply of necessities through online ordering and delivery (F4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import check_nonneg, check_positive, check_prob
from sim.errors import ConfigError
from sim.policies.base import Policy, register

if TYPE_CHECKING:
    from sim.model import DistrictModel


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

    @dataclass
    class Params:
        """Parameters of ``online_supply``."""

        capacity: float = 40000.0  # orders delivered a day at full scale (assumption)
        basket_days: int = 7  # days of necessities an order brings (assumption: a week)
        uptake_urban: float = 0.5  # urban households that order online (assumption)
        uptake_rural: float = 0.2  # rural households that order online (assumption)
        ramp_days: int = 7  # days until every household that will use it does (assumption)
        lead_days: int = 1  # days from order to the earliest delivery (assumption)
        last_mile_hours_per_order: float = 0.1  # gate-to-door hours an order (assumption)
        volunteer_share: float = 0.5  # last-mile orders carried by volunteers (assumption)
        local_produce_share: float = 0.5  # of online sales, bought from local farmers (assumption)
        orders_per_vehicle_trip: float = 20.0  # orders a delivery van carries a trip (assumption)
        return_days: int = 14  # days to go back to markets after restrictions (assumption: 7-28)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_nonneg(f"{where}.capacity", self.capacity)
            if self.basket_days < 1:
                raise ConfigError(f"{where}.basket_days must be >= 1 day, got {self.basket_days!r}")
            for name in ("uptake_urban", "uptake_rural", "volunteer_share", "local_produce_share"):
                check_prob(f"{where}.{name}", getattr(self, name))
            if self.ramp_days < 1:
                raise ConfigError(
                    f"{where}.ramp_days must be a positive integer, got {self.ramp_days}"
                )
            if self.lead_days < 1:
                raise ConfigError(
                    f"{where}.lead_days must be a positive integer, got {self.lead_days}"
                )
            check_nonneg(f"{where}.last_mile_hours_per_order", self.last_mile_hours_per_order)
            check_positive(f"{where}.orders_per_vehicle_trip", self.orders_per_vehicle_trip)
            if self.return_days < 1:
                raise ConfigError(
                    f"{where}.return_days must be a positive integer, got {self.return_days}"
                )

    def apply(self, model: DistrictModel, day: int) -> None:
        """Open the online channel today."""
        model.mods.online_supply = self.params
        model.mods.online_reach = min(1.0, (day - self.start + 1) / self.params.ramp_days)


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

    @dataclass
    class Params:
        """Parameters of ``errands_for_sealed``."""

        hours_per_errand: float = 0.5  # buy a basket, carry it to the door (assumption: 0.25-1.5)
        volunteer_share: float = 0.5  # errands run by volunteers (assumption: 0-0.8)
        basket_days: int = 3  # days of necessities an errand brings (assumption: 3-7)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_nonneg(f"{where}.hours_per_errand", self.hours_per_errand)
            check_prob(f"{where}.volunteer_share", self.volunteer_share)
            if self.basket_days < 1:
                raise ConfigError(f"{where}.basket_days must be >= 1 day, got {self.basket_days!r}")

    def apply(self, model: DistrictModel, day: int) -> None:
        """Send staff and volunteers shopping for sealed households today."""
        model.mods.errands = self.params
