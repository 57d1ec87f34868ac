"""Generic contact reduction per layer (distancing, closures, holidays)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import check_nonneg, check_prob
from sim.errors import ConfigError
from sim.policies.base import Policy, register
from sim.policies.modifiers import DailyModifiers

MAX_FACTOR = 10.0


@register
class ReduceContacts(Policy):
    """Multiply the contacts of each layer by a factor (0 closes a layer, 1 leaves it).

    ``outings`` is the share of residents' other trips (errands, visits, leisure) still
    made while venues and gatherings are closed; it multiplies the probability of an
    other trip, on top of voluntary distancing and the passes.
    """

    kind = "reduce_contacts"

    @dataclass
    class Params:
        """Parameters of ``reduce_contacts``: one factor per layer, and the outings kept."""

        household: float = 1.0
        community: float = 1.0
        workplace: float = 1.0
        market: float = 1.0
        outings: float = 1.0

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            for name in ("household", "community", "workplace", "market"):
                v = getattr(self, name)
                check_nonneg(f"{where}.{name}", v)
                if v > MAX_FACTOR:
                    raise ConfigError(f"{where}.{name} must be in [0, {MAX_FACTOR}], got {v!r}")
            check_prob(f"{where}.outings", self.outings)

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Multiply today's layer factors (several such policies combine)."""
        f = mods.layer_factor
        for name in f:
            f[name] *= getattr(self.params, name)
        mods.outings *= self.params.outings
