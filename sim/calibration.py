"""Calibration of transmission: household attack rate and R0 by a next-generation estimate."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from sim.disease import CovidHistory, EpiState, Severity, lognormal_days
from sim.errors import ConfigError
from sim.layers import GroupLayer
from sim.population import expand_ranges
from sim.rng import GeneratorDraws

log = logging.getLogger(__name__)


@dataclass
class Calibration:
    """The transmission rates of one run and what they imply with no measures.

    Attributes:
        beta_household: Per-pair daily hazard at home.
        beta: Per-contact daily hazard in the other layers.
        r0: Expected secondary infections of an index case in a fully susceptible
            district with no measures (next-generation estimate).
        r_by_layer: The part of ``r0`` from each layer.
        household_sar: Expected household secondary attack rate.
        mean_infectious_weight: Mean of infectiousness x infectious days in the
            community of an index case (days).
        calibrated: Whether the rates were solved for (False: given in the config).
    """

    beta_household: float
    beta: float
    r0: float
    r_by_layer: dict[str, float] = field(default_factory=dict)
    household_sar: float = 0.0
    mean_infectious_weight: float = 0.0
    calibrated: bool = True


def infectious_weight(
    history: CovidHistory, idx: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Infectiousness times days spent infectious in the community, per index case.

    Draws whole natural histories for residents ``idx`` with the same functions the
    model uses, so that the estimate matches the simulated process.

    Args:
        history: The run's natural history.
        idx: Index cases (resident indices).
        rng: Calibration stream.

    Returns:
        ``W_i = rel_inf_i * days infectious before recovery or admission`` (days).
    """
    c = history.cfg
    draws = GeneratorDraws(rng)
    sev = history.draw_severity(idx, draws)
    rel = history.draw_rel_inf(idx, sev, draws).astype(np.float64)
    n = idx.size
    asym_days = lognormal_days(c.asymptomatic_duration, rng.random(n))
    pre_days = lognormal_days(c.presymptomatic, rng.random(n))
    mild_days = lognormal_days(c.mild_duration, rng.random(n))
    to_severe = lognormal_days(c.symptom_to_severe, rng.random(n))
    sym_days = pre_days + np.where(sev >= Severity.SEVERE, to_severe, mild_days)
    days = np.where(sev == Severity.ASYMPTOMATIC, asym_days, sym_days)
    return rel * days


class NextGeneration:
    """The expected first generation of random index cases in one synthetic district.

    Index cases are drawn from the population with whole natural histories; their
    expected secondary infections (household and mixing layers, fully susceptible
    district, no measures, everyone's trips at their normal rates) are then cheap
    functions of the transmission rates.

    Args:
        history: The run's natural history (kind covid).
        epi: Epidemic state (for susceptibility).
        household_start: First resident of each household.
        household: Household of each resident.
        groups: The mixing layers (only their structure is used).
        sample: Number of index cases to draw.
        rng: Calibration stream.
    """

    def __init__(
        self,
        history: CovidHistory,
        epi: EpiState,
        household_start: np.ndarray,
        household: np.ndarray,
        groups: list[GroupLayer],
        sample: int,
        rng: np.random.Generator,
    ) -> None:
        idx = rng.integers(0, epi.sus.size, size=sample)
        w = infectious_weight(history, idx, rng)
        sus = epi.sus.astype(np.float64)
        self.sample = sample
        self.mean_weight = float(w.mean())
        # household pairs (index case i, other member j)
        h = household[idx]
        first = household_start[h]
        size = household_start[h + 1] - first
        j, rep = expand_ranges(first, size)
        other = j != idx[rep]
        rep, j = rep[other], j[other]
        self.pair_load = w[rep] * sus[j]  # household hazard per pair per unit beta
        self.n_pairs = int(rep.size)
        # mixing layers: the other members of each index case's group
        self.parts: list[tuple[str, np.ndarray, np.ndarray]] = []
        for layer in groups:
            g = layer.group_of[idx]
            inside = g >= 0
            gg = g[inside]
            others = np.where(layer.size[gg] > 0, layer.size[gg] - 1, 0).astype(float)
            # expected participation on a normal day (trips), mean 1 over members
            part = layer.weight if layer.weight is not None else np.ones(sus.size)
            gsus = np.bincount(
                layer.group_of[layer.members],
                weights=sus[layer.members] * part[layer.members],
                minlength=layer.n_groups,
            ) / np.maximum(layer.size, 1)
            # per member per unit beta
            load = layer.rate_per_beta[gg] * w[inside] * part[idx[inside]] * gsus[gg]
            self.parts.append((layer.name, others, load))

    def household_sar(self, beta_household: float) -> float:
        """Expected share of an index case's household members it infects."""
        if self.n_pairs == 0:
            return 0.0
        return float(-np.expm1(-beta_household * self.pair_load).sum() / self.n_pairs)

    def r_household(self, beta_household: float) -> float:
        """Expected household infections per index case."""
        return float(-np.expm1(-beta_household * self.pair_load).sum() / self.sample)

    def r_groups(self, beta: float) -> dict[str, float]:
        """Expected infections per index case in each mixing layer."""
        return {
            name: float((others * -np.expm1(-beta * load)).sum() / self.sample)
            for name, others, load in self.parts
        }

    def summary(self, beta_household: float, beta: float, calibrated: bool) -> Calibration:
        """R0 and household SAR implied by the two rates."""
        by_layer = {"household": self.r_household(beta_household), **self.r_groups(beta)}
        return Calibration(
            beta_household=beta_household,
            beta=beta,
            r0=float(sum(by_layer.values())),
            r_by_layer=by_layer,
            household_sar=self.household_sar(beta_household),
            mean_infectious_weight=self.mean_weight,
            calibrated=calibrated,
        )


def calibrate(
    ng: NextGeneration,
    r0: float,
    household_sar: float,
    beta_household: float | None = None,
    beta: float | None = None,
) -> Calibration:
    """Solve the household and per-contact hazards for the target SAR and R0.

    The household hazard is set so that the expected secondary attack rate among
    household members of a random index case equals ``household_sar``; the
    per-contact hazard of the other layers then makes the expected secondary
    infections of a random index case (all layers, fully susceptible district,
    no measures) equal ``r0``. A rate given explicitly is kept as it is, and the
    result reports what the rates imply.

    Args:
        ng: The next-generation estimate of this district.
        r0: Target basic reproduction number.
        household_sar: Target household secondary attack rate.
        beta_household: Given household hazard (None: solve for it).
        beta: Given per-contact hazard (None: solve for it).

    Returns:
        The rates and the R0 and SAR they imply.

    Raises:
        ConfigError: If the targets cannot be met.
    """
    if beta_household is None:
        if household_sar <= 0 or ng.n_pairs == 0:
            beta_household = 0.0
        else:
            ceiling = ng.household_sar(1e6)
            if household_sar >= ceiling:
                raise ConfigError(
                    f"contacts.household_sar must be below {ceiling:.3f} (the most this "
                    f"population can reach), got {household_sar}"
                )
            beta_household = float(
                brentq(lambda b: ng.household_sar(b) - household_sar, 0.0, 1e6, xtol=1e-12)
            )
    r_hh = ng.r_household(beta_household)
    if beta is None:
        if r0 < r_hh - 1e-9:
            raise ConfigError(
                f"disease.r0 must be at least {r_hh:.3f}, the household part implied by "
                f"contacts.household_sar = {household_sar}; got {r0}"
            )
        rest = r0 - r_hh
        if rest <= 0 or not ng.parts:
            beta = 0.0
        else:
            ceiling = sum(ng.r_groups(1e12).values())
            if ceiling <= rest:
                raise ConfigError(
                    f"disease.r0 must be below {r_hh + ceiling:.3f} in this world, got {r0}: "
                    f"the household part is {r_hh:.3f} (contacts.household_sar = "
                    f"{household_sar}) and the other layers add at most {ceiling:.3f} even "
                    "if they infect every member; a larger population.residents or more "
                    "contacts.*_contacts raise it"
                )
            hi = 1.0
            while sum(ng.r_groups(hi).values()) < rest:
                hi *= 4.0

            def excess(b: float) -> float:
                return sum(ng.r_groups(b).values()) - rest

            beta = float(brentq(excess, 0.0, hi, xtol=1e-14))
    cal = ng.summary(beta_household, beta, calibrated=True)
    log.info(
        "calibration: beta_household=%.5f beta=%.5f R0=%.3f (%s)",
        cal.beta_household,
        cal.beta,
        cal.r0,
        ", ".join(f"{k} {v:.2f}" for k, v in cal.r_by_layer.items()),
    )
    return cal
