"""Natural history of infection: states, waiting times, severity and progression."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc, gammaincinv, ndtri

from sim.config import DiseaseConfig, Duration, GammaTime
from sim.rng import Draws


class State:
    """Disease states: the int8 codes stored in ``EpiState.state``.

    Plain ints rather than an IntEnum: comparing an int8 array with an IntEnum member
    makes numpy convert the whole array to int64 first, several times slower.
    """

    S = 0  # susceptible
    E = 1  # exposed: infected, not yet infectious
    P = 2  # presymptomatic, infectious
    A = 3  # asymptomatic, infectious
    M = 4  # symptomatic, mild (severe cases pass through here before admission)
    V = 5  # severe, in hospital
    C = 6  # critical, in ICU
    R = 7  # recovered
    D = 8  # dead


STATE_NAMES = {
    State.S: "susceptible",
    State.E: "exposed",
    State.P: "presymptomatic",
    State.A: "asymptomatic",
    State.M: "mild",
    State.V: "severe",
    State.C: "critical",
    State.R: "recovered",
    State.D: "dead",
}
N_STATES = len(STATE_NAMES)
# codes in EpiState.isolation: none, home quarantine, quarantine facility, isolated case
NONE, HOME, FACILITY, CASE = 0, 1, 2, 3
IMPORTED = -2  # infector and layer code of an infection from outside (or seeded)


class Severity:
    """Worst outcome of an infection, drawn when it starts: int8 codes in ``EpiState``."""

    ASYMPTOMATIC = 0
    MILD = 1
    SEVERE = 2
    CRITICAL = 3
    FATAL = 4


def lognormal_days(d: Duration, u: np.ndarray) -> np.ndarray:
    """Lognormal waiting times with the given mean and sd, rounded to whole days >= 1.

    Args:
        d: Mean and standard deviation of the waiting time (days).
        u: Uniforms on [0, 1), one per draw (inverse-CDF sampling).

    Returns:
        Waiting times in whole days (int64, at least 1).
    """
    u = np.asarray(u, dtype=np.float64)
    if u.size == 0:
        return np.zeros(u.shape, dtype=np.int64)
    if d.sd <= 0:
        x = np.full(u.shape, float(d.mean))
    else:
        sigma2 = np.log1p((d.sd / d.mean) ** 2)
        mu = np.log(d.mean) - sigma2 / 2.0
        x = np.exp(mu + np.sqrt(sigma2) * ndtri(u))
    return np.maximum(1, np.rint(x)).astype(np.int64)


def geometric_days(mean_days: float, u: np.ndarray) -> np.ndarray:
    """Whole-day waiting times with a constant daily hazard and the given mean.

    This is the daily-step version of an exponential waiting time: a geometric
    distribution on 1, 2, ... with mean ``mean_days`` (at least 1), by inverse CDF.

    Args:
        mean_days: Mean waiting time (days, >= 1).
        u: Uniforms on [0, 1), one per draw.
    """
    p = 1.0 / mean_days
    if p >= 1.0:
        return np.ones(np.shape(u), dtype=np.int64)
    k = np.ceil(np.log1p(-np.asarray(u, dtype=np.float64)) / np.log1p(-p))
    return np.maximum(k, 1).astype(np.int64)


FIRST_INFECTIOUS_DAY = 2  # days after infection: infected on day d, infectious from d + 2
PROFILE_TAIL = 1e-7  # the infectiousness profile ends where less than this is left


def infectiousness_profile(gi: GammaTime) -> np.ndarray:
    """Share of an infection's infectiousness on each day since infection (sums to 1).

    The generation interval's gamma density integrated over each day: day ``tau``
    (days since the day of infection) gets the mass of ``[tau - 0.5, tau + 0.5)``. A
    resident infected on day ``d`` is exposed for the rest of that day and the next, and
    infectious from day ``d + 2`` (``FIRST_INFECTIOUS_DAY``); the little mass before
    then (1.2% for the default) is given to that first infectious day.

    Args:
        gi: The generation interval (mean and sd, days).

    Returns:
        ``g[tau]`` for ``tau = 0 .. K`` (float64), zero before the first infectious day.
    """
    k = (gi.mean / gi.sd) ** 2
    theta = gi.sd**2 / gi.mean
    cdf = lambda t: gammainc(k, np.maximum(t, 0.0) / theta)  # noqa: E731
    last = FIRST_INFECTIOUS_DAY
    while 1.0 - cdf(last + 0.5) > PROFILE_TAIL and last < 400:
        last += 1
    tau = np.arange(last + 1, dtype=np.float64)
    g = cdf(tau + 0.5) - cdf(tau - 0.5)
    g[FIRST_INFECTIOUS_DAY] = cdf(FIRST_INFECTIOUS_DAY + 0.5)
    g[:FIRST_INFECTIOUS_DAY] = 0.0
    return g / g.sum()


@dataclass
class EpiState:
    """The epidemic state of every resident: one array element per resident.

    Attributes:
        state: Disease state (a ``State`` code, int8).
        severity: Worst outcome drawn at infection (a ``Severity`` code, int8).
        t_next: Day of the next scheduled transition, -1 if none (int32).
        rel_inf: Relative infectiousness when infectious (float32).
        sus: Relative susceptibility (float32, by age).
        infected_day: Day of infection, -1 if never (int32; negative days are before
            the run started, for infections brought in from outside).
        infector: Resident who infected this one; -1 never, -2 imported (int32).
        layer: Layer of infection; -1 never, -2 imported or seeded (int8).
        n_secondary: Infections caused (int32).
        onset_day: Day of symptom onset, -1 if none (yet) (int32).
        t_confirm: Day care seeking leads to confirmation, -1 if none (int32).
        confirmed_day: Day confirmed as a case, -1 if never (int32).
        isolation: 0 none, 1 home quarantine, 2 facility quarantine, 3 isolated (int8).
    """

    state: np.ndarray
    severity: np.ndarray
    t_next: np.ndarray
    rel_inf: np.ndarray
    sus: np.ndarray
    infected_day: np.ndarray
    infector: np.ndarray
    layer: np.ndarray
    n_secondary: np.ndarray
    onset_day: np.ndarray
    t_confirm: np.ndarray
    confirmed_day: np.ndarray
    isolation: np.ndarray

    @classmethod
    def empty(cls, n: int, sus: np.ndarray) -> EpiState:
        """All ``n`` residents susceptible, with the given susceptibility."""
        return cls(
            state=np.zeros(n, dtype=np.int8),
            severity=np.zeros(n, dtype=np.int8),
            t_next=np.full(n, -1, dtype=np.int32),
            rel_inf=np.zeros(n, dtype=np.float32),
            sus=sus.astype(np.float32),
            infected_day=np.full(n, -1, dtype=np.int32),
            infector=np.full(n, -1, dtype=np.int32),
            layer=np.full(n, -1, dtype=np.int8),
            n_secondary=np.zeros(n, dtype=np.int32),
            onset_day=np.full(n, -1, dtype=np.int32),
            t_confirm=np.full(n, -1, dtype=np.int32),
            confirmed_day=np.full(n, -1, dtype=np.int32),
            isolation=np.zeros(n, dtype=np.int8),
        )


@dataclass
class Transitions:
    """What progression did on one day (resident indices per transition)."""

    onset: np.ndarray  # became symptomatic (P -> M)
    admitted: np.ndarray  # admitted to hospital (M -> V)
    critical: np.ndarray  # became critical (V -> C)
    recovered: np.ndarray
    died: np.ndarray
    icu_denied: int  # critical cases that found no ICU bed


class NaturalHistory(ABC):
    """The natural history of one disease model over an ``EpiState`` (one per run).

    Subclasses decide severity and waiting times; ``progress`` moves everyone whose
    transition is due today.
    """

    def __init__(self, epi: EpiState) -> None:
        self.epi = epi

    @abstractmethod
    def infect(self, idx: np.ndarray, day: int | np.ndarray, draws: Draws) -> None:
        """Start infections (S -> E) for residents ``idx`` on ``day`` (one or one each)."""

    @abstractmethod
    def progress(
        self, day: int, draws: Draws, ctx: ProgressContext, only: np.ndarray | None = None
    ) -> Transitions:
        """Apply every transition due on ``day`` (of residents ``only``, if given)."""

    def weight(self, idx: np.ndarray, day: int) -> np.ndarray:
        """Today's infectiousness of infectious residents ``idx`` (float64)."""
        return self.epi.rel_inf[idx].astype(np.float64)

    @abstractmethod
    def generation_tail(self) -> int:
        """Days after infection by which 99% of an infection's transmission is over."""


@dataclass
class ProgressContext:
    """Today's capacities that progression needs (ICU beds free, today's care-seeking)."""

    icu_free: int
    care_seeking_prob: float
    onset_to_confirmation: Duration


def _empty_transitions() -> Transitions:
    z = np.zeros(0, dtype=np.int64)
    return Transitions(z, z, z, z, z, 0)


class CovidHistory(NaturalHistory):
    """Wild-type SARS-CoV-2 natural history with age-specific severity (one per run).

    Args:
        epi: The residents' epidemic state.
        cfg: Disease configuration.
        age: Age of each resident (years).
    """

    def __init__(self, epi: EpiState, cfg: DiseaseConfig, age: np.ndarray) -> None:
        super().__init__(epi)
        self.cfg = cfg
        band = np.searchsorted(np.asarray(cfg.severity_age_bands), age, side="right") - 1
        hosp = np.asarray(cfg.hospitalised_share)[band]
        icu = np.asarray(cfg.icu_share)[band]
        ifr = np.asarray(cfg.ifr)[band]
        p_sym = 1.0 - cfg.asymptomatic_share
        # conditional probabilities along the chain asym -> mild -> severe -> critical -> fatal
        self.p_severe_given_sym = (hosp / p_sym).astype(np.float32)
        self.p_critical_given_severe = icu.astype(np.float32)
        crit = hosp * icu
        with np.errstate(divide="ignore", invalid="ignore"):
            pd = np.where(crit > 0, np.minimum(1.0, ifr / np.where(crit > 0, crit, 1.0)), 0.0)
        self.p_death_given_critical = pd.astype(np.float32)
        self.profile = infectiousness_profile(cfg.generation_interval)

    def draw_severity(self, idx: np.ndarray, draws: Draws) -> np.ndarray:
        """Draw the worst outcome of infections starting in residents ``idx``."""
        u = draws("severity", idx[None, :], np.arange(4)[:, None])
        sev = np.full(idx.size, Severity.ASYMPTOMATIC, dtype=np.int8)
        sym = u[0] >= self.cfg.asymptomatic_share
        sev[sym] = Severity.MILD
        severe = sym & (u[1] < self.p_severe_given_sym[idx])
        sev[severe] = Severity.SEVERE
        critical = severe & (u[2] < self.p_critical_given_severe[idx])
        sev[critical] = Severity.CRITICAL
        sev[critical & (u[3] < self.p_death_given_critical[idx])] = Severity.FATAL
        return sev

    def draw_rel_inf(self, idx: np.ndarray, severity: np.ndarray, draws: Draws) -> np.ndarray:
        """Individual infectiousness: gamma(k, 1/k) times the asymptomatic factor."""
        k = self.cfg.infectiousness_dispersion
        g = gammaincinv(k, draws("infectiousness", idx)) / k
        g = np.where(severity == Severity.ASYMPTOMATIC, g * self.cfg.rel_inf_asymptomatic, g)
        return g.astype(np.float32)

    def generation_tail(self) -> int:
        """Days after infection by which 99% of an infection's transmission is over."""
        return int(np.searchsorted(np.cumsum(self.profile), 0.99))

    def incubation_days(self, idx: np.ndarray, draws: Draws) -> np.ndarray:
        """Days from the day of infection to the day of symptom onset (at least 2).

        An infection happens during its day (on average at its middle) and symptoms
        start at the end of the onset day, so a continuous incubation period ``x``
        ends on day ``floor(x)`` after the day of infection: the same day bins as the
        infectiousness profile (``infectiousness_profile``), so that the share of
        transmission before onset is the continuous model's.
        """
        u = np.asarray(draws("incubation", idx), dtype=np.float64)
        d = self.cfg.incubation
        sigma2 = np.log1p((d.sd / d.mean) ** 2)
        mu = np.log(d.mean) - sigma2 / 2.0
        x = np.exp(mu + np.sqrt(sigma2) * ndtri(u)) if d.sd > 0 else np.full(u.shape, d.mean)
        return np.maximum(np.floor(x), FIRST_INFECTIOUS_DAY).astype(np.int64)

    def weight(self, idx: np.ndarray, day: int) -> np.ndarray:
        """Today's infectiousness of infectious residents ``idx``: by days since infection.

        ``rel_inf`` (individual infectiousness, times the asymptomatic factor) times
        the profile's share for today (``infectiousness_profile``).
        """
        tau = day - self.epi.infected_day[idx].astype(np.int64)
        g = self.profile[np.clip(tau, 0, self.profile.size - 1)]
        g = np.where(tau < self.profile.size, g, 0.0)
        return self.epi.rel_inf[idx].astype(np.float64) * g

    def infect(self, idx: np.ndarray, day: int | np.ndarray, draws: Draws) -> None:
        """Start infections (S -> E) for residents ``idx`` on ``day`` (one or one each).

        The exposed turn infectious (P or A) at the end of the next day, so they
        transmit from the second day after infection (``infectiousness_profile``).
        """
        e = self.epi
        e.state[idx] = State.E
        e.infected_day[idx] = day
        sev = self.draw_severity(idx, draws)
        e.severity[idx] = sev
        e.rel_inf[idx] = self.draw_rel_inf(idx, sev, draws)
        e.t_next[idx] = np.asarray(day) + FIRST_INFECTIOUS_DAY - 1

    def progress(
        self, day: int, draws: Draws, ctx: ProgressContext, only: np.ndarray | None = None
    ) -> Transitions:
        """Apply every transition due on ``day`` (each resident moves at most once).

        Every waiting time and choice is drawn by resident and stage, so a resident's
        course does not depend on who else progresses that day. The residents due are
        grouped by their state at the start of the day, and each stage's helper moves
        its group on.

        Args:
            day: Day index.
            draws: The disease draws (keyed by resident and stage).
            ctx: Today's capacities and care seeking.
            only: Move only these residents (catching up the course of infections
                acquired before arrival); None: everyone due.
        """
        e = self.epi
        due = np.flatnonzero(e.t_next == day) if only is None else only[e.t_next[only] == day]
        if due.size == 0:
            return _empty_transitions()
        st = e.state[due]
        sev = e.severity[due]
        # E -> A or P (symptom onset scheduled by the incubation period)
        self._become_infectious(due[st == State.E], day, draws)
        # P -> M (symptom onset; care seeking scheduled)
        onset = due[st == State.P]
        self._start_symptoms(onset, day, draws, ctx)
        # M -> V (admission) or R
        m = st == State.M
        admitted = due[m & (sev >= Severity.SEVERE)]
        self._admit(admitted, day, draws)
        rec = [due[(m & (sev < Severity.SEVERE)) | (st == State.A)]]
        # V -> C or R
        v = st == State.V
        crit = due[v & (sev >= Severity.CRITICAL)]
        rec.append(due[v & (sev < Severity.CRITICAL)])
        icu_denied = self._turn_critical(crit, day, draws, ctx.icu_free)
        # C -> D or R
        cc = st == State.C
        died = due[cc & (sev == Severity.FATAL)]
        rec.append(due[cc & (sev != Severity.FATAL)])
        recovered = np.concatenate(rec)
        self._end(died, recovered)
        return Transitions(onset, admitted, crit, recovered, died, icu_denied)

    def _become_infectious(self, sel: np.ndarray, day: int, draws: Draws) -> None:
        """Exposed residents ``sel`` turn infectious: E -> A, or E -> P until onset.

        Asymptomatic infections stay infectious for a lognormal number of days;
        presymptomatic ones get symptoms at the end of the incubation period (counted
        from the day of infection, and at least one day from today).

        Args:
            sel: Residents in state E whose transition is due (indices).
            day: Day index (days).
            draws: The disease draws (keyed by resident and stage).
        """
        e, c = self.epi, self.cfg
        asym = e.severity[sel] == Severity.ASYMPTOMATIC
        a, p = sel[asym], sel[~asym]
        e.state[a] = State.A
        e.t_next[a] = day + lognormal_days(c.asymptomatic_duration, draws("asymptomatic", a))
        e.state[p] = State.P
        e.t_next[p] = np.maximum(e.infected_day[p] + self.incubation_days(p, draws), day + 1)

    def _start_symptoms(
        self, onset: np.ndarray, day: int, draws: Draws, ctx: ProgressContext
    ) -> None:
        """Presymptomatic residents ``onset`` get symptoms today: P -> M.

        Schedules their next transition (admission for severe courses, recovery for
        mild ones) and, for those who seek care (``ctx.care_seeking_prob``), the day
        care seeking leads to confirmation.

        Args:
            onset: Residents in state P whose transition is due (indices).
            day: Day index (days).
            draws: The disease draws (keyed by resident and stage).
            ctx: Today's care seeking (probability, and delay to confirmation in days).
        """
        e, c = self.epi, self.cfg
        e.state[onset] = State.M
        e.onset_day[onset] = day
        goes_severe = e.severity[onset] >= Severity.SEVERE
        e.t_next[onset] = day + np.where(
            goes_severe,
            lognormal_days(c.symptom_to_severe, draws("to_severe", onset)),
            lognormal_days(c.mild_duration, draws("mild", onset)),
        )
        seek = onset[draws("care_seeking", onset) < ctx.care_seeking_prob]
        delay = lognormal_days(ctx.onset_to_confirmation, draws("care_delay", seek))
        e.t_confirm[seek] = day + delay

    def _admit(self, admitted: np.ndarray, day: int, draws: Draws) -> None:
        """Mild cases with a severe course are admitted to hospital today: M -> V.

        Args:
            admitted: Residents in state M with severity at least SEVERE (indices).
            day: Day index (days).
            draws: The disease draws (keyed by resident and stage).
        """
        e, c = self.epi, self.cfg
        e.state[admitted] = State.V
        goes_critical = e.severity[admitted] >= Severity.CRITICAL
        e.t_next[admitted] = day + np.where(
            goes_critical,
            lognormal_days(c.severe_to_critical, draws("to_critical", admitted)),
            lognormal_days(c.severe_duration, draws("severe", admitted)),
        )

    def _turn_critical(self, crit: np.ndarray, day: int, draws: Draws, icu_free: int) -> int:
        """Severe cases with a critical course become critical today: V -> C.

        Those beyond the free ICU beds may turn fatal (``_deny_icu``); then each is
        scheduled to die or to recover.

        Args:
            crit: Residents in state V with severity at least CRITICAL (indices).
            day: Day index (days).
            draws: The disease draws (keyed by resident and stage).
            icu_free: ICU beds free today (beds; negative counts as none).

        Returns:
            The number of critical cases that found no ICU bed (persons).
        """
        if not crit.size:
            return 0
        e, c = self.epi, self.cfg
        icu_denied = self._deny_icu(crit, draws, icu_free)
        e.state[crit] = State.C
        fatal = e.severity[crit] == Severity.FATAL
        e.t_next[crit] = day + np.where(
            fatal,
            lognormal_days(c.critical_to_death, draws("to_death", crit)),
            lognormal_days(c.critical_duration, draws("critical", crit)),
        )
        return icu_denied

    def _deny_icu(self, crit: np.ndarray, draws: Draws, icu_free: int) -> int:
        """Critical cases beyond the free ICU beds (in a random order) die with higher odds.

        The odds of death of each one denied a bed are multiplied by
        ``no_icu_death_odds_ratio``; survivors whose new draw says so turn FATAL.

        Args:
            crit: Residents becoming critical today (indices, non-empty).
            draws: The disease draws (keyed by resident and stage).
            icu_free: ICU beds free today (beds; negative counts as none).

        Returns:
            The number of critical cases that found no ICU bed (persons).
        """
        e = self.epi
        order = np.argsort(draws("icu_order", crit), kind="stable")
        denied = crit[order][max(icu_free, 0) :]
        if denied.size:
            pd = self.p_death_given_critical[denied].astype(np.float64)
            odds = pd / np.maximum(1.0 - pd, 1e-12) * self.cfg.no_icu_death_odds_ratio
            p_new = np.where(pd >= 1.0, 1.0, odds / (1.0 + odds))
            survives = e.severity[denied] == Severity.CRITICAL
            u = draws("icu_denied", denied)
            flip = survives & (u < (p_new - pd) / np.maximum(1.0 - pd, 1e-12))
            e.severity[denied[flip]] = Severity.FATAL
        return int(denied.size)

    def _end(self, died: np.ndarray, recovered: np.ndarray) -> None:
        """Courses that end today: C -> D for ``died``, recovery (-> R) for ``recovered``.

        Args:
            died: Critical residents with a fatal course (indices).
            recovered: Residents who recover today (indices).
        """
        e = self.epi
        e.state[died] = State.D
        e.t_next[died] = -1
        e.state[recovered] = State.R
        e.t_next[recovered] = -1


class SeirHistory(NaturalHistory):
    """Homogeneous SEIR with memoryless waiting times in whole days (one per run).

    The daily-step version of exponential periods: a resident infected during day d
    turns infectious at the end of day d + k, k >= 0 geometric with mean
    ``latent_days``, and is infectious for a geometric number of days (>= 1) with mean
    ``infectious_days``. Infectious residents are held in state A with relative
    infectiousness 1; there is no severity, no symptom onset and no care seeking.

    Args:
        epi: The residents' epidemic state.
        latent_days: Mean latent period (days, > 0).
        infectious_days: Mean infectious period (days, >= 1).
    """

    def __init__(self, epi: EpiState, latent_days: float, infectious_days: float) -> None:
        super().__init__(epi)
        self.latent_days = latent_days
        self.infectious_days = infectious_days

    def infect(self, idx: np.ndarray, day: int | np.ndarray, draws: Draws) -> None:
        """Start infections (S -> E) for residents ``idx`` on ``day`` (one or one each)."""
        e = self.epi
        e.state[idx] = State.E
        e.infected_day[idx] = day
        e.severity[idx] = Severity.ASYMPTOMATIC
        e.rel_inf[idx] = 1.0
        # whole days on 0, 1, ... with mean latent_days: an infection during day d can
        # turn infectious at the end of day d, which keeps the daily model's growth rate
        # close to the continuous SEIR's (a latent period on 1, 2, ... would be forward
        # Euler, 6% slower at R0 2.5)
        e.t_next[idx] = day + geometric_days(self.latent_days + 1.0, draws("latent", idx)) - 1

    def generation_tail(self) -> int:
        """Days after infection by which 99% of an infection's transmission is over.

        Bounded by the 99% point of latent plus infectious period, each geometric
        (memoryless): ``ln(100)`` times their summed means.
        """
        return int(np.ceil(np.log(100.0) * (self.latent_days + self.infectious_days)))

    def make_infectious(self, idx: np.ndarray, day: int, draws: Draws) -> None:
        """Put residents ``idx`` straight into the infectious state on ``day``."""
        e = self.epi
        e.state[idx] = State.A
        e.infected_day[idx] = day
        e.rel_inf[idx] = 1.0
        e.t_next[idx] = day + geometric_days(self.infectious_days, draws("infectious", idx))

    def progress(
        self, day: int, draws: Draws, ctx: ProgressContext, only: np.ndarray | None = None
    ) -> Transitions:
        """Apply every transition due on ``day``: E -> I and I -> R."""
        e = self.epi
        due = np.flatnonzero(e.t_next == day) if only is None else only[e.t_next[only] == day]
        if due.size == 0:
            return _empty_transitions()
        st = e.state[due]
        ei = due[st == State.E]
        e.state[ei] = State.A
        e.t_next[ei] = day + geometric_days(self.infectious_days, draws("infectious", ei))
        rec = due[st == State.A]
        e.state[rec] = State.R
        e.t_next[rec] = -1
        z = np.zeros(0, dtype=np.int64)
        return Transitions(z, z, z, rec, z, 0)


def susceptibility(age: np.ndarray, cfg: DiseaseConfig) -> np.ndarray:
    """Relative susceptibility of each resident by age band (float32)."""
    if cfg.kind == "well_mixed_seir":
        return np.ones(age.size, dtype=np.float32)
    band = np.searchsorted(np.asarray(cfg.susceptibility_age_bands), age, side="right") - 1
    return np.asarray(cfg.susceptibility, dtype=np.float32)[band]
