"""Contact tracing: confirmed cases wait in a queue until staff hours find their contacts."""

from __future__ import annotations

import numpy as np

from sim.population import Population, expand_ranges


class ContactTracing:
    """The tracing queue of one district and the log of who infected whom.

    Args:
        pop: The population (households and grids).
    """

    def __init__(self, pop: Population) -> None:
        self.pop = pop
        self.case = np.zeros(0, dtype=np.int64)
        self.since = np.zeros(0, dtype=np.int64)  # day each case entered the queue
        self._infector: list[np.ndarray] = []
        self._infectee: list[np.ndarray] = []
        self.cases_traced = 0
        self.contacts_traced = 0

    def log_infections(self, infector: np.ndarray, infectee: np.ndarray) -> None:
        """Remember who infected whom (tracing finds infectees among the contacts)."""
        if infectee.size:
            self._infector.append(infector.astype(np.int64))
            self._infectee.append(infectee.astype(np.int64))

    def enqueue(self, cases: np.ndarray, day: int) -> None:
        """Add newly confirmed cases to the queue."""
        self.case = np.concatenate([self.case, cases])
        self.since = np.concatenate([self.since, np.full(cases.size, day, dtype=np.int64)])

    def demand(self, day: int, delay_days: int, hours_per_case: float) -> np.ndarray:
        """Hours each grid needs today for the cases ready to be traced (hours per grid)."""
        ready = self.case[self.since + delay_days <= day]
        return np.bincount(self.pop.grid[ready], minlength=self.pop.n_grids) * hours_per_case

    def trace(
        self,
        hours: np.ndarray,
        day: int,
        delay_days: int,
        hours_per_case: float,
        household_share: float,
        other_share: float,
        other_contacts: int,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Trace as many ready cases as today's hours allow, oldest first in each grid.

        A traced case's contacts are its household members (each found with
        ``household_share``), the residents it infected (found with ``other_share``)
        and ``other_contacts`` random members of its grid (found with ``other_share``).

        Returns:
            (cases traced today, their contacts found: unique, cases excluded).
        """
        ready = self.since + delay_days <= day
        idx = np.flatnonzero(ready)
        grid = self.pop.grid[self.case[idx]]
        order = np.lexsort((self.since[idx], grid))
        idx, grid = idx[order], grid[order]
        rank = np.arange(idx.size) - np.searchsorted(grid, grid)
        can = np.floor(hours / hours_per_case + 1e-9).astype(np.int64)
        done = idx[rank < can[grid]]
        cases = self.case[done]
        keep = np.ones(self.case.size, dtype=bool)
        keep[done] = False
        self.case, self.since = self.case[keep], self.since[keep]
        if cases.size == 0:
            return cases, np.zeros(0, dtype=np.int64)
        p = self.pop
        # household members
        h = p.household[cases]
        first = p.household_start[h]
        size = p.household_start[h + 1] - first
        hh, rep = expand_ranges(first, size)
        hh = hh[(hh != cases[rep]) & (rng.random(hh.size) < household_share)]
        # residents they infected
        if self._infector:
            src = np.concatenate(self._infector)
            dst = np.concatenate(self._infectee)
            self._infector, self._infectee = [src], [dst]
            inf = dst[np.isin(src, cases)]
            inf = inf[rng.random(inf.size) < other_share]
        else:
            inf = np.zeros(0, dtype=np.int64)
        # other members of their grids
        g = p.grid[np.repeat(cases, other_contacts)]
        gs = p.grid_start
        others = gs[g] + (rng.random(g.size) * (gs[g + 1] - gs[g])).astype(np.int64)
        others = others[rng.random(others.size) < other_share]
        contacts = np.setdiff1d(np.concatenate([hh, inf, others]), cases)
        self.cases_traced += int(cases.size)
        self.contacts_traced += int(contacts.size)
        return cases, contacts
