"""Calibration of transmission: household attack rate and R0 by a next-generation estimate."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from sim.disease import CovidHistory, EpiState, Severity, lognormal_days
from sim.errors import ConfigError
from sim.layers import GroupLayer

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
    sev = history.draw_severity(idx, rng)
    rel = history.draw_rel_inf(sev, rng).astype(np.float64)
    n = idx.size
    asym_days = lognormal_days(c.asymptomatic_duration, n, rng)
    pre_days = lognormal_days(c.presymptomatic, n, rng)
    mild_days = lognormal_days(c.mild_duration, n, rng)
    to_severe = lognormal_days(c.symptom_to_severe, n, rng)
    sym_days = pre_days + np.where(sev >= Severity.SEVERE, to_severe, mild_days)
    days = np.where(sev == Severity.ASYMPTOMATIC, asym_days, sym_days)
    return rel * days


def calibrate(
    history: CovidHistory,
    epi: EpiState,
    household_start: np.ndarray,
    household: np.ndarray,
    groups: list[GroupLayer],
    r0: float,
    household_sar: float,
    sample: int,
    rng: np.random.Generator,
) -> Calibration:
    """Solve the household and per-contact hazards for the target SAR and R0.

    The household hazard is set so that the expected secondary attack rate among
    household members of a random index case equals ``household_sar``; the
    per-contact hazard of the other layers then makes the expected secondary
    infections of a random index case (all layers, fully susceptible district,
    no measures) equal ``r0``.

    Args:
        history: The run's natural history (kind covid).
        epi: Epidemic state (for susceptibility).
        household_start: First resident of each household.
        household: Household of each resident.
        groups: The mixing layers (only their structure is used).
        r0: Target basic reproduction number.
        household_sar: Target household secondary attack rate.
        sample: Number of index cases to draw.
        rng: Calibration stream.

    Returns:
        The calibrated rates and their decomposition.

    Raises:
        ConfigError: If the targets cannot be met together.
    """
    n = epi.sus.size
    idx = rng.integers(0, n, size=sample)
    w = infectious_weight(history, idx, rng)
    sus = epi.sus.astype(np.float64)

    # household pairs (index case i, other member j)
    h = household[idx]
    first = household_start[h]
    size = household_start[h + 1] - first
    rep = np.repeat(np.arange(idx.size), size)
    offs = np.arange(rep.size) - np.repeat(np.cumsum(size) - size, size)
    j = first[rep] + offs
    other = j != idx[rep]
    rep, j = rep[other], j[other]
    pair_load = w[rep] * sus[j]
    n_pairs = max(rep.size, 1)

    def sar(beta_h: float) -> float:
        return float(-np.expm1(-beta_h * pair_load).sum() / n_pairs)

    if household_sar <= 0 or rep.size == 0:
        beta_h = 0.0
    else:
        ceiling = sar(1e6)
        if household_sar >= ceiling:
            raise ConfigError(
                f"contacts.household_sar must be below {ceiling:.3f} (the most this "
                f"population can reach), got {household_sar}"
            )
        beta_h = float(brentq(lambda b: sar(b) - household_sar, 0.0, 1e6, xtol=1e-12))
    r_hh = float(-np.expm1(-beta_h * pair_load).sum() / idx.size)

    # group layers: expected infections among the other members of each group
    parts = []
    for layer in groups:
        g = layer.group_of[idx]
        inside = g >= 0
        gg = g[inside]
        others = np.where(layer.size[gg] > 0, layer.size[gg] - 1, 0).astype(float)
        gsus = np.bincount(
            layer.group_of[layer.members], weights=sus[layer.members], minlength=layer.n_groups
        ) / np.maximum(layer.size, 1)
        load = layer.rate_per_beta[gg] * w[inside] * gsus[gg]  # hazard per member per unit beta
        parts.append((layer.name, others, load))

    def r_groups(beta: float) -> dict[str, float]:
        out = {}
        for name, others, load in parts:
            out[name] = float((others * -np.expm1(-beta * load)).sum() / idx.size)
        return out

    if r0 < r_hh - 1e-9:
        raise ConfigError(
            f"disease.r0 must be at least {r_hh:.3f}, the household part implied by "
            f"contacts.household_sar = {household_sar}; got {r0}"
        )
    rest = r0 - r_hh
    if rest <= 0 or not parts:
        beta = 0.0
    else:
        ceiling = sum(r_groups(1e12).values())
        if ceiling <= rest:
            raise ConfigError(
                f"disease.r0 must be below {r_hh + ceiling:.3f} in this world, got {r0}: "
                f"the household part is {r_hh:.3f} (contacts.household_sar = "
                f"{household_sar}) and the other layers add at most {ceiling:.3f} even if "
                "they infect every member; a larger population.residents or more "
                "contacts.*_contacts raise it"
            )
        hi = 1.0
        while sum(r_groups(hi).values()) < rest:
            hi *= 4.0
        beta = float(brentq(lambda b: sum(r_groups(b).values()) - rest, 0.0, hi, xtol=1e-14))
    by_layer = {"household": r_hh, **r_groups(beta)}
    cal = Calibration(
        beta_household=beta_h,
        beta=beta,
        r0=float(sum(by_layer.values())),
        r_by_layer=by_layer,
        household_sar=sar(beta_h) if rep.size else 0.0,
        mean_infectious_weight=float(w.mean()),
    )
    log.info(
        "calibration: beta_household=%.5f beta=%.5f R0=%.3f (%s)",
        cal.beta_household,
        cal.beta,
        cal.r0,
        ", ".join(f"{k} {v:.2f}" for k, v in by_layer.items()),
    )
    return cal
