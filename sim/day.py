"""What the steps of one day hand to each other: one typed record, new every morning."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.economy.enterprises import Accounts
from sim.epidemic.disease import Transitions
from sim.epidemic.epidemic import DayInfections
from sim.movement.mobility import Households, Trips
from sim.movement.supply import Shopping, SupplyDay
from sim.policies import DailyModifiers
from sim.response.casefinding import Found


@dataclass
class Today:
    """What the steps of one day hand to each other; a new one every morning.

    Each field is written by one step and read by the later ones (``step`` says which).
    """

    day: int
    mods: DailyModifiers = field(default_factory=DailyModifiers)
    households: Households | None = None  # who can go out (plan_staff)
    shopping: Shopping | None = None  # restocking decisions (move)
    trips: Trips | None = None  # residents' trips (move)
    voluntary: float = 0.0  # other trips forgone by choice (move)
    supplied: SupplyDay = field(default_factory=SupplyDay)  # the supply chain's day (resupply)
    infections: DayInfections | None = None  # infections from outside and in layers
    transitions: Transitions | None = None  # the natural history's day (progress_disease)
    found: Found | None = None  # confirmed, traced, quarantined, isolated (detect ...)
    accounts: Accounts | None = None  # the firms' day (economy)
