"""PCR tests: who tests positive, by days since infection, and what the tests cost."""

from __future__ import annotations

import numpy as np

from sim.epidemic.disease import EpiState, State

# False-negative rate of RT-PCR by day since infection (Kucirka et al., Ann Intern Med
# 2020, pooled over 7 studies, upper respiratory samples; symptom onset on day 5):
# 100% on day 1, 67% on day 4, 38% at onset (day 5), 20% on day 8, 21% on day 9,
# 66% on day 21; linear in between. Day 0 is taken as day 1; beyond day 21 the rate
# rises on to 100% at day 35 (assumption: shedding ends about 5 weeks after infection).
FNR_DAYS = np.array([0.0, 1.0, 4.0, 5.0, 8.0, 9.0, 21.0, 35.0])
FNR_RATES = np.array([1.0, 1.0, 0.67, 0.38, 0.20, 0.21, 0.66, 1.0])
MAX_DAYS = int(FNR_DAYS[-1])
# sensitivity by whole day since infection, 0..MAX_DAYS
SENSITIVITY = 1.0 - np.interp(np.arange(MAX_DAYS + 1), FNR_DAYS, FNR_RATES)


def sensitivity(days_since_infection: np.ndarray) -> np.ndarray:
    """Probability a PCR test finds an infection (0 before day 1 and after day 35)."""
    d = np.asarray(days_since_infection)
    ok = (d >= 0) & (d <= MAX_DAYS)
    return np.where(ok, SENSITIVITY[np.clip(d, 0, MAX_DAYS)], 0.0)


class PcrTesting:
    """The PCR tests of one district's quarantine: its lab's queue, results, counts, cost.

    Args:
        epi: The residents' epidemic state.
    """

    def __init__(self, epi: EpiState) -> None:
        self.epi = epi
        self.waiting = np.zeros(0, dtype=np.int64)  # samples taken, not yet run
        self.since = np.zeros(0, dtype=np.int32)  # day each waiting sample fell due
        self.tests = 0
        self.positives = 0
        self.cost_cny = 0.0
        self.today = 0
        self.today_cost_cny = 0.0

    def test(self, idx: np.ndarray, day: int, cost_per_test: float, u: np.ndarray) -> np.ndarray:
        """Test residents ``idx`` today; returns those who test positive.

        Args:
            idx: Residents tested (unique).
            day: Today.
            cost_per_test: Cost of one test (CNY).
            u: One uniform draw per resident tested (keyed: common random numbers).
        """
        e = self.epi
        st = e.state[idx]
        infected = (st != State.S) & (st != State.D)
        days = np.where(infected, day - e.infected_day[idx], -1)
        positive = idx[u < sensitivity(days)]
        self.today += int(idx.size)
        self.today_cost_cny += idx.size * cost_per_test
        self.tests += self.today
        self.positives += int(positive.size)
        self.cost_cny += self.today_cost_cny
        return positive

    def queue(
        self, due: np.ndarray, day: int, capacity: int | None, keep: np.ndarray, first: np.ndarray
    ) -> np.ndarray:
        """Samples the lab runs today, from those waiting and those due today.

        A sample joins the queue on the day it falls due and waits until the lab runs
        it: the residents in ``first`` (the ill) go first, then the oldest samples. A
        resident waits with one sample at a time; samples of residents no longer in
        ``keep`` (released or already confirmed) are dropped.

        Args:
            due: Residents whose test falls due today.
            day: Today.
            capacity: Samples the lab runs a day (None: all of them today).
            keep: Whether each resident still needs a test (bool, n).
            first: Whether each resident's sample goes ahead of the queue (bool, n).

        Returns:
            Residents tested today (sorted, unique).
        """
        idx = np.concatenate([self.waiting, due.astype(np.int64)])
        since = np.concatenate([self.since, np.full(due.size, day, dtype=np.int32)])
        order = np.lexsort((since, idx))
        idx, since = idx[order], since[order]
        one = np.ones(idx.size, dtype=bool)
        one[1:] = idx[1:] != idx[:-1]  # each resident's oldest sample
        idx, since = idx[one], since[one]
        ok = keep[idx]
        idx, since = idx[ok], since[ok]
        if capacity is None or idx.size <= capacity:
            self.waiting, self.since = self.waiting[:0], self.since[:0]
            return idx
        order = np.lexsort((idx, since, ~first[idx]))
        run, rest = order[:capacity], order[capacity:]
        self.waiting, self.since = idx[rest], since[rest]
        return np.sort(idx[run])

    def clear(self) -> None:
        """Drop the samples waiting (testing stopped)."""
        self.waiting, self.since = self.waiting[:0], self.since[:0]

    def reset_day(self) -> None:
        """No tests yet today."""
        self.today = 0
        self.today_cost_cny = 0.0
