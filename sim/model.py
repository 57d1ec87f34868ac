"""The district model: one Mesa model, one step per day, in a documented order."""

from __future__ import annotations

import logging

import mesa
import numpy as np

from sim.config import Config, validate
from sim.day import Today
from sim.economy.economy import Economy
from sim.economy.enterprises import OPEN, Enterprises
from sim.epidemic.disease import EpiState, State
from sim.epidemic.epidemic import DayInfections, Epidemic
from sim.metrics import Metric
from sim.movement.mobility import Mobility, households_today
from sim.movement.supply import Supply
from sim.recorder import EventLog, Recorder
from sim.response.command import Response
from sim.rng import Streams
from sim.scenario import Scenario, load_scenario
from sim.world.population import Population, arrival_days, synthesise

log = logging.getLogger(__name__)


class DistrictModel(mesa.Model):
    """One district through one epidemic under one scenario.

    The components each own their state, their part of the day and their metrics:
    ``epidemic`` (infection states, contact layers, natural history), ``response``
    (staff as Mesa agents, grid duties, case finding), ``mobility`` (trips),
    ``supply`` (necessities) and ``economy`` (firms and relief). Residents and firms
    are numpy arrays (``pop``, ``epi``, ``firms``).

    Args:
        cfg: The run's configuration (validated here).
        scenario: The resolved scenario; loaded from ``cfg.scenario`` if not given.
    """

    def __init__(self, cfg: Config, scenario: Scenario | None = None) -> None:
        validate(cfg)
        if scenario is None:
            scenario = load_scenario(cfg.scenario, dict(cfg.knobs), cfg.days)
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        self.timeline = scenario  # the scenario (Mesa reserves `scenario`)
        self.day = 0
        self.streams = Streams(cfg.seed)
        self.pop: Population = synthesise(cfg.population, self.streams)
        pop, streams, start = self.pop, self.streams, scenario.start_date
        scale = pop.n / cfg.population.reference_residents
        self.supply = sup = Supply(pop, cfg.supply, cfg.mobility.shopper_min_age, streams, scale)
        sectors = list(cfg.population.firms.sectors)
        self.mobility = mob = Mobility(pop, cfg.mobility, sectors, sup.shop_rate, streams)
        arrival = arrival_days(pop.returnee_arrival, cfg.population.returnee_arrival, start)
        returnees = (pop.returnees, arrival)
        members = sup.market_members()
        self.epidemic = Epidemic(cfg, pop, streams, mob.presence, members, returnees, scenario)
        self.policies = list(scenario.policies)
        normal = (mob.base_other, mob.base_freight, sup.n, sup.farm_output)
        self.economy = Economy(cfg, pop, streams, self.policies, start, mob.essential_firm, normal)
        ep = self.epidemic
        self.response = Response(self, cfg, pop, ep.epi, ep.layer_names, returnees, streams)
        self.today = Today(-1)
        self.recorder = Recorder(cfg.days)
        for metric in self.metrics():
            self.recorder.declare(metric)
        self.events = EventLog()

    @property
    def epi(self) -> EpiState:
        """The residents' epidemic state (``epidemic.epi``)."""
        return self.epidemic.epi

    @property
    def firms(self) -> Enterprises:
        """The district's firms (``economy.firms``)."""
        return self.economy.firms

    # ------------------------------------------------------------------ a day
    def step(self) -> None:
        """Advance the district by one day, in this order (what a step hands on: ``today``).

        1. ``apply_policies``: each policy active today sets ``today.mods``.
        2. ``plan_staff``: who can go out; staff split their hours over today's tasks.
        3. ``move``: market trips and online orders; everyone's trips under the rules.
        4. ``resupply``: deliveries, errands, restocking, eating, farm produce.
        5. ``import_infections``: returnees arriving with infections from outside.
        6. ``transmit``: transmission over the contact layers, driven by today's trips.
        7. ``progress_disease``: due transitions of the natural history.
        8. ``detect``: care seeking, admission and screening confirm cases.
        9. ``trace_and_quarantine``: contacts traced and quarantined; tests; releases.
        10. ``isolate``: confirmed cases isolated.
        11. ``run_economy``: firms close, reopen, book the day with relief, or fail.
        12. ``record``: today's metrics, each component its own.
        """
        today = Today(self.day)
        self.today = today
        self.apply_policies(today)
        self.plan_staff(today)
        self.move(today)
        self.resupply(today)
        self.import_infections(today)
        self.transmit(today)
        self.progress_disease(today)
        self.detect(today)
        self.trace_and_quarantine(today)
        self.isolate(today)
        self.run_economy(today)
        self.record(today)
        self.day += 1

    def apply_policies(self, today: Today) -> None:
        """Let each policy active today set its modifiers; log starts and stops."""
        day = today.day
        for p in self.policies:
            if p.active(day):
                if day == p.start:
                    self.events.add(day, "authority", f"start {p.kind}", p.index)
                p.apply(today.mods, day)
            elif day == p.stop:
                self.events.add(day, "authority", f"stop {p.kind}", p.index)

    def plan_staff(self, today: Today) -> None:
        """Grid workers and cadres split today's hours over the tasks policies ask for.

        Today's courier load and the errands sealed households ask for are settled
        first: their hours are part of the day's demand (``delivery``, ``errands``).
        """
        day, mods = today.day, today.mods
        today.households = hh = households_today(self.epi, self.pop)
        delivery = self.supply.delivery_demand(day, mods)
        errands = self.supply.errand_demand(day, mods, hh.sealed, hh.empty)
        self.response.plan(day, mods, delivery, errands)

    def move(self, today: Today) -> None:
        """Decide today's market trips and online orders, then everyone's trips.

        Residents isolated, in quarantine or in hospital make no trips, nor does anyone
        in a household sealed by home quarantine (as ``plan_staff`` found them).
        """
        day, m, r, hh = today.day, today.mods, self.response, today.households
        assert hh is not None
        today.shopping = self.supply.shop(
            day, m, hh.able, hh.sealed, hh.empty, r.through, self.cfg.mobility.break_prob_short
        )
        # residents cut outings as the district's confirmed cases of the last week rise
        recent = self.recorder.column("new_confirmed")[max(day - 7, 0) : day].sum()
        today.voluntary = self.mobility.voluntary_cut(float(recent) * 1e5 / max(self.pop.n, 1))
        today.trips = self.mobility.trips(
            day,
            m,
            hh.able,
            r.through,
            r.break_prob(),
            today.shopping,
            float(self.supply.batch.size),
            self.firms.status == OPEN,
            firm_pass=self.firms.work_pass,
            sick=self.epi.state == State.M,
            voluntary=today.voluntary,
        )

    def resupply(self, today: Today) -> None:
        """Deliver orders, run errands, restock from market trips, consume, sell produce."""
        assert today.shopping is not None
        m, r = today.mods, self.response
        none = np.zeros(self.pop.n_grids)
        delivery, errands = r.hours("delivery"), r.hours("errands")
        export = m.vehicle_pass.farm_freight_share if m.vehicle_pass is not None else 1.0
        today.supplied = self.supply.settle(
            today.day,
            m,
            today.shopping,
            none if delivery is None else delivery,
            export,
            none if errands is None else errands,
        )

    def import_infections(self, today: Today) -> None:
        """Returnees arriving today with infections acquired where they were (``Epidemic``)."""
        imported = self.epidemic.import_infections(today.day, self.events)
        today.infections = DayInfections(imported)

    def transmit(self, today: Today) -> None:
        """Draw today's infections layer by layer, driven by today's trips.

        Markets open fewer hours crowd the same visitors into less time: their contacts
        rise in proportion.
        """
        m, t = today.mods, today.trips
        factor = dict(m.layer_factor)
        if m.market_hours is not None:
            factor["market"] *= self.cfg.supply.market_normal_hours / m.market_hours
        went = (
            None
            if t is None
            else {"community": t.went_other, "workplace": t.went_work, "market": t.went_shopping}
        )
        inf = self.epidemic.transmit(today.day, factor, self.response, went, self.events)
        assert today.infections is not None
        inf.imported = today.infections.imported
        today.infections = inf
        # tracing finds infectees among the contacts it traces
        self.response.cases.tracing.log_infections(inf.infector, inf.target)

    def progress_disease(self, today: Today) -> None:
        """Move everyone whose next transition is due today."""
        m = today.mods
        ctx = self.epidemic.context(m.care_seeking_prob, m.onset_to_confirmation_mean)
        today.transitions = self.epidemic.progress(today.day, ctx)

    def detect(self, today: Today) -> None:
        """Confirm cases: care seeking due today, admissions, and screening referrals."""
        assert today.transitions is not None
        day, m, r = today.day, today.mods, self.response
        screen = r.cases.screen(day, m, r.hours("screening"), r.visit_rate(m))
        today.found = r.cases.detect(day, m, today.transitions, screen, self.events)

    def trace_and_quarantine(self, today: Today) -> None:
        """Trace today's cases; quarantine contacts and key persons; test; end quarantines."""
        assert today.found is not None and today.transitions is not None
        r = self.response
        r.cases.trace_and_quarantine(
            today.day, today.mods, today.found, today.transitions, r.hours("tracing"), self.events
        )

    def isolate(self, today: Today) -> None:
        """Isolate confirmed cases (if a policy says so) until they recover or die."""
        assert today.found is not None and today.transitions is not None
        self.response.cases.isolate(today.day, today.mods, today.found, today.transitions)

    def run_economy(self, today: Today) -> None:
        """Firms close, apply to reopen and are approved; then book the day's accounts."""
        t, hh = today.trips, today.households
        assert t is not None and hh is not None
        m, mob = today.mods, self.mobility
        today.accounts = self.economy.step(
            today.day,
            m,
            t.other,
            t.freight,
            today.supplied,
            mob.available_workers(m, hh.able, self.firms.work_pass),
            mob.available_workers(m, hh.able, passes=False),
            self.events,
        )

    # ---------------------------------------------------------------- metrics
    def metrics(self) -> list[Metric]:
        """Every daily column, declared by the component that records it."""
        r = self.response
        parts = (self.epidemic, r.cases, r, r.duties, self.mobility, self.supply, self.economy)
        return [metric for part in parts for metric in part.metrics()]

    def record(self, today: Today) -> None:
        """Record today's metrics, each component its own."""
        inf, trans, found, t = today.infections, today.transitions, today.found, today.trips
        assert inf is not None and trans is not None and found is not None
        assert t is not None and today.shopping is not None
        r = self.response
        self.recorder.record(
            today.day,
            {
                **self.epidemic.values(inf, trans),
                **r.cases.values(found),
                **r.values(today.mods),
                **r.duties.values(),
                **self.mobility.values(t, today.voluntary),
                **self.supply.values(today.shopping, today.supplied),
                **self.economy.values(),
            },
        )

    def run(self, progress: bool = False) -> None:
        """Step through every remaining day of the run."""
        days = range(self.day, self.cfg.days)
        if progress:
            from tqdm import tqdm

            for _ in tqdm(days, desc=f"{self.timeline.name} seed {self.cfg.seed}", unit="day"):
                self.step()
        else:
            for _ in days:
                self.step()
