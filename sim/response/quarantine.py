"""Quarantine of contacts and key persons: at home (leaky) or in a facility (capacity)."""

from __future__ import annotations

import numpy as np

from sim.config import QUARANTINE_GROUPS
from sim.epidemic.disease import CASE, FACILITY, HOME, NONE, EpiState, State

__all__ = ["CASE", "FACILITY", "HOME", "NONE", "Quarantine"]


class Quarantine:
    """Who of one district's residents is in quarantine, where, since and until when.

    Home quarantine keeps the household contacts of the people sealed in together (a
    share ``household_factor``) and leaks outside contacts as compliance decays; a
    facility takes every contact away but has a capacity (rooms), given by risk group.

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
        self.group = np.full(n, -1, dtype=np.int8)  # QUARANTINE_GROUPS code, -1 none
        self.household_factor = household_factor
        self.compliance0 = compliance
        self.decay = decay
        self.facility_occupancy = 0
        self.cum_home = 0
        self.cum_facility = 0
        self.transferred = 0  # moved from home to the facility as rooms freed up
        self.restarted = 0  # quarantines restarted after a household member was confirmed

    def admit(
        self,
        idx: np.ndarray,
        group: np.ndarray,
        day: int,
        until: np.ndarray | int,
        mode: str,
        capacity: int,
        priority: list[int],
        overflow_home: bool,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Put residents in quarantine until day ``until`` (exclusive).

        Only residents alive and not already isolated or quarantined are admitted. In
        ``facility`` mode they and the residents waiting at home for a room compete for
        the free rooms (``transfer``): the groups in ``priority`` in that order, the
        longest waiting first within a group. The rest go home if ``overflow_home`` (or
        if their group is not in ``priority``), else stay out.

        Args:
            idx: Residents to quarantine.
            group: Each one's group code (``QUARANTINE_GROUPS``).
            day: Today.
            until: Day each quarantine ends (exclusive).
            mode: ``home`` or ``facility``.
            capacity: Rooms of the facility (residents).
            priority: Group codes that go to the facility, in order.
            overflow_home: Whether who finds no room goes home.
            rng: Today's quarantine stream.

        Returns:
            (residents quarantined at home, residents quarantined in the facility).
        """
        e = self.epi
        until_arr = np.broadcast_to(np.asarray(until, dtype=np.int64), idx.shape)
        ok = (e.isolation[idx] == NONE) & (e.state[idx] != State.D) & (until_arr > day)
        idx, until_arr, group = idx[ok], until_arr[ok], group[ok]
        # a resident listed twice keeps the highest-risk group
        order = np.lexsort((group, idx))
        idx, until_arr, group = idx[order], until_arr[order], group[order]
        first = np.ones(idx.size, dtype=bool)
        first[1:] = idx[1:] != idx[:-1]
        idx, until_arr, group = idx[first], until_arr[first], group[first]
        self._set(idx, day, until_arr, HOME)
        self.group[idx] = group
        fac = np.zeros(0, dtype=np.int64)
        home = idx
        if mode == "facility":
            # today's residents and those waiting at home compete for the free rooms
            waiting = self.transferred
            moved = self.transfer(capacity, priority, rng)
            new = np.isin(moved, idx)
            self.transferred = waiting + int(np.count_nonzero(~new))
            fac = moved
            home = idx[~np.isin(idx, moved)]
            if not overflow_home:  # no room: not quarantined (unless not for the facility)
                out = home[self._rank(self.group[home], priority) < len(priority)]
                self.leave(out)
                home = home[~np.isin(home, out)]
        self.cum_home += home.size
        return home, fac

    @staticmethod
    def _rank(group: np.ndarray, priority: list[int]) -> np.ndarray:
        """Place of each group code in ``priority`` (``len(priority)`` if absent)."""
        table = np.full(len(QUARANTINE_GROUPS), len(priority), dtype=np.int64)
        table[np.asarray(priority, dtype=np.int64)] = np.arange(len(priority))
        return table[group]

    def transfer(self, capacity: int, priority: list[int], rng: np.random.Generator) -> np.ndarray:
        """Move residents in home quarantine into free rooms, by priority.

        Of the groups in ``priority``, the highest first; within a group the longest
        waiting first, at random among those who started the same day. Returns the
        residents moved.
        """
        free = capacity - self.facility_occupancy
        if free <= 0 or not priority:
            return np.zeros(0, dtype=np.int64)
        home = np.flatnonzero(self.epi.isolation == HOME)
        rank = self._rank(self.group[home], priority)
        home, rank = home[rank < len(priority)], rank[rank < len(priority)]
        tie = rng.random(home.size)
        moved = home[np.lexsort((tie, self.start[home], rank))[:free]]
        self.epi.isolation[moved] = FACILITY
        self.facility_occupancy += moved.size
        self.cum_facility += moved.size
        self.transferred += moved.size
        return moved

    def restart(self, idx: np.ndarray, until: int) -> np.ndarray:
        """Restart the home quarantine of residents ``idx`` (a household member confirmed).

        Returns the residents whose quarantine now ends later.
        """
        at_home = idx[self.epi.isolation[idx] == HOME]
        later = at_home[self.end[at_home] < until]
        self.end[later] = until
        self.restarted += later.size
        return later

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
        self.group[idx] = -1

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

    def at_home(self) -> np.ndarray:
        """Residents in home quarantine now."""
        return np.flatnonzero(self.epi.isolation == HOME)

    def counts(self) -> tuple[int, int]:
        """(residents in home quarantine, residents in the facility) now."""
        iso = self.epi.isolation
        return int(np.count_nonzero(iso == HOME)), self.facility_occupancy

    def facility_by_group(self) -> np.ndarray:
        """Residents in the facility now, by group code."""
        fac = np.flatnonzero(self.epi.isolation == FACILITY)
        return np.bincount(self.group[fac], minlength=len(QUARANTINE_GROUPS))
