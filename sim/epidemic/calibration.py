"""Calibration of transmission: household attack rate and R0 by a next-generation estimate."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from sim.epidemic.disease import (
    FIRST_INFECTIOUS_DAY,
    CovidHistory,
    EpiState,
    Severity,
    lognormal_days,
)
from sim.epidemic.layers import GroupLayer
from sim.errors import ConfigError
from sim.rng import GeneratorDraws
from sim.world.population import expand_ranges

log = logging.getLogger(__name__)


# Layers an ill resident who stays home leaves (work and other trips; sim/movement/mobility.py)
ABSENT_LAYERS = ("community", "workplace")


@dataclass
class Calibration:
    """The transmission rates of one run and what they imply with no measures.

    Attributes:
        beta_household: Per-pair daily hazard at home.
        beta: Per-contact daily hazard in the other layers.
        r0: Expected secondary infections of a typical case in a fully susceptible
            district with no measures: index cases weighted by how exposed they are
            to infection (next-generation estimate of the epidemic's growth).
        r_by_layer: The part of ``r0`` from each layer.
        r_random_index: The same for an index case drawn uniformly from the residents.
        household_sar: Expected household secondary attack rate of symptomatic index
            cases, isolated once confirmed.
        mean_infectious_weight: Mean of infectiousness x the profile's share of the
            days in the community of an index case.
        calibrated: Whether the rates were solved for (False: given in the config).
    """

    beta_household: float
    beta: float
    r0: float
    r_by_layer: dict[str, float] = field(default_factory=dict)
    r_random_index: float = 0.0
    household_sar: float = 0.0
    mean_infectious_weight: float = 0.0
    calibrated: bool = True


@dataclass
class IndexCases:
    """Whole natural histories of sampled index cases, as transmission sees them.

    Attributes:
        weight: Infectiousness over the days spent infectious in the community with no
            measures: ``rel_inf`` times the profile's share of those days.
        weight_isolated: The same up to isolation at confirmation (the config's care
            seeking and onset-to-confirmation delay): what household members receive.
        symptomatic: Whether each index case develops symptoms.
        weight_outside: ``weight`` outside the home: from symptom onset the case stays
            home with the probability that ill residents do (no measures needed).
    """

    weight: np.ndarray
    weight_isolated: np.ndarray
    symptomatic: np.ndarray
    weight_outside: np.ndarray


def infectious_weight(
    history: CovidHistory, idx: np.ndarray, rng: np.random.Generator, sick_stay_home: float = 0.0
) -> IndexCases:
    """Infectiousness over each index case's course, with no measures and with isolation.

    Draws whole natural histories for residents ``idx`` with the same functions the
    model uses, so that the estimate matches the simulated process: the last day an
    index case transmits is its recovery (asymptomatic, mild) or admission (severe)
    day, or, with isolation, the day it is confirmed by care seeking.

    Args:
        history: The run's natural history.
        idx: Index cases (resident indices).
        rng: Calibration stream.
        sick_stay_home: Probability an ill (symptomatic) resident stays home on a day
            (``mobility.sick_stay_home_prob``).

    Returns:
        The index cases' weights (``rel_inf`` x share of the infectiousness profile).
    """
    c = history.cfg
    draws = GeneratorDraws(rng)
    sev = history.draw_severity(idx, draws)
    rel = history.draw_rel_inf(idx, sev, draws).astype(np.float64)
    n = idx.size
    inc = history.incubation_days(idx, draws)
    asym_days = lognormal_days(c.asymptomatic_duration, rng.random(n))
    mild_days = lognormal_days(c.mild_duration, rng.random(n))
    to_severe = lognormal_days(c.symptom_to_severe, rng.random(n))
    symptomatic = sev != Severity.ASYMPTOMATIC
    # last day of transmission, in days since infection (see CovidHistory.progress)
    last = np.where(
        symptomatic,
        inc + np.where(sev >= Severity.SEVERE, to_severe, mild_days),
        FIRST_INFECTIOUS_DAY - 1 + asym_days,
    )
    seeks = rng.random(n) < c.care_seeking_prob
    delay = lognormal_days(c.onset_to_confirmation, rng.random(n))
    last_isolated = np.where(symptomatic & seeks, np.minimum(last, inc + delay), last)
    cum = np.concatenate([np.cumsum(history.profile), [1.0]])
    share = lambda t: cum[np.minimum(t, cum.size - 1)]  # noqa: E731
    ill = np.where(symptomatic, share(last) - share(inc - 1), 0.0)  # from onset on
    return IndexCases(
        rel * share(last),
        rel * share(last_isolated),
        symptomatic,
        rel * (share(last) - sick_stay_home * ill),
    )


def exposure(
    sus: np.ndarray,
    household_start: np.ndarray,
    household: np.ndarray,
    groups: list[GroupLayer],
) -> tuple[np.ndarray, np.ndarray]:
    """Each resident's exposure to infection from average infectious members, by kind.

    The hazard a resident receives, per unit transmission rate and unit mean
    infectiousness, if every other member of their household and groups were an
    average infectious case on a normal day: at home ``s_i (H_i - 1)``; in a mixing
    layer ``s_i c_eff p_i mean(p)`` (``p``: expected participation on a normal day).
    An early epidemic's cases are drawn in proportion to ``beta_household`` times the
    first plus ``beta`` times the second.

    Args:
        sus: Susceptibility of every resident.
        household_start: First resident of each household.
        household: Household of each resident.
        groups: The mixing layers.

    Returns:
        (household exposure, mixing-layer exposure), one value per resident.
    """
    size = np.diff(household_start)[household]
    exp_hh = sus * (size - 1)
    exp_groups = np.zeros(sus.size)
    for layer in groups:
        part = layer.weight if layer.weight is not None else np.ones(sus.size)
        m = layer.members
        g = layer.group_of[m]
        gpart = np.bincount(g, weights=part[m], minlength=layer.n_groups) / np.maximum(
            layer.size, 1
        )
        others = np.maximum(layer.size - 1, 0)
        exp_groups[m] += sus[m] * layer.rate_per_beta[g] * others[g] * part[m] * gpart[g]
    return exp_hh, exp_groups


class NextGeneration:
    """The expected first generation of index cases in one synthetic district.

    Index cases are drawn from the population with whole natural histories; their
    expected secondary infections (household and mixing layers, fully susceptible
    district, no measures, everyone's trips at their normal rates) are then cheap
    functions of the transmission rates.

    R0 weights each index case by its own exposure to infection (its susceptibility
    times the hazard it receives from an average infectious member of its household
    and groups): the cases of an early epidemic are drawn that way, not uniformly, so
    residents who mix more count more. Under separable mixing this weighted mean is
    the dominant eigenvalue of the next-generation matrix; the uniform mean
    (``r_random_index``) is lower when contacts, susceptibility and infectiousness go
    together.

    Args:
        history: The run's natural history (kind covid).
        epi: Epidemic state (for susceptibility).
        household_start: First resident of each household.
        household: Household of each resident.
        groups: The mixing layers (only their structure is used).
        sample: Number of index cases to draw.
        rng: Calibration stream.
        sick_stay_home: Probability an ill resident stays home on a day (their
            infectiousness outside the home from onset is cut by it).
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
        sick_stay_home: float = 0.0,
    ) -> None:
        idx = rng.integers(0, epi.sus.size, size=sample)
        cases = infectious_weight(history, idx, rng, sick_stay_home)
        w = cases.weight
        w_out = cases.weight_outside
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
        self.pair_case = rep  # the index case of each pair
        self.n_pairs = int(rep.size)
        # the household attack rate as studies measure it: symptomatic index cases,
        # isolated once confirmed
        sym = cases.symptomatic[rep]
        self.sar_load = cases.weight_isolated[rep[sym]] * sus[j[sym]]
        # exposure of each index case to infection, per unit beta and mean infectiousness
        exp_hh, exp_groups = exposure(sus, household_start, household, groups)
        self.exposure_household = exp_hh[idx]
        self.exposure_groups = exp_groups[idx]
        self._household_cache: tuple[float, np.ndarray] = (np.nan, np.zeros(sample))
        # mixing layers: the other members of each index case's group
        self.parts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
        for layer in groups:
            g = layer.group_of[idx]
            inside = np.flatnonzero(g >= 0)
            gg = g[inside]
            others = np.where(layer.size[gg] > 0, layer.size[gg] - 1, 0).astype(float)
            # expected participation on a normal day (trips), mean 1 over members
            part = layer.weight if layer.weight is not None else np.ones(sus.size)
            members = layer.members
            n_g = np.maximum(layer.size, 1)
            gsus = (
                np.bincount(
                    layer.group_of[members],
                    weights=sus[members] * part[members],
                    minlength=layer.n_groups,
                )
                / n_g
            )
            # per other member per unit beta
            # the ill stay home from work and outings; the household's shopping goes on
            wl = w_out if layer.name in ABSENT_LAYERS else w
            load = layer.rate_per_beta[gg] * wl[inside] * part[idx[inside]] * gsus[gg]
            self.parts.append((layer.name, inside, others, load))

    def weights(self, beta_household: float, beta: float) -> np.ndarray:
        """Each index case's exposure to infection under the given rates (the R0 weights)."""
        v = beta_household * self.exposure_household + beta * self.exposure_groups
        total = float(v.sum())
        return v / total if total > 0 else np.full(self.sample, 1.0 / self.sample)

    def household_sar(self, beta_household: float) -> float:
        """Expected share of household members a symptomatic index case infects.

        As household studies of early 2020 measured it: symptomatic index cases,
        isolated once confirmed (``disease.care_seeking_prob`` and
        ``disease.onset_to_confirmation``); pooled over (index case, member) pairs.
        """
        if self.sar_load.size == 0:
            return 0.0
        return float(-np.expm1(-beta_household * self.sar_load).sum() / self.sar_load.size)

    def per_case(self, beta_household: float, beta: float) -> dict[str, np.ndarray]:
        """Expected infections of each index case in each layer."""
        if self._household_cache[0] != beta_household:  # fixed while beta is solved for
            r_hh = np.bincount(
                self.pair_case,
                weights=-np.expm1(-beta_household * self.pair_load),
                minlength=self.sample,
            )
            self._household_cache = (beta_household, r_hh)
        out = {"household": self._household_cache[1]}
        for name, inside, others, load in self.parts:
            r = np.zeros(self.sample)
            r[inside] = others * -np.expm1(-beta * load)
            out[name] = r
        return out

    def r_by_layer(self, beta_household: float, beta: float) -> dict[str, float]:
        """The exposure-weighted expected infections per index case, by layer."""
        v = self.weights(beta_household, beta)
        # np.sum, not a BLAS dot: the same bits whatever the number of BLAS threads
        return {k: float(np.sum(v * r)) for k, r in self.per_case(beta_household, beta).items()}

    def r0(self, beta_household: float, beta: float) -> float:
        """R0: the exposure-weighted expected infections of an index case."""
        return float(sum(self.r_by_layer(beta_household, beta).values()))

    def summary(self, beta_household: float, beta: float, calibrated: bool) -> Calibration:
        """R0 and household SAR implied by the two rates."""
        by_layer = self.r_by_layer(beta_household, beta)
        uniform = sum(float(r.mean()) for r in self.per_case(beta_household, beta).values())
        return Calibration(
            beta_household=beta_household,
            beta=beta,
            r0=float(sum(by_layer.values())),
            r_by_layer=by_layer,
            r_random_index=uniform,
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
    household members of a symptomatic index case, isolated once confirmed, equals
    ``household_sar`` (``NextGeneration.household_sar``); the
    per-contact hazard of the other layers then makes R0 (the expected secondary
    infections of an index case weighted by its exposure to infection; all layers,
    fully susceptible district, no measures) equal ``r0``. A rate given explicitly is
    kept as it is, and the result reports what the rates imply.

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
        if household_sar <= 0 or ng.sar_load.size == 0:
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
    if beta is None:
        r_hh = ng.r0(beta_household, 0.0)  # the household part alone
        if r0 < r_hh - 1e-9:
            raise ConfigError(
                f"disease.r0 must be at least {r_hh:.3f}, the household part implied by "
                f"contacts.household_sar = {household_sar}; got {r0}"
            )
        if r0 <= r_hh or not ng.parts:
            beta = 0.0
        else:
            ceiling = ng.r0(beta_household, 1e12)
            if ceiling <= r0:
                raise ConfigError(
                    f"disease.r0 must be below {ceiling:.3f} in this world, got {r0}: the "
                    f"household part is {r_hh:.3f} (contacts.household_sar = "
                    f"{household_sar}) and the other layers add at most the rest even if "
                    "they infect every member; a larger population.residents or more "
                    "contacts.*_contacts raise it"
                )
            hi = 1.0
            while ng.r0(beta_household, hi) < r0:
                hi *= 4.0
            beta = float(brentq(lambda b: ng.r0(beta_household, b) - r0, 0.0, hi, xtol=1e-14))
    cal = ng.summary(beta_household, beta, calibrated=True)
    log.info(
        "calibration: beta_household=%.5f beta=%.5f R0=%.3f (%s; random index case %.3f)",
        cal.beta_household,
        cal.beta,
        cal.r0,
        ", ".join(f"{k} {v:.2f}" for k, v in cal.r_by_layer.items()),
        cal.r_random_index,
    )
    return cal
