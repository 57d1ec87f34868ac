"""Contact tracing: confirmed cases wait in a queue until staff hours find their contacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.config import QUARANTINE_GROUPS
from sim.world.population import Population, expand_ranges

# Groups of a traced contact, highest risk first (codes stored in ``Quarantine.group``).
HOUSEHOLD, KEY_PERSON, NAMED, OTHER = range(len(QUARANTINE_GROUPS))
GROUP_NAMES = dict(enumerate(QUARANTINE_GROUPS))
# Contact layers (by name) whose infectees a case can name: people it knows by name
NAMED_LAYERS = ("community", "workplace")
# How far before symptom onset (or a test of an asymptomatic case) contacts are traced:
# National Health Commission close-contact definition, from Feb 2020 (5th ed.): contacts
# from 2 days before onset; the Shanghai contact study (BMJ Public Health 2024) found
# the risk highest from 1 day before to 3 days after onset
WINDOW_DAYS = 2


@dataclass
class TracingRules:
    """How one day's tracing works (from the ``contact_tracing`` policy).

    Attributes:
        delay_days: Days from confirmation before tracing can start.
        hours_per_case: Staff hours to find a case's household and named contacts.
        hours_per_case_other: Further hours to find its other (casual) contacts.
        household_share: Household members found (0..1).
        named_share: Residents it infected at work or in its community who are named (0..1).
        named_contacts: Colleagues and neighbours named per case besides those infected.
        other_share: Residents it infected elsewhere (markets) who are found (0..1).
        other_contacts: Other residents of its grid found per case (casual contacts).
    """

    delay_days: int
    hours_per_case: float
    hours_per_case_other: float
    household_share: float
    named_share: float
    named_contacts: int
    other_share: float
    other_contacts: int


class ContactTracing:
    """The tracing queue of one district and the log of who infected whom.

    Args:
        pop: The population (households, grids and employers).
        layer_names: Names of the contact layers in their ``EpiState.layer`` order.
    """

    def __init__(self, pop: Population, layer_names: list[str]) -> None:
        self.pop = pop
        self.case = np.zeros(0, dtype=np.int64)
        self.since = np.zeros(0, dtype=np.int64)  # day each case entered the queue
        self._infector: list[np.ndarray] = []
        self._infectee: list[np.ndarray] = []
        self.cases_traced = 0
        self.contacts_traced = 0
        self.traced_by_group = np.zeros(len(GROUP_NAMES), dtype=np.int64)
        self.named_layers = np.array(
            [i for i, n in enumerate(layer_names) if n in NAMED_LAYERS], dtype=np.int64
        )
        # colleagues: employed residents in the order of their employer
        emp = pop.employer
        workers = np.flatnonzero(emp >= 0)
        self.by_firm = workers[np.argsort(emp[workers], kind="stable")]
        self.firm_start = np.searchsorted(emp[self.by_firm], np.arange(pop.n_firms + 1))

    def log_infections(self, infector: np.ndarray, infectee: np.ndarray) -> None:
        """Remember who infected whom (tracing finds infectees among the contacts)."""
        if infectee.size:
            self._infector.append(infector.astype(np.int64))
            self._infectee.append(infectee.astype(np.int64))

    def enqueue(self, cases: np.ndarray, day: int) -> None:
        """Add newly confirmed cases to the queue."""
        self.case = np.concatenate([self.case, cases])
        self.since = np.concatenate([self.since, np.full(cases.size, day, dtype=np.int64)])

    def demand(self, day: int, rules: TracingRules) -> np.ndarray:
        """Hours each grid needs today for the cases ready to be traced (hours per grid)."""
        ready = self.case[self.since + rules.delay_days <= day]
        per_case = rules.hours_per_case + rules.hours_per_case_other
        return np.bincount(self.pop.grid[ready], minlength=self.pop.n_grids) * per_case

    def trace(
        self,
        hours: np.ndarray,
        day: int,
        rules: TracingRules,
        window_start: np.ndarray,
        infected_day: np.ndarray,
        layer: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Trace as many ready cases as today's hours allow, oldest first in each grid.

        Household and named contacts come first: a grid traces its ready cases while
        its hours cover ``hours_per_case`` each; the hours left find the traced cases'
        other contacts, ``hours_per_case_other`` a case in the same order. A traced
        case's contacts are:

        - household: its household members (each found with ``household_share``);
        - named: residents it infected at work or in its community from
          ``window_start`` on (each found with ``named_share``), and
          ``named_contacts`` colleagues (or, without an employer, neighbours in its
          grid) met in the same days;
        - other: residents it infected elsewhere from ``window_start`` on (found with
          ``other_share``) and ``other_contacts`` residents of its grid.

        Each group's infection risk is what the contact layers made of it: nothing is
        drawn by risk here.

        Args:
            hours: Staff hours on tracing in each grid today.
            day: Today.
            rules: Today's tracing rules.
            window_start: Per resident, first day whose contacts are traced (a case's
                onset, or its confirmation if it has none, less ``WINDOW_DAYS``).
            infected_day: Day each resident was infected (-1 never).
            layer: Layer code of each resident's infection (``EpiState.layer``).
            rng: Today's tracing stream.

        Returns:
            (cases traced today, their contacts found (unique, cases excluded), each
            contact's group code: the highest-risk group it was found in).
        """
        cases, extended = self._take_ready(hours, day, rules)
        if cases.size == 0:
            none = np.zeros(0, dtype=np.int64)
            return cases, none, none
        hh = self._household_members(cases, rules.household_share, rng)
        # residents they infected in the tracing window
        src, dst = self._infectees(cases, window_start, infected_day)
        named_layer = np.isin(layer[dst], self.named_layers)
        inf_named = dst[named_layer & (rng.random(dst.size) < rules.named_share)]
        ext = np.isin(src, cases[extended])
        inf_other = dst[~named_layer & ext & (rng.random(dst.size) < rules.other_share)]
        # colleagues (or neighbours) named
        named = self._colleagues(cases, rules.named_contacts, rng)
        # other residents of their grids (casual contacts), for the cases extended
        others = self._grid_residents(cases[extended], rules.other_contacts, rng)
        contacts, group = _highest_risk(cases, hh, (inf_named, named), (inf_other, others))
        self.cases_traced += int(cases.size)
        self.contacts_traced += int(contacts.size)
        self.traced_by_group += np.bincount(group, minlength=len(GROUP_NAMES))
        return cases, contacts, group

    def _take_ready(
        self, hours: np.ndarray, day: int, rules: TracingRules
    ) -> tuple[np.ndarray, np.ndarray]:
        """Take off the queue the ready cases that today's hours can trace.

        Each grid traces its ready cases oldest first while its hours cover
        ``hours_per_case`` each; the hours left go to other contacts, case by case in
        the same order, ``hours_per_case_other`` each.

        Args:
            hours: Staff hours on tracing in each grid today (hours).
            day: Today (day index).
            rules: Today's tracing rules.

        Returns:
            (the cases taken (resident indices), whether each one's other contacts are
            traced too (bool)).
        """
        ready = self.since + rules.delay_days <= day
        idx = np.flatnonzero(ready)
        grid = self.pop.grid[self.case[idx]]
        order = np.lexsort((self.since[idx], grid))
        idx, grid = idx[order], grid[order]
        rank = np.arange(idx.size) - np.searchsorted(grid, grid)
        can = np.floor(hours / rules.hours_per_case + 1e-9).astype(np.int64)
        take = rank < can[grid]
        done = idx[take]
        # the hours left in each grid go to other contacts, case by case in queue order
        left = hours - np.bincount(grid[take], minlength=hours.size) * rules.hours_per_case
        if rules.hours_per_case_other > 0:
            can_other = np.floor(np.maximum(left, 0) / rules.hours_per_case_other + 1e-9)
            extended = rank[take] < can_other.astype(np.int64)[grid[take]]
        else:
            extended = np.ones(done.size, dtype=bool)
        cases = self.case[done]
        keep = np.ones(self.case.size, dtype=bool)
        keep[done] = False
        self.case, self.since = self.case[keep], self.since[keep]
        return cases, extended

    def _household_members(
        self, cases: np.ndarray, share: float, rng: np.random.Generator
    ) -> np.ndarray:
        """The cases' household members found, each with probability ``share``.

        Args:
            cases: Cases traced (resident indices).
            share: Share of household members found (0..1).
            rng: Today's tracing stream (one uniform per member, cases included).

        Returns:
            The members found, the cases themselves excluded (resident indices).
        """
        p = self.pop
        h = p.household[cases]
        first = p.household_start[h]
        size = p.household_start[h + 1] - first
        hh, rep = expand_ranges(first, size)
        return hh[(hh != cases[rep]) & (rng.random(hh.size) < share)]

    def _infectees(
        self, cases: np.ndarray, window_start: np.ndarray, infected_day: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The residents the cases infected from their ``window_start`` on.

        Compacts the infection log into one array pair on the way.

        Args:
            cases: Cases traced (resident indices).
            window_start: Per resident, first day whose contacts are traced (day index).
            infected_day: Day each resident was infected (day index, -1 never).

        Returns:
            (the infector of each infection found, its infectee) (resident indices).
        """
        if not self._infector:
            none = np.zeros(0, dtype=np.int64)
            return none, none
        src = np.concatenate(self._infector)
        dst = np.concatenate(self._infectee)
        self._infector, self._infectee = [src], [dst]
        sel = np.isin(src, cases)
        src, dst = src[sel], dst[sel]
        dst_ok = infected_day[dst] >= window_start[src]
        return src[dst_ok], dst[dst_ok]

    def _grid_residents(self, cases: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
        """``k`` residents per case drawn uniformly from its grid (casual contacts).

        Args:
            cases: Cases whose other contacts are traced (resident indices).
            k: Residents drawn per case (persons).
            rng: Today's tracing stream (one uniform per draw).

        Returns:
            The residents drawn, ``k`` per case in case order (resident indices).
        """
        p = self.pop
        g = p.grid[np.repeat(cases, k)]
        gs = p.grid_start
        return gs[g] + (rng.random(g.size) * (gs[g + 1] - gs[g])).astype(np.int64)

    def _colleagues(self, cases: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
        """``k`` residents per case from its employer's staff (else from its grid)."""
        if k == 0 or cases.size == 0:
            return np.zeros(0, dtype=np.int64)
        p = self.pop
        rep = np.repeat(cases, k)
        firm = p.employer[rep].astype(np.int64)
        has = firm >= 0
        u = rng.random(rep.size)
        out = np.empty(rep.size, dtype=np.int64)
        f = firm[has]
        a, b = self.firm_start[f], self.firm_start[f + 1]
        out[has] = self.by_firm[np.minimum(a + (u[has] * (b - a)).astype(np.int64), b - 1)]
        g = p.grid[rep[~has]]
        gs = p.grid_start
        out[~has] = gs[g] + (u[~has] * (gs[g + 1] - gs[g])).astype(np.int64)
        return out


def _highest_risk(
    cases: np.ndarray,
    household: np.ndarray,
    named: Sequence[np.ndarray],
    other: Sequence[np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """The contacts found, each once, in the highest-risk group it was found in.

    Args:
        cases: Cases traced (resident indices), excluded from the contacts.
        household: Household members found (resident indices).
        named: Named contacts found, by source (resident indices).
        other: Other contacts found, by source (resident indices).

    Returns:
        (the contacts, sorted and unique (resident indices), each one's group code).
    """
    contacts = np.concatenate([household, *named, *other])
    group = np.concatenate(
        [
            np.full(household.size, HOUSEHOLD),
            np.full(sum(a.size for a in named), NAMED),
            np.full(sum(a.size for a in other), OTHER),
        ]
    ).astype(np.int64)
    ok = ~np.isin(contacts, cases)
    contacts, group = contacts[ok], group[ok]
    # a contact found in several groups belongs to the highest-risk one
    order = np.lexsort((group, contacts))
    contacts, group = contacts[order], group[order]
    first_of = np.ones(contacts.size, dtype=bool)
    first_of[1:] = contacts[1:] != contacts[:-1]
    return contacts[first_of], group[first_of]
