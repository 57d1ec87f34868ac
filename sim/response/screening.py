"""Door-to-door screening: every household visited grid by grid, revisits for closed doors."""

from __future__ import annotations

import numpy as np

from sim.world.population import Population, expand_ranges

NOT_VISITED, UNANSWERED, SCREENED = 0, 1, 2
REVISIT_ROUNDS = 4  # same-day revisits of a closed door, when the grid has visits left


class ScreeningCampaign:
    """One round of door-to-door screening of every household in the district.

    Each grid's households are visited in order; a door left unanswered goes on the
    grid's revisit list and is visited again after the grid's first visits are done.

    Args:
        pop: The population (households are contiguous within grids).
        start_day: Day the campaign starts.
    """

    def __init__(self, pop: Population, start_day: int) -> None:
        self.pop = pop
        self.start_day = start_day
        self.status = np.zeros(pop.n_households, dtype=np.int8)
        first = np.searchsorted(pop.household_start, pop.grid_start)
        self.next_first = first[:-1].copy()  # next household for a first visit, per grid
        self.grid_end = first[1:].copy()
        self.household_grid = pop.grid[pop.household_start[:-1]]
        self.pending = np.zeros(0, dtype=np.int64)  # unanswered households, sorted
        self.visits = 0
        self.screened_residents = 0
        self.day_99pct: int | None = None

    def demand(self, visits_per_hour: np.ndarray | float, answer_prob: float) -> np.ndarray:
        """Hours each grid needs to screen what is left, revisits included (hours per grid).

        A household takes ``1 / answer_prob`` visits on average until its door opens.
        """
        left = (self.grid_end - self.next_first) + np.bincount(
            self.household_grid[self.pending], minlength=self.grid_end.size
        )
        return left / answer_prob / visits_per_hour

    def _revisit(
        self, closed: np.ndarray, budget: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Take the first ``budget[g]`` households of each grid from ``closed`` (sorted).

        Returns:
            (households revisited, budget left per grid, households still waiting).
        """
        g = self.household_grid[closed]
        rank = np.arange(closed.size) - np.searchsorted(g, g)
        take = rank < budget[g]
        budget = budget - np.bincount(g[take], minlength=budget.size)
        return closed[take], budget, closed[~take]

    def visit(
        self,
        hours: np.ndarray,
        visits_per_hour: np.ndarray | float,
        answer_prob: float,
        day: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Spend today's screening hours; returns the households screened today.

        Args:
            hours: Screening hours served in each grid today.
            visits_per_hour: Door visits per staff hour (per grid, or one for all).
            answer_prob: Probability that a visited door is answered.
            day: Today.
            rng: Today's screening stream.
        """
        exact = hours * visits_per_hour
        visits = np.floor(exact).astype(np.int64)
        visits += rng.random(visits.size) < (exact - visits)
        first_n = np.minimum(visits, self.grid_end - self.next_first)
        # first visits: the next households of each grid, in order
        first_hh, _ = expand_ranges(self.next_first, first_n)
        self.next_first += first_n
        # revisits: unanswered households (earlier days' and today's) of each grid, in
        # order, in rounds while the grid has visits left; a door is knocked on at most
        # 1 + REVISIT_ROUNDS times a day
        budget = visits - first_n
        ok = rng.random(first_hh.size) < answer_prob
        found = [first_hh[ok]]
        self.visits += int(first_hh.size)
        waiting = np.union1d(self.pending, first_hh[~ok])
        for _ in range(REVISIT_ROUNDS):
            go, budget, rest = self._revisit(waiting, budget)
            if go.size == 0:
                break
            ok = rng.random(go.size) < answer_prob
            found.append(go[ok])
            self.visits += int(go.size)
            waiting = np.union1d(rest, go[~ok])
        screened = np.concatenate(found)
        self.status[screened] = SCREENED
        self.status[waiting] = UNANSWERED
        self.pending = waiting
        self.screened_residents += int(self.pop.household_size[screened].sum())
        if self.day_99pct is None and self.screened_residents >= 0.99 * self.pop.n:
            self.day_99pct = day
        return screened
