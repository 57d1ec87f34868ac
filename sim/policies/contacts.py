"""Generic contact reduction per layer (distancing, closures, holidays)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import check_nonneg
from sim.errors import ConfigError
from sim.policies.base import Policy, register

if TYPE_CHECKING:
    from sim.model import DistrictModel

MAX_FACTOR = 10.0


@register
class ReduceContacts(Policy):
    """Multiply the contacts of each layer by a factor (0 closes a layer, 1 leaves it)."""

    kind = "reduce_contacts"

    @dataclass
    class Params:
        """Parameters of ``reduce_contacts``: one factor per layer."""

        household: float = 1.0
        community: float = 1.0
        workplace: float = 1.0
        market: float = 1.0

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            for name in ("household", "community", "workplace", "market"):
                v = getattr(self, name)
                check_nonneg(f"{where}.{name}", v)
                if v > MAX_FACTOR:
                    raise ConfigError(f"{where}.{name} must be in [0, {MAX_FACTOR}], got {v!r}")

    def apply(self, model: DistrictModel, day: int) -> None:
        """Multiply today's layer factors (several such policies combine)."""
        f = model.mods.layer_factor
        for name in f:
            f[name] *= getattr(self.params, name)
