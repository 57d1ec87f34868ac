"""The public-health emergency response level and its effect on what the ill do."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import check_positive, check_prob
from sim.errors import ConfigError
from sim.policies.base import Policy, register
from sim.policies.modifiers import DailyModifiers


@register
class ResponseLevel(Policy):
    """A declared emergency response level: the ill seek care sooner and stay home more."""

    kind = "response_level"

    @dataclass
    class Params:
        """Parameters of ``response_level``."""

        level: int = 1  # 1 (highest) .. 4
        care_seeking_prob: float | None = None  # None: unchanged
        onset_to_confirmation_days: float | None = None  # mean delay (days); None: unchanged
        sick_stay_home_prob: float | None = None  # None: mobility.sick_stay_home_prob

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            if self.level not in (1, 2, 3, 4):
                raise ConfigError(f"{where}.level must be one of [1, 2, 3, 4], got {self.level!r}")
            for name in ("care_seeking_prob", "sick_stay_home_prob"):
                value = getattr(self, name)
                if value is not None:
                    check_prob(f"{where}.{name}", value)
            if self.onset_to_confirmation_days is not None:
                check_positive(
                    f"{where}.onset_to_confirmation_days", self.onset_to_confirmation_days
                )

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Declare the level and apply its settings for the ill today."""
        m = mods
        m.response_level = self.params.level
        if self.params.care_seeking_prob is not None:
            m.care_seeking_prob = self.params.care_seeking_prob
        if self.params.onset_to_confirmation_days is not None:
            m.onset_to_confirmation_mean = self.params.onset_to_confirmation_days
        if self.params.sick_stay_home_prob is not None:
            m.sick_stay_home_prob = self.params.sick_stay_home_prob
