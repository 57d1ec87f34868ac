"""Contact layers and transmission over them (household pairs, mixing groups)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from sim.epidemic.disease import State
from sim.rng import Draws
from sim.world.population import expand_ranges

POISSON_NORMAL_ABOVE = 100.0  # means above this are inverted by the normal approximation


def poisson_inverse(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Poisson variates by inverting the CDF at ``u`` (monotone in ``u`` and ``mean``).

    Exact search for means up to ``POISSON_NORMAL_ABOVE``; above, the normal
    approximation with continuity correction (relative error < 1% there).

    Args:
        u: Uniforms on [0, 1).
        mean: Poisson means (same shape).

    Returns:
        Counts (int64).
    """
    u = np.asarray(u, dtype=np.float64)
    mean = np.asarray(mean, dtype=np.float64)
    out = np.zeros(u.shape, dtype=np.int64)
    big = mean > POISSON_NORMAL_ABOVE
    if big.any():
        x = mean[big] + np.sqrt(mean[big]) * ndtri(np.clip(u[big], 1e-12, 1 - 1e-12)) + 0.5
        out[big] = np.maximum(np.floor(x), 0).astype(np.int64)
    small = np.flatnonzero(~big & (mean > 0))
    if small.size:
        m, v = mean[small], u[small]
        pmf = np.exp(-m)
        cdf = pmf.copy()
        k = np.zeros(small.size, dtype=np.int64)
        todo = np.flatnonzero(v >= cdf)
        while todo.size:
            k[todo] += 1
            pmf[todo] *= m[todo] / k[todo]
            cdf[todo] += pmf[todo]
            todo = todo[(v[todo] >= cdf[todo]) & (pmf[todo] > 0)]
        out[small] = k
    return out


@dataclass
class Infections:
    """New infections found by one layer on one day: who, and by whom."""

    target: np.ndarray  # infected residents (int64, unique)
    infector: np.ndarray  # infecting resident of each target (int64)


def _empty() -> Infections:
    z = np.zeros(0, dtype=np.int64)
    return Infections(z, z)


def _first_unique(target: np.ndarray, infector: np.ndarray) -> Infections:
    """Keep one infection per target (the first drawn)."""
    if target.size == 0:
        return _empty()
    uniq, first = np.unique(target, return_index=True)
    return Infections(uniq.astype(np.int64), infector[first].astype(np.int64))


class HouseholdLayer:
    """The household layer: every pair of household members meets every day.

    Each infectious member exerts a daily hazard ``beta * w_i * s_j * p_j`` on each
    other member ``j`` (``w_i`` infectiousness times participation, ``s_j``
    susceptibility, ``p_j`` participation).

    Args:
        household_start: First resident of each household (n_households+1).
        household: Household of each resident.
        beta: Per-pair daily hazard (per unit infectiousness and susceptibility).
    """

    name = "household"

    def __init__(self, household_start: np.ndarray, household: np.ndarray, beta: float) -> None:
        self.start = household_start
        self.household = household
        self.beta = float(beta)

    def transmit(
        self,
        src: np.ndarray,
        w: np.ndarray,
        part: Callable[[np.ndarray], np.ndarray],
        sus: np.ndarray,
        state: np.ndarray,
        draws: Draws,
    ) -> Infections:
        """Draw today's household infections.

        Args:
            src: Infectious residents taking part in this layer today.
            w: Their infectiousness times participation (same length as ``src``).
            part: Participation in this layer today (0..1) of the residents given.
            sus: Susceptibility of every resident.
            state: Disease state of every resident.
            draws: Today's uniforms for this layer, keyed by (source, target): a pair's
                draw does not depend on who else is infectious (common random numbers).

        Returns:
            The infections drawn.
        """
        if src.size == 0 or self.beta == 0.0:
            return _empty()
        h = self.household[src]
        first = self.start[h]
        size = self.start[h + 1] - first
        j, rep = expand_ranges(first, size)
        keep = (state[j] == State.S) & (j != src[rep])
        j, rep = j[keep], rep[keep]
        hazard = self.beta * w[rep] * sus[j] * part(j)
        hit = draws("pair", src[rep], j) < -np.expm1(-hazard)
        return _first_unique(j[hit], src[rep[hit]])


class GroupLayer:
    """A mixing layer: residents meet random members of their group (grid, firm, market).

    Frequency-dependent mixing: a member has ``contacts`` contacts a day (at most the
    other members) spread evenly over the group, each with hazard ``beta`` per unit
    infectiousness and susceptibility. Infections are drawn by thinning: the group
    receives Poisson-many hits, each on a uniform member, accepted with probability
    ``s_j p_j / s_max`` if the member is susceptible; so a member's daily infection
    probability is exactly ``1 - exp(-lambda_g s_j p_j)``, at a cost proportional to
    the infections, not to the group's size.

    Args:
        name: Layer name (``community``, ``workplace``, ``market``, ``well_mixed``).
        group_of: Group of each resident, -1 if not a member (int32).
        n_groups: Number of groups.
        contacts: Contacts per member per day.
        beta: Per-contact daily hazard.
        s_max: Largest susceptibility a member can have.
        transmissibility: Relative transmissibility of one of this layer's contacts
            (it scales ``beta``: a brief contact at the market counts for less than a
            day beside a colleague).
        denominator: ``"others"`` spreads contacts over the other N-1 members;
            ``"all"`` over all N (the well-mixed SEIR's S*I/N).
        presence: Each resident's chance of being present on a normal day (trips to
            the place); None for always. Present members take part with weight
            ``norm = 1 / mean presence`` so that a normal day gives every member
            ``contacts`` contacts on average, and present members meet in proportion
            to how many are present (contacts grow with the crowd).
    """

    def __init__(
        self,
        name: str,
        group_of: np.ndarray,
        n_groups: int,
        contacts: float,
        beta: float,
        s_max: float,
        denominator: str = "others",
        presence: np.ndarray | None = None,
        transmissibility: float = 1.0,
    ) -> None:
        self.name = name
        self.group_of = group_of
        member = np.flatnonzero(group_of >= 0)
        g = group_of[member]
        if g.size and np.all(g[1:] >= g[:-1]):
            self.members = member
        else:
            self.members = member[np.argsort(g, kind="stable")]
        self.size = np.bincount(g, minlength=n_groups).astype(np.int64)
        self.first = np.concatenate([[0], np.cumsum(self.size)[:-1]]).astype(np.int64)
        others = np.maximum(self.size - 1, 0) if denominator == "others" else self.size
        c_eff = np.minimum(float(contacts), others.astype(float))
        # hazard on each other member per unit beta, infectiousness and susceptibility
        self.rate_per_beta = np.where(
            others > 0, transmissibility * c_eff / np.maximum(others, 1), 0.0
        )
        self.contacts = float(contacts)
        self.beta = float(beta)
        self.s_max = float(s_max)
        self.norm = 1.0
        self.weight: np.ndarray | None = None  # expected participation on a normal day
        if presence is not None:
            mean = float(presence[self.members].mean()) if self.members.size else 0.0
            self.norm = 1.0 / mean if mean > 0 else 0.0
            self.weight = presence * self.norm

    @property
    def rate(self) -> np.ndarray:
        """Daily hazard on each other member per unit infectiousness and susceptibility."""
        return self.beta * self.rate_per_beta

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return int(self.size.size)

    def transmit(
        self,
        src: np.ndarray,
        w: np.ndarray,
        part: Callable[[np.ndarray], np.ndarray],
        sus: np.ndarray,
        state: np.ndarray,
        draws: Draws,
        part_max: float = 1.0,
    ) -> Infections:
        """Draw today's infections in this layer.

        Arguments as ``HouseholdLayer.transmit``; ``part_max`` bounds today's
        participation of any resident (for thinning). The uniforms are keyed by (group,
        hit number), and the number of hits is drawn by inverting the Poisson CDF with
        a uniform keyed by the group, so a group's draws do not depend on other groups
        and a small change in its infection pressure changes only its last hits.
        """
        g_src = self.group_of[src]
        member = g_src >= 0
        src, w, g_src = src[member], w[member], g_src[member]
        s_max = self.s_max * part_max
        if src.size == 0 or self.beta == 0.0 or s_max == 0.0:
            return _empty()
        order = np.argsort(g_src, kind="stable")
        src, w, g_src = src[order], w[order], g_src[order]
        groups, start = np.unique(g_src, return_index=True)
        cw = np.cumsum(w)
        total = np.add.reduceat(w, start)
        lam = self.rate[groups] * total  # hazard per unit susceptibility x participation
        n_hits = poisson_inverse(draws("hits", groups), lam * s_max * self.size[groups])
        if n_hits.sum() == 0:
            return _empty()
        k, gi = expand_ranges(np.zeros(groups.size, dtype=np.int64), n_hits)
        g = groups[gi]
        pos = (draws("member", g, k) * self.size[g]).astype(np.int64)
        j = self.members[self.first[g] + np.minimum(pos, self.size[g] - 1)]
        accept = (state[j] == State.S) & (draws("accept", g, k) * s_max < sus[j] * part(j))
        gi, j, k = gi[accept], j[accept], k[accept]
        if j.size == 0:
            return _empty()
        # attribute each infection to an infectious member of the group, in proportion to w
        base = np.where(start[gi] > 0, cw[start[gi] - 1], 0.0)
        pick = base + draws("infector", groups[gi], k) * total[gi]
        k = np.searchsorted(cw, pick, side="right")
        end = np.append(start[1:], src.size) - 1
        k = np.clip(k, start[gi], end[gi])
        return _first_unique(j, src[k])
