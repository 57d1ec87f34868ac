"""Generic contact reduction per layer (distancing, closures, holidays)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.policies.base import Policy, register
from sim.policies.modifiers import DailyModifiers
from sim.rules import at_most, checked, nonneg, prob

MAX_FACTOR = 10.0
FACTOR = (nonneg, at_most(MAX_FACTOR, f"in [0, {MAX_FACTOR}]"))  # a layer's factor


@register
class ReduceContacts(Policy):
    """Multiply the contacts of each layer by a factor (0 closes a layer, 1 leaves it).

    ``outings`` is the share of residents' other trips (errands, visits, leisure) still
    made while venues and gatherings are closed; it multiplies the probability of an
    other trip, on top of voluntary distancing and the passes.
    """

    kind = "reduce_contacts"
    group = "disease control"

    @dataclass(frozen=True)
    class Params:
        """Parameters of ``reduce_contacts``: one factor per layer, and the outings kept."""

        household: float = checked(*FACTOR, default=1.0)
        community: float = checked(*FACTOR, default=1.0)
        workplace: float = checked(*FACTOR, default=1.0)
        market: float = checked(*FACTOR, default=1.0)
        outings: float = checked(prob, default=1.0)

    params: Params

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Multiply today's layer factors (several such policies combine)."""
        f = mods.layer_factor
        for name in f:
            f[name] *= getattr(self.params, name)
        mods.outings *= self.params.outings
