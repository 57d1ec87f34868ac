"""The public-health emergency response level and its effect on care seeking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import check_positive, check_prob
from sim.errors import ConfigError
from sim.policies.base import Policy, register

if TYPE_CHECKING:
    from sim.model import DistrictModel


@register
class ResponseLevel(Policy):
    """A declared emergency response level; fever clinics and reporting speed up care seeking."""

    kind = "response_level"

    @dataclass
    class Params:
        """Parameters of ``response_level``."""

        level: int = 1  # 1 (highest) .. 4
        care_seeking_prob: float | None = None  # None: unchanged
        onset_to_confirmation_days: float | None = None  # mean delay (days); None: unchanged

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            if self.level not in (1, 2, 3, 4):
                raise ConfigError(f"{where}.level must be one of [1, 2, 3, 4], got {self.level!r}")
            if self.care_seeking_prob is not None:
                check_prob(f"{where}.care_seeking_prob", self.care_seeking_prob)
            if self.onset_to_confirmation_days is not None:
                check_positive(
                    f"{where}.onset_to_confirmation_days", self.onset_to_confirmation_days
                )

    def apply(self, model: DistrictModel, day: int) -> None:
        """Declare the level and apply its care-seeking settings today."""
        m = model.mods
        m.response_level = self.params.level
        if self.params.care_seeking_prob is not None:
            m.care_seeking_prob = self.params.care_seeking_prob
        if self.params.onset_to_confirmation_days is not None:
            m.onset_to_confirmation_mean = self.params.onset_to_confirmation_days
