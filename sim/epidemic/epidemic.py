"""The epidemic component: infections from outside, transmission, progression, metrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sim.config import Config, Duration, parse_day
from sim.epidemic.calibration import Calibration, NextGeneration, calibrate
from sim.epidemic.disease import (
    HOME,
    IMPORTED,
    N_STATES,
    STATE_NAMES,
    CovidHistory,
    EpiState,
    NaturalHistory,
    ProgressContext,
    SeirHistory,
    State,
    Transitions,
    susceptibility,
)
from sim.epidemic.epidemiology import Records, measures, reproduction_by_day
from sim.epidemic.importation import Importation
from sim.epidemic.layers import GroupLayer, HouseholdLayer
from sim.metrics import Metric, table
from sim.recorder import EventLog
from sim.rng import KeyedDraws, Streams
from sim.scenario import Scenario
from sim.world.population import Population, scaled_count

# Participation in each layer (household, community, workplace, market) by isolation
# code: 0 none, 1 home quarantine, 2 facility quarantine, 3 isolated as a case. The home
# quarantine row is a placeholder: its household share comes from the quarantine config
# and its outside share from each resident's compliance (see ``participation``).
ISOLATION_FACTOR = np.array(
    [
        [1.0, 1.0, 1.0, 1.0],
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
    ]
)
LAYER_COLUMN = {"household": 0, "community": 1, "workplace": 2, "market": 3, "well_mixed": 1}

Layer = HouseholdLayer | GroupLayer

METRICS = """
new_infections | persons per day | new infections
    residents infected today (all layers and imported)
new_infections_{layer} | persons | new infections ({layer})
    residents infected today in the {layer} layer
new_imported | persons | imported infections
    infections imported from outside today
new_symptomatic | persons | symptom onsets
    residents with symptom onset today
new_hospitalised | persons | hospital admissions
    admissions to hospital today
new_critical | persons | ICU admissions
    admissions to ICU (critical) today
new_icu_denied | persons | critical cases without ICU bed
    critical cases who found no free ICU bed today
new_recovered | persons | recoveries
    recoveries today
new_deaths | persons per day | deaths
    deaths today
n_{state} | persons | {state}
    residents in state {state} at end of day
n_infectious | persons | infectious residents
    residents infectious at end of day (incl. in hospital)
n_hospitalised | persons | residents in hospital
    residents in hospital (severe + critical)
n_hospital_overflow | persons | beyond hospital beds
    hospitalised residents beyond the hospital beds
cum_infections | persons | infections so far
    infections since day 0 (incl. imported and seeded)
cum_deaths | persons | deaths so far
    deaths since day 0
new_infections_from_quarantine | persons | infections by the home-quarantined
    infections today by residents in home quarantine
new_infections_household_quarantined | persons | household infections in home quarantine
    household infections today of or by a resident in home quarantine
"""
AFTER_RUN_METRICS = """
rt | secondary infections | Rt | real
    mean secondary infections of the residents infected that day
rt_complete | true/false | Rt complete
    whether the day's Rt is final (its cohort's secondary infections are all on record)
"""
SUMMARY = """
cum_infections | persons | infections
    infections over the run
cum_deaths | persons | deaths
    deaths over the run
cum_imported | persons | imported infections
    infections from outside over the run
initial_infected | persons | initially infectious
    residents infectious on day 0 (well-mixed check model)
peak_hospitalised | persons | peak in hospital
    most residents in hospital on one day
peak_hospitalised_day | day | day of peak in hospital
    day index of the most residents in hospital
peak_infectious | persons | peak infectious
    most residents infectious on one day
peak_infectious_day | day | day of peak infectious
    day index of the most residents infectious
attack_rate | share of residents | attack rate | real
    share of residents ever infected
r0 | secondary infections | R0 | real
    expected secondary infections of a typical case with no measures
generation_interval_mean_days | days | generation interval | real
    mean days from infector's infection to infectee's (early phase)
serial_interval_mean_days | days | serial interval | real
    mean days between symptom onsets of infector and infectee (early phase)
presymptomatic_transmission_share | share | presymptomatic transmission | real
    share of infections by symptomatic infectors before their onset
transmission_pairs | pairs | transmission pairs
    infector-infectee pairs behind the intervals
early_doubling_time_days | days | doubling time | real
    doubling time of daily infections in the early phase
household_sar_symptomatic_index | share | household SAR | real
    household secondary attack rate of symptomatic primary cases
household_sar_contacts | persons | household contacts
    household contacts of the primary cases behind the SAR
clusters | clusters | clusters
    chains of two or more confirmed cases
cluster_cases | persons | cases in clusters
    confirmed cases in clusters
household_cluster_share | share | household clusters | real
    share of clusters with most of their infections at home
household_cluster_case_share | share | cases in household clusters | real
    share of the cases in clusters that are in household clusters
calibration.beta_household | per pair-day | household hazard | real
    per-pair daily hazard at home
calibration.beta | per contact-day | contact hazard | real
    per-contact daily hazard in the other layers
calibration.household_sar | share | household SAR (calibrated) | real
    expected household SAR of symptomatic index cases, as calibrated
calibration.r_random_index | secondary infections | R of a random index | real
    secondary infections of an index case drawn uniformly
"""


class Exposure(Protocol):
    """What the response does to residents' contacts (implemented by the response)."""

    def household_factor(self) -> float:
        """Share of household contacts kept by a resident in home quarantine."""
        ...

    def home_outside_share(self, j: np.ndarray, day: int) -> np.ndarray:
        """Outside contacts kept today by residents ``j`` in home quarantine (0..1)."""
        ...

    def aware(self) -> bool:
        """Whether any grid has awareness that cuts contacts."""
        ...

    def contact_factor(self, j: np.ndarray) -> np.ndarray:
        """Community and market contacts kept by residents ``j`` (0..1)."""
        ...


@dataclass
class DayInfections:
    """One day's infections: counts by layer and the pairs (for tracing's records)."""

    imported: int = 0
    by_layer: dict[str, int] = field(default_factory=dict)
    # infecting resident of each infection in a layer, and the infected (int64)
    infector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    target: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    from_quarantine: int = 0  # infections by residents in home quarantine
    household_quarantined: int = 0  # household infections of or by residents in home quarantine


class Epidemic:
    """The epidemic of one run: residents' infection states, contact layers, history.

    Owns the epidemic state (``epi``), the natural history, the contact layers and
    their calibration to R0, the importation of infections by returnees, and the daily
    epidemic metrics.

    Args:
        cfg: The run's configuration.
        pop: The synthetic district.
        streams: The run's random streams.
        presence: Each outside layer's expected presence of residents (``Mobility``).
        market_member: Residents who shop for their household.
        returnees: Residents who return from outside, and their arrival days.
        scenario: The scenario (its start date; whether it has an epidemic at all).
    """

    def __init__(
        self,
        cfg: Config,
        pop: Population,
        streams: Streams,
        presence: Callable[[str, np.ndarray], Any],
        market_member: np.ndarray,
        returnees: tuple[np.ndarray, np.ndarray],
        scenario: Scenario,
    ) -> None:
        d = cfg.disease
        self.cfg, self.pop, self.streams = cfg, pop, streams
        self.start_date = start_date = scenario.start_date
        self.epidemic = epidemic = scenario.epidemic
        self.seir = d.kind == "well_mixed_seir"
        # disease draws are keyed by resident and stage: a resident's course is the same
        # in every scenario run with this seed (common random numbers)
        self.draws = KeyedDraws(streams, "disease")
        n = pop.n
        self.epi = EpiState.empty(n, susceptibility(pop.age, d))
        scale = n / cfg.population.reference_residents
        self.hospital_beds = scaled_count(d.hospital_beds, scale, minimum=0)
        self.icu_beds = scaled_count(d.icu_beds, scale, minimum=0)
        self.history: NaturalHistory
        self.calibration: Calibration
        self.household_layer: HouseholdLayer | None = None
        self.initial_infected = 0  # residents infectious on day 0 (well-mixed mode)
        self.cum = {"infections": 0, "deaths": 0}
        self.imports: Importation | None = None
        if self.seir:
            seir = SeirHistory(self.epi, d.latent_days, d.infectious_days)
            self.history = seir
            beta = d.r0 / d.infectious_days
            everyone = np.zeros(n, dtype=np.int32)
            self.groups = [GroupLayer("well_mixed", everyone, 1, 1.0, beta, 1.0, "all")]
            self.calibration = Calibration(0.0, beta, d.r0, {"well_mixed": d.r0}, calibrated=False)
            if epidemic:
                self._seed_well_mixed(seir)
        else:
            covid = CovidHistory(self.epi, d, pop.age)
            self.history = covid
            self._build_layers(covid, presence, market_member)
            self.imports = Importation(d.importation, *returnees, start_date, streams)
        self.seed_rate = self._seed_schedule()

    # ----------------------------------------------------------------- set-up
    def _seed_well_mixed(self, seir: SeirHistory) -> None:
        """Well-mixed check model: ``initial_infected`` residents infectious on day 0."""
        n = self.pop.n
        seeding = self.streams.get("seeding")
        idx = seeding.choice(n, size=min(self.cfg.disease.initial_infected, n), replace=False)
        # infectious as if they had turned so at the end of day -1
        seir.make_infectious(idx, -1, self.draws)
        self.epi.layer[idx] = IMPORTED
        self.epi.infector[idx] = IMPORTED
        self.cum["infections"] += idx.size
        self.initial_infected = int(idx.size)

    def _build_layers(
        self,
        covid: CovidHistory,
        presence: Callable[[str, np.ndarray], Any],
        market_member: np.ndarray,
    ) -> None:
        """The household and group layers, their rates calibrated to R0 and the SAR."""
        p, c = self.pop, self.cfg.contacts
        s_max = float(self.epi.sus.max()) if self.epi.sus.size else 1.0
        self.household_layer = HouseholdLayer(p.household_start, p.household, 0.0)
        market_of = np.where(market_member, p.market, -1).astype(np.int32)
        spec = (
            ("community", p.grid, p.n_grids, c.community_contacts, c.community_transmissibility),
            (
                "workplace",
                p.employer,
                p.n_firms,
                c.workplace_contacts,
                c.workplace_transmissibility,
            ),
            ("market", market_of, p.n_markets, c.market_contacts, c.market_transmissibility),
        )
        self.groups = [
            GroupLayer(
                name,
                group,
                n_groups,
                contacts,
                0.0,
                s_max,
                presence=presence(name, market_member),
                transmissibility=trans,
            )
            for name, group, n_groups, contacts, trans in spec
        ]
        ng = NextGeneration(
            covid,
            self.epi,
            p.household_start,
            p.household,
            self.groups,
            c.calibration_sample,
            self.streams.get("calibration"),
            # R0 as measured includes the ill who stayed home: calibrate with them
            self.cfg.mobility.sick_stay_home_prob,
        )
        self.calibration = calibrate(
            ng, self.cfg.disease.r0, c.household_sar, c.beta_household, c.beta
        )
        # rates given in the config are not calibrated
        self.calibration.calibrated = c.beta_household is None and c.beta is None
        self.household_layer.beta = self.calibration.beta_household
        for g in self.groups:
            g.beta = self.calibration.beta

    def _seed_schedule(self) -> np.ndarray:
        """Expected seeded infections on each day of the run (scaled with the population)."""
        cfg = self.cfg
        rate = np.zeros(cfg.days)
        if self.seir:
            return rate
        for i, w in enumerate(cfg.disease.seeding):
            key = f"disease.seeding[{i}]"
            a = parse_day(f"{key}.start", w.start, self.start_date)
            b = parse_day(f"{key}.stop", w.stop, self.start_date)
            rate[max(a, 0) : max(min(b, cfg.days), 0)] += w.per_day
        # rates are given for the district at reference_residents
        return rate * (self.pop.n / cfg.population.reference_residents)

    @property
    def layer_names(self) -> list[str]:
        """Names of the contact layers, in the order transmission visits them."""
        head = ["household"] if self.household_layer is not None else []
        return head + [g.name for g in self.groups]

    @property
    def layers(self) -> list[Layer]:
        """The contact layers, in the order transmission visits them."""
        head: list[Layer] = [self.household_layer] if self.household_layer is not None else []
        return head + list(self.groups)

    # ------------------------------------------------------------------ a day
    def import_infections(self, day: int, events: EventLog) -> int:
        """Returnees arriving today with an infection acquired where they were.

        Their infections started before they arrived (``Importation``): their course
        is caught up to today, so some arrive presymptomatic or already ill. Infections
        seeded in random residents (``disease.seeding``: tests and stress studies) start
        today. A scenario with ``epidemic: false`` has neither.

        Returns:
            Infections that came from outside today.
        """
        count = 0
        if not self.epidemic:  # a world with no epidemic of its own
            return count
        if self.imports is not None:
            idx, infected_day = self.imports.arriving(day)
            ok = self.epi.state[idx] == State.S
            idx, infected_day = idx[ok], infected_day[ok]
            if idx.size:
                self._start_outside(idx, infected_day, day)
                events.add(day, "outside", "import", idx)
                count += int(idx.size)
        rate = self.seed_rate[day]
        if rate > 0:
            rng = self.streams.day("seeding", day)
            cand = np.unique(rng.integers(0, self.pop.n, size=rng.poisson(rate)))
            idx = cand[self.epi.state[cand] == State.S]
            if idx.size:
                self._start_outside(idx, np.full(idx.size, day), day)
                events.add(day, "outside", "seed", idx)
                count += int(idx.size)
        return count

    def _start_outside(self, idx: np.ndarray, infected_day: np.ndarray, day: int) -> None:
        """Start infections from outside on their own days and catch their course up."""
        e = self.epi
        self.history.infect(idx, infected_day, self.draws)
        e.infector[idx] = IMPORTED
        e.layer[idx] = IMPORTED
        ctx = self.context(None, None)
        for d in range(int(infected_day.min()) + 1, day):
            self.history.progress(d, self.draws, ctx, only=idx)
        # ill before arrival: care is sought here, after the same delay from arrival;
        # an admission on the way is confirmed on arrival
        ill = e.onset_day[idx] >= 0
        seek = idx[ill & (e.t_confirm[idx] >= 0)]
        e.t_confirm[seek] = day + np.maximum(e.t_confirm[seek] - e.onset_day[seek], 0)
        admitted = idx[(e.state[idx] >= State.V) & (e.state[idx] <= State.C)]
        e.t_confirm[admitted] = day

    def participation(
        self,
        layer: Layer,
        factor: float,
        day: int,
        exposure: Exposure,
        went: dict[str, np.ndarray] | None,
    ) -> Callable[[np.ndarray], np.ndarray]:
        """Today's participation in one layer of any residents given (0..factor x norm).

        In the covid layers a resident takes part outside the home only on a day they
        made the layer's trip (``went``: other trips for community, work for workplace,
        shopping for market), with the layer's weight ``norm``; a resident in home
        quarantine leaks their normal expected participation times the share of
        outside contacts they keep (compliance decays).
        """
        iso = self.epi.isolation
        column = LAYER_COLUMN[layer.name]
        table = ISOLATION_FACTOR[:, column] * factor
        if column == 0:  # home quarantine keeps a share of household contacts
            table[HOME] = factor * exposure.household_factor()
            return lambda j: table[iso[j]]
        aware = column in (LAYER_COLUMN["community"], LAYER_COLUMN["market"]) and exposure.aware()
        trip: np.ndarray | None = None
        weight: np.ndarray | None = None
        norm = 1.0
        if isinstance(layer, GroupLayer) and layer.weight is not None and went is not None:
            trip = went[layer.name]
            weight, norm = layer.weight, layer.norm

        def part(j: np.ndarray) -> np.ndarray:
            p = table[iso[j]]
            if trip is not None:
                p = p * (trip[j] * norm)
            home = np.flatnonzero(iso[j] == HOME)
            if home.size:  # home quarantine leaks as compliance decays
                leak = factor * exposure.home_outside_share(j[home], day)
                p[home] = leak * weight[j[home]] if weight is not None else leak
            if aware:  # aware residents avoid part of their community and market contacts
                p = p * exposure.contact_factor(j)
            return p

        return part

    def transmit(
        self,
        day: int,
        layer_factor: dict[str, float],
        exposure: Exposure,
        went: dict[str, np.ndarray] | None,
        events: EventLog,
    ) -> DayInfections:
        """Draw today's infections layer by layer; infected residents start at once.

        Args:
            day: Day index.
            layer_factor: Today's multiplier on each layer's contacts (policies).
            exposure: The response's effect on contacts (quarantine, awareness).
            went: Residents who made each outside layer's trip today (None: no trips
                model, everyone takes part).
            events: The run's event log.
        """
        e = self.epi
        state = e.state
        inf = np.flatnonzero((state >= State.P) & (state <= State.M))
        out = DayInfections(by_layer=dict.fromkeys(self.layer_names, 0))
        if inf.size == 0:
            return out
        rel = self.history.weight(inf, day)  # infectiousness by days since infection
        pairs: list[tuple[np.ndarray, np.ndarray]] = []
        for li, layer in enumerate(self.layers):
            factor = layer_factor.get(layer.name, 1.0)
            if factor == 0.0:
                continue
            part = self.participation(layer, factor, day, exposure, went)
            w = rel * part(inf)
            src = w > 0
            draws = KeyedDraws(self.streams, f"transmission.{layer.name}", day)
            if isinstance(layer, GroupLayer):
                res = layer.transmit(
                    inf[src], w[src], part, e.sus, state, draws, part_max=factor * layer.norm
                )
            else:
                res = layer.transmit(inf[src], w[src], part, e.sus, state, draws)
            if res.target.size:
                self.history.infect(res.target, day, self.draws)
                e.infector[res.target] = res.infector
                e.layer[res.target] = li
                events.add(day, "resident", f"infect ({layer.name})", res.target, res.infector)
                pairs.append((res.infector, res.target))
                who, count = np.unique(res.infector, return_counts=True)
                e.n_secondary[who] += count.astype(np.int32)
            out.by_layer[layer.name] = int(res.target.size)
            out.from_quarantine += int(np.count_nonzero(e.isolation[res.infector] == HOME))
            if layer is self.household_layer:
                q = (e.isolation[res.target] == HOME) | (e.isolation[res.infector] == HOME)
                out.household_quarantined += int(np.count_nonzero(q))
        if pairs:
            out.infector = np.concatenate([p[0] for p in pairs]).astype(np.int64)
            out.target = np.concatenate([p[1] for p in pairs]).astype(np.int64)
        return out

    def context(
        self, care_seeking_prob: float | None, onset_to_confirmation_mean: float | None
    ) -> ProgressContext:
        """Today's ICU beds free, care seeking and delay to confirmation.

        Args:
            care_seeking_prob: Today's probability of seeking care; None: the config's.
            onset_to_confirmation_mean: Today's mean delay (days); None: the config's.
        """
        d = self.cfg.disease
        n_critical = int(np.count_nonzero(self.epi.state == State.C))
        mean = onset_to_confirmation_mean
        delay = (
            d.onset_to_confirmation
            if mean is None
            else Duration(mean, d.onset_to_confirmation.sd * mean / d.onset_to_confirmation.mean)
        )
        return ProgressContext(
            icu_free=self.icu_beds - n_critical,
            care_seeking_prob=d.care_seeking_prob
            if care_seeking_prob is None
            else care_seeking_prob,
            onset_to_confirmation=delay,
        )

    def progress(self, day: int, ctx: ProgressContext) -> Transitions:
        """Move everyone whose next transition is due today."""
        return self.history.progress(day, self.draws, ctx)

    # ---------------------------------------------------------------- outputs
    def metrics(self) -> list[Metric]:
        """The daily columns this component records."""
        return table(METRICS, layer=self.layer_names, state=list(STATE_NAMES.values()))

    @staticmethod
    def after_run_metrics() -> list[Metric]:
        """Columns computed from the infection records once the run is over."""
        return table(AFTER_RUN_METRICS)

    def values(self, inf: DayInfections, trans: Transitions) -> dict[str, float]:
        """Today's values of ``metrics``."""
        e = self.epi
        # count_nonzero per state: np.bincount would first convert the int8 array
        counts = [int(np.count_nonzero(e.state == k)) for k in range(N_STATES)]
        new = inf.imported + sum(inf.by_layer.values())
        self.cum["infections"] += new
        self.cum["deaths"] += int(trans.died.size)
        hosp = int(counts[State.V] + counts[State.C])
        return {
            "new_infections": new,
            **{f"new_infections_{k}": v for k, v in inf.by_layer.items()},
            "new_imported": inf.imported,
            "new_symptomatic": int(trans.onset.size),
            "new_hospitalised": int(trans.admitted.size),
            "new_critical": int(trans.critical.size),
            "new_icu_denied": trans.icu_denied,
            "new_recovered": int(trans.recovered.size),
            "new_deaths": int(trans.died.size),
            **{f"n_{name}": counts[k] for k, name in STATE_NAMES.items()},
            "n_infectious": sum(counts[State.P : State.C + 1]),
            "n_hospitalised": hosp,
            "n_hospital_overflow": max(0, hosp - self.hospital_beds),
            "cum_infections": self.cum["infections"],
            "cum_deaths": self.cum["deaths"],
            "new_infections_from_quarantine": inf.from_quarantine,
            "new_infections_household_quarantined": inf.household_quarantined,
        }

    def after_run(self, ts: pd.DataFrame) -> None:
        """Add the columns computed from the infection records (``rt``, ``rt_complete``)."""
        ts["rt"], ts["rt_complete"] = reproduction_by_day(
            self.epi, self.cfg.days, self.history.generation_tail()
        )

    @staticmethod
    def summary_fields() -> list[Metric]:
        """The summary fields this component contributes."""
        return table(SUMMARY)

    def summary(self, ts: pd.DataFrame) -> dict[str, Any]:
        """This component's part of ``summary.json``."""
        n = self.pop.n
        hosp = ts["n_hospitalised"].to_numpy()
        infectious = ts["n_infectious"].to_numpy()
        cal = self.calibration
        rec = Records(
            epi=self.epi,
            household=self.pop.household,
            household_start=self.pop.household_start,
            days=self.cfg.days,
            new_infections=ts["new_infections"].to_numpy(),
        )
        return {
            "cum_infections": int(ts["cum_infections"].iloc[-1]),
            "cum_deaths": int(ts["cum_deaths"].iloc[-1]),
            "cum_imported": int(ts["new_imported"].sum()),
            "initial_infected": self.initial_infected,
            "peak_hospitalised": int(hosp.max()),
            "peak_hospitalised_day": int(np.argmax(hosp)),
            "peak_infectious": int(infectious.max()),
            "peak_infectious_day": int(np.argmax(infectious)),
            "attack_rate": float(ts["cum_infections"].iloc[-1]) / n,
            "r0": cal.r0,
            **measures(rec),
            "calibration": {
                "beta_household": cal.beta_household,
                "beta": cal.beta,
                "household_sar": cal.household_sar,
                "r_by_layer": cal.r_by_layer,
                "r_random_index": cal.r_random_index,
                "calibrated": cal.calibrated,
            },
        }
