"""Isolation of confirmed cases in hospital or a designated facility."""

from __future__ import annotations

from dataclasses import dataclass

from sim.policies.base import Policy, register
from sim.policies.modifiers import DailyModifiers
from sim.rules import checked, prob


@register
class IsolateConfirmed(Policy):
    """Confirmed cases are isolated (no contacts in any layer) from confirmation on."""

    kind = "isolate_confirmed"
    group = "disease control"

    @dataclass(frozen=True)
    class Params:
        """Parameters of ``isolate_confirmed``."""

        share: float = checked(prob, default=1.0)  # share of confirmed cases actually isolated

    params: Params

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Isolate today's confirmed cases (and any confirmed earlier, still at large)."""
        mods.isolate_confirmed = True
        mods.isolate_share = self.params.share
