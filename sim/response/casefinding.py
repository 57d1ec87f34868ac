"""Finding cases: care seeking, screening, tracing, quarantine, PCR tests and isolation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.config import QUARANTINE_GROUPS, Config
from sim.epidemic.disease import IMPORTED, EpiState, State, Transitions
from sim.epidemic.epidemiology import HOUSEHOLD_LAYER
from sim.metrics import Metric, table
from sim.policies import DailyModifiers
from sim.recorder import EventLog
from sim.response.quarantine import CASE, FACILITY, HOME, Quarantine
from sim.response.screening import ScreeningCampaign
from sim.response.testing import PcrTesting
from sim.response.tracing import GROUP_NAMES, KEY_PERSON, WINDOW_DAYS, ContactTracing, TracingRules
from sim.rng import Streams
from sim.world.population import Population, expand_ranges, scaled_count

METRICS = """
new_confirmed | persons per day | new confirmed cases
    cases confirmed today (care seeking or admission)
new_confirmed_imported | persons | confirmed cases infected outside
    cases confirmed today who were infected outside the district
new_isolated | persons | cases isolated
    confirmed cases isolated today
n_isolated | persons | residents isolated
    confirmed cases in isolation
cum_confirmed | persons | confirmed cases so far
    confirmed cases since day 0
new_confirmed_screening | persons | confirmed after screening
    cases confirmed today after door-to-door screening
new_confirmed_tracing | persons | confirmed among contacts
    cases confirmed today among traced contacts
new_screened | persons | residents screened
    residents in households screened today
cum_screened | persons | residents screened so far
    residents in households screened since day 0
cum_screening_visits | visits | door visits so far
    door visits since day 0 (first visits and revisits)
new_key_persons | persons | key persons found
    returnees found by screening within their key-person period
new_cases_traced | persons | cases traced
    confirmed cases whose contacts were traced today
new_traced | persons | contacts traced
    contacts found by tracing today
cum_traced | persons | contacts traced so far
    contacts found by tracing since day 0
n_tracing_backlog | persons | tracing backlog
    confirmed cases waiting to be traced
new_quarantined_home | persons | into home quarantine
    residents entering home quarantine today
new_quarantined_facility | persons | into the facility
    residents entering the quarantine facility today
cum_quarantined_home | persons | home quarantine (persons)
    residents entering home quarantine since day 0
cum_quarantined_facility | persons | centralised quarantine (persons)
    residents entering the facility since day 0
n_quarantined_home | persons | residents in home quarantine
    residents in home quarantine at end of day
n_quarantined_facility | persons | residents in centralised quarantine
    residents in the quarantine facility at end of day
new_confirmed_pcr | persons | confirmed by PCR in quarantine
    cases confirmed today by a PCR test in quarantine
new_pcr_tests | tests | PCR tests
    PCR tests of quarantined residents today
cum_pcr_tests | tests | PCR tests so far
    PCR tests of quarantined residents since day 0
pcr_cost_cny | CNY | cost of PCR tests | real
    cost of today's PCR tests (CNY)
pcr_samples_waiting | samples | samples waiting
    quarantined residents' samples waiting for the lab
n_quarantined_facility_{group} | persons | in the facility: {group}
    residents in the quarantine facility at end of day: group {group}
cum_quarantine_transfers | persons | moved into the facility
    residents moved from home quarantine into the facility
cum_quarantine_restarts | persons | quarantines restarted
    home quarantines restarted after a household member was confirmed
"""
SUMMARY = """
cum_confirmed | persons | confirmed cases
    cases confirmed over the run
confirmed_imported | persons | confirmed cases infected outside
    confirmed cases infected outside the district
confirmed_local | persons | local confirmed cases
    confirmed cases infected in the district
confirmed_local_household_share | share | local cases infected at home | real
    share of local confirmed cases infected at home
onset_to_confirmation_mean_days.traced | days | onset to confirmation, traced | real
    mean days, cases traced before confirmation
onset_to_confirmation_mean_days.not_traced | days | onset to confirmation, not traced | real
    mean days, cases not traced before
cum_screened | persons | residents screened
    residents in households screened
screening_visits | visits | door visits
    door visits, first and revisits
screening_days_to_99pct | days | screening: days to reach 99% of residents
    days the first campaign took to reach 99% of households
key_persons_found | persons | key persons found
    returnees found by screening within their key-person period
cum_traced | persons | contacts traced
    contacts found by tracing
cum_quarantined_home | persons | home quarantine
    residents who entered home quarantine
cum_quarantined_facility | persons | centralised quarantine
    residents who entered the facility
peak_facility_occupancy | persons | peak occupancy of quarantine facilities
    most residents in the facility on one day
household_infections_in_home_quarantine | persons | household infections in home quarantine
    household infections of or by residents in home quarantine
quarantine_restarts | persons | quarantines restarted
    home quarantines restarted after a household member was confirmed
pcr_tests | tests | PCR tests
    PCR tests of quarantined residents
pcr_positive | tests | positive PCR tests
    positive PCR tests in quarantine
pcr_cost_cny | CNY | cost of PCR tests | real
    cost of the PCR tests
peak_facility_by_group.{group} | persons | facility at peak: {group}
    residents of group {group} in the facility on its fullest day
traced_by_group.{group} | persons | traced: {group}
    contacts of group {group} found by tracing
traced_infected_share_by_group.{group} | share | traced infected: {group} | real
    share of group {group}'s traced contacts infected by 14 days after being found
"""


@dataclass
class Found:
    """What one day's detection, tracing and quarantine did (for the day's metrics)."""

    confirmed: np.ndarray  # residents confirmed today
    by_screening: int = 0  # of which referred by screening
    by_tracing: int = 0  # of which found among traced contacts
    by_testing: int = 0  # of which found by PCR tests in quarantine
    screened: int = 0  # residents in households screened today
    key: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    key_until: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cases_traced: int = 0
    traced: int = 0
    quarantined_home: int = 0
    quarantined_facility: int = 0
    isolated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class CaseFinding:
    """How one district finds its cases and keeps them and their contacts apart.

    Care seeking and admissions confirm cases; door-to-door screening refers the ill
    and finds key persons; tracing finds contacts; quarantine (home or facility) holds
    contacts and key persons, with PCR tests; confirmed cases are isolated.

    Args:
        cfg: The run's configuration.
        pop: The synthetic district.
        epi: The residents' epidemic state.
        layer_names: The contact layers (tracing knows in which a contact was made).
        returnees: Residents who return from outside, and their arrival days.
        streams: The run's random streams.
        note_findings: Called with residents found (referred, key persons, quarantined
            contacts): each finding is reported by the grid.
    """

    def __init__(
        self,
        cfg: Config,
        pop: Population,
        epi: EpiState,
        layer_names: list[str],
        returnees: tuple[np.ndarray, np.ndarray],
        streams: Streams,
        note_findings: Callable[[np.ndarray], None],
    ) -> None:
        q = cfg.quarantine
        self.cfg, self.pop, self.epi, self.streams = cfg, pop, epi, streams
        self.scale = pop.n / cfg.population.reference_residents
        self.note_findings = note_findings
        self.quarantine = Quarantine(
            epi, q.home_household_factor, q.home_compliance, q.home_compliance_decay
        )
        self.key_person_days = q.key_person_days
        self.tracing = ContactTracing(pop, layer_names)
        self.pcr = PcrTesting(epi)
        self.campaigns: dict[int, ScreeningCampaign] = {}
        self.returnees, self.returnee_day = returnees
        self.key_persons_found = 0
        n = pop.n
        self.at_large = np.zeros(0, dtype=np.int64)  # confirmed, not (yet) isolated
        self.traced_day = np.full(n, -1, dtype=np.int32)  # first found as a contact, -1 never
        self.traced_group = np.full(n, -1, dtype=np.int8)  # its group then (QUARANTINE_GROUPS)
        self.referred = np.zeros(n, dtype=bool)  # referred by door-to-door screening
        self.cum_confirmed = 0

    # ----------------------------------------------------------------- demand
    def visit_rate(self, mods: DailyModifiers, grid_community: np.ndarray) -> np.ndarray:
        """Door visits per staff hour in each grid today."""
        assert mods.screening is not None
        rate = np.full(self.pop.n_grids, float(mods.screening.params.visits_per_hour))
        if "grid_property" in mods.coordination:
            speedup = mods.coordination["grid_property"].screening_speedup
            rate[grid_community >= 0] *= speedup
        return rate

    @staticmethod
    def tracing_rules(mods: DailyModifiers) -> TracingRules:
        """Today's tracing rules (the police grid speeds tracing up and finds more)."""
        t = mods.tracing
        assert t is not None
        police = mods.coordination.get("grid_police")
        factor = police.tracing_hours_factor if police is not None else 1.0
        extra = police.tracing_extra_found if police is not None else 0.0
        return TracingRules(
            delay_days=int(t.delay_days),
            hours_per_case=float(t.hours_per_case) * factor,
            hours_per_case_other=float(t.hours_per_case_other) * factor,
            household_share=float(t.household_share),
            named_share=min(1.0, float(t.named_share) + extra),
            named_contacts=int(t.named_contacts),
            other_share=min(1.0, float(t.other_share) + extra),
            other_contacts=int(t.other_contacts),
        )

    def demand(
        self,
        day: int,
        mods: DailyModifiers,
        col: dict[str, int],
        grid: np.ndarray,
        grid_community: np.ndarray,
    ) -> bool:
        """Add today's tracing and screening hours to the grids' demand.

        Returns:
            Whether cadres may help with today's screening.
        """
        if mods.tracing is not None:
            grid[:, col["tracing"]] = self.tracing.demand(day, self.tracing_rules(mods))
        if mods.screening is None:
            return False
        index, sc = mods.screening.policy, mods.screening.params
        if index not in self.campaigns:
            self.campaigns[index] = ScreeningCampaign(self.pop, day)
        campaign = self.campaigns[index]
        rate = self.visit_rate(mods, grid_community)
        grid[:, col["screening"]] = campaign.demand(rate, sc.answer_prob)
        return bool(sc.cadres)

    # ------------------------------------------------------------------ a day
    def screen(
        self, day: int, mods: DailyModifiers, hours: np.ndarray | None, rate: np.ndarray | None
    ) -> dict[str, Any]:
        """Visit today's doors; returns symptomatic residents and key persons found."""
        none = np.zeros(0, dtype=np.int64)
        out: dict[str, Any] = {"symptomatic": none, "key": none, "key_until": none, "screened": 0}
        if mods.screening is None or hours is None or rate is None:
            return out
        index, s = mods.screening.policy, mods.screening.params
        rng = self.streams.day("screening", day)
        hh = self.campaigns[index].visit(hours, rate, s.answer_prob, day, rng)
        pop, e = self.pop, self.epi
        first = pop.household_start[hh]
        res, _ = expand_ranges(first, pop.household_start[hh + 1] - first)
        out["screened"] = int(res.size)
        st = e.state[res]
        out["symptomatic"] = res[(st == State.M) & (e.confirmed_day[res] < 0)]
        # key persons: returnees within their key-person period
        if self.returnees.size:
            pos = np.minimum(np.searchsorted(self.returnees, res), self.returnees.size - 1)
            hit = self.returnees[pos] == res
            arrival = self.returnee_day[pos[hit]]
            recent = (day >= arrival) & (day < arrival + self.key_person_days)
            out["key"] = res[hit][recent]
            out["key_until"] = arrival[recent] + self.key_person_days
            self.key_persons_found += int(recent.sum())
        return out

    def detect(
        self,
        day: int,
        mods: DailyModifiers,
        trans: Transitions,
        screen: dict[str, Any],
        events: EventLog,
    ) -> Found:
        """Confirm cases: care seeking due today, admissions, and screening referrals.

        Args:
            day: Day index.
            mods: Today's modifiers.
            trans: Today's transitions of the natural history.
            screen: What today's door-to-door screening found (``screen``).
            events: The run's event log.
        """
        e = self.epi
        # residents under quarantine are checked for fever daily: symptoms lead to a test,
        # confirmed quarantine.symptom_check_days later
        watched = trans.onset[
            (e.isolation[trans.onset] == HOME) | (e.isolation[trans.onset] == FACILITY)
        ]
        e.t_confirm[watched] = day + self.cfg.quarantine.symptom_check_days
        seekers = np.flatnonzero(e.t_confirm == day)
        referred = screen["symptomatic"]  # to a fever clinic: confirmed after the test
        if referred.size:
            assert mods.screening is not None
            due = day + mods.screening.params.referral_days
            t = e.t_confirm[referred]
            e.t_confirm[referred] = np.where((t >= day) & (t < due), t, due)
            self.referred[referred] = True
            seekers = np.union1d(seekers, referred[e.t_confirm[referred] == day])
        cand = np.concatenate([seekers, trans.admitted])
        st = e.state[cand]
        cand = cand[(st >= State.M) & (st <= State.C) & (e.confirmed_day[cand] < 0)]
        confirmed = np.unique(cand)
        e.confirmed_day[confirmed] = day
        events.add(day, "hospital", "confirm", confirmed)
        events.add(day, "hospital", "death", trans.died)
        events.add(day, "grid_worker", "find key person", screen["key"])
        self.note_findings(np.concatenate([referred, screen["key"]]))
        return Found(
            confirmed=confirmed,
            by_screening=int(np.count_nonzero(self.referred[confirmed])),
            by_tracing=0,
            screened=screen["screened"],
            key=screen["key"],
            key_until=screen["key_until"],
        )

    def trace_and_quarantine(
        self,
        day: int,
        mods: DailyModifiers,
        found: Found,
        trans: Transitions,
        hours: np.ndarray | None,
        events: EventLog,
    ) -> None:
        """Trace today's cases; quarantine contacts and key persons; test; end quarantines.

        Symptomatic contacts are referred and confirmed today. A household member
        confirmed restarts a home quarantine. With ``quarantine_testing``, quarantined
        residents are tested on entry, on their last day and while ill; positives are
        confirmed today.

        Args:
            day: Day index.
            mods: Today's modifiers.
            found: Today's findings so far (updated).
            trans: Today's transitions of the natural history.
            hours: Tracing hours served in each grid today (None: no staff plan).
            events: The run's event log.
        """
        e, q = self.epi, self.quarantine
        self.pcr.reset_day()
        cases, contacts, group = self._trace(day, mods, found.confirmed, hours)
        new = self.traced_day[contacts] < 0
        self.traced_day[contacts[new]] = day
        self.traced_group[contacts[new]] = group[new]
        st = e.state[contacts]
        sick = contacts[(st == State.M) & (e.confirmed_day[contacts] < 0)]
        e.confirmed_day[sick] = day
        events.add(day, "hospital", "confirm", sick)
        found.confirmed = np.concatenate([found.confirmed, sick])
        found.by_tracing = int(sick.size)
        found.cases_traced = int(cases.size)
        found.traced = int(contacts.size)
        t = mods.tracing
        days = t.quarantine_days if t else 0
        idx = np.concatenate([contacts, found.key])
        grp = np.concatenate([group, np.full(found.key.size, KEY_PERSON)])
        until = np.concatenate([np.full(contacts.size, day + days), found.key_until])
        home, fac = self._admit(day, mods, idx, grp, until)
        found.quarantined_home, found.quarantined_facility = int(home.size), int(fac.size)
        positive = self._test_in_quarantine(day, mods, np.concatenate([home, fac]), events)
        found.confirmed = np.concatenate([found.confirmed, positive])
        found.by_testing = int(positive.size)
        if t is not None:  # cases found among contacts are traced in turn
            self.tracing.enqueue(np.concatenate([sick, positive]), day)
        if days:  # exposed again at home: the 14 days start over
            hh = np.unique(self.pop.household[found.confirmed])
            first = self.pop.household_start[hh]
            members, _ = expand_ranges(first, self.pop.household_start[hh + 1] - first)
            q.restart(members, day + days)
        # residents moved in from home quarantine were reported when they entered it
        self.note_findings(np.concatenate([sick, home, fac[np.isin(fac, idx)]]))
        q.release_due(day)
        q.leave(trans.died)

    def _trace(
        self, day: int, mods: DailyModifiers, confirmed: np.ndarray, hours: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Queue today's cases and trace what today's hours allow.

        Returns:
            (cases traced, contacts found, each contact's group code).
        """
        none = np.zeros(0, dtype=np.int64)
        if mods.tracing is None or hours is None:
            return none, none, none
        self.tracing.enqueue(confirmed, day)
        e = self.epi
        # contacts are traced from 2 days before onset (asymptomatic: before the test)
        anchor = np.where(e.onset_day >= 0, e.onset_day, e.confirmed_day)
        return self.tracing.trace(
            hours,
            day,
            self.tracing_rules(mods),
            anchor - WINDOW_DAYS,
            e.infected_day,
            e.layer,
            self.streams.day("tracing", day),
        )

    def _admit(
        self,
        day: int,
        mods: DailyModifiers,
        idx: np.ndarray,
        group: np.ndarray,
        until: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Quarantine residents where today's policy says: (at home, in the facility).

        With centralised quarantine the facility's groups get its rooms by priority,
        together with residents waiting at home for a room.
        """
        none = np.zeros(0, dtype=np.int64)
        mode = mods.quarantine_mode
        if mode is None:
            return none, none
        rooms = mods.facility_capacity * self.cfg.quarantine.facility_rooms_factor
        capacity = scaled_count(round(rooms), self.scale, minimum=0)
        return self.quarantine.admit(
            idx,
            group,
            day,
            until,
            mode,
            capacity,
            mods.facility_priority,
            mods.facility_overflow_home,
            self.streams.day("quarantine", day),
        )

    def _test_in_quarantine(
        self, day: int, mods: DailyModifiers, entered: np.ndarray, events: EventLog
    ) -> np.ndarray:
        """PCR tests of quarantined residents run today; returns those newly confirmed."""
        p = mods.quarantine_testing
        e, q = self.epi, self.quarantine
        if p is None:
            self.pcr.clear()
            return np.zeros(0, dtype=np.int64)
        due = [np.zeros(0, dtype=np.int64)]
        if p.on_entry:
            due.append(entered)
        quarantined = np.flatnonzero((e.isolation == HOME) | (e.isolation == FACILITY))
        if p.before_release:
            due.append(quarantined[q.end[quarantined] == day + 1])
        if p.symptomatic:
            due.append(quarantined[e.state[quarantined] == State.M])
        capacity = (
            None
            if p.lab_capacity is None
            else scaled_count(round(p.lab_capacity), self.scale, minimum=1)
        )
        keep = ((e.isolation == HOME) | (e.isolation == FACILITY)) & (e.confirmed_day < 0)
        ill_first = e.state == State.M
        tested = self.pcr.queue(np.unique(np.concatenate(due)), day, capacity, keep, ill_first)
        u = self.streams.uniform("testing.pcr", day, tested)
        positive = self.pcr.test(tested, day, float(p.cost_per_test_cny), u)
        e.confirmed_day[positive] = day
        events.add(day, "hospital", "confirm (PCR in quarantine)", positive)
        return positive

    def isolate(self, day: int, mods: DailyModifiers, found: Found, trans: Transitions) -> None:
        """Isolate confirmed cases (if a policy says so) until they recover or die.

        Sets ``found.isolated`` to the residents isolated today.
        """
        e = self.epi
        self.cum_confirmed += int(found.confirmed.size)
        # isolation ends with recovery or death
        ended = np.concatenate([trans.recovered, trans.died])
        e.isolation[ended[e.isolation[ended] == CASE]] = 0
        if not mods.isolate_confirmed:
            self.at_large = np.concatenate([self.at_large, found.confirmed])
            return
        pool = np.concatenate([self.at_large, found.confirmed])
        self.at_large = np.zeros(0, dtype=np.int64)
        pool = pool[
            (e.state[pool] >= State.P) & (e.state[pool] <= State.C) & (e.isolation[pool] != CASE)
        ]
        if mods.isolate_share < 1.0:
            rng = self.streams.day("detection.isolate", day)
            pool = pool[rng.random(pool.size) < mods.isolate_share]
        self.quarantine.leave(pool)
        e.isolation[pool] = CASE
        found.isolated = pool

    # ---------------------------------------------------------------- outputs
    @staticmethod
    def metrics() -> list[Metric]:
        """The daily columns this component records."""
        return table(METRICS, group=list(GROUP_NAMES.values()))

    def values(self, found: Found) -> dict[str, float]:
        """Today's values of ``metrics``."""
        q, pcr, e = self.quarantine, self.pcr, self.epi
        campaigns = self.campaigns.values()
        n_home, n_fac = q.counts()
        confirmed = found.confirmed
        return {
            "new_confirmed": int(confirmed.size),
            "new_confirmed_imported": int(np.count_nonzero(e.infector[confirmed] == IMPORTED)),
            "new_isolated": int(found.isolated.size),
            "n_isolated": int(np.count_nonzero(e.isolation == CASE)),
            "cum_confirmed": self.cum_confirmed,
            "new_confirmed_screening": found.by_screening,
            "new_confirmed_tracing": found.by_tracing,
            "new_screened": found.screened,
            "cum_screened": sum(c.screened_residents for c in campaigns),
            "cum_screening_visits": sum(c.visits for c in campaigns),
            "new_key_persons": int(found.key.size),
            "new_cases_traced": found.cases_traced,
            "new_traced": found.traced,
            "cum_traced": self.tracing.contacts_traced,
            "n_tracing_backlog": int(self.tracing.case.size),
            "new_quarantined_home": found.quarantined_home,
            "new_quarantined_facility": found.quarantined_facility,
            "cum_quarantined_home": q.cum_home,
            "cum_quarantined_facility": q.cum_facility,
            "n_quarantined_home": n_home,
            "n_quarantined_facility": n_fac,
            "new_confirmed_pcr": found.by_testing,
            "new_pcr_tests": pcr.today,
            "cum_pcr_tests": pcr.tests,
            "pcr_cost_cny": pcr.today_cost_cny,
            "pcr_samples_waiting": int(pcr.waiting.size),
            **{
                f"n_quarantined_facility_{GROUP_NAMES[k]}": int(v)
                for k, v in enumerate(q.facility_by_group())
            },
            "cum_quarantine_transfers": q.transferred,
            "cum_quarantine_restarts": q.restarted,
        }

    @staticmethod
    def summary_fields() -> list[Metric]:
        """The summary fields this component contributes."""
        return table(SUMMARY, group=list(QUARANTINE_GROUPS))

    def summary(self, ts: pd.DataFrame) -> dict[str, Any]:
        """This component's part of ``summary.json``."""
        first = next(iter(self.campaigns.values()), None)
        days_99 = (
            first.day_99pct - first.start_day + 1
            if first is not None and first.day_99pct is not None
            else None
        )
        peak = int(ts["n_quarantined_facility"].argmax())  # the facility's fullest day
        return {
            "cum_confirmed": int(ts["cum_confirmed"].iloc[-1]),
            **self._case_structure(),
            "cum_screened": int(ts["cum_screened"].iloc[-1]),
            "screening_visits": int(ts["cum_screening_visits"].iloc[-1]),
            "screening_days_to_99pct": days_99,
            "key_persons_found": self.key_persons_found,
            "cum_traced": int(ts["cum_traced"].iloc[-1]),
            "cum_quarantined_home": int(ts["cum_quarantined_home"].iloc[-1]),
            "cum_quarantined_facility": int(ts["cum_quarantined_facility"].iloc[-1]),
            "peak_facility_occupancy": int(ts["n_quarantined_facility"].max()),
            "peak_facility_by_group": {
                g: int(ts[f"n_quarantined_facility_{g}"].iloc[peak]) for g in QUARANTINE_GROUPS
            },
            "traced_by_group": dict(
                zip(QUARANTINE_GROUPS, (int(x) for x in self.tracing.traced_by_group), strict=True)
            ),
            "traced_infected_share_by_group": self._traced_infected_share(),
            "household_infections_in_home_quarantine": int(
                ts["new_infections_household_quarantined"].sum()
            ),
            "quarantine_restarts": int(ts["cum_quarantine_restarts"].iloc[-1]),
            "pcr_tests": self.pcr.tests,
            "pcr_positive": self.pcr.positives,
            "pcr_cost_cny": round(self.pcr.cost_cny, 1),
        }

    def _case_structure(self) -> dict[str, Any]:
        """Confirmed cases by where they were infected and whether tracing found them first."""
        e = self.epi
        confirmed = np.flatnonzero(e.confirmed_day >= 0)
        imported = e.infector[confirmed] == IMPORTED
        local = confirmed[~imported]
        with_onset = confirmed[e.onset_day[confirmed] >= 0]
        delay = (e.confirmed_day[with_onset] - e.onset_day[with_onset]).astype(np.float64)
        t = self.traced_day[with_onset]
        traced = (t >= 0) & (t <= e.confirmed_day[with_onset])
        mean = lambda x: round(float(x.mean()), 3) if x.size else None  # noqa: E731
        return {
            "confirmed_imported": int(np.count_nonzero(imported)),
            "confirmed_local": int(local.size),
            "confirmed_local_household_share": mean(e.layer[local] == HOUSEHOLD_LAYER),
            "onset_to_confirmation_mean_days": {
                "traced": mean(delay[traced]),
                "not_traced": mean(delay[~traced]),
            },
        }

    def _traced_infected_share(self) -> dict[str, float | None]:
        """Share of each group of traced contacts infected by 14 days after being found."""
        e = self.epi
        out: dict[str, float | None] = {}
        for code, name in enumerate(QUARANTINE_GROUPS):
            sel = np.flatnonzero(self.traced_group == code)
            day = e.infected_day[sel]
            hit = (day >= 0) & (day <= self.traced_day[sel] + 14) & (e.state[sel] != State.S)
            out[name] = round(float(hit.mean()), 4) if sel.size else None
        return out
