"""Quarantine of contacts and key persons: at home (leaky) or in a facility (capacity)."""

from __future__ import annotations

import numpy as np

from sim.disease import EpiState, State

NONE, HOME, FACILITY, CASE = 0, 1, 2, 3  # isolation codes in EpiState.isolation


class Quarantine:
    """Who of one district's residents is in quarantine, where, since and until when.

    Home quarantine keeps a share of household contacts and leaks outside contacts as
    compliance decays; a facility takes no contacts but has a capacity (rooms).

    Args:
        epi: The residents' epidemic state (its ``isolation`` codes are shared).
        household_factor: Household contacts kept in home quarantine (0..1).
        compliance: Share of outside contacts avoided on the first day at home (0..1).
        decay: Daily relative decay of compliance at home (per day).
    """

    def __init__(
        self, epi: EpiState, household_factor: float, compliance: float, decay: float
    ) -> None:
        n = epi.state.size
        self.epi = epi
        self.start = np.full(n, -1, dtype=np.int32)
        self.end = np.full(n, -1, dtype=np.int32)
        self.household_factor = household_factor
        self.compliance0 = compliance
        self.decay = decay
        self.facility_occupancy = 0
        self.cum_home = 0
        self.cum_facility = 0

    def admit(
        self,
        idx: np.ndarray,
        day: int,
        until: np.ndarray | int,
        mode: str,
        capacity: int,
        overflow_home: bool,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Put residents in quarantine until day ``until`` (exclusive).

        Only residents alive and not already isolated or quarantined are admitted. In
        ``facility`` mode the facility takes as many as it has free rooms (in random
        order); the rest go home if ``overflow_home``, else stay out.

        Returns:
            (residents quarantined at home, residents quarantined in the facility).
        """
        e = self.epi
        until_arr = np.broadcast_to(np.asarray(until, dtype=np.int64), idx.shape)
        ok = (e.isolation[idx] == NONE) & (e.state[idx] != State.D) & (until_arr > day)
        idx, until_arr = idx[ok], until_arr[ok]
        uniq, first = np.unique(idx, return_index=True)
        idx, until_arr = uniq, until_arr[first]
        fac = np.zeros(0, dtype=np.int64)
        home = idx
        if mode == "facility":
            order = rng.permutation(idx.size)
            free = max(capacity - self.facility_occupancy, 0)
            take, rest = order[:free], order[free:]
            fac = idx[take]
            self._set(fac, day, until_arr[take], FACILITY)
            self.facility_occupancy += fac.size
            self.cum_facility += fac.size
            home = idx[rest] if overflow_home else np.zeros(0, dtype=np.int64)
            until_arr = until_arr[rest]
        self._set(home, day, until_arr[: home.size], HOME)
        self.cum_home += home.size
        return home, fac

    def _set(self, idx: np.ndarray, day: int, until: np.ndarray, code: int) -> None:
        self.epi.isolation[idx] = code
        self.start[idx] = day
        self.end[idx] = until

    def leave(self, idx: np.ndarray) -> None:
        """Residents leave quarantine (isolated as cases, died, or their time is up)."""
        iso = self.epi.isolation
        q = idx[(iso[idx] == HOME) | (iso[idx] == FACILITY)]
        self.facility_occupancy -= int(np.count_nonzero(iso[q] == FACILITY))
        iso[q] = NONE
        self.start[idx] = -1
        self.end[idx] = -1

    def release_due(self, day: int) -> int:
        """End every quarantine that is over today; returns how many ended."""
        due = np.flatnonzero(self.end == day)
        self.leave(due)
        return int(due.size)

    def outside_share(self, j: np.ndarray, day: int, boost: np.ndarray | float) -> np.ndarray:
        """Share of outside contacts kept by residents ``j`` in home quarantine today.

        Args:
            j: Residents in home quarantine.
            day: Today.
            boost: Share of non-compliance removed by monitoring (per resident or one).
        """
        days_in = np.maximum(day - self.start[j], 0)
        compliance = self.compliance0 * np.exp(-self.decay * days_in)
        return (1.0 - compliance) * (1.0 - boost)

    def counts(self) -> tuple[int, int]:
        """(residents in home quarantine, residents in the facility) now."""
        iso = self.epi.isolation
        return int(np.count_nonzero(iso == HOME)), self.facility_occupancy
