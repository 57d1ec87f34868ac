"""Relief instruments as the engine calls them: a firm's day on the books, and the interface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class FirmBook:
    """One day's books of every firm: the items relief can pay or waive (one value per firm).

    Money is in CNY for the day; flags are bool per firm.
    """

    revenue: np.ndarray  # sales today (CNY)
    interest: np.ndarray  # interest due today (CNY)
    social_insurance: np.ndarray  # employer contributions on today's wages (CNY)
    rent: np.ndarray  # rent today (CNY)
    property_tax: np.ndarray  # land-use and property tax today (CNY)
    general: np.ndarray  # a general VAT taxpayer (bool; else a small-scale one)
    state_premises: np.ndarray  # rents state-owned premises (bool)
    vat_rate_small: float  # small-scale taxpayers' VAT on sales (``economy.vat_rate_small``)


@dataclass(frozen=True)
class Service:
    """What a relief service changes for firms' resumption and disputes, and its daily cost."""

    approval_factor: float = 1.0  # resumption approvals a day, relative to the capacity
    approval_days: int | None = None  # days an application takes at least (None: config's)
    dispute_days: float | None = None  # mean days to resolve a dispute (None: config's)
    cost_per_day_cny: float = 0.0  # its fixed cost a day at full scale (CNY; scaled)


class Instrument:
    """A relief instrument in force: what it pays firms, renews for them or changes today.

    The relief policy kinds (``sim.policies.economy``) are instruments: each overrides
    the calls that apply to it; the defaults do nothing. The engine calls every
    instrument in force, in the order the kinds were registered, with the firms its
    scenario entry covers; it knows no kind by name.
    """

    kind: ClassVar[str] = ""
    # whether what it gives is credit the banks extend (renewed loans), not public money
    bank: ClassVar[bool] = False
    index: int  # its scenario entry (the firms it covers are resolved from it)

    def pay(self, book: FirmBook, eligible: np.ndarray) -> np.ndarray | None:
        """What it pays or waives each firm today.

        Args:
            book: Today's books of every firm.
            eligible: The firms it covers (bool per firm).

        Returns:
            CNY per firm (counted as its fiscal cost), or None if it pays nothing.
        """
        return None

    def renews(self, eligible: np.ndarray) -> np.ndarray | None:
        """Firms whose maturing loans it renews although the bank would call them.

        Args:
            eligible: The firms it covers (bool per firm).

        Returns:
            Bool per firm (the principal renewed counts as credit the banks extend), or
            None if it renews nothing.
        """
        return None

    def service(self) -> Service | None:
        """Its effect on resumption approvals and disputes and its fixed daily cost (None: none)."""
        return None
