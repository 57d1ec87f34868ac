"""The public-health emergency response level and its effect on what the ill do."""

from __future__ import annotations

from dataclasses import dataclass

from sim.policies.base import Policy, register
from sim.policies.modifiers import DailyModifiers
from sim.rules import checked, one_of, positive, prob


@register
class ResponseLevel(Policy):
    """A declared emergency response level: the ill seek care sooner and stay home more."""

    kind = "response_level"
    group = "grid work and staff"

    @dataclass(frozen=True)
    class Params:
        """Parameters of ``response_level``."""

        level: int = checked(one_of((1, 2, 3, 4)), default=1)  # 1 (highest) .. 4
        care_seeking_prob: float | None = checked(prob, default=None)  # None: unchanged
        # mean delay (days); None: unchanged
        onset_to_confirmation_days: float | None = checked(positive, default=None)
        # None: mobility.sick_stay_home_prob
        sick_stay_home_prob: float | None = checked(prob, default=None)

    params: Params

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Declare the level and apply its settings for the ill today."""
        mods.response_level = self.params.level
        if self.params.care_seeking_prob is not None:
            mods.care_seeking_prob = self.params.care_seeking_prob
        if self.params.onset_to_confirmation_days is not None:
            mods.onset_to_confirmation_mean = self.params.onset_to_confirmation_days
        if self.params.sick_stay_home_prob is not None:
            mods.sick_stay_home_prob = self.params.sick_stay_home_prob
