"""The district model: one Mesa model, one step per day, in a documented order."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import mesa
import numpy as np

from sim.config import Config, Duration, parse_day, validate
from sim.economy.enterprises import FAILED, INSTRUMENTS, OPEN, STATUS_NAMES, Accounts, Enterprises
from sim.epidemic.calibration import Calibration, NextGeneration, calibrate
from sim.epidemic.disease import (
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
from sim.epidemic.importation import Importation
from sim.epidemic.layers import GroupLayer, HouseholdLayer
from sim.movement.mobility import Mobility, Trips
from sim.movement.supply import Shopping, Supply, SupplyDay
from sim.policies import DailyModifiers
from sim.policies.economy import Relief
from sim.recorder import EventLog, Recorder
from sim.response.command import Response
from sim.response.quarantine import CASE, FACILITY, HOME
from sim.response.staff import TASKS
from sim.response.tracing import GROUP_NAMES, KEY_PERSON
from sim.rng import KeyedDraws, Streams
from sim.scenario import Scenario, load_scenario
from sim.world.population import Population, expand_ranges, scaled_count, synthesise

log = logging.getLogger(__name__)

# Participation in each layer (household, community, workplace, market) by isolation
# code: 0 none, 1 home quarantine, 2 facility quarantine, 3 isolated as a case. The home
# quarantine row is a placeholder: its household share comes from the quarantine config
# and its outside share from each resident's compliance (see ``_participation``).
ISOLATION_FACTOR = np.array(
    [
        [1.0, 1.0, 1.0, 1.0],
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
    ]
)
LAYER_COLUMN = {"household": 0, "community": 1, "workplace": 2, "market": 3, "well_mixed": 1}
IMPORTED = -2  # infector / layer code of an infection from outside


@dataclass
class Found:
    """What a day's detection, tracing and quarantine did (for the day's metrics)."""

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


class DistrictModel(mesa.Model):
    """One district through one epidemic under one scenario.

    Residents and firms are numpy arrays (``self.pop``, ``self.epi``); the contact
    layers, the natural history and the policies act on them, one day per ``step()``.

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
        # disease draws are keyed by resident and stage: a resident's course is the same
        # in every scenario run with this seed (common random numbers)
        self.draws = KeyedDraws(self.streams, "disease")
        self.pop: Population = synthesise(cfg.population, self.streams)
        n = self.pop.n
        d = cfg.disease
        self.seir = d.kind == "well_mixed_seir"
        self.epi = EpiState.empty(n, susceptibility(self.pop.age, d))
        scale = n / cfg.population.reference_residents
        self.supply = Supply(
            self.pop, cfg.supply, cfg.mobility.shopper_min_age, self.streams, scale
        )
        self.mobility = Mobility(
            self.pop,
            cfg.mobility,
            list(cfg.population.firms.sectors),
            self.supply.shop_rate,
            self.streams,
        )
        self.firms = Enterprises(
            self.pop,
            cfg.economy,
            self.streams,
            scale,
            list(cfg.economy.demand_driver_by_sector),
            essential=self.mobility.essential_firm,
        )
        # residents who can shop for their household: the head, and a second adult
        self.market_member = np.zeros(n, dtype=bool)
        self.market_member[self.supply.head] = True
        self.market_member[self.supply.second[self.supply.second >= 0]] = True
        self.hospital_beds = scaled_count(d.hospital_beds, scale, minimum=0)
        self.icu_beds = scaled_count(d.icu_beds, scale, minimum=0)
        self.history: NaturalHistory
        self.calibration: Calibration
        seir_history: SeirHistory | None = None
        if self.seir:
            seir_history = SeirHistory(self.epi, d.latent_days, d.infectious_days)
            self.history = seir_history
            beta = d.r0 / d.infectious_days
            everyone = np.zeros(n, dtype=np.int32)
            self.household_layer: HouseholdLayer | None = None
            self.groups = [GroupLayer("well_mixed", everyone, 1, 1.0, beta, 1.0, "all")]
            self.calibration = Calibration(0.0, beta, d.r0, {"well_mixed": d.r0}, calibrated=False)
        else:
            covid = CovidHistory(self.epi, d, self.pop.age)
            self.history = covid
            self._build_covid_layers(covid)
        self.policies = list(scenario.policies)
        self.relief_masks: dict[int, np.ndarray] = {}  # policy index -> eligible firms
        for p in self.policies:
            where = f"policies[{p.index}] ({p.kind})"
            if isinstance(p, Relief):
                self.relief_masks[p.index] = self.firms.eligible(p.params, where)
            elif p.kind == "work_stoppage" and p.params.exempt_sectors is not None:
                self.firms.codes("sectors", p.params.exempt_sectors, f"{where}.exempt_sectors")
        self.accounts: Accounts | None = None
        self.workers_today = self.firms.employees.copy()
        self.workers_if_pass = self.workers_today  # the same, had every firm a work pass
        self.voluntary = 0.0  # share of other trips residents forgo by choice today
        self.mods = DailyModifiers()
        self.response = Response(self)
        self.seed_rate = self._seed_schedule()
        self.imports = (
            Importation(
                d.importation,
                self.response.returnees,
                self.response.returnee_day,
                self.timeline.start_date,
                self.streams,
            )
            if not self.seir
            else None
        )
        self.recorder = Recorder(cfg.days)
        self.events = EventLog()
        self._declare_metrics()
        self._cum = {"infections": 0, "confirmed": 0, "deaths": 0}
        self._at_large = np.zeros(0, dtype=np.int64)  # confirmed, not (yet) isolated
        self.traced_day = np.full(n, -1, dtype=np.int32)  # first found as a contact, -1 never
        self.traced_group = np.full(n, -1, dtype=np.int8)  # its group then (QUARANTINE_GROUPS)
        self.referred = np.zeros(n, dtype=bool)  # referred by door-to-door screening
        self.initial_infected = 0  # residents infectious on day 0 (well-mixed mode)
        self._from_quarantine = 0  # today's infections by residents in home quarantine
        self._household_quarantined = 0  # today's household infections of or by them
        self.trips: Trips | None = None  # today's trips (None before the first move)
        self.shopping: Shopping | None = None
        self._households = self.households_today()  # (able, sealed, empty) this morning
        self.supplied = SupplyDay()
        if seir_history is not None and scenario.epidemic:
            seeding = self.streams.get("seeding")
            seed_idx = seeding.choice(n, size=min(d.initial_infected, n), replace=False)
            # infectious as if they had turned so at the end of day -1
            seir_history.make_infectious(seed_idx, -1, self.draws)
            self.epi.layer[seed_idx] = IMPORTED
            self.epi.infector[seed_idx] = IMPORTED
            self._cum["infections"] += seed_idx.size
            self.initial_infected = int(seed_idx.size)

    # ----------------------------------------------------------------- set-up
    def _build_covid_layers(self, covid: CovidHistory) -> None:
        p, c = self.pop, self.cfg.contacts
        s_max = float(self.epi.sus.max()) if self.epi.sus.size else 1.0
        self.household_layer = HouseholdLayer(p.household_start, p.household, 0.0)
        mob, mm = self.mobility, self.market_member
        market_of = np.where(mm, p.market, -1).astype(np.int32)
        self.groups = [
            GroupLayer(
                "community",
                p.grid,
                p.n_grids,
                c.community_contacts,
                0.0,
                s_max,
                presence=mob.presence("community", mm),
                transmissibility=c.community_transmissibility,
            ),
            GroupLayer(
                "workplace",
                p.employer,
                p.n_firms,
                c.workplace_contacts,
                0.0,
                s_max,
                presence=mob.presence("workplace", mm),
                transmissibility=c.workplace_transmissibility,
            ),
            GroupLayer(
                "market",
                market_of,
                p.n_markets,
                c.market_contacts,
                0.0,
                s_max,
                presence=mob.presence("market", mm),
                transmissibility=c.market_transmissibility,
            ),
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
        rate = np.zeros(self.cfg.days)
        if self.seir:
            return rate
        for i, w in enumerate(self.cfg.disease.seeding):
            key = f"disease.seeding[{i}]"
            a = parse_day(f"{key}.start", w.start, self.timeline.start_date)
            b = parse_day(f"{key}.stop", w.stop, self.timeline.start_date)
            rate[max(a, 0) : max(min(b, self.cfg.days), 0)] += w.per_day
        # rates are given for the district at reference_residents
        return rate * (self.pop.n / self.cfg.population.reference_residents)

    @property
    def layer_names(self) -> list[str]:
        """Names of the contact layers, in the order transmission visits them."""
        head = ["household"] if self.household_layer is not None else []
        return head + [g.name for g in self.groups]

    def _declare_metrics(self) -> None:
        r = self.recorder
        r.declare("new_infections", "residents infected today (all layers and imported)")
        for name in self.layer_names:
            r.declare(f"new_infections_{name}", f"residents infected today in the {name} layer")
        r.declare("new_imported", "infections imported from outside today")
        r.declare("new_symptomatic", "residents with symptom onset today")
        r.declare("new_confirmed", "cases confirmed today (care seeking or admission)")
        r.declare(
            "new_confirmed_imported", "cases confirmed today who were infected outside the district"
        )
        r.declare("new_isolated", "confirmed cases isolated today")
        r.declare("new_hospitalised", "admissions to hospital today")
        r.declare("new_critical", "admissions to ICU (critical) today")
        r.declare("new_icu_denied", "critical cases who found no free ICU bed today")
        r.declare("new_recovered", "recoveries today")
        r.declare("new_deaths", "deaths today")
        for name in STATE_NAMES.values():
            r.declare(f"n_{name}", f"residents in state {name} at end of day")
        r.declare("n_infectious", "residents infectious at end of day (incl. in hospital)")
        r.declare("n_hospitalised", "residents in hospital (severe + critical)")
        r.declare("n_hospital_overflow", "hospitalised residents beyond the hospital beds")
        r.declare("n_isolated", "confirmed cases in isolation")
        r.declare("cum_infections", "infections since day 0 (incl. imported and seeded)")
        r.declare("cum_confirmed", "confirmed cases since day 0")
        r.declare("cum_deaths", "deaths since day 0")
        r.declare("response_level", "public-health emergency response level in force (0 none)")
        r.declare("new_confirmed_screening", "cases confirmed today after door-to-door screening")
        r.declare("new_confirmed_tracing", "cases confirmed today among traced contacts")
        r.declare("new_screened", "residents in households screened today")
        r.declare("cum_screened", "residents in households screened since day 0")
        r.declare("cum_screening_visits", "door visits since day 0 (first visits and revisits)")
        r.declare("new_key_persons", "returnees found by screening within their key-person period")
        r.declare("new_cases_traced", "confirmed cases whose contacts were traced today")
        r.declare("new_traced", "contacts found by tracing today")
        r.declare("cum_traced", "contacts found by tracing since day 0")
        r.declare("n_tracing_backlog", "confirmed cases waiting to be traced")
        r.declare("new_quarantined_home", "residents entering home quarantine today")
        r.declare("new_quarantined_facility", "residents entering the quarantine facility today")
        r.declare("cum_quarantined_home", "residents entering home quarantine since day 0")
        r.declare("cum_quarantined_facility", "residents entering the facility since day 0")
        r.declare("n_quarantined_home", "residents in home quarantine at end of day")
        r.declare("n_quarantined_facility", "residents in the quarantine facility at end of day")
        for task in TASKS:
            r.declare(f"staff_hours_{task}", f"staff hours spent on {task} today", integer=False)
            r.declare(f"staff_demand_{task}", f"staff hours {task} asked for today", integer=False)
        r.declare(
            "new_infections_from_quarantine", "infections today by residents in home quarantine"
        )
        r.declare(
            "new_infections_household_quarantined",
            "household infections today of or by a resident in home quarantine",
        )
        r.declare("new_confirmed_pcr", "cases confirmed today by a PCR test in quarantine")
        r.declare("new_pcr_tests", "PCR tests of quarantined residents today")
        r.declare("cum_pcr_tests", "PCR tests of quarantined residents since day 0")
        r.declare("pcr_cost_cny", "cost of today's PCR tests (CNY)", integer=False)
        r.declare("pcr_samples_waiting", "quarantined residents' samples waiting for the lab")
        for g in GROUP_NAMES.values():
            r.declare(
                f"n_quarantined_facility_{g}",
                f"residents in the quarantine facility at end of day: group {g}",
            )
        r.declare(
            "cum_quarantine_transfers", "residents moved from home quarantine into the facility"
        )
        r.declare(
            "cum_quarantine_restarts",
            "home quarantines restarted after a household member was confirmed",
        )
        r.declare("new_messages", "prevention messages pushed by grid workers today", integer=False)
        r.declare("cum_messages", "prevention messages pushed since day 0", integer=False)
        r.declare(
            "new_checkpoint_shifts", "checkpoint and gate shifts staffed today", integer=False
        )
        r.declare(
            "cum_checkpoint_shifts_grid_workers",
            "checkpoint shifts staffed by grid workers since day 0",
            integer=False,
        )
        r.declare("new_reports", "reports filed to the command centre today", integer=False)
        r.declare("cum_reports", "reports filed since day 0", integer=False)
        r.declare("new_problems_fixed", "lapses found and fixed by inspections today")
        r.declare("cum_problems_fixed", "lapses found and fixed since day 0")
        r.declare(
            "n_open_lapses", "lapses open in the urban communities at end of day", integer=False
        )
        r.declare("mean_awareness", "residents' mean awareness (0..1)", integer=False)
        r.declare(
            "staff_overload_share",
            "share of grid workers asked for more hours than they have today",
            integer=False,
        )
        r.declare(
            "staff_overload_hours",
            "hours asked beyond what all staff could give today",
            integer=False,
        )
        r.declare("person_trips", "round trips out of the home today (all purposes)")
        for purpose in ("work", "shopping", "other"):
            r.declare(f"person_trips_{purpose}", f"round trips out of the home for {purpose} today")
        r.declare(
            "person_trips_vs_baseline", "person trips as a share of a normal day's", integer=False
        )
        r.declare(
            "vehicle_trips",
            "vehicle trips today: private cars, commercial traffic, delivery vans",
            integer=False,
        )
        r.declare(
            "vehicle_trips_vs_baseline", "vehicle trips as a share of a normal day's", integer=False
        )
        r.declare("rule_breaking_trips", "trips made against today's rules (on foot or by car)")
        r.declare(
            "voluntary_trip_cut",
            "share of other trips residents forgo by choice (recent local cases)",
            integer=False,
        )
        r.declare("residents_off_sick", "residents with symptoms who stayed home today")
        r.declare("blocked_trips", "rule-breaking trips turned back at a checkpoint or gate today")
        r.declare("market_visits", "shopping trips to a market today (one shopper a household)")
        r.declare("market_turned_away", "market visitors a market at capacity could not serve")
        r.declare("online_orders", "online orders placed today")
        r.declare("deliveries", "online orders delivered to the door today")
        r.declare(
            "orders_in_transit", "online orders within their lead time (not yet due) at end of day"
        )
        r.declare(
            "delivery_backlog",
            "online orders past their lead time, undelivered for lack of capacity, at end of day",
        )
        r.declare(
            "household_days_without_necessities", "households that ran out of necessities today"
        )
        r.declare("n_sealed_households", "households sealed by home quarantine today")
        r.declare("errands", "baskets staff and volunteers bought for sealed households today")
        r.declare("errands_waiting", "errands sealed households asked for today and did not get")
        r.declare(
            "sealed_households_without_necessities",
            "sealed households that ran out of necessities today",
        )
        r.declare(
            "sealed_max_days_without_necessities",
            "longest run of days a sealed household has gone without necessities, today",
        )
        for name in STATUS_NAMES.values():
            r.declare(f"firms_{name}", f"firms {name.replace('_', ' ')} at end of day")
        r.declare("firms_waiting_approval", "closed firms waiting for approval to reopen")
        r.declare("new_approvals", "closed firms approved to reopen today")
        r.declare("new_firm_failures", "firms that failed today")
        r.declare("jobs_lost", "employees of failed firms (jobs gone) at end of day")
        r.declare("disputes_open", "firms with a contract or labour dispute unresolved")
        r.declare("revenue_cny", "firms' revenue today (CNY)", integer=False)
        r.declare("wages_paid_cny", "wages firms paid today (CNY)", integer=False)
        r.declare("wage_loss_cny", "wages lost against a normal day (CNY)", integer=False)
        r.declare(
            "household_income_ratio",
            "households' income (wages, farm sales) against normal, smoothed by savings",
            integer=False,
        )
        for kind in INSTRUMENTS:
            r.declare(f"relief_{kind}_cny", f"cost of {kind} today (CNY)", integer=False)
        r.declare("fiscal_cost_cny", "fiscal cost of today's relief (CNY)", integer=False)
        r.declare(
            "bank_credit_extended_cny",
            "principal renewed today only because of loan forbearance (CNY)",
            integer=False,
        )
        r.declare(
            "bank_loss_cny", "loans and credit of firms that failed today (CNY)", integer=False
        )
        r.declare(
            "cash_identity_error_cny",
            "largest gap over firms between cash change and the day's flows (CNY)",
            integer=False,
        )
        r.declare("farmer_sold_value_cny", "farm produce sold today (CNY)", integer=False)
        r.declare(
            "farmer_unsold_value_cny", "farm produce spoilt unsold today (CNY)", integer=False
        )

    # ------------------------------------------------------------------ a day
    def step(self) -> None:
        """Advance the district by one day.

        The order of a day (each a method below, called in this order):

        1. ``reset_modifiers``: today's modifiers back to their defaults.
        2. ``apply_policies``: each policy active today states what it does.
        3. ``plan_staff``: grid workers and cadres split their hours over today's tasks.
        4. ``move``: households decide on market trips and online orders; residents
           make their trips under today's rules and checkpoints.
        5. ``resupply``: deliveries, restocking, consumption, farm produce sold or spoilt.
        6. ``import_infections``: infections arriving from outside.
        7. ``transmit``: transmission over the contact layers, driven by today's trips.
        8. ``progress_disease``: due transitions of the natural history.
        9. ``detect``: care seeking, admission and screening -> confirmed cases.
        10. ``trace_and_quarantine``: contacts traced (household and named first);
            contacts and key persons quarantined (the facility's rooms by risk);
            quarantined residents tested; quarantines that are over end.
        11. ``isolate``: confirmed cases isolated.
        12. ``economy``: firms close, reopen, book the day's accounts with relief, and
            fail if they cannot pay; households' income follows their wages.
        13. ``record``: today's metrics.
        """
        day = self.day
        self.reset_modifiers()
        self.apply_policies(day)
        self.plan_staff(day)
        self.move(day)
        self.resupply(day)
        imported = self.import_infections(day)
        infected = self.transmit(day)
        trans = self.progress_disease(day)
        found = self.detect(day, trans)
        self.trace_and_quarantine(day, found, trans)
        isolated = self.isolate(day, found.confirmed, trans)
        self.economy(day)
        self.record(day, imported, infected, trans, found, isolated)
        self.day += 1

    def reset_modifiers(self) -> None:
        """Reset today's modifiers (policies state afresh what they do)."""
        self.mods = DailyModifiers()

    def apply_policies(self, day: int) -> None:
        """Let each policy active today set its modifiers; log starts and stops."""
        for p in self.policies:
            if p.active(day):
                if day == p.start:
                    self.events.add(day, "authority", f"start {p.kind}", p.index)
                p.apply(self.mods, day)
            elif day == p.stop:
                self.events.add(day, "authority", f"stop {p.kind}", p.index)

    def households_today(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Who can go out today, which households are sealed, which have nobody at home.

        Returns:
            ``able`` (per resident: not isolated, in quarantine or in hospital, and not
            in a sealed household), ``sealed`` (per household: a member in home
            quarantine; door sensors, F7: nobody goes out) and ``empty`` (per household:
            every member dead, in hospital or isolated; it neither eats nor restocks).
        """
        e, pop = self.epi, self.pop
        st, iso = e.state, e.isolation
        well = (st < State.V) | (st == State.R)  # alive and not in hospital
        able = well & (iso == 0)
        home = np.flatnonzero(iso == HOME)
        sealed = np.zeros(pop.n_households, dtype=bool)
        if home.size:
            sealed[pop.household[home]] = True
            able &= ~sealed[pop.household]
        away = np.flatnonzero(~well | (iso > HOME))
        empty = np.zeros(pop.n_households, dtype=bool)
        if away.size:
            hh, n_away = np.unique(pop.household[away], return_counts=True)
            empty[hh[n_away == pop.household_size[hh]]] = True
        return able, sealed, empty

    def plan_staff(self, day: int) -> None:
        """Grid workers and cadres split today's hours over the tasks policies ask for.

        Today's courier load and the errands sealed households ask for are settled
        first: their hours are part of the day's demand (``delivery``, ``errands``).
        """
        self._households = self.households_today()
        _, sealed, empty = self._households
        delivery = self.supply.delivery_demand(day, self.mods)
        self.supply.errand_demand(day, self.mods, sealed, empty)
        self.response.plan(day, self.mods, delivery)

    def move(self, day: int) -> None:
        """Decide today's market trips and online orders, then everyone's trips.

        Residents isolated, in quarantine or in hospital make no trips, nor does anyone
        in a household sealed by home quarantine (``households_today``, as
        ``plan_staff`` found them this morning).
        """
        r, m, pop = self.response, self.mods, self.pop
        st = self.epi.state
        able, sealed, empty = self._households
        self.shopping = self.supply.shop(
            day, m, able, sealed, empty, r.through, self.cfg.mobility.break_prob_short
        )
        # residents cut outings as the district's confirmed cases of the last week rise
        recent = self.recorder.column("new_confirmed")[max(day - 7, 0) : day].sum()
        self.voluntary = self.mobility.voluntary_cut(float(recent) * 1e5 / max(pop.n, 1))
        self.trips = self.mobility.trips(
            day,
            m,
            able,
            r.through,
            r.break_prob(),
            self.shopping,
            float(self.supply.batch.size),
            self.firms.status == OPEN,
            firm_pass=self.firms.work_pass,
            sick=st == State.M,
            voluntary=self.voluntary,
        )
        self.workers_today = self.mobility.available_workers(m, able, self.firms.work_pass)
        self.workers_if_pass = self.mobility.available_workers(m, able, passes=False)
        if m.market_hours is not None:  # the same visitors in fewer hours meet more people
            m.layer_factor["market"] *= self.cfg.supply.market_normal_hours / m.market_hours

    def resupply(self, day: int) -> None:
        """Deliver orders, run errands, restock from market trips, consume, sell produce."""
        assert self.shopping is not None
        r, m = self.response, self.mods
        plan = r.plan_today
        none = np.zeros(self.pop.n_grids)
        hours = plan.grid_hours[:, r.col["delivery"]] if plan is not None else none
        errands = plan.grid_hours[:, r.col["errands"]] if plan is not None else none
        export = m.vehicle_pass.farm_freight_share if m.vehicle_pass is not None else 1.0
        self.supplied = self.supply.settle(day, m, self.shopping, hours, export, errands)

    def import_infections(self, day: int) -> int:
        """Returnees arriving today with an infection acquired where they were.

        Their infections started before they arrived (``Importation``): their course
        is caught up to today, so some arrive presymptomatic or already ill. Infections
        seeded in random residents (``disease.seeding``: tests and stress studies) start
        today. A scenario with ``epidemic: false`` has neither.
        """
        count = 0
        if not self.timeline.epidemic:  # a world with no epidemic of its own
            return count
        if self.imports is not None:
            idx, infected_day = self.imports.arriving(day)
            idx_ok = self.epi.state[idx] == State.S
            idx, infected_day = idx[idx_ok], infected_day[idx_ok]
            if idx.size:
                self._start_outside(idx, infected_day, day)
                self.events.add(day, "outside", "import", idx)
                count += int(idx.size)
        rate = self.seed_rate[day]
        if rate > 0:
            rng = self.streams.day("seeding", day)
            cand = np.unique(rng.integers(0, self.pop.n, size=rng.poisson(rate)))
            idx = cand[self.epi.state[cand] == State.S]
            if idx.size:
                self._start_outside(idx, np.full(idx.size, day), day)
                self.events.add(day, "outside", "seed", idx)
                count += int(idx.size)
        return count

    def _start_outside(self, idx: np.ndarray, infected_day: np.ndarray, day: int) -> None:
        """Start infections from outside on their own days and catch their course up."""
        e = self.epi
        self.history.infect(idx, infected_day, self.draws)
        e.infector[idx] = IMPORTED
        e.layer[idx] = IMPORTED
        ctx = self._progress_context()
        for d in range(int(infected_day.min()) + 1, day):
            self.history.progress(d, self.draws, ctx, only=idx)
        # ill before arrival: care is sought here, after the same delay from arrival;
        # an admission on the way is confirmed on arrival
        ill = e.onset_day[idx] >= 0
        seek = idx[ill & (e.t_confirm[idx] >= 0)]
        e.t_confirm[seek] = day + np.maximum(e.t_confirm[seek] - e.onset_day[seek], 0)
        admitted = idx[(e.state[idx] >= State.V) & (e.state[idx] <= State.C)]
        e.t_confirm[admitted] = day

    def _participation(
        self, layer: HouseholdLayer | GroupLayer, factor: float
    ) -> Callable[[np.ndarray], np.ndarray]:
        """Today's participation in one layer of any residents given (0..factor x norm).

        In the covid layers a resident takes part outside the home only on a day they
        made the layer's trip (other trips: community; work: workplace; shopping:
        market), with the layer's weight ``norm``; a resident in home quarantine leaks
        their normal expected participation times the share of outside contacts they
        keep (compliance decays).
        """
        iso = self.epi.isolation
        column = LAYER_COLUMN[layer.name]
        table = ISOLATION_FACTOR[:, column] * factor
        day = self.day
        if column == 0:  # home quarantine keeps a share of household contacts
            table[HOME] = factor * self.response.quarantine.household_factor
            return lambda j: table[iso[j]]
        r = self.response
        aware = column in (LAYER_COLUMN["community"], LAYER_COLUMN["market"]) and bool(
            r.awareness.any()
        )
        went: np.ndarray | None = None
        weight: np.ndarray | None = None
        norm = 1.0
        if isinstance(layer, GroupLayer) and layer.weight is not None and self.trips is not None:
            t = self.trips
            went = {
                "community": t.went_other,
                "workplace": t.went_work,
                "market": t.went_shopping,
            }[layer.name]
            weight, norm = layer.weight, layer.norm

        def part(j: np.ndarray) -> np.ndarray:
            p = table[iso[j]]
            if went is not None:
                p = p * (went[j] * norm)
            home = np.flatnonzero(iso[j] == HOME)
            if home.size:  # home quarantine leaks as compliance decays
                leak = factor * r.home_outside_share(j[home], day)
                p[home] = leak * weight[j[home]] if weight is not None else leak
            if aware:  # aware residents avoid part of their community and market contacts
                p = p * r.contact_factor(j)
            return p

        return part

    def transmit(self, day: int) -> dict[str, int]:
        """Draw today's infections layer by layer; infected residents start at once.

        Returns:
            New infections by layer name.
        """
        e = self.epi
        state = e.state
        inf = np.flatnonzero((state >= State.P) & (state <= State.M))
        out = dict.fromkeys(self.layer_names, 0)
        self._from_quarantine = 0
        self._household_quarantined = 0
        if inf.size == 0:
            return out
        rel = self.history.weight(inf, day)  # infectiousness by days since infection
        layers: list[HouseholdLayer | GroupLayer] = []
        if self.household_layer is not None:
            layers.append(self.household_layer)
        layers.extend(self.groups)
        for li, layer in enumerate(layers):
            factor = self.mods.layer_factor.get(layer.name, 1.0)
            if factor == 0.0:
                continue
            part = self._participation(layer, factor)
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
                self.events.add(day, "resident", f"infect ({layer.name})", res.target, res.infector)
                self.response.tracing.log_infections(res.infector, res.target)
                who, count = np.unique(res.infector, return_counts=True)
                e.n_secondary[who] += count.astype(np.int32)
            out[layer.name] = int(res.target.size)
            self._from_quarantine += int(np.count_nonzero(e.isolation[res.infector] == HOME))
            if layer is self.household_layer:
                q = (e.isolation[res.target] == HOME) | (e.isolation[res.infector] == HOME)
                self._household_quarantined += int(np.count_nonzero(q))
        return out

    def progress_disease(self, day: int) -> Transitions:
        """Move everyone whose next transition is due today."""
        return self.history.progress(day, self.draws, self._progress_context())

    def _progress_context(self) -> ProgressContext:
        """Today's ICU beds free, care seeking and delay to confirmation."""
        d = self.cfg.disease
        n_critical = int(np.count_nonzero(self.epi.state == State.C)) if not self.seir else 0
        mean = self.mods.onset_to_confirmation_mean
        delay = (
            d.onset_to_confirmation
            if mean is None
            else Duration(mean, d.onset_to_confirmation.sd * mean / d.onset_to_confirmation.mean)
        )
        return ProgressContext(
            icu_free=self.icu_beds - n_critical,
            care_seeking_prob=(
                d.care_seeking_prob
                if self.mods.care_seeking_prob is None
                else self.mods.care_seeking_prob
            ),
            onset_to_confirmation=delay,
        )

    def detect(self, day: int, trans: Transitions) -> Found:
        """Confirm cases: care seeking due today, admissions, and screening referrals.

        Returns:
            Residents confirmed today and what screening found.
        """
        e = self.epi
        # residents under quarantine are checked for fever daily: symptoms lead to a test,
        # confirmed quarantine.symptom_check_days later
        watched = trans.onset[
            (e.isolation[trans.onset] == HOME) | (e.isolation[trans.onset] == FACILITY)
        ]
        e.t_confirm[watched] = day + self.cfg.quarantine.symptom_check_days
        seekers = np.flatnonzero(e.t_confirm == day) if not self.seir else trans.admitted
        screen = self.response.screen(day, self.mods, self.streams.day("screening", day))
        referred = screen["symptomatic"]  # to a fever clinic: confirmed after the test
        if referred.size:
            assert self.mods.screening is not None
            due = day + self.mods.screening.params.referral_days
            t = e.t_confirm[referred]
            e.t_confirm[referred] = np.where((t >= day) & (t < due), t, due)
            self.referred[referred] = True
            seekers = np.union1d(seekers, referred[e.t_confirm[referred] == day])
        cand = np.concatenate([seekers, trans.admitted])
        st = e.state[cand]
        cand = cand[(st >= State.M) & (st <= State.C) & (e.confirmed_day[cand] < 0)]
        confirmed = np.unique(cand)
        e.confirmed_day[confirmed] = day
        self.events.add(day, "hospital", "confirm", confirmed)
        self.events.add(day, "hospital", "death", trans.died)
        self.events.add(day, "grid_worker", "find key person", screen["key"])
        self.response.note_findings(np.concatenate([referred, screen["key"]]))
        return Found(
            confirmed=confirmed,
            by_screening=int(np.count_nonzero(self.referred[confirmed])),
            by_tracing=0,
            screened=screen["screened"],
            key=screen["key"],
            key_until=screen["key_until"],
        )

    def trace_and_quarantine(self, day: int, found: Found, trans: Transitions) -> None:
        """Trace today's cases; quarantine contacts and key persons; test; end quarantines.

        Symptomatic contacts are referred and confirmed today. A household member
        confirmed restarts a home quarantine. With ``quarantine_testing``, quarantined
        residents are tested on entry, on their last day and while ill; positives are
        confirmed today.
        """
        e, r = self.epi, self.response
        q = r.quarantine
        r.pcr.reset_day()
        rng = self.streams.day("tracing", day)
        cases, contacts, group = r.trace(day, self.mods, found.confirmed, rng)
        new = self.traced_day[contacts] < 0
        self.traced_day[contacts[new]] = day
        self.traced_group[contacts[new]] = group[new]
        st = e.state[contacts]
        sick = contacts[(st == State.M) & (e.confirmed_day[contacts] < 0)]
        e.confirmed_day[sick] = day
        self.events.add(day, "hospital", "confirm", sick)
        found.confirmed = np.concatenate([found.confirmed, sick])
        found.by_tracing = int(sick.size)
        found.cases_traced = int(cases.size)
        found.traced = int(contacts.size)
        t = self.mods.tracing
        days = t.quarantine_days if t else 0
        rng = self.streams.day("quarantine", day)
        idx = np.concatenate([contacts, found.key])
        grp = np.concatenate([group, np.full(found.key.size, KEY_PERSON)])
        until = np.concatenate([np.full(contacts.size, day + days), found.key_until])
        home, fac = r.admit(day, self.mods, idx, grp, until, rng)
        found.quarantined_home, found.quarantined_facility = int(home.size), int(fac.size)
        positive = self._test_in_quarantine(day, np.concatenate([home, fac]))
        found.confirmed = np.concatenate([found.confirmed, positive])
        found.by_testing = int(positive.size)
        if t is not None:  # cases found among contacts are traced in turn
            r.tracing.enqueue(np.concatenate([sick, positive]), day)
        if days:  # exposed again at home: the 14 days start over
            hh = np.unique(self.pop.household[found.confirmed])
            first = self.pop.household_start[hh]
            members, _ = expand_ranges(first, self.pop.household_start[hh + 1] - first)
            q.restart(members, day + days)
        # residents moved in from home quarantine were reported when they entered it
        r.note_findings(np.concatenate([sick, home, fac[np.isin(fac, idx)]]))
        q.release_due(day)
        q.leave(trans.died)

    def _test_in_quarantine(self, day: int, entered: np.ndarray) -> np.ndarray:
        """PCR tests of quarantined residents run today; returns those newly confirmed."""
        p = self.mods.quarantine_testing
        e, q, r = self.epi, self.response.quarantine, self.response
        if p is None:
            r.pcr.clear()
            return np.zeros(0, dtype=np.int64)
        due = [np.zeros(0, dtype=np.int64)]
        if p.on_entry:
            due.append(entered)
        quarantined = np.flatnonzero((e.isolation == HOME) | (e.isolation == FACILITY))
        if p.before_release:
            due.append(quarantined[q.end[quarantined] == day + 1])
        if p.symptomatic:
            ill = quarantined[e.state[quarantined] == State.M]
            due.append(ill)
        capacity = (
            None
            if p.lab_capacity is None
            else scaled_count(round(p.lab_capacity), r.scale, minimum=1)
        )
        keep = ((e.isolation == HOME) | (e.isolation == FACILITY)) & (e.confirmed_day < 0)
        ill_first = e.state == State.M
        tested = r.pcr.queue(np.unique(np.concatenate(due)), day, capacity, keep, ill_first)
        u = self.streams.uniform("testing.pcr", day, tested)
        positive = self.response.pcr.test(tested, day, float(p.cost_per_test_cny), u)
        e.confirmed_day[positive] = day
        self.events.add(day, "hospital", "confirm (PCR in quarantine)", positive)
        return positive

    def isolate(self, day: int, confirmed: np.ndarray, trans: Transitions) -> np.ndarray:
        """Isolate confirmed cases (if a policy says so) until they recover or die.

        Returns:
            Residents isolated today.
        """
        e = self.epi
        # isolation ends with recovery or death
        ended = np.concatenate([trans.recovered, trans.died])
        e.isolation[ended[e.isolation[ended] == CASE]] = 0
        if not self.mods.isolate_confirmed:
            self._at_large = np.concatenate([self._at_large, confirmed])
            return np.zeros(0, dtype=np.int64)
        pool = np.concatenate([self._at_large, confirmed])
        self._at_large = np.zeros(0, dtype=np.int64)
        pool = pool[
            (e.state[pool] >= State.P) & (e.state[pool] <= State.C) & (e.isolation[pool] != CASE)
        ]
        if self.mods.isolate_share < 1.0:
            rng = self.streams.day("detection.isolate", day)
            pool = pool[rng.random(pool.size) < self.mods.isolate_share]
        self.response.isolate(pool)
        return pool

    def economy(self, day: int) -> None:
        """Firms close, apply to reopen and are approved; then book the day's accounts."""
        assert self.trips is not None
        m, f, t, sd, mob, sup = (
            self.mods,
            self.firms,
            self.trips,
            self.supplied,
            self.mobility,
            self.supply,
        )
        ratio = lambda a, b: a / b if b > 0 else 1.0  # noqa: E731
        date = self.timeline.start_date + dt.timedelta(days=day)
        industry, farm_external, _ = f.external(date)
        demand = f.demand(
            outings=ratio(t.other, mob.base_other),
            necessities=ratio(sd.bought_market_days + sd.bought_online_days, sup.n),
            freight=ratio(t.freight, mob.base_freight),
            farm=ratio(sd.farm_sold_cny, sup.farm_output),
            industry=industry,
            farm_external=farm_external,
            deliveries=f.delivery_volume(date, float(sd.deliveries)),
        )
        ordered = np.zeros(f.n, dtype=bool)
        if m.stoppage is not None:  # essential firms and exempt sectors keep working
            exempt = m.stoppage.exempt_sectors or []
            ordered = ~np.isin(f.sector, [self.pop.sectors.index(x) for x in exempt])
            ordered &= ~f.essential
        relief = f.in_force(m.relief, self.relief_masks)
        c = self.cfg.economy
        terms = f.terms(relief)
        month = date.strftime("%Y-%m")
        res = m.resumption
        acc = f.update(
            day,
            demand,
            self.workers_today,
            ordered,
            relief,
            approval_factor=terms.approval_factor,
            approval_days=terms.approval_days,
            dispute_days=terms.dispute_days,
            month=month,
            workers_if_pass=self.workers_if_pass,
            filing=res if res is not None and res.mode == "filing" else None,
        )
        f.note_income(
            float(acc.wages.sum()), sd.farm_sold_cny, sup.farm_output, c.income_smoothing_days
        )
        for code, firms in acc.closed.items():
            self.events.add(day, "firm", f"close ({STATUS_NAMES[code]})", firms)
        self.events.add(day, "firm", "reopen", acc.reopened)
        self.events.add(day, "firm", "fail", acc.failed)
        self.accounts = acc

    def record(
        self,
        day: int,
        imported: int,
        infected: dict[str, int],
        trans: Transitions,
        found: Found,
        isolated: np.ndarray,
    ) -> None:
        """Record today's metrics."""
        confirmed = found.confirmed
        e = self.epi
        # count_nonzero per state: np.bincount would first convert the int8 array
        counts = [int(np.count_nonzero(e.state == k)) for k in range(N_STATES)]
        new_inf = imported + sum(infected.values())
        self._cum["infections"] += new_inf
        self._cum["confirmed"] += int(confirmed.size)
        self._cum["deaths"] += int(trans.died.size)
        hosp = int(counts[State.V] + counts[State.C])
        values: dict[str, float] = {
            "new_infections": new_inf,
            **{f"new_infections_{k}": v for k, v in infected.items()},
            "new_imported": imported,
            "new_symptomatic": int(trans.onset.size),
            "new_confirmed": int(confirmed.size),
            "new_confirmed_imported": int(np.count_nonzero(e.infector[confirmed] == IMPORTED)),
            "new_isolated": int(isolated.size),
            "new_hospitalised": int(trans.admitted.size),
            "new_critical": int(trans.critical.size),
            "new_icu_denied": trans.icu_denied,
            "new_recovered": int(trans.recovered.size),
            "new_deaths": int(trans.died.size),
            **{f"n_{name}": counts[k] for k, name in STATE_NAMES.items()},
            "n_infectious": sum(counts[State.P : State.C + 1]),
            "n_hospitalised": hosp,
            "n_hospital_overflow": max(0, hosp - self.hospital_beds),
            "n_isolated": int(np.count_nonzero(e.isolation == CASE)),
            "cum_infections": self._cum["infections"],
            "cum_confirmed": self._cum["confirmed"],
            "cum_deaths": self._cum["deaths"],
            "response_level": self.mods.response_level,
            **self._response_values(found),
            **self._mobility_values(),
            **self._economy_values(),
        }
        self.recorder.record(day, values)

    def _response_values(self, found: Found) -> dict[str, float]:
        r = self.response
        q = r.quarantine
        plan = r.plan_today
        campaigns = r.campaigns.values()
        n_home, n_fac = q.counts()
        values: dict[str, float] = {
            "new_infections_from_quarantine": self._from_quarantine,
            "new_infections_household_quarantined": self._household_quarantined,
            "new_confirmed_pcr": found.by_testing,
            "new_pcr_tests": r.pcr.today,
            "cum_pcr_tests": r.pcr.tests,
            "pcr_cost_cny": r.pcr.today_cost_cny,
            "pcr_samples_waiting": int(r.pcr.waiting.size),
            **{
                f"n_quarantined_facility_{GROUP_NAMES[k]}": int(v)
                for k, v in enumerate(q.facility_by_group())
            },
            "cum_quarantine_transfers": q.transferred,
            "cum_quarantine_restarts": q.restarted,
            "new_confirmed_screening": found.by_screening,
            "new_confirmed_tracing": found.by_tracing,
            "new_screened": found.screened,
            "cum_screened": sum(c.screened_residents for c in campaigns),
            "cum_screening_visits": sum(c.visits for c in campaigns),
            "new_key_persons": int(found.key.size),
            "new_cases_traced": found.cases_traced,
            "new_traced": found.traced,
            "cum_traced": r.tracing.contacts_traced,
            "n_tracing_backlog": int(r.tracing.case.size),
            "new_quarantined_home": found.quarantined_home,
            "new_quarantined_facility": found.quarantined_facility,
            "cum_quarantined_home": q.cum_home,
            "cum_quarantined_facility": q.cum_facility,
            "n_quarantined_home": n_home,
            "n_quarantined_facility": n_fac,
            "staff_overload_share": (
                plan.overloaded_workers / max(r.staff.n_workers, 1) if plan else 0.0
            ),
            "staff_overload_hours": plan.overload_hours if plan else 0.0,
            "new_messages": r.today["messages"],
            "cum_messages": r.messages,
            "new_checkpoint_shifts": r.today["shifts"],
            "cum_checkpoint_shifts_grid_workers": r.shifts_workers,
            "new_reports": r.today["reports"],
            "cum_reports": r.reports,
            "new_problems_fixed": int(r.today["problems"]),
            "cum_problems_fixed": r.problems_found,
            "n_open_lapses": float(r.lapses.sum()),
            "mean_awareness": float(np.average(r.awareness, weights=np.diff(self.pop.grid_start))),
        }
        for task in TASKS:
            k = r.col[task]
            values[f"staff_hours_{task}"] = float(plan.served_total[k]) if plan else 0.0
            values[f"staff_demand_{task}"] = float(plan.demand_total[k]) if plan else 0.0
        return values

    def _mobility_values(self) -> dict[str, float]:
        t, sd, mob = self.trips, self.supplied, self.mobility
        assert t is not None and self.shopping is not None
        return {
            "person_trips": t.persons,
            "person_trips_work": t.work,
            "person_trips_shopping": t.shopping,
            "person_trips_other": t.other,
            "person_trips_vs_baseline": t.persons / mob.base_persons if mob.base_persons else 0.0,
            "vehicle_trips": t.vehicle,
            "vehicle_trips_vs_baseline": t.vehicle / mob.base_vehicle if mob.base_vehicle else 0.0,
            "rule_breaking_trips": t.rule_breaking,
            "voluntary_trip_cut": self.voluntary,
            "residents_off_sick": (
                int(np.count_nonzero(mob.off_sick_today)) if mob.off_sick_today is not None else 0
            ),
            "blocked_trips": t.blocked,
            "market_visits": t.shopping,
            "market_turned_away": self.shopping.turned_away,
            "online_orders": self.shopping.orders,
            "deliveries": sd.deliveries,
            "orders_in_transit": sd.in_transit,
            "delivery_backlog": sd.backlog,
            "household_days_without_necessities": sd.short,
            "n_sealed_households": sd.sealed,
            "errands": sd.errands,
            "errands_waiting": sd.errands_waiting,
            "sealed_households_without_necessities": sd.sealed_short,
            "sealed_max_days_without_necessities": sd.sealed_longest,
            "farmer_sold_value_cny": sd.farm_sold_cny,
            "farmer_unsold_value_cny": sd.farm_unsold_cny,
        }

    def _economy_values(self) -> dict[str, float]:
        f, acc = self.firms, self.accounts
        assert acc is not None
        st = f.status
        counts = {
            f"firms_{name}": int(np.count_nonzero(st == k)) for k, name in STATUS_NAMES.items()
        }
        by, bank = acc.relief_by_instrument, acc.bank_by_instrument
        return {
            **counts,
            "firms_waiting_approval": int(np.count_nonzero(f.applied >= 0)),
            "new_approvals": acc.approvals,
            "new_firm_failures": acc.failed_today,
            "jobs_lost": int(f.employees[st == FAILED].sum()),
            "disputes_open": int(np.count_nonzero(f.frozen > 0)),
            "revenue_cny": float(acc.revenue.sum()),
            "wages_paid_cny": float(acc.wages.sum()),
            "wage_loss_cny": f.normal_wages - float(acc.wages.sum()),
            "household_income_ratio": f.income_ratio,
            **{f"relief_{k}_cny": by.get(k, 0.0) + bank.get(k, 0.0) for k in INSTRUMENTS},
            "fiscal_cost_cny": sum(by.values()),
            "bank_credit_extended_cny": acc.bank_extended,
            "bank_loss_cny": acc.bank_loss,
            "cash_identity_error_cny": acc.identity_error,
        }

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
